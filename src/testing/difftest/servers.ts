// The two servers a differential run compares: a mizzle server process and a MariaDB, each behind one mysql2 connection.
import type { Connection, FieldPacket } from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../server-process.js';
import { startMariadb, type MariadbProcess } from '../mariadb-process.js';

/**
 * One statement's answer. Values are the text the MySQL text protocol carried (mysql2 with
 * typeCast returning field.string()), NULL as null; `approximate` marks FLOAT/DOUBLE columns.
 */
export type Answer =
  | { kind: 'rows'; rows: (string | null)[][]; approximate: boolean[] }
  | { kind: 'ok' }
  | { kind: 'error'; code: number; message: string };

/** A UCA collation, so punctuation sorts as in MySQL 8's utf8mb4_0900_ai_ci (general_ci sorts by code point). */
const MARIADB_COLLATION = 'utf8mb4_unicode_520_ci';

/** A statement that has not answered in this long counts as an error (code -2) and the connection is replaced. */
const STATEMENT_TIMEOUT_MS = 10000;
const FLOAT_TYPES = new Set([4, 5]);

export class Peer {
  private conn: Connection | undefined;

  /** `init`: statements run on each new connection (the MariaDB peer sets its connection collation). */
  constructor(readonly name: string, private readonly port: number, private readonly init: string[] = []) {}

  private async connection(): Promise<Connection> {
    if (!this.conn) {
      const mysql = await import('mysql2/promise');
      this.conn = await mysql.createConnection({
        host: '127.0.0.1', port: this.port, user: 'root', password: '',
        rowsAsArray: true, supportBigNumbers: true, bigNumberStrings: true, dateStrings: true,
        typeCast: (field, next) => { void next; return field.string(); },
      });
      for (const sql of this.init) await this.conn.query(sql);
      await this.conn.query('CREATE DATABASE IF NOT EXISTS difftest');
      await this.conn.query('USE difftest');
    }
    return this.conn;
  }

  async run(sql: string): Promise<Answer> {
    const conn = await this.connection();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), STATEMENT_TIMEOUT_MS); });
    try {
      const result = await Promise.race([conn.query({ sql, rowsAsArray: true }), timeout]);
      if (result === 'timeout') {
        conn.destroy();
        this.conn = undefined;
        return { kind: 'error', code: -2, message: `no answer in ${STATEMENT_TIMEOUT_MS} ms` };
      }
      const [rows, fields] = result;
      if (!Array.isArray(rows) || !fields) return { kind: 'ok' };
      return {
        kind: 'rows',
        rows: (rows as unknown as (string | null)[][]).map((row) => row.map((v) => (v === null ? null : String(v)))),
        approximate: (fields as FieldPacket[]).map((f) => FLOAT_TYPES.has(f.columnType ?? -1)),
      };
    } catch (e) {
      const err = e as { errno?: number; message?: string };
      if (err.errno === undefined) {
        // The connection itself failed: start a new one for the next statement.
        this.conn?.destroy();
        this.conn = undefined;
      }
      return { kind: 'error', code: err.errno ?? -1, message: err.message ?? String(e) };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Drops and recreates the test database, so each round starts empty. */
  async reset(): Promise<void> {
    const conn = await this.connection();
    await conn.query('DROP DATABASE IF EXISTS difftest');
    await conn.query('CREATE DATABASE difftest');
    await conn.query('USE difftest');
  }

  async close(): Promise<void> {
    await this.conn?.end().catch(() => undefined);
    this.conn = undefined;
  }
}

export interface Peers {
  mizzle: Peer;
  mariadb: Peer;
  stop(): Promise<void>;
}

/** Starts both servers (MariaDB with utf8mb4 and a UCA collation: punctuation sorts as in MySQL 8's utf8mb4_0900_ai_ci). */
export async function startPeers(): Promise<Peers> {
  let server: ServerProcess | undefined;
  let maria: MariadbProcess | undefined;
  try {
    [server, maria] = await Promise.all([
      startServerProcess(),
      startMariadb(['--character-set-server=utf8mb4', `--collation-server=${MARIADB_COLLATION}`, '--sql-mode=ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION']),
    ]);
  } catch (e) {
    await server?.stop(); server?.cleanup();
    await maria?.stop();
    throw e;
  }
  const s = server; const m = maria;
  const mizzle = new Peer('mizzle', s.port);
  // Literals take the connection's collation: the same as the columns', or MariaDB answers 1267/1271 where MySQL 8 coerces.
  const mariadb = new Peer('mariadb', m.port, [`SET NAMES utf8mb4 COLLATE ${MARIADB_COLLATION}`]);
  return {
    mizzle,
    mariadb,
    async stop() {
      await mizzle.close(); await mariadb.close();
      await s.stop(); s.cleanup();
      await m.stop();
    },
  };
}
