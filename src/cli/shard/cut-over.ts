// The cut-over of a shard move or split: replicas of the shard's primary catch up, the shard freezes, the primary stops taking writes, the replicas apply its last commit and are promoted, and the topology names them.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TopologySource } from '../../sharding/topology-source.js';
import { sameAddress, type KeyspaceTopology, type ServerAddress, type ShardTopology } from '../../sharding/topology.js';
import type { LogPosition, ShardServer } from './shard-server.js';

export interface CutOverPlan {
  topology: TopologySource;
  keyspace: string;
  shard: string;
  /** The shard's primary now. */
  source: ShardServer;
  /** Replicas of `source` to promote (one for a move, one per child for a split). */
  targets: ShardServer[];
  /** The shards that take `shard`'s place once the targets are primaries. */
  replacement: (old: ShardTopology, targets: ServerAddress[]) => ShardTopology[];
  /** Transactions a target may be behind when the freeze starts: what it must apply while writes wait. */
  maxLag: number;
  /** How long the targets may take to come within maxLag of the source before the freeze (nothing is frozen yet). */
  catchUpMs: number;
  /** How long writes may be held: from the freeze until the targets applied the source's last commit. */
  freezeMs: number;
  log: (line: string) => void;
}

export interface CutOverResult {
  /** Frozen → serving in the topology: the longest any write to the shard had to wait (plus the readers' topology delay). */
  unavailableMs: number;
  /** The source's last commit, which every target applied before it was promoted. */
  position: LogPosition;
}

const POLL_MS = 5;
/** The source's position must hold still this long after it became read-only (commits already past their check land first). */
const SETTLE_MS = 30;

/** Polls `check` until it returns true, or throws `what` after `ms`. */
async function until(ms: number, what: () => string, check: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    if (await check()) return;
    if (performance.now() > deadline) throw new Error(what());
    await sleep(POLL_MS);
  }
}

/** The shard `name` of a stored keyspace, with a clear error when it is not there. */
export function findShard(ks: KeyspaceTopology | undefined, keyspace: string, name: string): ShardTopology {
  if (ks === undefined) throw new Error(`the topology has no keyspace '${keyspace}'`);
  const s = ks.shards.find((x) => x.name === name);
  if (s === undefined) throw new Error(`keyspace ${keyspace} has no shard '${name}' (it has ${ks.shards.map((x) => x.name).join(', ')})`);
  return s;
}

/** A cut-over starts from a serving shard: a frozen one is another cut-over's, running or failed halfway. */
export function assertServing(s: ShardTopology, keyspace: string): void {
  if (s.state === 'frozen') throw new Error(`${keyspace}/${s.name} is frozen: another cut-over runs or failed halfway (mizzle shard show)`);
}

/** Sets one shard's state, checking its primary is still `primary` (another operator may have moved it). */
export function setShardState(topology: TopologySource, keyspace: string, shard: string, primary: ServerAddress, state: 'serving' | 'frozen'): Promise<unknown> {
  return topology.update(keyspace, (ks) => {
    const s = findShard(ks, keyspace, shard);
    if (!sameAddress(s.primary, primary)) throw new Error(`shard ${keyspace}/${shard}'s primary changed to ${s.primary.host}:${s.primary.port} meanwhile`);
    return { ...(ks as KeyspaceTopology), shards: (ks as KeyspaceTopology).shards.map((x) => (x.name === shard ? { ...x, state } : x)) };
  });
}

/** Checks `target` follows `source` and is healthy; the reason otherwise. */
async function checkFollows(target: ShardServer, source: ShardServer): Promise<void> {
  const f = await target.replicaFacts();
  if (f === undefined) throw new Error(`${target.name} follows no source: start it with --replica-of mizzle://USER@${source.name}`);
  if (f.sourcePort !== source.address.port) throw new Error(`${target.name} follows ${f.sourceHost}:${f.sourcePort}, not the shard's primary ${source.name}`);
  if (!f.running) throw new Error(`${target.name}'s replication is stopped${f.error ? `: ${f.error}` : ''} (START REPLICA)`);
}

/** Whether `target` applied everything up to `p` of the source. */
async function applied(target: ShardServer, p: LogPosition): Promise<boolean> {
  const f = await target.replicaFacts();
  if (f === undefined) return false;
  if (f.error !== '' && !f.running) throw new Error(`${target.name} stopped replicating: ${f.error}`);
  if (p.sequence === 0n) return true;
  return f.applied !== undefined && f.applied.uuid === p.uuid && f.applied.sequence >= p.sequence;
}

/**
 * Waits until the source (read-only by now) holds still for SETTLE_MS and every target applied
 * its last commit; returns that commit. Commits that passed their check before the source became
 * read-only land meanwhile, and the targets must have them too.
 */
async function drained(source: ShardServer, targets: ShardServer[], ms: number): Promise<LogPosition> {
  let last = await source.lastCommitted();
  let since = performance.now();
  let behind = targets.map((t) => t.name);
  await until(ms, () => `${behind.join(', ')} did not apply ${source.name}'s last commit ${last.uuid}:${last.sequence} within the freeze (${ms} ms)`, async () => {
    const [now, ...done] = await Promise.all([source.lastCommitted(), ...targets.map((t) => applied(t, last))]);
    behind = targets.filter((_, i) => !done[i]).map((t) => t.name);
    if (now.uuid !== last.uuid || now.sequence !== last.sequence) {
      last = now;
      since = performance.now();
      return false;
    }
    return behind.length === 0 && performance.now() - since >= SETTLE_MS;
  });
  return last;
}

/** Best-effort undo: every step is tried even if one before it failed; what could not be undone is said. */
async function undo(steps: [string, () => Promise<unknown>][], log: (line: string) => void): Promise<void> {
  for (const [what, step] of steps) {
    try {
      await step();
    } catch (e) {
      log(`could not undo (${what}): ${(e as Error).message}; do it by hand`);
    }
  }
}

export async function cutOver(plan: CutOverPlan): Promise<CutOverResult> {
  const { topology, keyspace, shard, source, targets, log } = plan;
  for (const t of targets) await checkFollows(t, source);
  log(`waiting until ${targets.map((t) => t.name).join(', ')} are within ${plan.maxLag} transactions of ${source.name}`);
  let lagSeen = '';
  // Measured against the source's own last commit: a replica's Lag_transactions trails while it is busy applying.
  await until(plan.catchUpMs, () => `the targets did not come within ${plan.maxLag} transactions of ${source.name} within ${plan.catchUpMs} ms (last seen behind: ${lagSeen}); nothing was changed`, async () => {
    const last = await source.lastCommitted();
    for (const t of targets) {
      const f = await t.replicaFacts();
      if (f === undefined || !f.running) throw new Error(`${t.name} stopped replicating${f?.error ? `: ${f.error}` : ''}; nothing was changed`);
      const behind = f.applied === undefined || f.applied.uuid !== last.uuid ? last.sequence : last.sequence - f.applied.sequence;
      lagSeen = `${t.name} ${behind}`;
      if (behind > BigInt(plan.maxLag)) return false;
    }
    return true;
  });

  // Asked before the freeze: the topology names each target's MySQL port too.
  const addresses: ServerAddress[] = [];
  for (const t of targets) {
    const mysqlPort = await t.mysqlPort().catch(() => undefined);
    addresses.push(mysqlPort === undefined ? { ...t.address } : { ...t.address, mysqlPort });
  }

  // From here writes to the shard wait: clients hold them while it is frozen, the source refuses them.
  await setShardState(topology, keyspace, shard, source.address, 'frozen');
  const frozenAt = performance.now();
  const at = () => `+${(performance.now() - frozenAt).toFixed(1)} ms`;
  log(`shard ${keyspace}/${shard} frozen`);
  let position: LogPosition;
  const promoted: ShardServer[] = [];
  try {
    await source.freezeWrites();
    log(`${at()} ${source.name} read-only`);
    position = await drained(source, targets, Math.max(1, frozenAt + plan.freezeMs - performance.now()));
    log(`${at()} ${source.name}'s last commit ${position.uuid}:${position.sequence} applied by ${targets.map((t) => t.name).join(', ')}`);
    await Promise.all(targets.map(async (t) => {
      await t.openForWrites();
      promoted.push(t);
    }));
    log(`${at()} promoted`);
  } catch (e) {
    log(`cut-over failed: ${(e as Error).message}; undoing`);
    await undo([
      ...promoted.map((t): [string, () => Promise<unknown>] => [`make ${t.name} a replica again`, async () => {
        await t.setReadOnly(true);
        await t.query('START REPLICA');
      }]),
      [`make ${source.name} writable`, () => source.setReadOnly(false)],
      [`set ${keyspace}/${shard} serving`, () => setShardState(topology, keyspace, shard, source.address, 'serving')],
    ], log);
    throw new Error(`${(e as Error).message} (undone: ${keyspace}/${shard} is served by ${source.name} again)`);
  }
  try {
    await topology.update(keyspace, (ks) => {
      const old = findShard(ks, keyspace, shard);
      const others = (ks as KeyspaceTopology).shards.filter((x) => x.name !== shard);
      return { ...(ks as KeyspaceTopology), shards: [...others, ...plan.replacement(old, addresses).map((s) => ({ ...s, state: 'serving' as const }))] };
    });
  } catch (e) {
    // The targets are primaries with every commit of the source; only the topology does not say so yet.
    throw new Error(`the targets ${targets.map((t) => t.name).join(', ')} are promoted but the topology could not be written (${(e as Error).message}); ${keyspace}/${shard} stays frozen until it names them: retry the topology change by hand`);
  }
  const unavailableMs = performance.now() - frozenAt;
  log(`${at()} serving`);
  return { unavailableMs, position };
}
