// Where an ORM suite runs: a mizzle server over TCP driven by the real mysql2 driver (the default), or an in-process
// instance driven through mizzle's mysql2 drop-in (MIZZLE_ORM_TARGET=embedded). The same suite then proves both.
import realMysql2 from 'mysql2';
import realMysql2Promise from 'mysql2/promise';
import dropIn from '../embedded/mysql2/index.js';
import { Mizzle } from '../embedded/mizzle.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** The module an ORM is handed as its mysql2 driver; the drop-in stands in for the real one's type. */
export type Mysql2Module = typeof realMysql2;

export interface OrmTarget {
  readonly kind: 'tcp' | 'embedded';
  /** The mysql2 module to give the ORM: the real driver, or mizzle's drop-in. */
  readonly mysql2: Mysql2Module;
  /** Options for that module's createConnection/createPool: host and port, or the in-process instance. */
  connection(database?: string): Record<string, unknown>;
  /** Runs one statement outside the ORM (creating its database, say). */
  run(sql: string): Promise<void>;
  stop(): Promise<void>;
}

/** Which target this run uses, from MIZZLE_ORM_TARGET (`tcp` unless it says `embedded`). */
export function ormTargetKind(): 'tcp' | 'embedded' {
  const v = process.env.MIZZLE_ORM_TARGET ?? 'tcp';
  if (v !== 'tcp' && v !== 'embedded') throw new Error(`MIZZLE_ORM_TARGET must be tcp or embedded, not ${v}`);
  return v;
}

export async function startOrmTarget(): Promise<OrmTarget> {
  return ormTargetKind() === 'embedded' ? embeddedTarget() : tcpTarget();
}

async function tcpTarget(): Promise<OrmTarget> {
  const server: ServerProcess = await startServerProcess();
  const connection = (database?: string) => ({ host: '127.0.0.1', port: server.port, user: 'root', ...(database ? { database } : {}) });
  return {
    kind: 'tcp',
    mysql2: realMysql2,
    connection,
    run: async (sql) => {
      const c = await realMysql2Promise.createConnection(connection());
      try {
        await c.query(sql);
      } finally {
        await c.end();
      }
    },
    stop: async () => {
      await server.stop();
      server.cleanup();
    },
  };
}

async function embeddedTarget(): Promise<OrmTarget> {
  const db = await Mizzle.open({ engine: 'memory' });
  return {
    kind: 'embedded',
    mysql2: dropIn as unknown as Mysql2Module,
    connection: (database?: string) => ({ db, user: 'root', ...(database ? { database } : {}) }),
    run: async (sql) => {
      await db.query(sql);
    },
    stop: () => db.close(),
  };
}
