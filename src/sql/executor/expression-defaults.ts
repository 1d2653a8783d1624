// Expression defaults (`DEFAULT (expr)`, MySQL 8.0.13+): checked on CREATE/ALTER, stored in MySQL's printed form, computed for each row written.
import { sqlError } from '../../base/errors.js';
import type { Row, Value } from '../../base/value.js';
import type { Expr } from '../parser/ast.js';
import { exprText } from '../parser/expr-text.js';
import { parseExpr } from '../parser/index.js';
import type { ColumnDefault, TableDef } from '../../storage/table-def.js';
import type { EvalContext, SessionContext } from '../analyzer/eval-context.js';
import { compileExpr, type Compiled } from '../analyzer/compile-expr.js';
import { Scope } from '../analyzer/scope.js';
import { definedRowScope, eachNode, referencedColumns } from './generated-column-ddl.js';
import { tableScopeColumns } from '../planner/plan-source.js';

const CLAUSE = 'default value expression';

/**
 * The catalog form of `DEFAULT (expr)`: refuses what MySQL refuses in one (subqueries and row values
 * 3769/3771, variables and parameters 3772, stored functions 3770, aggregates 1111). Unlike a generated
 * column's, the expression may call nondeterministic functions (UUID(), RAND(), NOW()): that is its use.
 */
export function expressionDefault(name: string, expr: Expr): ColumnDefault {
  eachNode(expr, (e) => {
    switch (e.type) {
      case 'subquery': case 'exists': case 'inSubquery': case 'quantified': case 'match': case 'default':
        throw sqlError('DEFAULT_VAL_GENERATED_FUNCTION_IS_NOT_ALLOWED', `Default value expression of column '${name}' contains a disallowed function.`);
      case 'row':
        throw sqlError('DEFAULT_VAL_GENERATED_ROW_VALUE', `Default value expression of column '${name}' cannot refer to a row value.`);
      case 'variable': case 'param':
        throw sqlError('DEFAULT_VAL_GENERATED_VARIABLES', `Default value expression of column '${name}' cannot refer user or system variables.`);
      case 'aggregate':
        throw sqlError('INVALID_GROUP_FUNC_USE', 'Invalid use of group function');
      case 'call':
        if (e.schema !== undefined) throw sqlError('DEFAULT_VAL_GENERATED_NAMED_FUNCTION_IS_NOT_ALLOWED', `Default value expression of column '${name}' contains a disallowed function: ${e.schema}.${e.name}.`);
        break;
      default:
        break;
    }
  });
  return { kind: 'expr', expr: exprText(expr) };
}

/**
 * MySQL's table-level rules for expression defaults, on CREATE and every ALTER: the expression reads
 * columns of the table (1054 otherwise), no AUTO_INCREMENT column (3768), no later generated column or
 * later column with an expression default (3767), and it compiles (unknown functions, wrong arguments).
 */
export function checkExpressionDefaults(def: Pick<TableDef, 'name' | 'schema' | 'columns'>, session: SessionContext): void {
  const columns = def.columns;
  if (!columns.some((c) => c.default?.kind === 'expr')) return;
  const scope = definedRowScope(def);
  columns.forEach((c, i) => {
    if (c.default?.kind !== 'expr') return;
    const expr = parseExpr(c.default.expr);
    for (const j of referencedColumns(expr, columns, CLAUSE)) {
      const ref = columns[j];
      if (ref.autoIncrement) throw sqlError('DEFAULT_VAL_GENERATED_REF_AUTO_INC', `Default value expression of column '${c.name}' cannot refer to an auto-increment column.`);
      // A column reading itself counts as later: its own expression default is not computed yet.
      if (j >= i && (ref.generated || ref.default?.kind === 'expr')) {
        throw sqlError('DEFAULT_VAL_GENERATED_NON_PRIOR', `Default value expression of column '${c.name}' cannot refer to a column defined after it if that column is a generated column or has an expression as default value.`);
      }
    }
    compileExpr(expr, { scope, session, clause: CLAUSE });
  });
}

/** Compiled per table definition and column (definitions are frozen and replaced on DDL, so never stale). */
const compiled = new WeakMap<TableDef, Map<number, Compiled>>();

/**
 * A column's expression default for one row: `row` holds the values given so far (an expression may
 * read other columns). Without its table (a caller that has none), the expression sees no columns.
 */
export function evalExpressionDefault(def: TableDef | undefined, column: number, expr: string, row: Row | undefined, ctx: EvalContext): Value {
  let perTable = def !== undefined ? compiled.get(def) : undefined;
  let c = perTable?.get(column);
  if (c === undefined) {
    c = compileExpr(parseExpr(expr), { scope: new Scope(def !== undefined ? tableScopeColumns(def, def.name) : []), session: ctx.session, clause: CLAUSE });
    if (def !== undefined) {
      if (perTable === undefined) compiled.set(def, (perTable = new Map()));
      perTable.set(column, c);
    }
  }
  return c.eval(row ?? [], ctx);
}

