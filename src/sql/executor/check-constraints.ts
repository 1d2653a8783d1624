// CHECK constraints (MySQL 8.0.16+): validated when a table is defined, evaluated on every row a statement writes.
import { exprText } from '../parser/expr-text.js';
import { sqlError } from '../../base/errors.js';
import type { Row } from '../../base/value.js';
import type { CheckClause, Expr } from '../parser/ast.js';
import { parseExpr } from '../parser/index.js';
import { Scope } from '../analyzer/scope.js';
import { compileExpr, type Compiled } from '../analyzer/compile-expr.js';
import { tableScopeColumns } from '../planner/plan-source.js';
import { toBoolean } from '../types/convert.js';
import type { CheckDef, TableDef } from '../../storage/table-def.js';
import type { StatementEnv } from './statement-env.js';

/** Functions whose result is not fixed by the row (MySQL's list for 3814), upper-case. */
const DISALLOWED_FUNCTIONS: ReadonlySet<string> = new Set([
  'BENCHMARK', 'CONNECTION_ID', 'CURDATE', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_USER', 'CURTIME',
  'DATABASE', 'FOUND_ROWS', 'GET_LOCK', 'IS_FREE_LOCK', 'IS_USED_LOCK', 'LAST_INSERT_ID', 'LOAD_FILE', 'LOCALTIME',
  'LOCALTIMESTAMP', 'MASTER_POS_WAIT', 'NOW', 'RAND', 'RANDOM_BYTES', 'RELEASE_ALL_LOCKS', 'RELEASE_LOCK', 'ROW_COUNT',
  'SCHEMA', 'SESSION_USER', 'SLEEP', 'SYSDATE', 'SYSTEM_USER', 'UNIX_TIMESTAMP', 'USER', 'UTC_DATE', 'UTC_TIME',
  'UTC_TIMESTAMP', 'UUID', 'UUID_SHORT', 'VERSION', 'ROLES_GRAPHML', 'ICU_VERSION', 'CURRENT_ROLE',
]);

/** Calls a walk over an expression meets: every node object, depth first. */
function walk(node: unknown, visit: (e: Expr) => void): void {
  if (node === null || typeof node !== 'object' || Buffer.isBuffer(node)) return;
  if (Array.isArray(node)) {
    for (const x of node) walk(x, visit);
    return;
  }
  const o = node as Record<string, unknown>;
  if (typeof o.type === 'string') visit(o as unknown as Expr);
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') walk(v, visit);
}

/**
 * 3814 for a non-deterministic function, 3816 for variables, 3815-like refusal of subqueries,
 * 3820 for an unknown column, 3818 for an AUTO_INCREMENT column, 3813 when a column's own
 * CHECK names another column. `column` is set for a column-level constraint.
 */
function validateExpr(name: string, expr: Expr, def: Pick<TableDef, 'columns'>, column: string | undefined): void {
  walk(expr, (e) => {
    switch (e.type) {
      case 'call':
        if (e.schema === undefined && (DISALLOWED_FUNCTIONS.has(e.name.toUpperCase()) || (e.name.toUpperCase() === 'UNIX_TIMESTAMP' && e.args.length === 0))) {
          throw sqlError('CHECK_CONSTRAINT_NAMED_FUNCTION_IS_NOT_ALLOWED', `An expression of a check constraint '${name}' contains disallowed function: ${e.name.toLowerCase()}.`);
        }
        break;
      case 'variable':
      case 'param':
        throw sqlError('CHECK_CONSTRAINT_VARIABLES', `An expression of a check constraint '${name}' cannot refer to a user or system variable.`);
      case 'subquery':
      case 'exists':
      case 'inSubquery':
      case 'quantified':
        throw sqlError('CHECK_CONSTRAINT_NAMED_FUNCTION_IS_NOT_ALLOWED', `An expression of a check constraint '${name}' contains disallowed function: subquery.`);
      case 'column': {
        const col = def.columns.find((c) => c.name.toLowerCase() === e.column.toLowerCase());
        if (col === undefined) throw sqlError('CHECK_CONSTRAINT_REFERS_UNKNOWN_COLUMN', `Check constraint '${name}' refers to non-existing column '${e.column}'.`);
        if (col.autoIncrement) throw sqlError('CHECK_CONSTRAINT_REFERS_AUTO_INCREMENT_COLUMN', `Check constraint '${name}' cannot refer to an auto-increment column.`);
        if (column !== undefined && col.name.toLowerCase() !== column.toLowerCase()) {
          throw sqlError('COLUMN_CHECK_CONSTRAINT_REFERENCES_OTHER_COLUMN', `Column check constraint '${name}' references other column.`);
        }
        break;
      }
      default:
        break;
    }
  });
}

/** The columns a stored CHECK reads, lower-cased. */
export function checkColumns(ck: CheckDef): Set<string> {
  const out = new Set<string>();
  walk(parseExpr(ck.expr), (e) => {
    if (e.type === 'column') out.add(e.column.toLowerCase());
  });
  return out;
}

/** Names taken by CHECK constraints in a schema (they are schema-wide in MySQL), lower-cased. */
export function checkNamesInSchema(tables: readonly TableDef[], except?: string): Set<string> {
  const out = new Set<string>();
  for (const t of tables) if (t.name !== except) for (const c of t.checks ?? []) out.add(c.name.toLowerCase());
  return out;
}

/**
 * Turns CHECK clauses into catalog entries: names generated as `<table>_chk_<n>` (n above any
 * existing one), 3822 for a duplicate name, and the expression validated against the columns.
 */
export function buildChecks(
  table: string, clauses: readonly { clause: CheckClause; column?: string }[], def: Pick<TableDef, 'columns'>,
  existing: readonly CheckDef[], takenInSchema: Set<string>,
): CheckDef[] {
  const out: CheckDef[] = [...existing];
  const prefix = `${table}_chk_`.toLowerCase();
  let n = 0;
  for (const c of existing) {
    const lower = c.name.toLowerCase();
    if (lower.startsWith(prefix)) n = Math.max(n, Number(lower.slice(prefix.length)) || 0);
  }
  for (const { clause, column } of clauses) {
    const name = clause.name ?? `${table}_chk_${++n}`;
    if (name.length > 64) throw sqlError('TOO_LONG_IDENT', `Identifier name '${name}' is too long`);
    if (out.some((c) => c.name.toLowerCase() === name.toLowerCase()) || takenInSchema.has(name.toLowerCase())) {
      throw sqlError('CHECK_CONSTRAINT_DUP_NAME', `Duplicate check constraint name '${name}'.`);
    }
    validateExpr(name, clause.expr, def, column);
    // Kept in MySQL's printed form (quoted names, one pair of parentheses), as SHOW CREATE TABLE and dumps show it.
    out.push({ name, expr: exprText(clause.expr), enforced: clause.enforced });
  }
  return out;
}

/** Compiled CHECK expressions of one table, for one statement (compiled on first use). */
export class CheckEvaluator {
  private readonly compiled = new Map<TableDef, { name: string; c: Compiled }[]>();

  constructor(private readonly env: StatementEnv) {}

  private forTable(def: TableDef): { name: string; c: Compiled }[] {
    let list = this.compiled.get(def);
    if (list === undefined) {
      const scope = new Scope(tableScopeColumns(def, def.name));
      list = (def.checks ?? []).filter((k) => k.enforced).map((k) => ({
        name: k.name,
        c: compileExpr(parseExpr(k.expr), { scope, session: this.env.session, clause: 'check constraint' }),
      }));
      this.compiled.set(def, list);
    }
    return list;
  }

  /** 3819 when an enforced CHECK is false for `row` (NULL, unknown, passes). */
  check(def: TableDef, row: Row): void {
    if (def.checks === undefined || def.checks.length === 0) return;
    for (const k of this.forTable(def)) {
      if (toBoolean(k.c.eval(row, this.env.ctx)) === false) throw sqlError('CHECK_CONSTRAINT_VIOLATED', `Check constraint '${k.name}' is violated.`);
    }
  }
}

/** Validates one stored CHECK against rows already in the table (ALTER TABLE ADD CHECK, ALTER CHECK .. ENFORCED). */
export function checkExistingRows(def: TableDef, rows: Iterable<Row>, env: StatementEnv): void {
  const evaluator = new CheckEvaluator(env);
  for (const r of rows) evaluator.check(def, r);
}
