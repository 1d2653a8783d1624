// Builds the row source of a FROM clause: base tables (with index access), views, derived tables and joins.
import { sqlError } from '../../kernel/errors.js';
import type { Expr, JoinRef, QueryExpr, TableRef } from '../parser/ast.js';
import { parse } from '../parser/index.js';
import { Scope, type ScopeColumn } from '../analyzer/scope.js';
import { compileExpr, type CompileEnv } from '../analyzer/compile-expr.js';
import { toBoolean } from '../types/convert.js';
import type { Row } from '../types/value.js';
import type { TableDef } from '../../storage/table-def.js';
import { bindAccess, chooseAccess, type AccessPath } from '../planner/access-path.js';
import type { ReadTx, StatementEnv } from './statement-env.js';

/** A planned FROM clause: its output columns and a way to produce its rows. */
export interface Source {
  scope: Scope;
  /** Produces the rows; `where` is the statement's WHERE, used to pick an index for single-table sources. */
  rows(): Iterable<Row>;
  /** For EXPLAIN: how each table is read. */
  explain: { table: string; access: AccessPath | undefined; rows: number }[];
}

/** Runs a nested query (derived table, view, subquery); provided by the query executor to avoid a cycle. */
export type QueryRunner = (query: QueryExpr, tx: ReadTx, outer?: Scope) => { columns: ScopeColumn[]; rows: Row[] };

export function tableScopeColumns(def: TableDef, alias: string): ScopeColumn[] {
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
  const table = tx.catalog.getTable(db, name);
  if (table) return { table, schema: db };
  const view = tx.catalog.getView(db, name);
  if (view) return { view, schema: db };
  throw sqlError('NO_SUCH_TABLE', `Table '${db}.${name}' doesn't exist`);
}

/** Plans the FROM list. A single base table uses the best index for `where`. */
export function buildSource(from: TableRef[], where: Expr | undefined, env: StatementEnv, tx: ReadTx, run: QueryRunner, outer?: Scope): Source {
  if (from.length === 0) {
    return { scope: new Scope([], outer), rows: () => [[]], explain: [] };
  }
  const sources = from.map((ref) => buildRef(ref, env, tx, run, outer, from.length === 1 ? where : undefined));
  return sources.reduce((acc, s) => crossJoin(acc, s, outer));
}

function buildRef(ref: TableRef, env: StatementEnv, tx: ReadTx, run: QueryRunner, outer: Scope | undefined, where: Expr | undefined): Source {
  switch (ref.type) {
    case 'table': {
      const alias = ref.alias ?? ref.name;
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
      return {
        scope,
        explain,
        rows: () => {
          const compileEnv: CompileEnv = { scope: new Scope([]), session: env.session, clause: 'where clause' };
          const path = bindAccess(def, plan, compileEnv, env.ctx);
          explain[0].access = path;
          return reader.scan(path);
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
      for (const l of a.rows()) for (const r of right) yield [...l, ...r];
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
