// `mizzle shard move KEYSPACE SHARD --to host:port`: a replica of the shard's primary becomes its primary in a short cut-over.
import { hostPortText } from '../../base/host-port.js';
import type { ShardSubcommand } from './command.js';
import { assertServing, cutOver, findShard } from './cut-over.js';
import { ADMIN_OPTIONS, adminLogin, wholeOption, parseShardArgs } from './shard-args.js';
import { ShardServer, parseAddress } from './shard-server.js';
import { sameAddress } from '../../sharding/topology.js';

const USAGE = 'mizzle shard move --topology ADDRESS KEYSPACE SHARD --to HOST:PORT [--user root] [--password P] [--max-lag 50] [--catch-up-ms 60000] [--freeze-ms 5000]';
const MOVE_OPTIONS = ['to', 'max-lag', 'catch-up-ms', 'freeze-ms', ...ADMIN_OPTIONS];

export const move: ShardSubcommand = {
  summary: "make a replica of the shard's primary its primary (it must follow it: --replica-of)",
  usage: USAGE,
  check(args) {
    parseShardArgs(args, MOVE_OPTIONS);
  },
  async run({ args, topology, out }) {
    const a = parseShardArgs(args, MOVE_OPTIONS);
    const toText = a.options.get('to');
    if (toText === undefined) throw new Error(`--to is required\nusage: ${USAGE}`);
    const to = parseAddress(toText);
    const shard = findShard(topology.current().keyspaces[a.keyspace], a.keyspace, a.shard);
    if (sameAddress(shard.primary, to)) throw new Error(`${hostPortText(to)} is already ${a.keyspace}/${a.shard}'s primary`);
    assertServing(shard, a.keyspace);
    const { user, password } = adminLogin(a);
    const source = new ShardServer(shard.primary, user, password);
    const target = new ShardServer(to, user, password);
    try {
      const r = await cutOver({
        topology, keyspace: a.keyspace, shard: a.shard, source, targets: [target],
        replacement: (old, [primary]) => [{ ...old, primary, replicas: old.replicas.filter((x) => !sameAddress(x, primary)) }],
        maxLag: wholeOption(a, 'max-lag', 50, 0, 1_000_000),
        catchUpMs: wholeOption(a, 'catch-up-ms', 60_000, 100, 3_600_000),
        freezeMs: wholeOption(a, 'freeze-ms', 5000, 50, 60_000),
        log: (line) => out(`${line}\n`),
      });
      out(`moved ${a.keyspace}/${a.shard}: primary ${source.name} → ${target.name} (applied ${r.position.uuid}:${r.position.sequence})\n`);
      out(`write unavailability (frozen → serving): ${r.unavailableMs.toFixed(1)} ms\n`);
      out(`${source.name} stays read-only with the shard's old data: stop it, or seed it anew as a replica of ${target.name}; replicas that followed it must follow ${target.name} (a new backup image)\n`);
      return 0;
    } finally {
      await source.close();
      await target.close();
    }
  },
};
