// Where one statement goes: the shard its shard key pins, every shard (DDL), one shard (reference tables, session statements), or a scatter of a SELECT; what cannot go anywhere safely is refused.
import { sqlError, type SqlError } from '../base/errors.js';
import type { Expr, SelectStmt, Statement, TableName } from '../sql/parser/index.js';
import type { ResolvedKeyspace, RoutedShard } from '../sharding/topology.js';
import type { ShardKeyValue } from '../sharding/shard-key.js';

export type Route =
  /**
   * One shard: pinned by the shard key, or the first shard for tables the keyspace does not declare.
   * `key`: one of the keys that pinned it, sent in the native frame header so a server whose topology
   * is newer than the router's answers REDIRECT instead of running it on the wrong shard.
   */
  | { kind: 'shard'; shard: RoutedShard; write: boolean; key?: ShardKeyValue }
  /** Any one shard does (reference tables read, statements on no table). */
  | { kind: 'any'; write: boolean }
  /** Every shard, one after the other: DDL, or (with --reference-writes) a write to reference tables. */
  | { kind: 'every'; what: 'DDL' | 'reference-table write' }
  /** A SELECT over one sharded table on every shard, merged by the router. */
  | { kind: 'scatter'; select: SelectStmt; shards?: RoutedShard[] };

const SYSTEM_SCHEMAS = new Set(['information_schema', 'mysql', 'performance_schema', 'sys']);
const DDL = new Set(['createTable', 'dropTable', 'createIndex', 'dropIndex', 'alterTable', 'renameTable', 'truncate', 'createView', 'dropView']);

export function notSupported(what: string): SqlError {
  return sqlError('NOT_SUPPORTED_YET', `This version of mizzle router doesn't yet support '${what}'`);
}

/** The table references and whether the statement nests queries (subqueries, derived tables, CTEs, set operations). */
function survey(stmt: Statement): { tables: TableName[]; nested: boolean } {
  const tables: TableName[] = [];
  let nested = false;
  let depth = 0;
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) return;
    const node = v as { type?: unknown };
    if (node.type === 'table' && typeof (v as TableName).name === 'string') tables.push(v as TableName);
    if (node.type === 'subquery' || node.type === 'inSubquery' || node.type === 'exists' || node.type === 'quantified' || node.type === 'derived' || node.type === 'setop' || node.type === 'with' || node.type === 'jsonTable') nested = true;
    if (node.type === 'select' && depth > 0) nested = true;
    depth++;
    for (const x of Object.values(v)) walk(x);
    depth--;
  };
  walk(stmt);
  return { tables, nested };
}

interface Placed {
  table: TableName;
  rule: 'sharded' | 'reference' | 'unsharded' | 'system';
  shardKey?: string;
}

function place(ks: ResolvedKeyspace, t: TableName): Placed {
  if (t.schema !== undefined && SYSTEM_SCHEMAS.has(t.schema.toLowerCase())) return { table: t, rule: 'system' };
  if (t.schema !== undefined && t.schema.toLowerCase() !== ks.name.toLowerCase()) throw notSupported(`tables outside the keyspace ${ks.name} (${t.schema}.${t.name})`);
  const rule = ks.tableRule(t.name);
  if (rule === undefined) return { table: t, rule: 'unsharded' };
  if (rule.reference) return { table: t, rule: 'reference' };
  return { table: t, rule: 'sharded', shardKey: rule.shardKey };
}

/** A literal's value as a shard key; undefined for what is not a plain constant. */
function keyOf(e: Expr): ShardKeyValue | undefined | null {
  if (e.type !== 'literal') return undefined;
  if (e.kind === 'integer') return e.value;
  if (e.kind === 'string') return e.value;
  if (e.kind === 'decimal') return e.text;
  if (e.kind === 'null') return null;
  return undefined;
}

function isKeyColumn(e: Expr, p: Placed): boolean {
  if (e.type !== 'column' || p.shardKey === undefined) return false;
  if (e.column.toLowerCase() !== p.shardKey.toLowerCase()) return false;
  if (e.table === undefined) return true;
  const names = [p.table.alias, p.table.name].filter((n): n is string => n !== undefined).map((n) => n.toLowerCase());
  return names.includes(e.table.toLowerCase());
}

/** The keys a WHERE pins `p`'s shard key to (top-level AND of `key = literal` or `key IN (literals)`); undefined when it does not. */
export function pinnedKeys(where: Expr | undefined, p: Placed): ShardKeyValue[] | undefined {
  if (where === undefined) return undefined;
  if (where.type === 'binary' && where.op === 'AND') return pinnedKeys(where.left, p) ?? pinnedKeys(where.right, p);
  if (where.type === 'binary' && where.op === '=') {
    const [col, lit] = isKeyColumn(where.left, p) ? [where.left, where.right] : isKeyColumn(where.right, p) ? [where.right, where.left] : [undefined, undefined];
    if (col === undefined || lit === undefined) return undefined;
    const k = keyOf(lit);
    // `key = NULL` matches no row: any one shard answers that correctly.
    return k === undefined ? undefined : k === null ? [] : [k];
  }
  if (where.type === 'inList' && !where.not && isKeyColumn(where.operand, p)) {
    const keys: ShardKeyValue[] = [];
    for (const e of where.list) {
      const k = keyOf(e);
      if (k === undefined) return undefined;
      if (k !== null) keys.push(k);
    }
    return keys;
  }
  return undefined;
}

function distinctShards(ks: ResolvedKeyspace, keys: readonly ShardKeyValue[], seen?: ShardKeyValue[]): RoutedShard[] {
  const out = new Map<string, RoutedShard>();
  seen?.push(...keys);
  for (const k of keys) {
    const s = ks.shardForKey(k);
    out.set(s.name, s);
  }
  return [...out.values()];
}

const multiShardWrite = (what: string): SqlError =>
  sqlError('NOT_SUPPORTED_YET', `This version of mizzle router doesn't yet support multi-shard writes (${what}): write each shard's rows in its own statement`);

/** The shards of an INSERT's rows (each row must give the shard key as a constant). */
function insertShards(ks: ResolvedKeyspace, stmt: Extract<Statement, { type: 'insert' }>, p: Placed, seen: ShardKeyValue[]): RoutedShard[] {
  const key = p.shardKey ?? '';
  if (stmt.set !== undefined) {
    const a = stmt.set.find((x) => x.column.column.toLowerCase() === key.toLowerCase());
    const k = a === undefined ? undefined : keyOf(a.value);
    if (k === undefined || k === null) throw notSupported(`INSERT into ${p.table.name} without a constant ${key} (its shard key)`);
    return distinctShards(ks, [k], seen);
  }
  if (stmt.rows === undefined) throw notSupported(`INSERT ... SELECT into the sharded table ${p.table.name}`);
  if (stmt.columns === undefined) throw notSupported(`INSERT into the sharded table ${p.table.name} without a column list`);
  const at = stmt.columns.findIndex((c) => c.toLowerCase() === key.toLowerCase());
  if (at < 0) throw notSupported(`INSERT into ${p.table.name} without its shard key ${key}`);
  const keys: ShardKeyValue[] = [];
  for (const row of stmt.rows) {
    const k = row[at] === undefined ? undefined : keyOf(row[at]);
    if (k === undefined || k === null) throw notSupported(`INSERT into ${p.table.name} with a ${key} (its shard key) that is not a constant`);
    keys.push(k);
  }
  return distinctShards(ks, keys, seen);
}

function changesKey(stmt: Extract<Statement, { type: 'update' }>, p: Placed): boolean {
  return stmt.set.some((a) => a.column.column.toLowerCase() === (p.shardKey ?? '').toLowerCase() && (a.column.table === undefined || [p.table.name, p.table.alias].includes(a.column.table)));
}

export interface RouteOptions {
  /** Writes to reference tables run on every shard in turn (not atomic across shards) instead of being refused. */
  referenceWrites: boolean;
}

const REFUSE_REFERENCE_WRITES: RouteOptions = { referenceWrites: false };

/** Routes one parsed statement of the keyspace `ks`. Session and transaction statements are the session's business, not this. */
export function route(ks: ResolvedKeyspace, stmt: Statement, o: RouteOptions = REFUSE_REFERENCE_WRITES): Route {
  if (DDL.has(stmt.type)) {
    for (const t of survey(stmt).tables) place(ks, t);
    return { kind: 'every', what: 'DDL' };
  }
  if (stmt.type === 'createDatabase' || stmt.type === 'dropDatabase' || stmt.type === 'alterDatabase') {
    if (stmt.name !== undefined && stmt.name.toLowerCase() !== ks.name.toLowerCase()) throw notSupported(`databases other than the keyspace ${ks.name}`);
    return { kind: 'every', what: 'DDL' };
  }
  // SHOW and DESCRIBE read a table's definition, the same on every shard (DDL goes to all).
  if (stmt.type === 'show') {
    for (const t of survey(stmt).tables) place(ks, t);
    return { kind: 'any', write: false };
  }
  if (stmt.type === 'explain') {
    const inner = route(ks, stmt.statement, o);
    return inner.kind === 'shard' ? { kind: 'shard', shard: inner.shard, write: false, key: inner.key } : { kind: 'any', write: false };
  }
  const write = stmt.type === 'insert' || stmt.type === 'update' || stmt.type === 'delete';
  const { tables, nested } = survey(stmt);
  const placed = tables.map((t) => place(ks, t)).filter((p) => p.rule !== 'system');
  const sharded = placed.filter((p) => p.rule === 'sharded');
  const unsharded = placed.filter((p) => p.rule === 'unsharded');
  const first = ks.shards[0];

  if (write && ks.shards.length > 1) {
    const targets = stmt.type === 'insert' ? [stmt.table] : stmt.type === 'delete' ? (stmt.table !== undefined ? [stmt.table] : (stmt.targets ?? [])) : survey({ ...stmt, where: undefined, set: [] }).tables;
    const ref = targets.find((t) => place(ks, t).rule === 'reference');
    if (ref !== undefined) {
      // Copying a reference write to every shard is only sound when the statement touches nothing else.
      if (o.referenceWrites && placed.every((p) => p.rule === 'reference')) return { kind: 'every', what: 'reference-table write' };
      throw multiShardWrite(`the reference table ${ref.name} is copied to every shard${o.referenceWrites ? ' and the statement also touches other tables' : ' (start the router with --reference-writes to copy such writes to every shard)'}`);
    }
  }
  if (sharded.length === 0) {
    if (unsharded.length > 0) return { kind: 'shard', shard: first, write };
    return { kind: 'any', write };
  }

  // Every sharded table must be pinned, each to the same one shard; else this is a scatter (reads of one sharded table only).
  const targets = new Map<string, RoutedShard>();
  const keys: ShardKeyValue[] = [];
  let unpinned = false;
  for (const p of sharded) {
    let shards: RoutedShard[] | undefined;
    if (stmt.type === 'insert' && p.table === stmt.table) shards = insertShards(ks, stmt, p, keys);
    else {
      const where = stmt.type === 'select' || stmt.type === 'update' || stmt.type === 'delete' ? stmt.where : undefined;
      const pinned = pinnedKeys(where, p);
      shards = pinned === undefined ? undefined : pinned.length === 0 ? [first] : distinctShards(ks, pinned, keys);
    }
    if (shards === undefined) unpinned = true;
    else for (const s of shards) targets.set(s.name, s);
  }
  if (stmt.type === 'update' && sharded.some((p) => changesKey(stmt, p))) throw notSupported('UPDATE of a shard key column (the row would move to another shard)');
  if (unsharded.length > 0) targets.set(first.name, first);

  // Statements that also touch unsharded tables (on the first shard) carry no key: the server would check it against the wrong shard.
  if (!unpinned && targets.size === 1) return { kind: 'shard', shard: [...targets.values()][0], write, key: unsharded.length === 0 ? keys[0] : undefined };
  if (ks.shards.length === 1) return { kind: 'shard', shard: first, write };
  if (write) throw multiShardWrite(unpinned ? `a ${stmt.type.toUpperCase()} whose WHERE does not pin the shard key to constants` : `rows on shards ${[...targets.keys()].join(', ')}`);
  if (stmt.type !== 'select') throw notSupported(`${stmt.type} over several shards`);
  if (nested) throw notSupported('subqueries, derived tables, CTEs or UNION over a sharded table without its shard key pinned');
  if (sharded.length > 1 || unsharded.length > 0) throw notSupported('joins across shards (pin every sharded table of the join to the same shard key)');
  return { kind: 'scatter', select: stmt, shards: unpinned ? undefined : [...targets.values()] };
}
