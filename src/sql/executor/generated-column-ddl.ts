// Generated columns in CREATE / ALTER TABLE: the expression stored in MySQL's printed form, and MySQL's rules on what it may read.
import { sqlError } from '../../base/errors.js';
import type { ColumnDef as AstColumn, Expr } from '../parser/ast.js';
import { exprText } from '../parser/expr-text.js';
import { parseExpr } from '../parser/index.js';
import type { ColumnDef, TableDef } from '../../storage/table-def.js';
import type { SessionContext } from '../analyzer/eval-context.js';
import { compileExpr } from '../analyzer/compile-expr.js';
import { Scope } from '../analyzer/scope.js';

/** Functions whose value is not a function of the row (MySQL's 3102 list, the ones mizzle has). */
const DISALLOWED = new Set([
  'RAND', 'UUID', 'UUID_SHORT', 'NOW', 'CURRENT_TIMESTAMP', 'LOCALTIME', 'LOCALTIMESTAMP', 'SYSDATE', 'CURDATE', 'CURRENT_DATE',
  'CURTIME', 'CURRENT_TIME', 'UTC_DATE', 'UTC_TIME', 'UTC_TIMESTAMP', 'UNIX_TIMESTAMP', 'CONNECTION_ID', 'CURRENT_USER', 'USER',
  'SESSION_USER', 'SYSTEM_USER', 'DATABASE', 'SCHEMA', 'LAST_INSERT_ID', 'FOUND_ROWS', 'ROW_COUNT', 'SLEEP', 'GET_LOCK',
  'RELEASE_LOCK', 'RELEASE_ALL_LOCKS', 'IS_FREE_LOCK', 'IS_USED_LOCK', 'BENCHMARK', 'LOAD_FILE', 'VALUES', 'VERSION', 'CURRENT_ROLE',
]);

/** The catalog form of a column's `AS (expr) [VIRTUAL|STORED]`; refuses what MySQL's grammar does not allow beside it. */
export function generatedDefinition(c: AstColumn): ColumnDef['generated'] {
  const g = c.generated;
  if (!g) return undefined;
  if (c.default) throw sqlError('PARSE', `You have an error in your SQL syntax; a generated column '${c.name}' cannot have a DEFAULT`);
  if (c.autoIncrement) throw sqlError('PARSE', `You have an error in your SQL syntax; a generated column '${c.name}' cannot be AUTO_INCREMENT`);
  if (c.onUpdateCurrentTimestamp) throw sqlError('PARSE', `You have an error in your SQL syntax; a generated column '${c.name}' cannot have ON UPDATE`);
  checkExpr(g.expr, c.name);
  return { expr: exprText(g.expr), stored: g.stored };
}

/** Every node of an expression tree, parents first. */
export function eachNode(e: Expr, visit: (e: Expr) => void): void {
  visit(e);
  const walk = (v: unknown): void => {
    if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
      return;
    }
    if ('type' in v && typeof v.type === 'string') eachNode(v as Expr, visit);
    else for (const x of Object.values(v)) walk(x);
  };
  for (const [k, v] of Object.entries(e)) if (k !== 'type') walk(v);
}

/** 3102 for what is not a function of the row alone; 1111 for aggregates. */
function checkExpr(expr: Expr, name: string): void {
  const disallowed = () => sqlError('GENERATED_COLUMN_FUNCTION_IS_NOT_ALLOWED', `Expression of generated column '${name}' contains a disallowed function.`);
  eachNode(expr, (e) => {
    switch (e.type) {
      case 'subquery': case 'exists': case 'inSubquery': case 'quantified': case 'variable': case 'param': case 'default': case 'match':
        throw disallowed();
      case 'aggregate':
        throw sqlError('INVALID_GROUP_FUNC_USE', 'Invalid use of group function');
      case 'call':
        if (e.schema !== undefined || DISALLOWED.has(e.name)) throw disallowed();
        break;
      default:
        break;
    }
  });
}

/** The columns a stored expression reads, by position in `columns` (1054, naming `clause`, for an unknown name). */
export function referencedColumns(expr: Expr, columns: readonly ColumnDef[], clause: string): number[] {
  const out: number[] = [];
  eachNode(expr, (e) => {
    if (e.type !== 'column') return;
    const i = columns.findIndex((c) => c.name.toLowerCase() === e.column.toLowerCase());
    if (i < 0) throw sqlError('BAD_FIELD', `Unknown column '${e.column}' in '${clause}'`);
    out.push(i);
  });
  return out;
}

/** A scope of one row of a table being defined (CREATE/ALTER checks, before the definition is stored). */
export function definedRowScope(def: Pick<TableDef, 'name' | 'schema' | 'columns'>): Scope {
  return new Scope(def.columns.map((c) => ({ table: def.name, schema: def.schema, orgTable: def.name, name: c.name, orgName: c.name, type: c.type, nullable: c.nullable })));
}

/**
 * MySQL's rules for a table's generated columns, checked on CREATE and on every ALTER: an
 * expression reads base columns and only earlier generated ones (3107), no AUTO_INCREMENT column
 * (3109), compiles over the row (unknown functions, wrong arguments), and a VIRTUAL column is no
 * part of the primary key (3106).
 */
export function checkGeneratedColumns(def: Pick<TableDef, 'name' | 'schema' | 'columns' | 'primaryKey'>, session: SessionContext): void {
  const columns = def.columns;
  if (!columns.some((c) => c.generated)) return;
  const scope = definedRowScope(def);
  columns.forEach((c, i) => {
    if (!c.generated) return;
    const expr = parseExpr(c.generated.expr);
    for (const j of referencedColumns(expr, columns, 'generated column function')) {
      const ref = columns[j];
      if (ref.generated && j >= i) throw sqlError('GENERATED_COLUMN_NON_PRIOR', 'Generated column can refer only to generated columns defined prior to it.');
      if (ref.autoIncrement) throw sqlError('GENERATED_COLUMN_REF_AUTO_INC', `Generated column '${c.name}' cannot refer to auto-increment column.`);
    }
    compileExpr(expr, { scope, session, clause: 'generated column function' });
  });
  for (const k of def.primaryKey?.columns ?? []) {
    if (columns[k].generated && !columns[k].generated.stored) {
      throw sqlError('UNSUPPORTED_ACTION_ON_GENERATED_COLUMN', "'Defining a virtual generated column as primary key' is not supported for generated columns.");
    }
  }
}

/** Dropping or renaming a column that a generated column (3108) or another column's expression default (3766) reads. */
export function checkNoGeneratedDependency(def: TableDef, pos: number): void {
  const name = def.columns[pos].name;
  for (const [i, c] of def.columns.entries()) {
    if (i === pos) continue;
    if (c.generated && referencedColumns(parseExpr(c.generated.expr), def.columns, 'generated column function').includes(pos)) {
      throw sqlError('DEPENDENT_BY_GENERATED_COLUMN', `Column '${name}' has a generated column dependency.`);
    }
    if (c.default?.kind === 'expr' && referencedColumns(parseExpr(c.default.expr), def.columns, 'default value expression').includes(pos)) {
      throw sqlError('DEPENDENT_BY_DEFAULT_GENERATED_VALUE', `Column '${name}' of table '${def.name}' has a default value expression dependency and cannot be dropped or renamed.`);
    }
  }
}
