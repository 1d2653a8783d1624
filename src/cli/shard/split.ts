// `mizzle shard split KEYSPACE SHARD --into N --to host:port,…`: key-range replicas of the shard's primary, cleaned of the seed's foreign rows, become the primaries of its N children.
import type { ShardSubcommand } from './command.js';
import { assertServing, cutOver, findShard } from './cut-over.js';
import { ADMIN_OPTIONS, adminLogin, wholeOption, parseShardArgs } from './shard-args.js';
import { ShardServer, parseAddress } from './shard-server.js';
import { parseShardName, shardNameOf, splitRange } from '../../sharding/keyspace-id.js';
import type { KeyspaceTopology } from '../../sharding/topology.js';
import { KeyrangeFilter } from '../../kernel/replication/keyrange-filter.js';
import { deleteForeignRows } from './foreign-rows.js';

const USAGE = 'mizzle shard split --topology ADDRESS KEYSPACE SHARD --into N --to HOST:PORT,HOST:PORT… [--user root] [--password P] [--max-lag 50] [--catch-up-ms 60000] [--freeze-ms 5000]';
const SPLIT_OPTIONS = ['into', 'to', 'max-lag', 'catch-up-ms', 'freeze-ms', ...ADMIN_OPTIONS];

export const split: ShardSubcommand = {
  summary: 'split a shard into N children, each served by a replica started with --replica-keyrange KEYSPACE/CHILD',
  usage: USAGE,
  check(args) {
    parseShardArgs(args, SPLIT_OPTIONS);
  },
  async run({ args, topology, out }) {
    const a = parseShardArgs(args, SPLIT_OPTIONS);
    const parts = Number(a.options.get('into') ?? '2');
    const ks = topology.current().keyspaces[a.keyspace];
    const shard = findShard(ks, a.keyspace, a.shard);
    assertServing(shard, a.keyspace);
    const children = splitRange(parseShardName(a.shard), parts).map(shardNameOf);
    const to = (a.options.get('to') ?? '').split(',').filter((x) => x !== '').map(parseAddress);
    if (to.length !== children.length) throw new Error(`--to names ${to.length} servers; the ${children.length} children ${children.join(', ')} need one each, in that order`);
    const { user, password } = adminLogin(a);
    const source = new ShardServer(shard.primary, user, password);
    const targets = to.map((t) => new ShardServer(t, user, password));
    const log = (line: string) => out(`${line}\n`);
    try {
      // A child seeded from a backup image holds every row of the parent: the ones of other children go first.
      for (const [i, t] of targets.entries()) {
        const filter = new KeyrangeFilter(a.keyspace, children[i], parseShardName(children[i]), () => topology.current().keyspaces[a.keyspace]);
        const removed = await deleteForeignRows(t, ks as KeyspaceTopology, filter);
        log(`${t.name} (${a.keyspace}/${children[i]}): removed ${removed} rows of other children`);
      }
      const r = await cutOver({
        topology, keyspace: a.keyspace, shard: a.shard, source, targets,
        replacement: (_old, primaries) => children.map((name, i) => ({ name, primary: primaries[i], replicas: [], state: 'serving' as const })),
        maxLag: wholeOption(a, 'max-lag', 50, 0, 1_000_000),
        catchUpMs: wholeOption(a, 'catch-up-ms', 60_000, 100, 3_600_000),
        freezeMs: wholeOption(a, 'freeze-ms', 5000, 50, 60_000),
        log,
      });
      out(`split ${a.keyspace}/${a.shard} into ${children.map((c, i) => `${c} (${targets[i].name})`).join(', ')} (applied ${r.position.uuid}:${r.position.sequence})\n`);
      out(`write unavailability (frozen → serving): ${r.unavailableMs.toFixed(1)} ms\n`);
      out(`${source.name} stays read-only with all of ${a.keyspace}/${a.shard}'s old rows: stop it when you no longer need them; restart each child without --replica-of and --replica-keyrange\n`);
      return 0;
    } finally {
      await source.close();
      for (const t of targets) await t.close();
    }
  },
};
