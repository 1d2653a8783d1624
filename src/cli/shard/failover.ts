// `mizzle shard failover KEYSPACE SHARD [--to host:port]`: the shard's primary is dead; its most advanced reachable replica (or the one named) is promoted and the topology names it.
import { hostPortText } from '../../base/host-port.js';
import type { ShardSubcommand } from './command.js';
import { findShard, setShardState } from './cut-over.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { ADMIN_OPTIONS, adminLogin, parseShardArgs, wholeOption } from './shard-args.js';
import { ShardServer, parseAddress, type ReplicaFacts } from './shard-server.js';
import { sameAddress, type KeyspaceTopology, type ServerAddress } from '../../sharding/topology.js';

const USAGE = 'mizzle shard failover --topology ADDRESS KEYSPACE SHARD [--to HOST:PORT] [--force | --watch [--dead-ms 3000]] [--user root] [--password P]';
const FAILOVER_OPTIONS = ['to', 'dead-ms', ...ADMIN_OPTIONS];
const FAILOVER_FLAGS = ['force', 'watch'];
/** How often --watch asks the primary. */
const WATCH_EVERY_MS = 500;

interface Candidate {
  server: ShardServer;
  facts: ReplicaFacts;
}

const answers = (server: ShardServer): Promise<boolean> => server.row('SELECT 1 AS one').then(() => true, () => false);

/** Returns once `server` has failed every question for `deadMs` (a watch runs until then). */
async function untilDead(server: ShardServer, deadMs: number): Promise<void> {
  let downSince: number | undefined;
  for (;;) {
    const now = Date.now();
    if (await answers(server)) downSince = undefined;
    else if (downSince === undefined) downSince = now;
    else if (Date.now() - downSince >= deadMs) return;
    await sleep(WATCH_EVERY_MS);
  }
}

export const failover: ShardSubcommand = {
  summary: 'promote the most advanced replica of a shard whose primary is dead (now, or with --watch once it stops answering)',
  usage: USAGE,
  check(args) {
    parseShardArgs(args, FAILOVER_OPTIONS, FAILOVER_FLAGS);
  },
  async run({ args, topology, out }) {
    const a = parseShardArgs(args, FAILOVER_OPTIONS, FAILOVER_FLAGS);
    const watch = a.flags.has('watch');
    const force = a.flags.has('force');
    const deadMs = wholeOption(a, 'dead-ms', 3000, WATCH_EVERY_MS, 3_600_000);
    const shard = findShard(topology.current().keyspaces[a.keyspace], a.keyspace, a.shard);
    const named = a.options.get('to');
    const addresses: ServerAddress[] = named !== undefined ? [parseAddress(named)] : shard.replicas;
    if (addresses.length === 0) throw new Error(`${a.keyspace}/${a.shard} lists no replicas in the topology: name the one to promote with --to`);
    const { user, password } = adminLogin(a);
    const old = new ShardServer(shard.primary, user, password);
    const servers = addresses.map((x) => new ShardServer(x, user, password));
    try {
      if (watch) {
        out(`watching ${old.name}: failing over once it has not answered for ${deadMs} ms\n`);
        await untilDead(old, deadMs);
        out(`${old.name} has not answered for ${deadMs} ms\n`);
      }
      const alive = !watch && (await answers(old));
      if (alive && !force) throw new Error(`the primary ${old.name} answers: use 'mizzle shard move' (no write is lost), or --force to promote anyway`);
      const candidates: Candidate[] = [];
      for (const server of servers) {
        try {
          const facts = await server.replicaFacts();
          if (facts === undefined) out(`${server.name} follows no source; skipped\n`);
          else candidates.push({ server, facts });
        } catch (e) {
          out(`${server.name} does not answer (${(e as Error).message}); skipped\n`);
        }
      }
      if (candidates.length === 0) throw new Error(`no replica of ${a.keyspace}/${a.shard} answers; nothing was changed`);
      const seq = (c: Candidate) => c.facts.applied?.sequence ?? 0n;
      const best = candidates.reduce((x, y) => (seq(y) > seq(x) ? y : x));
      for (const c of candidates) out(`${c.server.name}: applied ${c.facts.applied ? `${c.facts.applied.uuid}:${c.facts.applied.sequence}` : 'nothing'}\n`);
      // Clients hold the shard's writes while it is frozen, so none reach a half-promoted server.
      await setShardState(topology, a.keyspace, a.shard, shard.primary, 'frozen');
      try {
        await best.server.promote();
      } catch (e) {
        // Held writes would wait for nothing: the shard serves (on its dead primary) and fails them instead.
        await setShardState(topology, a.keyspace, a.shard, shard.primary, 'serving').catch(() => undefined);
        throw new Error(`could not promote ${best.server.name}: ${(e as Error).message}; the topology is unchanged`);
      }
      const mysqlPort = await best.server.mysqlPort().catch(() => undefined);
      const primary: ServerAddress = mysqlPort === undefined ? { ...best.server.address } : { ...best.server.address, mysqlPort };
      const others = shard.replicas.filter((r) => !sameAddress(r, primary));
      await topology.update(a.keyspace, (ks) => ({
        ...(ks as KeyspaceTopology),
        shards: (ks as KeyspaceTopology).shards.map((s) => (s.name === a.shard ? { ...s, primary, replicas: others, state: 'serving' as const } : s)),
      }));
      out(`promoted ${best.server.name} to primary of ${a.keyspace}/${a.shard} (it had applied ${best.facts.applied ? `${best.facts.applied.uuid}:${best.facts.applied.sequence}` : 'nothing'}); ${old.name} removed from the topology\n`);
      out(`transactions the old primary committed after that position are not on the new primary (asynchronous replication); keep ${old.name}'s datadir to inspect them and do not restart it as a primary (pointed at ${best.server.name} it is refused as diverged)\n`);
      // The other replicas continue from where they are, now from the promoted one (ChangeStream.start finds their position by origin id).
      for (const address of others) {
        const known = servers.find((s) => sameAddress(s.address, address));
        const other = known ?? new ShardServer(address, user, password);
        try {
          await other.follow(best.server.address);
          out(`${other.name} now follows ${best.server.name}\n`);
        } catch (e) {
          out(`${other.name} could not be pointed at ${best.server.name} (${(e as Error).message}): run CHANGE REPLICATION SOURCE TO SOURCE_HOST = '${best.server.address.host}', SOURCE_PORT = ${best.server.address.port} and START REPLICA on it, or seed it anew from a backup image of ${best.server.name}\n`);
        } finally {
          if (known === undefined) await other.close();
        }
      }
      return 0;
    } finally {
      await old.close();
      for (const s of servers) await s.close();
    }
  },
};
