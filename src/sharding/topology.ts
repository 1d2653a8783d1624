// The topology of sharded keyspaces: each keyspace's sharding function, table rules and shards (key range, primary, replicas), parsed with clear errors and resolved for routing.
import { KEYSPACE_ID_MAX, parseShardName, rangeContains, type KeyRange } from './keyspace-id.js';
import { shardingFunction } from './functions/registry.js';
import type { ShardingFunction, ShardingSpec } from './functions/types.js';
import { shardKeyBytes, type ShardKeyValue } from './shard-key.js';

/** A mizzle server as the topology names it: its native protocol address, and its MySQL port for the router. */
export interface ServerAddress {
  host: string;
  /** The native protocol port (clients and REDIRECTs use it). */
  port: number;
  /** The MySQL protocol port, when the router should reach the server over mysql://. */
  mysqlPort?: number;
}

/**
 * `serving`: reads and writes go to the primary. `frozen`: a move or split is cutting over;
 * writes wait (routers, clients) or are refused (servers) until the topology changes again.
 */
export type ShardState = 'serving' | 'frozen';

export interface ShardTopology {
  /** The key range in Vitess notation ('-80', '80-'); the shard's identity. */
  name: string;
  primary: ServerAddress;
  replicas: ServerAddress[];
  state: ShardState;
}

/** How a table of a keyspace is placed: by a shard key column, or copied whole to every shard. */
export type TableRule = { shardKey: string; reference?: undefined } | { reference: true; shardKey?: undefined };

export interface KeyspaceTopology {
  /** The keyspace's name, which is also the database's name on every shard's servers. */
  name: string;
  sharding: ShardingSpec;
  /** By table name (as written in CREATE TABLE, compared case-insensitively). */
  tables: Record<string, TableRule>;
  shards: ShardTopology[];
}

export interface Topology {
  keyspaces: Record<string, KeyspaceTopology>;
}

export const SHARDS_PER_KEYSPACE_MAX = 256;
export const KEYSPACES_MAX = 1024;

export class TopologyError extends Error {}

function fail(where: string, what: string): never {
  throw new TopologyError(`${where}: ${what}`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function address(v: unknown, where: string): ServerAddress {
  if (!isObject(v)) fail(where, 'a server is {"host": …, "port": …}');
  const host = v.host;
  const port = v.port;
  if (typeof host !== 'string' || host === '') fail(where, 'host must be a non-empty string');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) fail(where, 'port must be 1..65535');
  const out: ServerAddress = { host, port };
  if (v.mysqlPort !== undefined) {
    const m = v.mysqlPort;
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > 65535) fail(where, 'mysqlPort must be 1..65535');
    out.mysqlPort = m;
  }
  return out;
}

/** One keyspace from its JSON form (as stored in etcd or a topology file); throws TopologyError naming the fault. */
export function parseKeyspace(v: unknown, where = 'keyspace'): KeyspaceTopology {
  if (!isObject(v)) fail(where, 'a keyspace is a JSON object');
  const name = v.name;
  if (typeof name !== 'string' || !/^[A-Za-z0-9_$]{1,64}$/.test(name)) fail(where, 'name must be a database name (letters, digits, _ or $, up to 64)');
  const at = `keyspace ${name}`;
  const sharding: ShardingSpec = { function: 'hash' };
  if (v.sharding !== undefined) {
    if (!isObject(v.sharding) || typeof v.sharding.function !== 'string') fail(at, 'sharding is {"function": "hash" | "range" | "lookup", …}');
    sharding.function = v.sharding.function;
    if (v.sharding.lookup !== undefined) {
      if (!isObject(v.sharding.lookup)) fail(at, 'sharding.lookup maps key text to a keyspace id in hex');
      const lookup: Record<string, string> = {};
      for (const [k, id] of Object.entries(v.sharding.lookup)) {
        if (typeof id !== 'string') fail(at, `lookup entry '${k}' must be hex text`);
        lookup[k] = id;
      }
      sharding.lookup = lookup;
    }
  }
  try {
    shardingFunction(sharding);
  } catch (e) {
    fail(at, (e as Error).message);
  }
  const tables: Record<string, TableRule> = {};
  if (v.tables !== undefined) {
    if (!isObject(v.tables)) fail(at, 'tables maps a table name to {"shardKey": column} or {"reference": true}');
    for (const [t, rule] of Object.entries(v.tables)) {
      if (isObject(rule) && typeof rule.shardKey === 'string' && rule.shardKey !== '') tables[t] = { shardKey: rule.shardKey };
      else if (isObject(rule) && rule.reference === true) tables[t] = { reference: true };
      else fail(at, `table ${t} needs {"shardKey": column} or {"reference": true}`);
    }
  }
  if (!Array.isArray(v.shards) || v.shards.length === 0) fail(at, 'shards must be a non-empty list');
  if (v.shards.length > SHARDS_PER_KEYSPACE_MAX) fail(at, `at most ${SHARDS_PER_KEYSPACE_MAX} shards`);
  const shards = v.shards.map((s: unknown, i: number): ShardTopology => {
    const sw = `${at} shard #${i + 1}`;
    if (!isObject(s) || typeof s.name !== 'string') fail(sw, 'a shard is {"name": "-80", "primary": {…}, "replicas": […]}');
    try {
      parseShardName(s.name);
    } catch (e) {
      fail(sw, (e as Error).message);
    }
    const replicas = s.replicas === undefined ? [] : Array.isArray(s.replicas) ? s.replicas.map((r, j) => address(r, `${sw} replica #${j + 1}`)) : fail(sw, 'replicas must be a list');
    const state = s.state === undefined ? 'serving' : s.state;
    if (state !== 'serving' && state !== 'frozen') fail(sw, "state is 'serving' or 'frozen'");
    return { name: s.name, primary: address(s.primary, `${sw} primary`), replicas, state };
  });
  const out: KeyspaceTopology = { name, sharding, tables, shards };
  new ResolvedKeyspace(out); // checks the ranges tile the keyspace
  return out;
}

/** A whole topology from JSON: {"keyspaces": {"name": {…}}} or a list of keyspaces. */
export function parseTopology(v: unknown): Topology {
  const list: unknown[] = Array.isArray(v) ? v : isObject(v) && isObject(v.keyspaces) ? Object.values(v.keyspaces) : isObject(v) && Array.isArray(v.keyspaces) ? v.keyspaces : fail('topology', 'expected {"keyspaces": {…}}');
  if (list.length > KEYSPACES_MAX) fail('topology', `at most ${KEYSPACES_MAX} keyspaces`);
  const keyspaces: Record<string, KeyspaceTopology> = {};
  for (const k of list) {
    const ks = parseKeyspace(k);
    if (Object.hasOwn(keyspaces, ks.name)) fail('topology', `keyspace ${ks.name} appears twice`);
    keyspaces[ks.name] = ks;
  }
  return { keyspaces };
}

/** A shard with its parsed range. */
export interface RoutedShard extends ShardTopology {
  range: KeyRange;
}

/** A keyspace ready for routing: its function built, its shards sorted by range and checked to cover every id once. */
export class ResolvedKeyspace {
  readonly fn: ShardingFunction;
  readonly shards: readonly RoutedShard[];
  private readonly tables = new Map<string, TableRule>();

  constructor(readonly topology: KeyspaceTopology) {
    this.fn = shardingFunction(topology.sharding);
    const shards = topology.shards.map((s) => ({ ...s, range: parseShardName(s.name) })).sort((a, b) => (a.range.start < b.range.start ? -1 : 1));
    let next = 0n;
    for (const s of shards) {
      if (s.range.start !== next) throw new TopologyError(`keyspace ${topology.name}: shard ${s.name} ${s.range.start < next ? 'overlaps the one before it' : 'leaves a gap before it'}`);
      next = s.range.end ?? KEYSPACE_ID_MAX + 1n;
    }
    if (next !== KEYSPACE_ID_MAX + 1n) throw new TopologyError(`keyspace ${topology.name}: the shards do not reach the end of the keyspace (the last one must end with '-')`);
    this.shards = shards;
    for (const [t, rule] of Object.entries(topology.tables)) this.tables.set(t.toLowerCase(), rule);
  }

  get name(): string {
    return this.topology.name;
  }

  /** How `table` is placed; undefined for a table the keyspace does not declare (treated as unsharded by callers). */
  tableRule(table: string): TableRule | undefined {
    return this.tables.get(table.toLowerCase());
  }

  keyspaceId(key: ShardKeyValue): bigint {
    return this.fn.keyspaceId(shardKeyBytes(key));
  }

  shardForId(id: bigint): RoutedShard {
    // Shards are few (≤ 256): a binary search over starts.
    let lo = 0;
    let hi = this.shards.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.shards[mid].range.start <= id) lo = mid;
      else hi = mid - 1;
    }
    const s = this.shards[lo];
    if (!rangeContains(s.range, id)) throw new TopologyError(`no shard holds keyspace id ${id}`);
    return s;
  }

  shardForKey(key: ShardKeyValue): RoutedShard {
    return this.shardForId(this.keyspaceId(key));
  }
}

export function sameAddress(a: ServerAddress, b: ServerAddress): boolean {
  return a.port === b.port && a.host.toLowerCase() === b.host.toLowerCase();
}
