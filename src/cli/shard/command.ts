// `mizzle shard SUBCOMMAND`: operate a sharded keyspace's topology (show, init, put, delete; move, split and fail over shards).
import { SHARDING_FUNCTIONS } from '../../sharding/functions/registry.js';
import { openTopology } from '../../sharding/open-topology.js';
import { TopologyUnavailableError, type TopologySource } from '../../sharding/topology-source.js';
import { deleteKeyspace } from './delete.js';
import { init } from './init.js';
import { UsageError } from './options.js';
import { put } from './put.js';
import { failover } from './failover.js';
import { move } from './move.js';
import { split } from './split.js';

/** What every subcommand gets: its own arguments (after the subcommand's name) and the opened topology. */
export interface ShardCommandContext {
  args: string[];
  topology: TopologySource;
  out: (text: string) => void;
}

export interface ShardSubcommand {
  /** One line for `mizzle shard --help`. */
  summary: string;
  usage: string;
  /** Checks the arguments before the topology is opened; throws UsageError (exit 2) on a mistake. */
  check?(args: string[]): void;
  /** Throws UsageError for a command-line mistake (exit 2), any other error for a failure (exit 1). */
  run(ctx: ShardCommandContext): Promise<number>;
}

const show: ShardSubcommand = {
  summary: 'print the topology (every keyspace, or one) as JSON',
  usage: 'mizzle shard show --topology ADDRESS [KEYSPACE]',
  async run({ args, topology, out }) {
    const keyspaces = topology.current().keyspaces;
    const name = args.find((a) => !a.startsWith('--'));
    if (name !== undefined && !Object.hasOwn(keyspaces, name)) throw new Error(`no keyspace '${name}' in ${topology.description}`);
    out(`${JSON.stringify(name === undefined ? { keyspaces } : keyspaces[name], null, 2)}\n`);
    return 0;
  },
};

/** The subcommands by name; each lives in its own file beside this one. */
export const SUBCOMMANDS: Record<string, ShardSubcommand> = { show, init, put, delete: deleteKeyspace, move, split, failover };

function usage(): string {
  const lines = Object.entries(SUBCOMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}\n      ${c.usage}`);
  // The sharding functions are plugins of the sharding layer: a keyspace names one in "sharding": {"function": …}.
  const functions = [...SHARDING_FUNCTIONS.values()].map((f) => `  ${f.name.padEnd(10)} ${f.description}`);
  return `usage: mizzle shard SUBCOMMAND --topology ADDRESS ...\n(ADDRESS: etcd://host:port[,host:port…]/prefix or a JSON file; MIZZLE_TOPOLOGY works too)\n\n${lines.join('\n')}\n\nsharding functions (init --function, or "sharding": {"function": …} in a keyspace):\n${functions.join('\n')}\n`;
}

/** Takes `--topology X` / `--topology=X` out of args. */
function takeTopology(args: string[]): { address: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let address = process.env.MIZZLE_TOPOLOGY;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--topology') address = args[++i];
    else if (a.startsWith('--topology=')) address = a.slice('--topology='.length);
    else rest.push(a);
  }
  return { address, rest };
}

export async function shardCommand(argv: string[]): Promise<number> {
  const [name, ...tail] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    process.stdout.write(usage());
    return name === undefined ? 2 : 0;
  }
  const sub = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (sub === undefined) {
    process.stderr.write(`mizzle shard: unknown subcommand '${name}'\n\n${usage()}`);
    return 2;
  }
  if (tail.includes('--help') || tail.includes('-h')) {
    process.stdout.write(`${sub.summary}\nusage: ${sub.usage}\n`);
    return 0;
  }
  const { address, rest } = takeTopology(tail);
  if (address === undefined || address === '') {
    process.stderr.write(`mizzle shard ${name}: --topology is required\nusage: ${sub.usage}\n`);
    return 2;
  }
  let topology: TopologySource | undefined;
  try {
    sub.check?.(rest);
    topology = await openTopology(address);
    await topology.start();
    return await sub.run({ args: rest, topology, out: (t) => process.stdout.write(t) });
  } catch (e) {
    let message = (e as Error).message.replace(/\s*\n\s*/g, ' ');
    // With the store unreachable no change was made: said plainly, as the operator will wonder.
    if (e instanceof TopologyUnavailableError && name !== 'show') message += '; nothing was changed';
    if (e instanceof UsageError) {
      process.stderr.write(`mizzle shard ${name}: ${message}\nusage: ${sub.usage}\n`);
      return 2;
    }
    process.stderr.write(`mizzle shard ${name}: ${message}\n`);
    return 1;
  } finally {
    await topology?.close();
  }
}
