// Builds the row source of a FROM clause: base tables (with index access), views, derived tables and joins.
import { sqlError } from '../../base/errors.js';
import type { Expr, JoinRef, QueryExpr, TableRef } from '../parser/ast.js';
import { parse } from '../parser/index.js';
import { Scope, type ScopeColumn } from '../analyzer/scope.js';
import { compileExpr, type CompileEnv } from '../analyzer/compile-expr.js';
import { toBoolean } from '../types/convert.js';
import type { Row } from '../../base/value.js';
import type { TableDef } from '../../storage/table-def.js';
import { bindAccess, chooseAccess, type AccessPath } from '../planner/access-path.js';
import { classifyConjuncts, orderJoins, type JoinInput } from '../planner/join-plan.js';
import { runJoin, JOIN_ROWS_MAX, type JoinExplain, type JoinLeaf, type LeafLookup } from './join.js';
import type { JoinStep } from '../planner/join-plan.js';
import type { ReadTx, StatementEnv } from './statement-env.js';
import { informationSchemaColumns, informationSchemaDenied, informationSchemaRows, isInformationSchema } from './information-schema.js';

/** A planned FROM clause: its output columns and a way to produce its rows. */
export interface Source {
  scope: Scope;
  /** Produces the rows; `where` is the statement's WHERE, used to pick an index for single-table sources. */
  rows(): Iterable<Row>;
  /** For EXPLAIN: how each table is read. */
  explain: JoinExplain[];
  /**
   * Base-table sources only: read just the columns marked true (index = scope column),
   * when called before `rows()`. The caller must know every column it will look at.
   */
  readOnlyColumns?(columns: readonly boolean[]): void;
}

/** Runs a nested query (derived table, view, subquery); provided by the query executor to avoid a cycle. */
export type QueryRunner = (query: QueryExpr, tx: ReadTx, outer?: Scope) => { columns: ScopeColumn[]; rows: Row[] };

/**
 * Scope columns per table definition and alias. Definitions are frozen and replaced
 * on every DDL, so a cached entry can never go stale; every statement reads them.
 */
const scopeColumnsCache = new WeakMap<TableDef, Map<string, readonly ScopeColumn[]>>();

/** The columns of a table as seen through `alias` (shared and frozen: copy before changing). */
export function tableScopeColumns(def: TableDef, alias: string): readonly ScopeColumn[] {
  let byAlias = scopeColumnsCache.get(def);
  if (byAlias === undefined) scopeColumnsCache.set(def, (byAlias = new Map()));
  let columns = byAlias.get(alias);
  if (columns === undefined) {
    columns = Object.freeze(buildScopeColumns(def, alias).map((c) => Object.freeze(c)));
    // Aliases come from statement text: keep the map small.
    if (byAlias.size >= 64) byAlias.clear();
    byAlias.set(alias, columns);
  }
  return columns;
}

function buildScopeColumns(def: TableDef, alias: string): ScopeColumn[] {
  const pk = new Set(def.primaryKey?.columns ?? []);
  const uniq = new Set<number>();
  const multi = new Set<number>();
  for (const idx of def.indexes) {
    if (idx.unique && idx.columns.length === 1) uniq.add(idx.columns[0]);
    else multi.add(idx.columns[0]);
  }
  return def.columns.map((c, i) => ({
    table: alias,
    schema: def.schema,
    orgTable: def.name,
    name: c.name,
    orgName: c.name,
    type: c.type,
    nullable: c.nullable,
    primaryKey: pk.has(i) || undefined,
    uniqueKey: uniq.has(i) || undefined,
    multipleKey: multi.has(i) || undefined,
    autoIncrement: c.autoIncrement,
  }));
}

/** Finds a table or view by name in the given or current database (1046 when none is selected, 1146 when missing). */
export function resolveTableName(env: StatementEnv, tx: ReadTx, schema: string | undefined, name: string): { table?: TableDef; view?: { query: string; columns?: string[] }; schema: string } {
  const db = schema ?? env.session.database;
  if (!db) throw sqlError('NO_DB', 'No database selected');
  // Reads of information_schema never come here (buildRef answers them); what does is a write.
  if (isInformationSchema(db)) throw informationSchemaDenied(env.session.user, env.session.host);
  const table = tx.catalog.getTable(db, name);
  if (table) return { table, schema: db };
  const view = tx.catalog.getView(db, name);
  if (view) return { view, schema: db };
  throw sqlError('NO_SUCH_TABLE', `Table '${db}.${name}' doesn't exist`);
}

/** Flattens a tree of inner/cross joins into its leaves and ON conditions; undefined when an outer, NATURAL or USING join is involved. */
export function flattenInner(refs: TableRef[]): { leaves: TableRef[]; on: Expr[] } | undefined {
  const leaves: TableRef[] = [];
  const on: Expr[] = [];
  const visit = (r: TableRef): boolean => {
    if (r.type !== 'join') {
      leaves.push(r);
      return true;
    }
    if ((r.kind !== 'inner' && r.kind !== 'cross') || r.natural || (r.using && r.using.length)) return false;
    if (!visit(r.left) || !visit(r.right)) return false;
    if (r.on) on.push(r.on);
    return true;
  };
  return refs.every(visit) ? { leaves, on } : undefined;
}

function andAll(exprs: Expr[]): Expr | undefined {
  return exprs.length === 0 ? undefined : exprs.reduce((a, b) => ({ type: 'binary', op: 'AND', left: a, right: b }));
}

/**
 * Plans the FROM list. A single table uses the best index for `where`; inner
 * joins of several inputs push single-table conjuncts down (with index choice)
 * and hash-join along equalities in a greedy order; outer joins nest loops.
 */
export function buildSource(from: TableRef[], where: Expr | undefined, env: StatementEnv, tx: ReadTx, run: QueryRunner, outer?: Scope): Source {
  if (from.length === 0) {
    return { scope: new Scope([], outer), rows: () => [[]], explain: [] };
  }
  if (from.length === 1 && from[0].type !== 'join') return buildRef(from[0], env, tx, run, outer, where);
  const flat = flattenInner(from);
  if (!flat || flat.leaves.length < 2) {
    const sources = from.map((ref) => buildRef(ref, env, tx, run, outer, undefined));
    return sources.reduce((acc, s) => crossJoin(acc, s, outer));
  }
  return buildInnerJoin(flat.leaves, [...flat.on, ...(where ? [where] : [])], env, tx, run, outer);
}

function buildInnerJoin(leafRefs: TableRef[], conds: Expr[], env: StatementEnv, tx: ReadTx, run: QueryRunner, outer: Scope | undefined): Source {
  // Plan each input once without filters to learn the full row layout.
  const probes = leafRefs.map((ref) => buildRef(ref, env, tx, run, outer, undefined));
  const inputs: JoinInput[] = [];
  let offset = 0;
  for (const p of probes) {
    inputs.push({ offset, width: p.scope.columns.length });
    offset += p.scope.columns.length;
  }
  const scope = new Scope(probes.flatMap((p) => p.scope.columns), outer);
  const plan = orderJoins(probes.length, classifyConjuncts(conds, scope, inputs));
  const stepOf = new Map(plan.steps.map((st) => [st.input, st]));
  const leaves: JoinLeaf[] = leafRefs.map((ref, i) => {
    const localWhere = andAll(plan.local[i]);
    const src = localWhere && ref.type === 'table' ? buildRef(ref, env, tx, run, outer, localWhere) : probes[i];
    const filter = localWhere ? compileExpr(localWhere, { scope: src.scope, session: env.session, clause: 'where clause', text: env.text }) : undefined;
    const accept = (r: Row) => !filter || toBoolean(filter.eval(r, env.ctx)) === true;
    const step = stepOf.get(i) as JoinStep;
    return {
      input: inputs[i],
      scope: src.scope,
      rows: () => {
        if (!filter) return src.rows();
        const out: Row[] = [];
        for (const r of src.rows()) if (accept(r)) out.push(r);
        return out;
      },
      accept,
      lookup: ref.type === 'table' ? indexLookup(ref, step, src.scope, env, tx) : undefined,
      explain: src.explain[0],
    };
  });
  const fullEnv: CompileEnv = { scope, session: env.session, clause: 'where clause', text: env.text };
  return {
    scope,
    explain: plan.steps.map((st) => leaves[st.input].explain),
    rows: () => runJoin(plan.steps, leaves, offset, fullEnv, env.ctx),
  };
}

/**
 * An index that can fetch a table's rows by the values of its join keys: the
 * primary key or a secondary index whose leading columns are all join-key columns.
 */
function indexLookup(ref: Extract<TableRef, { type: 'table' }>, step: JoinStep, scope: Scope, env: StatementEnv, tx: ReadTx): LeafLookup | undefined {
  if (step.keys.length === 0 || isInformationSchema(ref.schema ?? env.session.database)) return undefined;
  const found = resolveTableName(env, tx, ref.schema, ref.name);
  const def = found.table;
  if (!def) return undefined;
  const keyColumn = step.keys.map((k) => (k.inner.type === 'column' ? scope.find(k.inner.column, k.inner.table, k.inner.schema) : -1));
  const best = joinKeyIndex(def, keyColumn);
  if (!best) return undefined;
  const { index, order } = best;
  const reader = tx.table(def);
  return {
    keyOrder: order,
    indexName: index.name,
    run: (values) => {
      if (values.some((v) => v === null)) return [];
      const bound = { values, inclusive: true };
      return reader.scan({ index: index.id, indexName: index.name, ranges: [{ lower: bound, upper: bound }], unique: index.unique && order.length === index.columns.length, equalityColumns: order.length, reverse: false, kind: 'ref' });
    },
  };
}

/**
 * The index whose leading columns are all join-key columns (`keyColumn[i]` is the
 * table column of key i), the longest such prefix; `order[c]` is the key feeding index column c.
 */
export function joinKeyIndex(def: TableDef, keyColumn: readonly number[]): { index: TableDef['indexes'][number]; order: number[] } | undefined {
  let best: { index: TableDef['indexes'][number]; order: number[] } | undefined;
  for (const index of [...(def.primaryKey ? [def.primaryKey] : []), ...def.indexes]) {
    const order: number[] = [];
    for (let c = 0; c < index.columns.length; c++) {
      if (index.prefixLengths?.[c] !== undefined) break;
      const k = keyColumn.indexOf(index.columns[c]);
      if (k < 0) break;
      order.push(k);
    }
    if (order.length > 0 && (!best || order.length > best.order.length)) best = { index, order };
  }
  return best;
}

function buildRef(ref: TableRef, env: StatementEnv, tx: ReadTx, run: QueryRunner, outer: Scope | undefined, where: Expr | undefined): Source {
  switch (ref.type) {
    case 'table': {
      const alias = ref.alias ?? ref.name;
      if (isInformationSchema(ref.schema ?? env.session.database)) return informationSchemaSource(ref.name, alias, env, tx, outer, where);
      const found = resolveTableName(env, tx, ref.schema, ref.name);
      if (found.view) {
        const q = parse(found.view.query);
        if (q.type !== 'select' && q.type !== 'setop' && q.type !== 'values' && q.type !== 'with') throw sqlError('WRONG_OBJECT', `'${found.schema}.${ref.name}' is not a view`);
        return derived(run(q, tx), alias, found.view.columns, outer);
      }
      const def = found.table as TableDef;
      const columns = tableScopeColumns(def, alias);
      const scope = new Scope(columns, outer);
      const reader = tx.table(def);
      const plan = chooseAccess(def, where, scope, 0);
      const explain: Source['explain'] = [{ table: alias, access: undefined, rows: 0 }];
      let columnsToRead: boolean[] | undefined;
      return {
        scope,
        explain,
        readOnlyColumns: (read) => {
          columnsToRead = def.columns.map((_, i) => read[i] === true);
          // Primary key columns always: they identify the row (locking reads lock by them).
          for (const c of def.primaryKey?.columns ?? []) columnsToRead[c] = true;
        },
        rows: () => {
          const compileEnv: CompileEnv = { scope: new Scope([]), session: env.session, clause: 'where clause' };
          const path = bindAccess(def, plan, compileEnv, env.ctx);
          explain[0].access = path;
          return reader.scan(path, columnsToRead);
        },
      };
    }
    case 'derived': {
      const result = run(ref.query, tx, outer);
      return derived(result, ref.alias, ref.columnAliases, outer);
    }
    case 'join':
      return buildJoin(ref, env, tx, run, outer);
  }
}

/** An information_schema table as an in-memory source; its rows are built once, when first read. */
function informationSchemaSource(name: string, alias: string, env: StatementEnv, tx: ReadTx, outer: Scope | undefined, where: Expr | undefined): Source {
  const scope = new Scope(informationSchemaColumns(name, alias), outer);
  const explain: Source['explain'] = [{ table: alias, access: undefined, rows: 0 }];
  let rows: Row[] | undefined;
  return {
    scope,
    explain,
    rows: () => {
      rows ??= informationSchemaRows(name, alias, env, tx, where);
      explain[0].rows = rows.length;
      return rows;
    },
  };
}

function derived(result: { columns: ScopeColumn[]; rows: Row[] }, alias: string, names: string[] | undefined, outer: Scope | undefined): Source {
  if (names && names.length !== result.columns.length) throw sqlError('VIEW_WRONG_LIST', 'In definition of view, derived table or common table expression, SELECT list and column names list have different column counts');
  const seen = new Set<string>();
  const columns = result.columns.map((c, i) => {
    const name = names?.[i] ?? c.name;
    if (seen.has(name.toLowerCase())) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${name}'`);
    seen.add(name.toLowerCase());
    return { ...c, table: alias, name };
  });
  return { scope: new Scope(columns, outer), rows: () => result.rows, explain: [{ table: alias, access: undefined, rows: result.rows.length }] };
}

function crossJoin(a: Source, b: Source, outer: Scope | undefined): Source {
  return {
    scope: new Scope([...a.scope.columns, ...b.scope.columns], outer),
    explain: [...a.explain, ...b.explain],
    rows: function* () {
      const right = [...b.rows()];
      let n = 0;
      for (const l of a.rows()) {
        for (const r of right) {
          if (++n > JOIN_ROWS_MAX) throw sqlError('TOO_BIG_SELECT', `The join would examine more than ${JOIN_ROWS_MAX} rows; add join conditions or indexes`);
          yield [...l, ...r];
        }
      }
    },
  };
}

function buildJoin(ref: JoinRef, env: StatementEnv, tx: ReadTx, run: QueryRunner, outer: Scope | undefined): Source {
  let left = buildRef(ref.left, env, tx, run, outer, undefined);
  let right = buildRef(ref.right, env, tx, run, outer, undefined);
  let kind = ref.kind;
  if (kind === 'right') {
    [left, right] = [right, left];
    kind = 'left';
  }
  let on = ref.on;
  let using = ref.using;
  if (ref.natural) {
    const rightNames = new Set(right.scope.columns.map((c) => c.name.toLowerCase()));
    using = left.scope.columns.filter((c) => rightNames.has(c.name.toLowerCase())).map((c) => c.name);
  }
  if (using && using.length) {
    const conds: Expr[] = using.map((name) => {
      const li = left.scope.find(name);
      const ri = right.scope.find(name);
      if (li < 0 || ri < 0) throw sqlError('BAD_FIELD', `Unknown column '${name}' in 'from clause'`);
      return { type: 'binary', op: '=', left: { type: 'column', table: left.scope.columns[li].table, column: name }, right: { type: 'column', table: right.scope.columns[ri].table, column: name } };
    });
    on = conds.reduce((acc, c) => ({ type: 'binary', op: 'AND', left: acc, right: c }));
  }
  const joinedScope = new Scope([...left.scope.columns, ...right.scope.columns.map((c) => (kind === 'left' ? { ...c, nullable: true } : c))], outer);
  const cond = on ? compileExpr(on, { scope: joinedScope, session: env.session, clause: 'on clause', text: env.text }) : undefined;
  const rightWidth = right.scope.columns.length;
  const swapped = ref.kind === 'right';
  // A RIGHT JOIN runs as a LEFT JOIN with the sides swapped, then restores the written column order.
  const scope = swapped
    ? new Scope([...right.scope.columns.map((c) => ({ ...c, nullable: true })), ...left.scope.columns], outer)
    : joinedScope;
  const ctx = env.ctx;
  return {
    scope,
    explain: [...left.explain, ...right.explain],
    rows: function* () {
      const rightRows = [...right.rows()];
      const nulls: Row = new Array(rightWidth).fill(null);
      for (const l of left.rows()) {
        let matched = false;
        for (const r of rightRows) {
          const row = [...l, ...r];
          if (!cond || toBoolean(cond.eval(row, ctx)) === true) {
            matched = true;
            yield swapped ? [...r, ...l] : row;
          }
        }
        if (!matched && kind === 'left') yield swapped ? [...nulls, ...l] : [...l, ...nulls];
      }
    },
  };
}
