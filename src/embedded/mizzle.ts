// Embedded mizzle: the whole SQL engine in this process behind the client library's API, with no server to install or start.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '../client/client.js';
import { silentLogger } from '../kernel/logger.js';
import type { KernelApi } from '../kernel/plugin.js';
import { startServer, type RunningServer } from '../kernel/server.js';
import { SHIPPED_PLUGINS } from '../plugins/index.js';
import { isPairSeed, type KvEntry, type KvSeed } from '../storage/kv.js';
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
  /**
   * Start from a snapshot another instance took (`db.snapshot()`): its databases, tables and rows,
   * copied, so each test can have its own copy of one seeded fixture. Needs a fresh datadir.
   */
  from?: MizzleSnapshot;
  /** Sessions kept open for concurrent calls (default 8) and each call's time limit in ms (default none). */
  poolSize?: number;
  timeoutMs?: number;
}

/** The contents of every storage engine of an instance at one moment, to open copies from (`Mizzle.open({ from })`). */
export class MizzleSnapshot {
  /** @internal */
  constructor(readonly engines: ReadonlyMap<string, KvSeed>) {}

  /** Key/value pairs held, over all engines. */
  get pairs(): number {
    let n = 0;
    for (const seed of this.engines.values()) n += isPairSeed(seed) ? seed.length : seed.size;
    return n;
  }
}

/**
 * An open embedded database: `query`, `execute`, `stream`, `transaction` and `reserve`
 * as the client library offers them over the wire, on sessions with the same parser,
 * planner, executor, isolation and MySQL error codes as the server's.
 */
export class Mizzle extends Client {
  private closing: Promise<void> | undefined;

  /**
   * An open instance is a handle, not data. Naming its own tag makes deep-cloners that keep what they cannot copy
   * (lodash's cloneDeep: Sequelize clones its whole config, dialectOptions included) pass the instance by reference
   * instead of copying the kernel inside it.
   */
  get [Symbol.toStringTag](): string {
    return 'Mizzle';
  }

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
        seed: o.from?.engines,
      });
      return new Mizzle(server, temporary, o);
    } catch (e) {
      if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
      throw e;
    }
  }

  /** The in-process kernel: what the mysql2 adapter opens its sessions on. */
  get kernel(): KernelApi {
    return this.server.kernel;
  }

  /**
   * Copies every engine's committed contents (each from one consistent read of that engine):
   * take it when no transaction of the fixture is still open.
   */
  snapshot(): MizzleSnapshot {
    const storage = this.server.kernel.storage;
    const engines = new Map<string, KvSeed>();
    for (const name of storage.engineNames()) {
      const store = storage.store(name);
      // An engine that can image itself (memory: a copy-on-write clone) is not copied pair by pair.
      if (store.image !== undefined) {
        engines.set(name, store.image());
        continue;
      }
      const pairs: KvEntry[] = [];
      // The engine may reuse an entry's buffers at the next step: each is copied.
      store.read((r) => {
        for (const e of r.range({})) pairs.push({ key: Buffer.from(e.key), value: Buffer.from(e.value) });
      });
      engines.set(name, pairs);
    }
    return new MizzleSnapshot(engines);
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
