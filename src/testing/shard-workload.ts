// A sysbench-like write load on a sharded keyspace: writers insert and update rows keyed by id, each routed by the topology to its shard's primary, held while the shard is frozen and retried until acknowledged.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect, MizzleError, type Client } from '../client/index.js';
import type { TopologySource } from '../sharding/topology-source.js';
import { ResolvedKeyspace, type ServerAddress } from '../sharding/topology.js';

export interface WorkloadOptions {
  keyspace: string;
  /** `keyspace`.`table` (id BIGINT PRIMARY KEY, v INT). */
  table: string;
  writers: number;
  /** Whether writers also update their earlier rows (else inserts only). */
  updates: boolean;
  /** Each writer starts a write at most this often (sysbench's --rate): a load a replica can keep up with. */
  writeEveryMs: number;
  /** Ids start here (writer w uses firstId + w * 1e9 + n), so loads of several runs never collide. */
  firstId?: number;
}

/** A write that waited: when it was first tried and how long until it was acknowledged. */
export interface SlowWrite {
  startMs: number;
  waitMs: number;
}

/** Writes that took longer than this are kept (with their start) to measure a cut-over's window. */
const SLOW_MS = 20;
/** Between tries of a refused write, and between looks at a frozen shard. */
const RETRY_MS = 2;
/** A write not acknowledged after this long fails the load: a cut-over must never take this long. */
const GIVE_UP_MS = 30_000;

/** Errors a write is retried after: the server is read-only, refused or redirected, or the connection went. */
function retryable(e: unknown): boolean {
  if (!(e instanceof MizzleError)) return false;
  return e.kind === 'connection' || e.kind === 'timeout' || e.code === 1290 || e.code === 1836 || e.code === 1053;
}

export class ShardWorkload {
  /** id → the last value acknowledged for it. */
  readonly acked = new Map<number, number>();
  readonly slow: SlowWrite[] = [];
  writes = 0;
  retries = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly clients = new Map<string, Client>();
  private failure: Error | undefined;

  constructor(private readonly topology: TopologySource, private readonly o: WorkloadOptions) {}

  private client(a: ServerAddress): Client {
    const key = `${a.host}:${a.port}`;
    let c = this.clients.get(key);
    if (c === undefined) {
      // No redirects: a refused write goes back to the topology for its shard's primary.
      c = connect(`mizzle://root@${key}/?maxRedirects=0&poolSize=${this.o.writers}&timeoutMs=5000`);
      this.clients.set(key, c);
    }
    return c;
  }

  /** Runs `sql` on the primary of `id`'s shard until it is acknowledged; 1062 on a retried insert means an earlier try committed. */
  private async write(id: number, sql: string, params: (number | string)[], insert: boolean): Promise<void> {
    const start = performance.now();
    let tried = false;
    for (;;) {
      if (performance.now() - start > GIVE_UP_MS) throw new Error(`a write of id ${id} was not acknowledged within ${GIVE_UP_MS} ms`);
      const ks = this.topology.current().keyspaces[this.o.keyspace];
      const shard = new ResolvedKeyspace(ks).shardForKey(id);
      if (shard.state === 'frozen') {
        await sleep(RETRY_MS);
        continue;
      }
      try {
        await this.client(shard.primary).query(sql, params);
        break;
      } catch (e) {
        if (insert && tried && e instanceof MizzleError && e.code === 1062) break;
        if (!retryable(e)) throw e;
        tried = true;
        this.retries++;
        await sleep(RETRY_MS);
      }
    }
    const waitMs = performance.now() - start;
    this.writes++;
    if (waitMs > SLOW_MS) this.slow.push({ startMs: start, waitMs });
  }

  private async writer(w: number): Promise<void> {
    const base = (this.o.firstId ?? 1) + w * 1e9;
    const mine: number[] = [];
    let n = 0;
    while (this.running) {
      const next = performance.now() + this.o.writeEveryMs;
      if (this.o.updates && mine.length > 0 && n % 3 === 2) {
        const id = mine[Math.floor(Math.random() * mine.length)];
        const v = (this.acked.get(id) ?? 0) + 1;
        await this.write(id, `UPDATE ${this.o.table} SET v = ? WHERE id = ?`, [v, id], false);
        this.acked.set(id, v);
      } else {
        const id = base + n;
        await this.write(id, `INSERT INTO ${this.o.table} (id, v) VALUES (?, ?)`, [id, 0], true);
        this.acked.set(id, 0);
        mine.push(id);
      }
      n++;
      const idle = next - performance.now();
      if (idle > 0) await sleep(idle);
    }
  }

  start(): void {
    this.running = true;
    this.loops = Array.from({ length: this.o.writers }, (_, w) => this.writer(w).catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.running = false;
    }));
  }

  /** The longest any write begun in [fromMs, toMs] (performance.now() times) waited. */
  maxWaitBetween(fromMs: number, toMs: number): number {
    return this.slow.filter((s) => s.startMs + s.waitMs >= fromMs && s.startMs <= toMs).reduce((m, s) => Math.max(m, s.waitMs), 0);
  }

  /** Stops the writers after their current write; throws what stopped one, if anything did. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    for (const c of this.clients.values()) await c.close();
    this.clients.clear();
    if (this.failure) throw this.failure;
  }
}
