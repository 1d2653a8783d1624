// `mizzle shard init KEYSPACE --shards N --primaries …`: creates a keyspace of N equal key ranges, one primary each; refuses a keyspace that exists.
import { shardNameOf, splitRange } from '../../sharding/keyspace-id.js';
import { parseKeyspace, SHARDS_PER_KEYSPACE_MAX, type KeyspaceTopology, type ServerAddress, type TableRule } from '../../sharding/topology.js';
import type { ShardSubcommand } from './command.js';
import { onePositional, parseOptions, UsageError } from './options.js';

const FUNCTIONS = ['hash', 'range', 'lookup'];

function port(text: string, what: string): number {
  const n = /^\d{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw new UsageError(`${what} '${text}' is not a port (1..65535)`);
  return n;
}

/** host:port, with [v6]:port for IPv6 literals. */
function server(text: string): ServerAddress {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[^:\s[\]]+):([^:]+)$/.exec(text);
  if (!m) throw new UsageError(`primary '${text}' is not host:port`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: port(m[2], `the port of primary ${text}`) };
}

/** The keyspace the options describe (checked as any stored keyspace is). */
function build(args: string[]): KeyspaceTopology {
  const o = parseOptions(args, { values: ['shards', 'function'], lists: ['primaries', 'mysql-ports', 'table', 'reference'] });
  const name = onePositional(o, 'KEYSPACE');
  const shardsText = o.values.get('shards');
  if (shardsText === undefined) throw new UsageError('--shards N is required');
  const count = /^\d{1,3}$/.test(shardsText) ? Number(shardsText) : NaN;
  if (!(count >= 1 && count <= SHARDS_PER_KEYSPACE_MAX)) throw new UsageError(`--shards takes 1 to ${SHARDS_PER_KEYSPACE_MAX}, not '${shardsText}'`);
  const primaries = (o.lists.get('primaries') ?? []).map(server);
  if (primaries.length !== count) throw new UsageError(`--primaries lists ${primaries.length} server${primaries.length === 1 ? '' : 's'} for ${count} shard${count === 1 ? '' : 's'} (one host:port per shard, in key order)`);
  const mysqlPorts = o.lists.get('mysql-ports');
  if (mysqlPorts !== undefined) {
    if (mysqlPorts.length !== count) throw new UsageError(`--mysql-ports lists ${mysqlPorts.length} ports for ${count} shards`);
    mysqlPorts.forEach((p, i) => { primaries[i].mysqlPort = port(p, '--mysql-ports value'); });
  }
  const fn = o.values.get('function') ?? 'hash';
  if (!FUNCTIONS.includes(fn)) throw new UsageError(`--function is one of ${FUNCTIONS.join(', ')}, not '${fn}'`);
  const tables: Record<string, TableRule> = {};
  for (const t of o.lists.get('table') ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(t);
    if (!m) throw new UsageError(`--table takes name=column, not '${t}'`);
    if (Object.hasOwn(tables, m[1])) throw new UsageError(`table ${m[1]} is named twice`);
    tables[m[1]] = { shardKey: m[2] };
  }
  for (const t of o.lists.get('reference') ?? []) {
    if (Object.hasOwn(tables, t)) throw new UsageError(`table ${t} is named twice`);
    tables[t] = { reference: true };
  }
  const ranges = count === 1 ? [{ start: 0n, end: undefined }] : splitRange({ start: 0n, end: undefined }, count);
  const keyspace = {
    name,
    sharding: fn === 'lookup' ? { function: fn, lookup: {} } : { function: fn },
    tables,
    shards: ranges.map((r, i) => ({ name: shardNameOf(r), primary: primaries[i], replicas: [], state: 'serving' })),
  };
  try {
    return parseKeyspace(keyspace);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export const init: ShardSubcommand = {
  summary: 'create a keyspace of N equal shards with the given primaries (refuses one that exists)',
  usage: 'mizzle shard init --topology ADDRESS KEYSPACE --shards N --primaries HOST:PORT[,HOST:PORT…] [--mysql-ports P[,P…]] [--function hash|range|lookup] [--table NAME=COLUMN …] [--reference NAME …]',
  check(args) {
    build(args);
  },
  async run({ args, topology, out }) {
    const keyspace = build(args);
    const stored = await topology.update(keyspace.name, (current) => {
      if (current !== undefined) throw new Error(`keyspace ${keyspace.name} already exists in ${topology.description} (change it with 'mizzle shard put', or delete it first)`);
      return keyspace;
    });
    out(`${JSON.stringify(stored, null, 2)}\n`);
    return 0;
  },
};

