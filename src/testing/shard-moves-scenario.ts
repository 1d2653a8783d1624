// Shard moves on real servers: a keyspace on loopback mizzle servers with its topology in etcd (or a file), split and moved (or failed over) under a write load through the sharded client, with etcd members killed along the way; what the test asserts and the bench writes down.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect } from '../client/index.js';
import { openTopology } from '../sharding/open-topology.js';
import type { TopologySource } from '../sharding/topology-source.js';
import { ResolvedKeyspace, parseKeyspace, type ServerAddress } from '../sharding/topology.js';
import type { EtcdCluster } from './etcd-cluster.js';
import { freePort, startServerProcess, type ServerProcess } from './server-process.js';
import { ShardWorkload } from './shard-workload.js';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'cli', 'mizzle.js');
const run = promisify(execFile);
export const KEYSPACE = 'app';
export const TABLE = `${KEYSPACE}.t`;
/**
 * Each writer's pace: 6 writers at one write per 20 ms offer 300 writes/s, which a replica's
 * single applier keeps up with on a loaded 2-core machine. A load faster than the replicas apply
 * makes the cut-over's catch-up wait time out (nothing is changed then).
 */
export const WRITE_EVERY_MS = 20;

export interface ShardNode {
  server: ServerProcess;
  native: ServerAddress;
}

let etcdRuns = 0;

/** A keyspace `app` whose table t is sharded by id, and the servers and topology (etcd or a file) it lives on. */
export class ShardCluster {
  readonly nodes: ShardNode[] = [];

  private constructor(readonly dir: string, readonly topologyAddress: string, readonly topology: TopologySource) {}

  /** A cluster whose topology lives under a prefix of its own in `etcd`, or without it in a file. */
  static async open(etcd?: EtcdCluster): Promise<ShardCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'mizzle-shards-'));
    let address: string;
    if (etcd === undefined) {
      address = join(dir, 'topology.json');
      writeFileSync(address, '{"keyspaces": {}}\n');
    } else {
      address = `${etcd.address}run${++etcdRuns}/`;
    }
    const topology = await openTopology(address, { log: () => undefined });
    await topology.start();
    return new ShardCluster(dir, address, topology);
  }

  /** Stores the first topology: one shard '-' on `primary`, with `replicas`; `t` sharded by id, and `references`. */
  async writeTopology(primary: ServerAddress, replicas: ServerAddress[] = [], references: string[] = []): Promise<void> {
    const tables = { t: { shardKey: 'id' }, ...Object.fromEntries(references.map((r) => [r, { reference: true }])) };
    await this.topology.update(KEYSPACE, () => parseKeyspace({ name: KEYSPACE, tables, shards: [{ name: '-', primary, replicas }] }));
  }

  /** The keyspace as this cluster's own topology source sees it now. */
  keyspace(): ResolvedKeyspace {
    return new ResolvedKeyspace(this.topology.current().keyspaces[KEYSPACE]);
  }

  /** Waits until the topology (read back by this cluster's source) says `shard`'s primary is `native`. */
  async shows(shard: string, native: ServerAddress, ms = 10_000): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.keyspace().shards.find((s) => s.name === shard)?.primary.port !== native.port) {
      if (performance.now() > deadline) throw new Error(`the topology did not show ${shard} on ${native.port} within ${ms} ms`);
      await sleep(50);
    }
  }

  /** A write load on this keyspace through the sharded client, which follows the topology itself. */
  workload(writers: number, updates: boolean, writeEveryMs = WRITE_EVERY_MS): ShardWorkload {
    return new ShardWorkload({ topology: this.topologyAddress, keyspace: KEYSPACE, table: TABLE, writers, updates, writeEveryMs });
  }

  async nativePort(): Promise<ServerAddress> {
    return { host: '127.0.0.1', port: await freePort() };
  }

  /** Starts a server on `native` (its datadir: `datadir`, or a new one) with the topology and `args`. */
  async start(native: ServerAddress, args: string[] = [], datadir?: string): Promise<ShardNode> {
    const server = await startServerProcess({
      datadir: datadir ?? mkdtempSync(join(this.dir, 'node-')),
      args: ['--plugin-add', 'protocol-native', `--protocol-native.port=${native.port}`, '--topology', this.topologyAddress, ...args],
      timeoutMs: 30_000,
    });
    const node = { server, native };
    this.nodes.push(node);
    return node;
  }

  /** A replica of `source`: `--replica-of` it, optionally filtered to one child's key range. */
  replicaOf(source: ShardNode, native: ServerAddress, keyrange?: string, datadir?: string): Promise<ShardNode> {
    return this.start(native, ['--replica-of', `mizzle://root@127.0.0.1:${source.native.port}`, ...(keyrange ? ['--replica-keyrange', `${KEYSPACE}/${keyrange}`] : [])], datadir);
  }

  async sql(node: ShardNode, text: string, params: (number | string)[] = []): Promise<unknown[][]> {
    const c = connect(`mizzle://root@127.0.0.1:${node.native.port}/?maxRedirects=0`);
    try {
      return (await c.query(text, params)).rows;
    } finally {
      await c.close();
    }
  }

  /** `mizzle shard ARGS --topology …`: its exit code and output. */
  async shard(args: string[]): Promise<{ code: number; out: string }> {
    try {
      const r = await run(process.execPath, [CLI, 'shard', ...args, '--topology', this.topologyAddress], { timeout: 120_000 });
      return { code: 0, out: r.stdout + r.stderr };
    } catch (e) {
      const x = e as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof x.code === 'number' ? x.code : 1, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
    }
  }

  /** `mizzle backup` of a running node's datadir into a new directory, for a replica's seed. */
  async backup(node: ShardNode): Promise<string> {
    const image = join(mkdtempSync(join(this.dir, 'image-')), 'image');
    await run(process.execPath, [CLI, 'backup', '--datadir', node.server.datadir, '--to', image]);
    return image;
  }

  /** Waits until `replica` has applied everything `primary` committed so far. */
  async caughtUp(replica: ShardNode, primary: ShardNode, ms = 30_000): Promise<void> {
    const [[target]] = await this.sql(primary, 'SELECT @@server_uuid');
    const status = await this.sql(primary, 'SHOW MASTER STATUS');
    const last = status.length === 0 ? '0' : String(status[0][1]);
    const deadline = performance.now() + ms;
    for (;;) {
      const c = connect(`mizzle://root@127.0.0.1:${replica.native.port}/?maxRedirects=0`);
      const r = await c.query('SHOW REPLICA STATUS').finally(() => c.close());
      const applied = String(r.rows[0][r.columns.findIndex((x) => x.name === 'Last_Applied_Id')]);
      const [uuid, seq] = applied.split(':');
      if (uuid === String(target) && BigInt(seq ?? '0') >= BigInt(last)) return;
      if (performance.now() > deadline) throw new Error(`replica on ${replica.native.port} did not catch up (at ${applied}, primary at ${String(target)}:${last})`);
      await sleep(50);
    }
  }

  /**
   * Every shard of the current topology read back: rows it holds that it does not own, ids found
   * on more than one shard, and the union of id → v.
   */
  async readShards(): Promise<{ misplaced: string[]; duplicated: number[]; rows: Map<number, number> }> {
    const ks = this.keyspace();
    const misplaced: string[] = [];
    const duplicated: number[] = [];
    const rows = new Map<number, number>();
    for (const s of ks.shards) {
      const node = this.nodes.find((n) => n.native.port === s.primary.port);
      if (node === undefined) throw new Error(`no node serves ${s.primary.port}`);
      for (const [id, v] of await this.sql(node, `SELECT id, v FROM ${TABLE}`)) {
        const n = Number(id);
        if (ks.shardForKey(n).name !== s.name) misplaced.push(`${n} on ${s.name}`);
        if (rows.has(n)) duplicated.push(n);
        rows.set(n, Number(v));
      }
    }
    return { misplaced, duplicated, rows };
  }

  async close(): Promise<void> {
    await this.topology.close();
    for (const n of this.nodes) await n.server.stop().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What one cut-over measured: the command's own frozen → serving, and the longest a client's write waited around it. */
/** What one cut-over measured: the command's own frozen → serving, and the longest a client's write waited around it. */
export interface CutOverFigures {
  what: string;
  commandMs: number;
  clientMaxWaitMs: number;
  /** Writes the sharded client gave up on around the cut-over (the load retried them); none is expected. */
  clientErrors: string[];
  output: string;
}

/** A `mizzle shard` run that failed as it should, while etcd was down. */
export interface Refusal {
  code: number;
  out: string;
}

/** What happened while etcd members were down (etcd runs only). */
export interface EtcdOutages {
  /** The member killed (the leader at the time) after the split; the move ran without it. */
  leaderKilled: number;
  /** Writes acknowledged while the leader was down (before the move), and the longest one waited. */
  withoutLeader: { writes: number; longestWaitMs: number };
  /** Writes acknowledged while every member was down, and the longest one waited. */
  withoutEtcd: { writes: number; longestWaitMs: number };
  /** Of 50 rows read back through the client while every member was down, those not found. */
  unreadableWithoutEtcd: number[];
  moveRefused: Refusal;
  initRefused: Refusal;
}

export interface SplitMoveResult {
  cutOvers: CutOverFigures[];
  writes: number;
  /** Writes the load had to retry over the whole run. */
  retries: number;
  acked: number;
  rowsPerShard: Record<string, number>;
  missing: number[];
  wrongValue: number[];
  extra: number[];
  misplaced: string[];
  duplicated: number[];
  etcd?: EtcdOutages;
}

/** The command's printed 'write unavailability … N ms'. */
function printedMs(out: string): number {
  const m = /write unavailability \(frozen → serving\): ([\d.]+) ms/.exec(out);
  return m ? Number(m[1]) : Number.NaN;
}

/** What `load` did while `during` ran: the writes it got acknowledged, and the longest one waited. */
async function loadDuring(load: ShardWorkload, during: () => Promise<void>): Promise<{ writes: number; longestWaitMs: number }> {
  const before = load.writes;
  const t0 = performance.now();
  await during();
  return { writes: load.writes - before, longestWaitMs: load.maxWaitBetween(t0, performance.now()) };
}

/**
 * Four servers: A holds '-' with preloaded rows; B (seeded from a backup of A, which copies every
 * row) and C (from empty) follow A filtered to '-80' and '80-'. Under the load A is split into B
 * and C; then D, a replica of C, takes '80-' over by a move. With etcd, its leader is killed
 * after the split (the move runs on the other two members), and before a third cut-over (E, a
 * replica of B, takes '-80') every member is killed: writes go on, `mizzle shard` is refused,
 * and once the members are back the move goes through. Afterwards every shard is read back.
 */
export async function splitThenMove(etcd?: EtcdCluster, writers = 6, writeEveryMs = WRITE_EVERY_MS, loadMs = 1500): Promise<SplitMoveResult> {
  const c = await ShardCluster.open(etcd);
  try {
    // Each port is picked just before its server starts: another process may take a free port meanwhile.
    const na = await c.nativePort();
    await c.writeTopology(na);
    const a = await c.start(na);
    await c.sql(a, `CREATE DATABASE ${KEYSPACE}`);
    await c.sql(a, `CREATE TABLE ${TABLE} (id BIGINT PRIMARY KEY, v INT NOT NULL)`);
    const load = c.workload(writers, true, writeEveryMs);
    await load.start();
    await sleep(loadMs);
    const nb = await c.nativePort();
    const b = await c.replicaOf(a, nb, '-80', await c.backup(a));
    const nc = await c.nativePort();
    await c.replicaOf(a, nc, '80-');
    await sleep(loadMs);
    const cutOvers: CutOverFigures[] = [];
    const cut = async (what: string, args: string[]) => {
      const t0 = performance.now();
      const r = await c.shard(args);
      const t1 = performance.now();
      if (r.code !== 0) throw new Error(`mizzle shard ${args.join(' ')} failed (${r.code}):\n${r.out}`);
      // Writes begun during the command and waiting past its end belong to its window too.
      await sleep(1000);
      cutOvers.push({ what, commandMs: printedMs(r.out), clientMaxWaitMs: load.maxWaitBetween(t0, t1), clientErrors: load.retriesBetween(t0, performance.now()), output: r.out });
    };
    await cut("split '-' into '-80' (B, seeded from a backup) and '80-' (C, from empty)", ['split', KEYSPACE, '-', '--into', '2', '--to', `127.0.0.1:${nb.port},127.0.0.1:${nc.port}`]);
    const nd = await c.nativePort();
    await c.replicaOf(c.nodes[2], nd);
    let leaderKilled = -1;
    let withoutLeader = { writes: 0, longestWaitMs: 0 };
    if (etcd !== undefined) {
      leaderKilled = await etcd.leader();
      const member = leaderKilled;
      withoutLeader = await loadDuring(load, async () => {
        await etcd.kill(member);
        await sleep(loadMs);
      });
    } else {
      await sleep(loadMs);
    }
    await cut(`move '80-' from C to D${etcd ? ' (etcd leader down)' : ''}`, ['move', KEYSPACE, '80-', '--to', `127.0.0.1:${nd.port}`]);
    let outages: EtcdOutages | undefined;
    if (etcd !== undefined) {
      await etcd.restart(leaderKilled);
      // E starts while etcd answers: a server reads the topology when it starts.
      const ne = await c.nativePort();
      await c.replicaOf(b, ne);
      await sleep(loadMs / 2);
      let moveRefused: Refusal = { code: 0, out: '' };
      let initRefused: Refusal = { code: 0, out: '' };
      let unreadableWithoutEtcd: number[] = [];
      const withoutEtcd = await loadDuring(load, async () => {
        await Promise.all([0, 1, 2].map((i) => etcd.kill(i)));
        await sleep(loadMs);
        unreadableWithoutEtcd = await load.unreadable(50);
        moveRefused = await c.shard(['move', KEYSPACE, '-80', '--to', `127.0.0.1:${ne.port}`]);
        initRefused = await c.shard(['init', 'other', '--shards', '1', '--primaries', `127.0.0.1:${ne.port}`]);
      });
      await Promise.all([0, 1, 2].map((i) => etcd.restart(i)));
      outages = { leaderKilled, withoutLeader, withoutEtcd, unreadableWithoutEtcd, moveRefused, initRefused };
      await sleep(loadMs / 2);
      await cut("move '-80' from B to E (etcd restarted after an outage)", ['move', KEYSPACE, '-80', '--to', `127.0.0.1:${ne.port}`]);
      await c.shows('-80', ne);
    }
    await c.shows('80-', nd);
    await sleep(loadMs / 2);
    await load.stop();
    const read = await c.readShards();
    const missing: number[] = [];
    const wrongValue: number[] = [];
    for (const [id, v] of load.acked) {
      const got = read.rows.get(id);
      if (got === undefined) missing.push(id);
      else if (got !== v) wrongValue.push(id);
    }
    const extra = [...read.rows.keys()].filter((id) => !load.acked.has(id));
    const ks = c.keyspace();
    const rowsPerShard: Record<string, number> = {};
    for (const id of read.rows.keys()) rowsPerShard[ks.shardForKey(id).name] = (rowsPerShard[ks.shardForKey(id).name] ?? 0) + 1;
    return { cutOvers, writes: load.writes, retries: load.retriedAt.length, acked: load.acked.size, rowsPerShard, missing, wrongValue, extra, misplaced: read.misplaced, duplicated: read.duplicated, etcd: outages };
  } finally {
    await c.close();
  }
}

export interface FailoverResult {
  output: string;
  /** What failover said while the primary still answered. */
  refusedWhileAlive: { code: number; out: string };
  /** Inserts acknowledged before the snapshot that the replica had applied when the primary was killed. */
  replicatedBeforeKill: number;
  missingReplicated: number[];
  /** Inserts acknowledged after the snapshot and before the kill that the replica never got (the asynchronous window). */
  lostUnreplicated: number;
  /** Inserts acknowledged after the failover. */
  afterFailover: number;
  missingAfterFailover: number[];
  /** From the kill until the first write acknowledged by the promoted replica. */
  writesResumedMs: number;
  /** The shard's primary as `mizzle shard show` reads it from the topology afterwards, and the replica's port. */
  primaryAfter: number;
  replicaPort: number;
  /** The second replica, stopped behind before the kill and re-pointed by the failover: rows it lacks or has beyond the promoted one's. */
  secondMissing: number[];
  secondExtra: number[];
}

/**
 * P holds '-' and R follows it (listed as its replica). Under an insert load: a snapshot of the
 * acknowledged ids, R catches up past it, P is killed with SIGKILL, `mizzle shard failover`
 * (run then, or already watching with `watch`) promotes R, and the load goes on there. A second
 * replica R2, stopped behind R before the kill, is re-pointed at R by the failover and catches up.
 */
export async function failoverAfterKill(etcd: EtcdCluster | undefined, watch = false, writers = 4, loadMs = 1500): Promise<FailoverResult> {
  const c = await ShardCluster.open(etcd);
  try {
    const [np, nr, nr2] = [await c.nativePort(), await c.nativePort(), await c.nativePort()];
    await c.writeTopology(np, [nr, nr2]);
    const p = await c.start(np);
    await c.sql(p, `CREATE DATABASE ${KEYSPACE}`);
    await c.sql(p, `CREATE TABLE ${TABLE} (id BIGINT PRIMARY KEY, v INT NOT NULL)`);
    const r = await c.replicaOf(p, nr);
    const r2 = await c.replicaOf(p, nr2);
    const load = c.workload(writers, false);
    await load.start();
    await sleep(loadMs);
    const refusedWhileAlive = await c.shard(['failover', KEYSPACE, '-']);
    await c.sql(r2, 'STOP REPLICA');
    const snapshot = new Set(load.acked.keys());
    await c.caughtUp(r, p);
    const beforeKill = new Set(load.acked.keys());
    // With --watch the failover runs already and acts on its own once the primary is gone.
    const watcher = watch ? c.shard(['failover', KEYSPACE, '-', '--watch', '--dead-ms', '1000']) : undefined;
    if (watcher) await sleep(500);
    const killedAt = performance.now();
    await p.server.kill();
    const writesBefore = load.writes;
    const f = await (watcher ?? c.shard(['failover', KEYSPACE, '-']));
    if (f.code !== 0) throw new Error(`mizzle shard failover failed (${f.code}):\n${f.out}`);
    // The first write acknowledged after the kill came from the promoted replica.
    const deadline = performance.now() + 10_000;
    while (load.writes === writesBefore && performance.now() < deadline) await sleep(5);
    const writesResumedMs = performance.now() - killedAt;
    const afterStart = new Set(load.acked.keys());
    await sleep(loadMs);
    await load.stop();
    const shown = await c.shard(['show', KEYSPACE]);
    const primaryAfter = shown.code === 0 ? Number((JSON.parse(shown.out) as { shards: { primary: ServerAddress }[] }).shards[0].primary.port) : -1;
    const rows = new Set((await c.sql(r, `SELECT id FROM ${TABLE}`)).map(([id]) => Number(id)));
    await c.caughtUp(r2, r);
    const rows2 = new Set((await c.sql(r2, `SELECT id FROM ${TABLE}`)).map(([id]) => Number(id)));
    const after = [...load.acked.keys()].filter((id) => !afterStart.has(id));
    return {
      output: f.out,
      refusedWhileAlive,
      replicatedBeforeKill: snapshot.size,
      missingReplicated: [...snapshot].filter((id) => !rows.has(id)),
      lostUnreplicated: [...beforeKill].filter((id) => !snapshot.has(id) && !rows.has(id)).length,
      afterFailover: after.length,
      missingAfterFailover: after.filter((id) => !rows.has(id)),
      writesResumedMs,
      primaryAfter,
      replicaPort: nr.port,
      secondMissing: [...rows].filter((id) => !rows2.has(id)),
      secondExtra: [...rows2].filter((id) => !rows.has(id)),
    };
  } finally {
    await c.close();
  }
}
