// `mizzle shard delete KEYSPACE --force`: removes a keyspace from the topology (its data stays on its servers, but nothing routes to it any more).
import type { ShardSubcommand } from './command.js';
import { onePositional, parseOptions, UsageError } from './options.js';

function parse(args: string[]): string {
  const o = parseOptions(args, { flags: ['force'] });
  const name = onePositional(o, 'KEYSPACE');
  if (!o.flags.has('force')) throw new UsageError(`deleting keyspace ${name} stops all routing to it (its data stays on its servers); add --force to do it`);
  return name;
}

export const deleteKeyspace: ShardSubcommand = {
  summary: 'remove a keyspace from the topology (needs --force; the data stays on its servers)',
  usage: 'mizzle shard delete --topology ADDRESS KEYSPACE --force',
  check(args) {
    parse(args);
  },
  async run({ args, topology, out }) {
    const name = parse(args);
    await topology.update(name, (current) => {
      if (current === undefined) throw new Error(`no keyspace '${name}' in ${topology.description}`);
      return undefined;
    });
    out(`keyspace ${name} deleted from ${topology.description}\n`);
    return 0;
  },
};
