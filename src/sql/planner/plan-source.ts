// Plans a FROM clause: resolves tables and views, chooses each table's access path and the inner-join order.
import { sqlError } from '../../base/errors.js';
import type { DerivedTable, Expr, JoinRef, JsonTableRef, QueryExpr, TableRef } from '../parser/ast.js';
import { parse } from '../parser/index.js';
import { Scope, type ScopeColumn } from '../analyzer/scope.js';
import { compileExpr, type Compiled, type CompileEnv } from '../analyzer/compile-expr.js';
import { informationSchemaDenied, isInformationSchema } from '../analyzer/system-schema.js';
import { compareDomain } from '../types/compare.js';
import type { TableDef } from '../../storage/table-def.js';
import { chooseAccess, compileAccessKeys } from './access-path.js';
import { classifyConjuncts, orderJoins, type JoinInput } from './join-plan.js';
import type { DerivedSource, JoinLeafPlan, JsonTableSource, LateralSource, QueryPlan, SourcePlan } from './plan.js';
import { planJsonTable } from './plan-json-table.js';
import type { PlanContext } from './plan-context.js';
import { cteSource } from './plan-cte.js';

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
  const part = new Set<number>(pk);
  for (const idx of def.indexes) {
    if (idx.unique && idx.columns.length === 1) uniq.add(idx.columns[0]);
    else multi.add(idx.columns[0]);
    for (const c of idx.columns) part.add(c);
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
    partKey: part.has(i) || undefined,
    autoIncrement: c.autoIncrement,
    catalogColumn: c,
    catalogTable: def,
  }));
}

/** The scope access-path constants compile in: they read no column. */
const NO_COLUMNS = new Scope([]);

/** Finds a table or view by name in the given or current database (1046 when none is selected, 1146 when missing). */
export function resolveTableName(ctx: Pick<PlanContext, 'session' | 'catalog'>, schema: string | undefined, name: string): { table?: TableDef; view?: { query: string; columns?: string[] }; schema: string } {
  const db = schema ?? ctx.session.database;
  if (!db) throw sqlError('NO_DB', 'No database selected');
  // Reads of information_schema never come here (planRef answers them); what does is a write.
  if (isInformationSchema(db)) throw informationSchemaDenied(ctx.session.user, ctx.session.host);
  const table = ctx.catalog.getTable(db, name);
  if (table) return { table, schema: db };
  const view = ctx.catalog.getView(db, name);
  if (view) return { view, schema: db };
  throw sqlError('NO_SUCH_TABLE', `Table '${db}.${name}' doesn't exist`);
}

/** Flattens a tree of inner/cross joins into its leaves and ON conditions; undefined when an outer, NATURAL or USING join is involved. */
export function flattenInner(refs: TableRef[]): { leaves: TableRef[]; on: Expr[] } | undefined {
  const leaves: TableRef[] = [];
  const on: Expr[] = [];
  const visit = (r: TableRef): boolean => {
    // JSON_TABLE and LATERAL derived tables read the tables before them: joined in written order, never reordered.
    if (r.type === 'jsonTable' || (r.type === 'derived' && r.lateral)) return false;
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

/** Plans a query nested in a FROM clause (derived table, view, CTE), in `ctx` when given; provided by the query planner to avoid a cycle. */
export type QueryPlanner = (query: QueryExpr, outer?: Scope, ctx?: PlanContext) => QueryPlan;

/**
 * Plans the FROM list. A single table uses the best index for `where`; inner
 * joins of several inputs push single-table conjuncts down (with index choice)
 * and join along equalities in a greedy order; outer joins nest loops.
 */
export function planSource(from: TableRef[], where: Expr | undefined, ctx: PlanContext, planQuery: QueryPlanner, outer: Scope | undefined, subquery: (scope: Scope) => CompileEnv['subquery']): SourcePlan {
  const planner = new SourcePlanner(ctx, planQuery, outer, subquery);
  return planner.list(from, where);
}

class SourcePlanner {
  constructor(
    private readonly ctx: PlanContext,
    private readonly planQuery: QueryPlanner,
    private readonly outer: Scope | undefined,
    private readonly subquery: (scope: Scope) => CompileEnv['subquery'],
  ) {}

  list(from: TableRef[], where: Expr | undefined): SourcePlan {
    if (from.length === 0) return { kind: 'empty', scope: new Scope([], this.outer) };
    if (from.length === 1 && from[0].type !== 'join') return this.ref(from[0], where);
    const flat = flattenInner(from);
    if (!flat || flat.leaves.length < 2) {
      const inputs = from.map((ref) => this.ref(ref, undefined));
      if (inputs.length === 1) return inputs[0];
      return { kind: 'cross', inputs, scope: new Scope(inputs.flatMap((s) => s.scope.columns), this.outer) };
    }
    return this.innerJoin(flat.leaves, [...flat.on, ...(where ? [where] : [])]);
  }

  /** `ref` (a LATERAL derived table, or a join that starts with one) planned after `preceding`, whose columns it may read. */
  private after(ref: TableRef, preceding: SourcePlan): SourcePlan {
    if (ref.type === 'derived' && ref.lateral) return this.lateral(ref, preceding, undefined, false);
    if (ref.type === 'join') return this.join(ref, preceding);
    return this.ref(ref, undefined);
  }

  /** Subqueries (and MATCH, which reads its table through one) may appear in every clause a source compiles. */
  private compileEnv(scope: Scope, clause: string): CompileEnv {
    return { scope, session: this.ctx.session, clause, text: this.ctx.text, subquery: this.subquery(scope) };
  }

  private innerJoin(leafRefs: TableRef[], conds: Expr[]): SourcePlan {
    // Plan each input once without filters to learn the full row layout.
    const probes = leafRefs.map((ref) => this.ref(ref, undefined));
    const inputs: JoinInput[] = [];
    let width = 0;
    for (const p of probes) {
      inputs.push({ offset: width, width: p.scope.columns.length });
      width += p.scope.columns.length;
    }
    const scope = new Scope(probes.flatMap((p) => p.scope.columns), this.outer);
    const order = orderJoins(probes.length, classifyConjuncts(conds, scope, inputs));
    const stepOf = new Map(order.steps.map((st) => [st.input, st]));
    const leaves: JoinLeafPlan[] = leafRefs.map((ref, i) => {
      const localWhere = andAll(order.local[i]);
      const source = localWhere && ref.type === 'table' ? this.ref(ref, localWhere) : probes[i];
      const filter = localWhere ? compileExpr(localWhere, this.compileEnv(source.scope, 'where clause')) : undefined;
      const leaf: JoinLeafPlan = { input: inputs[i], source, filter };
      const step = stepOf.get(i);
      if (source.kind === 'table' && step && step.keys.length > 0) {
        const keyColumn = step.keys.map((k) => (k.inner.type === 'column' ? source.scope.find(k.inner.column, k.inner.table, k.inner.schema) : -1));
        const best = joinKeyIndex(source.def, keyColumn);
        if (best) leaf.lookup = { table: source.def, index: best.index, keyOrder: best.order };
      }
      return leaf;
    });
    const fullEnv = this.compileEnv(scope, 'where clause');
    const steps = order.steps.map((step) => {
      const innerEnv: CompileEnv = { ...fullEnv, scope: leaves[step.input].source.scope };
      const keys = step.keys.map((k) => {
        const outer = compileExpr(k.outer, fullEnv);
        const inner = compileExpr(k.inner, innerEnv);
        return { outer, inner, domain: compareDomain(outer.type, inner.type), collation: outer.type.collation ?? inner.type.collation };
      });
      return { input: step.input, keys, filters: step.filters.map((f) => compileExpr(f, fullEnv)) };
    });
    return { kind: 'innerJoin', scope, width, leaves, steps };
  }

  private ref(ref: TableRef, where: Expr | undefined): SourcePlan {
    switch (ref.type) {
      case 'table': {
        const alias = ref.alias ?? ref.name;
        // A CTE's name shadows a table's, for unqualified references.
        const cte = ref.schema === undefined ? cteSource(this.ctx.ctes, ref.name, alias, this.outer, (q, c, o) => this.planQuery(q, o, c)) : undefined;
        if (cte) return cte;
        if (isInformationSchema(ref.schema ?? this.ctx.session.database)) {
          return { kind: 'system', name: ref.name, alias, where, scope: new Scope(this.ctx.systemColumns(ref.name, alias), this.outer) };
        }
        const found = resolveTableName(this.ctx, ref.schema, ref.name);
        if (found.view) {
          const q = parse(found.view.query);
          if (q.type !== 'select' && q.type !== 'setop' && q.type !== 'values' && q.type !== 'with') throw sqlError('WRONG_OBJECT', `'${found.schema}.${ref.name}' is not a view`);
          // A view's query sees no CTE of the statement that reads it.
          return this.derived(this.planQuery(q, undefined, { ...this.ctx, ctes: undefined }), alias, found.view.columns, `${found.schema}.${ref.name}`);
        }
        const def = found.table as TableDef;
        const scope = new Scope(tableScopeColumns(def, alias), this.outer);
        const access = chooseAccess(def, where, scope, 0);
        const keys = compileAccessKeys(access, this.compileEnv(NO_COLUMNS, 'where clause'));
        return { kind: 'table', def, alias, scope, where, access, keys };
      }
      case 'derived':
        return this.derived(this.planQuery(ref.query, this.outer), ref.alias, ref.columnAliases);
      case 'join':
        return this.join(ref);
      case 'jsonTable':
        return this.jsonTable(ref, undefined, undefined, false);
    }
  }

  /** JSON_TABLE alone, or after `left` whose columns its document may read (with the join's ON). */
  private jsonTable(ref: JsonTableRef, left: SourcePlan | undefined, on: Expr | undefined, keepUnmatched: boolean): JsonTableSource {
    const leftColumns = left ? left.scope.columns : [];
    const docEnv = this.compileEnv(new Scope(leftColumns, this.outer), 'from clause');
    docEnv.subquery = this.subquery(docEnv.scope);
    const { plan, columns } = planJsonTable(ref, docEnv);
    const scope = new Scope([...leftColumns, ...columns], this.outer);
    let compiledOn: Compiled | undefined;
    if (on) {
      const onEnv = this.compileEnv(scope, 'on clause');
      compiledOn = compileExpr(on, onEnv);
    }
    return { kind: 'jsonTable', scope, alias: ref.alias, left, table: plan, on: compiledOn, keepUnmatched };
  }

  /**
   * A LATERAL derived table after `left`: its query sees `left`'s columns as its nearest outer scope. With NATURAL or
   * USING the join columns are matched as in any join, and shown once, the left side's.
   */
  private lateral(ref: DerivedTable, left: SourcePlan, on: Expr | undefined, keepUnmatched: boolean, natural = false, using?: string[]): LateralSource {
    const derived = this.derived(this.planQuery(ref.query, new Scope(left.scope.columns, this.outer)), ref.alias, ref.columnAliases);
    const pairs = usingPairs(left.scope, derived.scope, natural, using);
    if (pairs) on = pairs.on;
    const right = derived.scope.columns.map((c, i) => {
      const dup = pairs?.rightDuplicates.has(i) ?? false;
      return keepUnmatched || dup ? { ...c, nullable: keepUnmatched || c.nullable, usingDuplicate: dup || c.usingDuplicate } : c;
    });
    const width = left.scope.columns.length;
    const starOrder = pairs?.keptLeft.length
      ? joinStarOrder(left.scope, derived.scope, pairs.keptLeft, pairs.rightDuplicates, 0, width)
      : left.scope.starOrder ? [...left.scope.starOrder, ...right.map((_, i) => width + i)] : undefined;
    const scope = new Scope([...left.scope.columns, ...right], this.outer, starOrder);
    let compiledOn: Compiled | undefined;
    if (on) {
      const onEnv = this.compileEnv(scope, 'on clause');
      compiledOn = compileExpr(on, onEnv);
    }
    return { kind: 'lateral', scope, alias: ref.alias, left, query: derived.query, on: compiledOn, keepUnmatched };
  }

  private derived(query: QueryPlan, alias: string, names: string[] | undefined, view?: string): DerivedSource {
    if (names && names.length !== query.columns.length) throw sqlError('VIEW_WRONG_LIST', 'In definition of view, derived table or common table expression, SELECT list and column names list have different column counts');
    const seen = new Set<string>();
    const columns = query.columns.map((c, i) => {
      const name = names?.[i] ?? c.name;
      if (seen.has(name.toLowerCase())) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${name}'`);
      seen.add(name.toLowerCase());
      return { ...c, table: alias, name };
    });
    return { kind: 'derived', alias, query, view, scope: new Scope(columns, this.outer) };
  }

  /** A join; `preceding` is the comma list before it when its leftmost item is a LATERAL derived table. */
  private join(ref: JoinRef, preceding?: SourcePlan): SourcePlan {
    const leftOf = (): SourcePlan => (preceding ? this.after(ref.left, preceding) : this.ref(ref.left, undefined));
    if (ref.right.type === 'jsonTable') {
      if (ref.kind === 'right' || ref.natural || ref.using?.length) {
        throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support JSON_TABLE on the right of RIGHT JOIN, NATURAL JOIN or USING');
      }
      return this.jsonTable(ref.right, leftOf(), ref.on, ref.kind === 'left');
    }
    // `a, LATERAL (...) d JOIN b ...`: the join that starts with the lateral table runs after `a`.
    if (ref.right.type === 'join' && leadsWithLateral(ref.right) && (ref.kind === 'cross' || ref.kind === 'inner') && !ref.on && !ref.natural && !ref.using?.length) {
      return this.join(ref.right, leftOf());
    }
    // On the right of a RIGHT JOIN a LATERAL table may not read the left side (MySQL's rule: only
    // INNER, CROSS and LEFT joins let it), so it is planned as a plain derived table below and a
    // reference to the left answers 1054, as in MySQL.
    if (ref.right.type === 'derived' && ref.right.lateral && ref.kind !== 'right') {
      return this.lateral(ref.right, leftOf(), ref.on, ref.kind === 'left', ref.natural === true, ref.using);
    }
    let left = leftOf();
    let right = this.ref(ref.right, undefined);
    const swapped = ref.kind === 'right';
    // A RIGHT JOIN runs as a LEFT JOIN with the sides swapped, then restores the written column order.
    if (swapped) [left, right] = [right, left];
    const keepUnmatched = ref.kind === 'left' || swapped;
    const pairs = usingPairs(left.scope, right.scope, ref.natural === true, ref.using);
    const on = pairs?.on ?? ref.on;
    const keptLeft = pairs?.keptLeft ?? [];
    const rightDuplicates = pairs?.rightDuplicates ?? new Set<number>();
    const nullableRight = right.scope.columns.map((c, i) => {
      const dup = rightDuplicates.has(i);
      return keepUnmatched || dup ? { ...c, nullable: keepUnmatched || c.nullable, usingDuplicate: dup || c.usingDuplicate } : c;
    });
    const joinedScope = new Scope([...left.scope.columns, ...nullableRight], this.outer);
    const onEnv = this.compileEnv(joinedScope, 'on clause');
    const compiledOn = on ? compileExpr(on, onEnv) : undefined;
    // The row keeps both sides' columns in place; only what `*` shows changes (USING columns first, once).
    const leftAt = swapped ? nullableRight.length : 0;
    const rightAt = swapped ? 0 : left.scope.columns.length;
    const starOrder = keptLeft.length || left.scope.starOrder || right.scope.starOrder
      ? joinStarOrder(left.scope, right.scope, keptLeft, rightDuplicates, leftAt, rightAt)
      : undefined;
    const scope = swapped ? new Scope([...nullableRight, ...left.scope.columns], this.outer, starOrder) : new Scope(joinedScope.columns, this.outer, starOrder);
    return { kind: 'nestedJoin', scope, left, right, keepUnmatched, swapped, on: compiledOn };
  }
}

/** Whether `ref` is a LATERAL derived table or a join whose leftmost item is one. */
function leadsWithLateral(ref: TableRef): boolean {
  if (ref.type === 'derived') return ref.lateral === true;
  return ref.type === 'join' && leadsWithLateral(ref.left);
}

/** The visible columns of a scope in the order `*` shows them. */
function starColumns(scope: Scope): readonly number[] {
  return scope.starOrder ?? scope.columns.flatMap((c, i) => (c.hidden || c.usingDuplicate ? [] : [i]));
}

/**
 * What `*` shows for a join, as MySQL: the USING columns once, in the first table's order, then the
 * first table's other columns, then the second's. Indexes are into the joined row (left at leftAt).
 */
/**
 * NATURAL JOIN's common columns, or USING's list: the ON condition that pairs them, the left columns shown once and the
 * right ones hidden from `*` and unqualified names (1054 for a USING name either side lacks). Undefined without either.
 */
function usingPairs(left: Scope, right: Scope, natural: boolean, using: string[] | undefined): { on: Expr; keptLeft: number[]; rightDuplicates: Set<number> } | undefined {
  let names = using;
  if (natural) {
    const rightNames = new Set(right.columns.map((c) => c.name.toLowerCase()));
    names = left.columns.filter((c) => rightNames.has(c.name.toLowerCase())).map((c) => c.name);
  }
  if (!names || names.length === 0) return undefined;
  const keptLeft: number[] = [];
  const rightDuplicates = new Set<number>();
  const conds: Expr[] = names.map((name) => {
    const li = left.find(name);
    const ri = right.find(name);
    if (li < 0 || ri < 0) throw sqlError('BAD_FIELD', `Unknown column '${name}' in 'from clause'`);
    keptLeft.push(li);
    rightDuplicates.add(ri);
    return { type: 'binary', op: '=', left: { type: 'column', table: left.columns[li].table, column: name }, right: { type: 'column', table: right.columns[ri].table, column: name } };
  });
  return { on: conds.reduce((acc, c) => ({ type: 'binary', op: 'AND', left: acc, right: c })), keptLeft, rightDuplicates };
}

function joinStarOrder(left: Scope, right: Scope, keptLeft: number[], rightDuplicates: Set<number>, leftAt: number, rightAt: number): number[] {
  const leftOrder = starColumns(left);
  const kept = new Set(keptLeft);
  const out: number[] = [];
  for (const i of leftOrder) if (kept.has(i)) out.push(leftAt + i);
  for (const i of leftOrder) if (!kept.has(i)) out.push(leftAt + i);
  for (const i of starColumns(right)) if (!rightDuplicates.has(i)) out.push(rightAt + i);
  return out;
}
