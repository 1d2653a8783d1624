// Embedded mizzle: the whole SQL engine in this process behind the client library's API, with no server to install or start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '../client/client.js';
import { silentLogger } from '../kernel/logger.js';
import { startServer, type RunningServer } from '../kernel/server.js';
import { SHIPPED_PLUGINS } from '../plugins/index.js';
import { EmbeddedTransport } from './transport.js';

export interface OpenOptions {
  /**
   * Data directory; created when missing. Without one, a fresh temporary directory that
   * close() removes (a throwaway database for tests).
   */
  datadir?: string;
  /** Engine of tables created without ENGINE=: 'lmdb' (durable, the default) or 'memory' (gone at close, fastest). */
  engine?: 'lmdb' | 'memory';
  /** The user sessions run as (what CURRENT_USER() shows and authorization plugins see); default root. */
  user?: string;
  /** Default database of every session; it must exist. */
  database?: string;
  /** Further server options as on the command line, e.g. ['--query-memory-limit=67108864']. */
  args?: readonly string[];
  /**
   * Also serve this instance on the MySQL protocol (GUI tools, other processes, a driver during
   * development): host defaults to 127.0.0.1. Chosen at open, as every plugin is at startup.
   */
  listen?: { port: number; host?: string };
  /** Sessions kept open for concurrent calls (default 8) and each call's time limit in ms (default none). */
  poolSize?: number;
  timeoutMs?: number;
}

/**
 * An open embedded database: `query`, `execute`, `stream`, `transaction` and `reserve`
 * as the client library offers them over the wire, on sessions with the same parser,
 * planner, executor, isolation and MySQL error codes as the server's.
 */
export class Mizzle extends Client {
  private closing: Promise<void> | undefined;

  private constructor(private readonly server: RunningServer, private readonly temporary: string | undefined, o: OpenOptions) {
    super(new EmbeddedTransport(server.kernel, o.user ?? 'root', o.database ?? null), { poolSize: o.poolSize ?? 8, timeoutMs: o.timeoutMs ?? 0 });
  }

  static async open(o: OpenOptions = {}): Promise<Mizzle> {
    const temporary = o.datadir === undefined ? mkdtempSync(join(tmpdir(), 'mizzle-embedded-')) : undefined;
    const datadir = o.datadir ?? (temporary as string);
    try {
      const server = await startServer({
        argv: [
          '--datadir', datadir, '--default-storage-engine', o.engine ?? 'lmdb',
          ...(o.listen ? ['--mysql.port', String(o.listen.port), '--mysql.bind', o.listen.host ?? '127.0.0.1'] : []),
          ...(o.args ?? []),
        ],
        env: {},
        cwd: datadir,
        plugins: SHIPPED_PLUGINS,
        log: silentLogger,
        // Without `listen` no protocol plugin starts: no port is taken.
        embedded: o.listen === undefined,
      });
      return new Mizzle(server, temporary, o);
    } catch (e) {
      if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
      throw e;
    }
  }

  /** Closes every session (open transactions roll back), then storage; a temporary datadir is removed. */
  override close(): Promise<void> {
    this.closing ??= (async () => {
      await super.close();
      await this.server.stop();
      if (this.temporary !== undefined) rmSync(this.temporary, { recursive: true, force: true });
    })();
    return this.closing;
  }
}
