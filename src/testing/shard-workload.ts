// A sysbench-like write load on a sharded keyspace through the sharded client library: writers insert and update rows keyed by id; the client routes each to its shard, holds it while the shard is frozen and follows redirects.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectSharded, MizzleError, type ShardedClient } from '../client/index.js';

export interface WorkloadOptions {
  /** The topology's address (etcd://… or a file), which the client opens and follows itself. */
  topology: string;
  keyspace: string;
  /** `keyspace`.`table` (id BIGINT PRIMARY KEY, v INT). */
  table: string;
  writers: number;
  /** Whether writers also update their earlier rows (else inserts only). */
  updates: boolean;
  /** Each writer starts a write at most this often (sysbench's --rate): a load a replica can keep up with. */
  writeEveryMs: number;
}

/** A write that waited: when it was first tried and how long until it was acknowledged. */
export interface SlowWrite {
  startMs: number;
  waitMs: number;
}

/** Writes that took longer than this are kept (with their start) to measure a cut-over's window. */
const SLOW_MS = 20;
/** Between tries of a write the client gave up on. */
const RETRY_MS = 2;
/** A write not acknowledged after this long fails the load: a cut-over must never take this long. */
const GIVE_UP_MS = 30_000;
/** Each client call's limit: holding for a frozen shard and following redirects happen inside it. */
const CALL_TIMEOUT_MS = 10_000;

/**
 * Errors the load itself retries after: the connection went (a killed server) or the server
 * refused as read-only. Everything a cut-over does (freeze, REDIRECT shard-moved) the client
 * handles; `retriedAt` records when the load had to step in.
 */
function retryable(e: unknown): boolean {
  if (!(e instanceof MizzleError)) return false;
  return e.kind === 'connection' || e.kind === 'timeout' || e.code === 1290 || e.code === 1836 || e.code === 1053;
}

export class ShardWorkload {
  /** id → the last value acknowledged for it. */
  readonly acked = new Map<number, number>();
  readonly slow: SlowWrite[] = [];
  /** When (performance.now()) a write failed at the client and the load tried it again, with the error. */
  readonly retriedAt: { atMs: number; error: string }[] = [];
  writes = 0;
  private running = false;
  private loops: Promise<void>[] = [];
  private client: ShardedClient | undefined;
  private failure: Error | undefined;

  constructor(private readonly o: WorkloadOptions) {}

  /** Runs `sql` on `id`'s shard until it is acknowledged; 1062 on a retried insert means an earlier try committed. */
  private async write(client: ShardedClient, id: number, sql: string, params: number[], insert: boolean): Promise<void> {
    const start = performance.now();
    let tried = false;
    for (;;) {
      try {
        await client.query(sql, params, { shardKey: id });
        break;
      } catch (e) {
        if (insert && tried && e instanceof MizzleError && e.code === 1062) break;
        if (!retryable(e) || performance.now() - start > GIVE_UP_MS) throw e;
        tried = true;
        this.retriedAt.push({ atMs: performance.now(), error: (e as Error).message });
        await sleep(RETRY_MS);
      }
    }
    const waitMs = performance.now() - start;
    this.writes++;
    if (waitMs > SLOW_MS) this.slow.push({ startMs: start, waitMs });
  }

  private async writer(client: ShardedClient, w: number): Promise<void> {
    const base = 1 + w * 1e9;
    const mine: number[] = [];
    let n = 0;
    while (this.running) {
      const next = performance.now() + this.o.writeEveryMs;
      if (this.o.updates && mine.length > 0 && n % 3 === 2) {
        const id = mine[Math.floor(Math.random() * mine.length)];
        const v = (this.acked.get(id) ?? 0) + 1;
        await this.write(client, id, `UPDATE ${this.o.table} SET v = ? WHERE id = ?`, [v, id], false);
        this.acked.set(id, v);
      } else {
        const id = base + n;
        await this.write(client, id, `INSERT INTO ${this.o.table} (id, v) VALUES (?, ?)`, [id, 0], true);
        this.acked.set(id, 0);
        mine.push(id);
      }
      n++;
      const idle = next - performance.now();
      if (idle > 0) await sleep(idle);
    }
  }

  /** Connects the client (reading the topology) and starts the writers. */
  async start(): Promise<void> {
    const client = await connectSharded({ topology: this.o.topology, keyspace: this.o.keyspace, poolSize: this.o.writers, timeoutMs: CALL_TIMEOUT_MS });
    this.client = client;
    this.running = true;
    this.loops = Array.from({ length: this.o.writers }, (_, w) => this.writer(client, w).catch((e: unknown) => {
      this.failure = e instanceof Error ? e : new Error(String(e));
      this.running = false;
    }));
  }

  /** The longest any write begun in [fromMs, toMs] (performance.now() times) waited. */
  maxWaitBetween(fromMs: number, toMs: number): number {
    return this.slow.filter((s) => s.startMs + s.waitMs >= fromMs && s.startMs <= toMs).reduce((m, s) => Math.max(m, s.waitMs), 0);
  }

  /** Writes the load had to retry itself in [fromMs, toMs]. */
  retriesBetween(fromMs: number, toMs: number): string[] {
    return this.retriedAt.filter((r) => r.atMs >= fromMs && r.atMs <= toMs).map((r) => r.error);
  }

  /** Reads up to `count` acknowledged rows back through the client, each from its shard: the ids not found. */
  async unreadable(count: number): Promise<number[]> {
    const client = this.client;
    if (client === undefined) throw new Error('the load is not running');
    const ids = [...this.acked.keys()].slice(-count);
    const missing: number[] = [];
    for (const id of ids) {
      const r = await client.query(`SELECT id FROM ${this.o.table} WHERE id = ?`, [id], { shardKey: id });
      if (r.rows.length !== 1) missing.push(id);
    }
    return missing;
  }

  /** Stops the writers after their current write; throws what stopped one, if anything did. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    await this.client?.close();
    this.client = undefined;
    if (this.failure) throw this.failure;
  }
}
