// Resolves and types an expression AST against a scope, producing a closure tree evaluated per row.
import { sqlError } from '../../base/errors.js';
import type { Expr, BinaryExpr, QueryExpr, AggregateCall, FuncCall } from '../parser/ast.js';
import { arith, arithDomain, divide, intDivide, modulo, negate } from '../types/arith.js';
import { compareDomain, compareIn, type CompareDomain } from '../types/compare.js';
import { coerceValue } from '../types/coerce.js';
import { textToInteger64 } from '../types/text-integer.js';
import { temporalAsNumber } from './temporal-number.js';
import { castToJson, compileJsonComparison, compileJsonInList, jsonAsScalar } from './compile-json.js';
import { getCharset, isBinaryCollation } from '../../base/collation.js';
import { likeFold, likeToRegExp } from '../types/like.js';
import { normInt, toBoolean, toDouble, toInteger, valueToString } from '../types/convert.js';
import { Decimal } from '../../base/decimal.js';
import { encodeKeepingBytes, hasEscapedBytes } from '../../base/raw-bytes-text.js';
import { exprText as canonicalText } from '../parser/expr-text.js';
import { parseDate, parseDateTime, parseTime } from '../../base/temporal.js';
import {
  T_BIGINT, T_BOOL_INT, T_DOUBLE, T_NULL, decimalLiteralType, decimalType, integerDigitsOf, scaleOf, unifyTypes, varchar,
} from '../types/infer.js';
import { isIntegerType, isBinaryType, isStringType, type SqlType } from '../../base/sql-type.js';
import type { Row, Value } from '../../base/value.js';
import type { EvalContext, SessionContext } from './eval-context.js';
import { lookupFunction } from '../functions/registry.js';
import type { ExprCompiler } from '../functions/define.js';
import type { Scope } from './scope.js';
import { defaultFunctionValue } from './column-default.js';
import { compileMatch } from './fulltext-match.js';
import { keepingQuotientDigits } from '../functions/control.js';

/** A compiled expression evaluated against one input row. */
export type Evaluator = (row: Row, ctx: EvalContext) => Value;

export interface Compiled {
  type: SqlType;
  nullable: boolean;
  eval: Evaluator;
  /** Position in the input row when the expression is a bare column reference. */
  columnIndex?: number;
  /** True when the value does not depend on the row (literals, @@vars, pure functions of constants). */
  constant: boolean;
  /** For `/`: the quotient before rounding to the type's scale, which arithmetic on it reads (MySQL's 1/3*3 = 1.0000). */
  evalUnrounded?: Evaluator;
}

/** Hands out a slot for an aggregate call in grouped queries; returns its index in the post-aggregation row. */
export interface AggregateCollector {
  add(call: AggregateCall, env: CompileEnv): Compiled;
}

/** Hands out a slot for a window function call (`... OVER (...)`) of a query; absent where window functions are not allowed. */
export interface WindowCollector {
  add(call: AggregateCall, env: CompileEnv): Compiled;
}

/** Runs an uncorrelated subquery once and returns its rows. */
export type SubqueryRunner = (query: QueryExpr, ctx: EvalContext) => { rows: Row[]; types: SqlType[] };

/** Everything the compiler needs to resolve names and build evaluators. */
export interface CompileEnv {
  scope: Scope;
  session: SessionContext;
  /** Clause name for "Unknown column 'x' in '<clause>'". */
  clause: string;
  aggregates?: AggregateCollector;
  /** The select list and ORDER BY may call window functions; everywhere else is 3593. */
  windows?: WindowCollector;
  /** Select-list aliases usable in this clause (HAVING, ORDER BY), name → compiled. */
  aliases?: Map<string, Compiled>;
  subquery?: (query: QueryExpr) => { types: SqlType[]; run: (row: Row, ctx: EvalContext) => Row[] };
  /** The columns DEFAULT(col) names when they are not the scope's (INSERT ... VALUES: the target table's). */
  defaultScope?: Scope;
  /** The source text of the statement, for error messages that quote expressions. */
  text?: string;
  /** When set, every column of `scope` an expression reads is marked here (so a scan can skip the rest). */
  columnsRead?: boolean[];
  /** WITH ROLLUP's grouping expressions (by their syntax tree's JSON): the select list reads their values, NULL in super-aggregate rows. */
  groupExprs?: Map<string, Compiled>;
  /** Under WITH ROLLUP, where GROUPING() may be called (select list, HAVING, ORDER BY). */
  grouping?: RollupGrouping;
}

/** What GROUPING() needs of a WITH ROLLUP query. */
export interface RollupGrouping {
  /** The position of the GROUP BY key `arg` names, or -1. */
  keyOf(arg: Expr): number;
  /** Where a grouped row holds its rollup level: how many leading keys it keeps (all of them in ordinary rows). */
  readonly levelSlot: { index: number };
}

/**
 * GROUPING(k1, ..., kn): a bit per argument, the first the highest, set where the row is a super-aggregate
 * over that key. Only under WITH ROLLUP (1111 elsewhere, as MySQL); each argument must be a GROUP BY key (3580).
 */
function compileGrouping(call: FuncCall, env: CompileEnv): Compiled {
  const grouping = env.grouping;
  if (!grouping) throw sqlError('INVALID_GROUP_FUNC_USE', 'Invalid use of group function');
  if (call.args.length === 0) throw sqlError('PARSE', "You have an error in your SQL syntax; GROUPING needs at least one argument");
  const keys = call.args.map((arg, i) => {
    const k = grouping.keyOf(arg);
    if (k < 0) throw sqlError('FIELD_IN_GROUPING_NOT_GROUP_BY', `Argument #${i + 1} of GROUPING function is not in GROUP BY`);
    return k;
  });
  const slot = grouping.levelSlot;
  return {
    type: { ...T_BIGINT, unsigned: true, length: 1 }, nullable: false, constant: false,
    eval: (row) => {
      const level = row[slot.index] as number;
      let bits = 0;
      for (const k of keys) bits = bits * 2 + (level <= k ? 1 : 0);
      return bits;
    },
  };
}

const TRUE_VAL = 1;
const FALSE_VAL = 0;

function constant(type: SqlType, value: Value): Compiled {
  return { type, nullable: value === null, eval: () => value, constant: true };
}

/** What built-in functions get of this compiler (they may not import it: that would be an import cycle). */
const FUNCTION_COMPILER: ExprCompiler = { compile: compileExpr, convertTo, compileComparison };

/** An expression's syntax tree without source positions: equal for the same text written twice. */
export function groupExprKey(expr: Expr): string {
  return JSON.stringify(expr, (k, v: unknown) => (k === 'pos' ? undefined : v));
}

/** Compiles `expr` in `env`. */
export function compileExpr(expr: Expr, env: CompileEnv): Compiled {
  if (env.groupExprs !== undefined && expr.type !== 'column' && expr.type !== 'literal') {
    const grouped = env.groupExprs.get(groupExprKey(expr));
    if (grouped) return grouped;
  }
  switch (expr.type) {
    case 'literal':
      return compileLiteral(expr);
    case 'column':
      return compileColumn(expr.column, expr.table, expr.schema, env);
    case 'param': {
      // Statements are compiled per execution, so a parameter is typed by the value bound to it.
      const i = expr.index;
      const bound = env.session.statementParams[i];
      return { type: bound === undefined || bound === null ? varchar(255) : typeOfValue(bound), nullable: true, eval: (_r, ctx) => ctx.params[i] ?? null, constant: false };
    }
    case 'variable':
      return compileVariable(expr.kind, expr.name, expr.scope, env);
    case 'unary':
      return compileUnary(expr.op, compileExpr(expr.operand, env), env);
    case 'binary':
      return compileBinary(expr, env);
    case 'is':
      return compileIs(compileExpr(expr.operand, env), expr.test, expr.not);
    case 'between': {
      const x = compileExpr(expr.operand, env);
      const lo = compileComparison('>=', x, compileExpr(expr.low, env));
      const hi = compileComparison('<=', x, compileExpr(expr.high, env));
      const both = logical('AND', lo, hi);
      return expr.not ? notOf(both) : both;
    }
    case 'inList':
      if (expr.operand.type === 'row') return compileRowInList(expr.operand, expr.list, expr.not, env);
      return compileInList(compileExpr(expr.operand, env), expr.list.map((e) => compileExpr(e, env)), expr.not);
    case 'like':
      return compileLike(compileExpr(expr.operand, env), compileExpr(expr.pattern, env), expr.escape ? compileExpr(expr.escape, env) : undefined, expr.not);
    case 'regexp':
      return compileRegexp(compileExpr(expr.operand, env), compileExpr(expr.pattern, env), expr.not);
    case 'case':
      return compileCase(expr, env);
    case 'cast': {
      const cast = compileCast(compileExpr(expr.operand, env), expr.target);
      // CONVERT(x USING cs) is text in cs's default collation (what CHARSET()/COLLATION() report).
      const collation = expr.charset !== undefined && expr.charset !== 'binary' ? getCharset(expr.charset)?.defaultCollation : undefined;
      return collation === undefined || cast.type.collation !== undefined ? cast : { ...cast, type: { ...cast.type, collation } };
    }
    case 'call': {
      if (expr.name.toUpperCase() === 'GROUPING') return compileGrouping(expr, env);
      const fn = lookupFunction(expr.name);
      if (!fn) throw sqlError('SP_DOES_NOT_EXIST', `FUNCTION ${env.session.database ?? 'mizzle'}.${expr.name.toLowerCase()} does not exist`);
      return fn.compile(expr, env, FUNCTION_COMPILER);
    }
    case 'aggregate':
      if (expr.over) {
        if (!env.windows) throw sqlError('INVALID_GROUP_FUNC_USE_WINDOW', `You cannot use the window function '${expr.name.toLowerCase()}' in this context.'`);
        return env.windows.add(expr, env);
      }
      if (!env.aggregates) throw sqlError('INVALID_GROUP_FUNC_USE', 'Invalid use of group function');
      return env.aggregates.add(expr, env);
    case 'collate': {
      const inner = compileExpr(expr.operand, env);
      return { ...inner, type: { ...inner.type, collation: expr.collation.toLowerCase() } };
    }
    case 'row':
      throw sqlError('OPERAND_COLUMNS', 'Operand should contain 1 column(s)');
    case 'subquery':
      return compileScalarSubquery(expr.query, env);
    case 'inSubquery':
    case 'exists':
    case 'quantified':
      return compileSubqueryPredicate(expr, env);
    case 'default':
      if (expr.column === undefined) throw sqlError('PARSE', 'DEFAULT is not allowed here');
      return compileDefaultOf(expr.column, expr.table, expr.schema, env);
    case 'interval':
      throw sqlError('PARSE', 'INTERVAL is only allowed in date arithmetic');
    case 'match':
      return compileMatch(expr, env, compileExpr);
  }
}

function compileLiteral(expr: Extract<Expr, { type: 'literal' }>): Compiled {
  switch (expr.kind) {
    case 'null':
      return constant(T_NULL, null);
    case 'integer': {
      const digits = expr.value.toString().replace('-', '').length;
      const unsigned = typeof expr.value === 'bigint' && expr.value > 9223372036854775807n;
      return constant({ kind: 'bigint', length: digits, unsigned: unsigned || undefined }, expr.value);
    }
    case 'decimal': {
      const d = Decimal.parse(expr.text);
      if (!d) throw sqlError('PARSE', `Invalid number '${expr.text}'`);
      return constant(decimalLiteralType(d), d);
    }
    case 'float':
      return constant(T_DOUBLE, expr.value);
    case 'string':
      // Raw bytes that are not UTF-8 (a driver's escaped binary value) make the literal binary, as MySQL keeps them.
      if (expr.introducer?.toLowerCase() === '_binary' || hasEscapedBytes(expr.value)) {
        const b = encodeKeepingBytes(expr.value);
        return constant({ kind: 'varbinary', length: b.length }, b);
      }
      return constant(varchar([...expr.value].length), expr.value);
    case 'hex':
    case 'bit':
      return constant({ kind: 'varbinary', length: expr.value.length }, expr.value);
    case 'boolean':
      return constant(T_BOOL_INT, expr.value ? 1 : 0);
    case 'temporal': {
      const kind = expr.temporal === 'timestamp' ? 'datetime' : expr.temporal;
      const type: SqlType = { kind };
      const v = coerceValue(expr.value, type, { mode: 'store', strict: true, column: '', rowNumber: 1, warn() {} });
      return constant(type, v);
    }
  }
}

/** Counts references to enclosing queries' columns, so a subquery can tell whether it is correlated. */
let outerReferences = 0;

/** The number of outer references compiled so far (compare before and after compiling a subquery). */
export function outerReferenceCount(): number {
  return outerReferences;
}

/** Counts compilations that read session state other than parameter types (@@variables, @variables' types, div_precision_increment). */
let sessionReads = 0;

/**
 * The number of compile-time reads of session state so far: an expression compiled while it
 * grows has that state baked in (a system variable's value, a user variable's type), so its
 * compiled form must not be reused for another statement (see planner/plan-cache.ts).
 */
export function sessionReadCount(): number {
  return sessionReads;
}

function compileColumn(name: string, table: string | undefined, schema: string | undefined, env: CompileEnv): Compiled {
  if (name === '*') throw sqlError('PARSE', "You have an error in your SQL syntax; '*' is not allowed here");
  const i = env.scope.find(name, table, schema);
  if (i < 0 && !(!table && env.aliases?.has(name.toLowerCase()))) {
    // Not here: look in the enclosing queries' scopes (a correlated reference).
    let outer = env.scope.outer;
    for (let depth = 1; outer; depth++, outer = outer.outer) {
      const j = outer.find(name, table, schema);
      if (j >= 0) {
        outerReferences++;
        const c = outer.columns[j];
        const d = depth;
        return { type: c.type, nullable: true, constant: false, eval: (_row, ctx) => ctx.outerRows[ctx.outerRows.length - d][j] };
      }
    }
  }
  if (i < 0) {
    if (!table && env.aliases) {
      const alias = env.aliases.get(name.toLowerCase());
      if (alias) return alias;
    }
    const full = [schema, table, name].filter((p) => p !== undefined).join('.');
    throw sqlError('BAD_FIELD', `Unknown column '${full}' in '${env.clause}'`);
  }
  const c = env.scope.columns[i];
  if (env.columnsRead !== undefined) env.columnsRead[i] = true;
  return { type: c.type, nullable: c.nullable, eval: (row) => row[i], columnIndex: i, constant: false };
}

/**
 * DEFAULT(col): the column's default. It names a column of the scope (or, in INSERT ... VALUES, of the target table).
 */
function compileDefaultOf(name: string, table: string | undefined, schema: string | undefined, env: CompileEnv): Compiled {
  const scope = env.defaultScope ?? env.scope;
  const i = scope.find(name, table, schema);
  if (i < 0) {
    const full = [schema, table, name].filter((p) => p !== undefined).join('.');
    throw sqlError('BAD_FIELD', `Unknown column '${full}' in '${env.clause}'`);
  }
  const c = scope.columns[i];
  // A derived table's computed column has no default (MariaDB's answer; a column read through a derived table or view has its table's).
  if (c.catalogColumn === undefined) throw sqlError('NO_DEFAULT_FOR_FIELD', `Field '${c.name}' doesn't have a default value`);
  const d = defaultFunctionValue(c.catalogColumn);
  if ('value' in d) return constant(c.type, d.value);
  const now = d.now;
  return { type: c.type, nullable: false, constant: false, eval: (_row, ctx) => now(ctx.now) };
}

function compileVariable(kind: 'user' | 'system', name: string, scope: 'global' | 'session' | undefined, env: CompileEnv): Compiled {
  sessionReads++;
  if (kind === 'system') {
    const value = env.session.getSystemVariable(name, scope);
    return constant(typeOfValue(value), value);
  }
  const current = env.session.getUserVariable(name);
  return {
    type: current === null ? { kind: 'varchar', length: 255 } : typeOfValue(current),
    nullable: true,
    eval: (_r, ctx) => ctx.session.getUserVariable(name),
    constant: false,
  };
}

/** The static type a runtime value would have as a literal. */
export function typeOfValue(v: Value): SqlType {
  if (v === null) return T_NULL;
  if (typeof v === 'number') return Number.isInteger(v) ? T_BIGINT : T_DOUBLE;
  if (typeof v === 'bigint') return T_BIGINT;
  if (typeof v === 'string') return varchar(Math.max(v.length, 1));
  if (v instanceof Decimal) return decimalLiteralType(v);
  return { kind: 'varbinary', length: v.length };
}

function compileUnary(op: string, x: Compiled, env: CompileEnv): Compiled {
  if (op === '-') x = temporalAsNumber(x);
  const xe = x.eval;
  switch (op) {
    case '-': {
      const domain = arithDomain(x.type, x.type);
      const type = domain === 'int' ? { kind: 'bigint' as const, length: (x.type.length ?? 20) + 1 } : domain === 'decimal' ? x.type : T_DOUBLE;
      return {
        type, nullable: x.nullable, constant: x.constant,
        eval: (r, c) => {
          const v = xe(r, c);
          return v === null ? null : negate(domain, v, () => `-(${valueToString(v)})`);
        },
      };
    }
    case '+':
      return x;
    case 'NOT':
    case '!':
      return notOf(x);
    case '~':
      return {
        type: { kind: 'bigint', unsigned: true, length: 20 }, nullable: x.nullable, constant: x.constant,
        eval: (r, c) => {
          const v = xe(r, c);
          if (v === null) return null;
          return normU64(~BigInt.asUintN(64, BigInt(toInteger(v))));
        },
      };
    case 'BINARY':
      return compileCast(x, { kind: 'varbinary', length: x.type.length ?? 255 });
    default:
      throw sqlError('PARSE', `Unknown operator ${op}`);
  }
  void env;
}

function normU64(v: bigint): number | bigint {
  const u = BigInt.asUintN(64, v);
  return u <= 9007199254740991n ? Number(u) : u;
}

/** NOT x with three-valued logic. */
function notOf(x: Compiled): Compiled {
  const xe = x.eval;
  return {
    type: T_BOOL_INT, nullable: x.nullable, constant: x.constant,
    eval: (r, c) => {
      const b = toBoolean(xe(r, c));
      return b === null ? null : b ? FALSE_VAL : TRUE_VAL;
    },
  };
}

function logical(op: 'AND' | 'OR' | 'XOR', a: Compiled, b: Compiled): Compiled {
  const ae = a.eval;
  const be = b.eval;
  const base = { type: T_BOOL_INT, nullable: a.nullable || b.nullable, constant: a.constant && b.constant };
  if (op === 'AND') {
    return {
      ...base,
      eval: (r, c) => {
        const x = toBoolean(ae(r, c));
        if (x === false) return FALSE_VAL;
        const y = toBoolean(be(r, c));
        if (y === false) return FALSE_VAL;
        return x === null || y === null ? null : TRUE_VAL;
      },
    };
  }
  if (op === 'OR') {
    return {
      ...base,
      eval: (r, c) => {
        const x = toBoolean(ae(r, c));
        if (x === true) return TRUE_VAL;
        const y = toBoolean(be(r, c));
        if (y === true) return TRUE_VAL;
        return x === null || y === null ? null : FALSE_VAL;
      },
    };
  }
  return {
    ...base,
    eval: (r, c) => {
      const x = toBoolean(ae(r, c));
      const y = toBoolean(be(r, c));
      return x === null || y === null ? null : x !== y ? TRUE_VAL : FALSE_VAL;
    },
  };
}

/** Operators whose temporal operands count as numbers (DATE 2024-01-02 is 20240102), as in MySQL. */
const ARITHMETIC_OPS: ReadonlySet<string> = new Set(['+', '-', '*', '/', 'DIV', 'MOD']);

function compileBinary(expr: BinaryExpr, env: CompileEnv): Compiled {
  const { op } = expr;
  if (expr.left.type === 'row' || expr.right.type === 'row') return compileRowComparison(expr, env);
  if ((op === '+' || op === '-') && (expr.right.type === 'interval' || expr.left.type === 'interval')) {
    const fn = lookupFunction(op === '+' ? 'DATE_ADD' : 'DATE_SUB');
    const [d, iv] = expr.right.type === 'interval' ? [expr.left, expr.right] : [expr.right, expr.left];
    if (fn) return fn.compile({ type: 'call', name: op === '+' ? 'DATE_ADD' : 'DATE_SUB', args: [d, iv] }, env, FUNCTION_COMPILER);
  }
  if (op === '->' || op === '->>') {
    // `c->p` is JSON_EXTRACT(c, p) and `c->>p` JSON_UNQUOTE(JSON_EXTRACT(c, p)), as MySQL defines them.
    const extract: Expr = { type: 'call', name: 'JSON_EXTRACT', args: [expr.left, expr.right], pos: expr.pos };
    return compileExpr(op === '->' ? extract : { type: 'call', name: 'JSON_UNQUOTE', args: [extract], pos: expr.pos }, env);
  }
  let a = compileExpr(expr.left, env);
  let b = compileExpr(expr.right, env);
  if (ARITHMETIC_OPS.has(op)) {
    a = temporalAsNumber(a);
    b = temporalAsNumber(b);
  }
  switch (op) {
    case 'AND': case 'OR': case 'XOR':
      return logical(op, a, b);
    case '=': case '<=>': case '!=': case '<': case '<=': case '>': case '>=':
      return compileComparison(op, a, b);
    case '+': case '-': case '*':
      return compileArith(op, a, b, env, expr);
    case '/': {
      const domain = arithDomain(a.type, b.type);
      const exact = domain !== 'double';
      sessionReads++;
      const inc = Number(env.session.getSystemVariable('div_precision_increment'));
      const type = exact ? decimalType(integerDigitsOf(a.type) + scaleOf(b.type) + scaleOf(a.type) + inc, scaleOf(a.type) + inc) : T_DOUBLE;
      const ae = a.evalUnrounded ?? a.eval, be = b.evalUnrounded ?? b.eval;
      const unrounded: Evaluator = (r, c) => {
        const x = ae(r, c);
        if (x === null) return null;
        const y = be(r, c);
        if (y === null) return null;
        const q = divide(exact, x, y, c.divPrecisionIncrement);
        if (q === null) divisionByZero(c);
        return q;
      };
      if (!exact) return { type, nullable: true, constant: a.constant && b.constant, eval: unrounded };
      // Everything but arithmetic sees the quotient at the type's scale (comparisons, CONCAT, storage).
      const scale = type.scale ?? 0;
      return {
        type, nullable: true, constant: a.constant && b.constant, evalUnrounded: unrounded,
        eval: (r, c) => {
          const q = unrounded(r, c);
          return q instanceof Decimal ? q.withScale(scale) : q;
        },
      };
    }
    case 'DIV': {
      const ae = a.eval, be = b.eval;
      const unsigned = arithDomain(a.type, b.type) === 'int' && unsignedResult(a, b);
      const text = () => exprText(expr, env);
      return {
        type: unsigned ? { ...T_BIGINT, unsigned: true } : T_BIGINT, nullable: true, constant: a.constant && b.constant,
        eval: (r, c) => {
          const x = ae(r, c);
          if (x === null) return null;
          const y = be(r, c);
          if (y === null) return null;
          const q = intDivide(x, y, unsigned, text);
          if (q === null) divisionByZero(c);
          return q;
        },
      };
    }
    case 'MOD': {
      const domain = arithDomain(a.type, b.type);
      const type = domain === 'int' ? T_BIGINT : domain === 'decimal' ? decimalType(Math.max(integerDigitsOf(a.type), integerDigitsOf(b.type)) + Math.max(scaleOf(a.type), scaleOf(b.type)), Math.max(scaleOf(a.type), scaleOf(b.type))) : T_DOUBLE;
      const ae = a.eval, be = b.eval;
      return {
        type, nullable: true, constant: a.constant && b.constant,
        eval: (r, c) => {
          const x = ae(r, c);
          if (x === null) return null;
          const y = be(r, c);
          if (y === null) return null;
          const m = modulo(domain, x, y);
          if (m === null) divisionByZero(c);
          return m;
        },
      };
    }
    case '&': case '|': case '^': case '<<': case '>>':
      return compileBitOp(op, a, b);
  }
}

function divisionByZero(c: EvalContext): void {
  c.session.warn(1365, 'Division by 0');
}

/** BIT values are stored as bytes but are unsigned integers in numeric context. */
function bitAsInteger(x: Compiled): Compiled {
  if (x.type.kind !== 'bit') return x;
  const xe = x.eval;
  return {
    ...x,
    type: { kind: 'bigint', unsigned: true, length: 20 },
    eval: (r, c) => {
      const v = xe(r, c);
      if (!Buffer.isBuffer(v)) return v;
      const n = v.length ? BigInt('0x' + v.toString('hex')) : 0n;
      return n <= 9007199254740991n ? Number(n) : n;
    },
  };
}

function compileArith(op: '+' | '-' | '*', a: Compiled, b: Compiled, env: CompileEnv, expr: BinaryExpr): Compiled {
  a = bitAsInteger(a);
  b = bitAsInteger(b);
  const domain = arithDomain(a.type, b.type);
  let type: SqlType;
  const unsigned = domain === 'int' && unsignedResult(a, b, op === '-' ? env : undefined);
  if (domain === 'int') type = { kind: 'bigint', length: Math.max(a.type.length ?? 1, b.type.length ?? 1) + 1, unsigned: unsigned || undefined };
  else if (domain === 'decimal') {
    const sa = scaleOf(a.type), sb = scaleOf(b.type);
    const scale = op === '*' ? sa + sb : Math.max(sa, sb);
    const ints = op === '*' ? integerDigitsOf(a.type) + integerDigitsOf(b.type) : Math.max(integerDigitsOf(a.type), integerDigitsOf(b.type)) + 1;
    type = decimalType(ints + scale, scale);
  } else type = T_DOUBLE;
  const ae = a.evalUnrounded ?? a.eval, be = b.evalUnrounded ?? b.eval;
  const text = () => exprText(expr, env);
  const raw: Evaluator = (r, c) => {
    const x = ae(r, c);
    if (x === null) return null;
    const y = be(r, c);
    if (y === null) return null;
    return arith(op, domain, x, y, unsigned, text);
  };
  const nullable = a.nullable || b.nullable, constant = a.constant && b.constant;
  if (domain !== 'decimal' || (!a.evalUnrounded && !b.evalUnrounded)) return { type, nullable, constant, eval: raw };
  // A quotient's extra digits carry through arithmetic; everything else sees the type's scale.
  const scale = type.scale ?? 0;
  return {
    type, nullable, constant, evalUnrounded: raw,
    eval: (r, c) => {
      const v = raw(r, c);
      return v instanceof Decimal ? v.withScale(scale) : v;
    },
  };
}

/**
 * Integer + - * DIV are BIGINT UNSIGNED when either operand is unsigned, as in MySQL (so a negative result
 * is error 1690); for a subtraction (`env` given) sql_mode NO_UNSIGNED_SUBTRACTION keeps it signed.
 */
function unsignedResult(a: Compiled, b: Compiled, subtraction?: CompileEnv): boolean {
  if (!a.type.unsigned && !b.type.unsigned) return false;
  if (!subtraction) return true;
  sessionReads++;
  return !/\bNO_UNSIGNED_SUBTRACTION\b/i.test(String(subtraction.session.getSystemVariable('sql_mode') ?? ''));
}

/** An expression as MySQL quotes it in an overflow message, `(\`a\` + 1)`; what has no canonical text, from the statement. */
function exprText(expr: Expr, env: CompileEnv): string {
  try {
    return canonicalText(expr);
  } catch {
    if (env.text && expr.pos !== undefined) return env.text.slice(expr.pos, expr.pos + 64);
    return '(expression)';
  }
}

function compileBitOp(op: '&' | '|' | '^' | '<<' | '>>', a: Compiled, b: Compiled): Compiled {
  a = bitAsInteger(a);
  b = bitAsInteger(b);
  const ae = a.eval, be = b.eval;
  return {
    type: { kind: 'bigint', unsigned: true, length: 20 }, nullable: a.nullable || b.nullable, constant: a.constant && b.constant,
    eval: (r, c) => {
      const x = ae(r, c);
      if (x === null) return null;
      const y = be(r, c);
      if (y === null) return null;
      const u = BigInt.asUintN(64, BigInt(toInteger(x)));
      const v = BigInt.asUintN(64, BigInt(toInteger(y)));
      switch (op) {
        case '&': return normU64(u & v);
        case '|': return normU64(u | v);
        case '^': return normU64(u ^ v);
        case '<<': return v >= 64n ? 0 : normU64(u << v);
        case '>>': return v >= 64n ? 0 : normU64(u >> v);
      }
    },
  };
}

/** Collation for comparing two typed operands: an explicit one wins, else the first operand's. */
function collationOf(a: SqlType, b: SqlType): string | undefined {
  return a.collation ?? b.collation;
}

export type ComparisonOp = '=' | '<=>' | '!=' | '<' | '<=' | '>' | '>=';

/** A comparison operator over two compiled operands. */
export function compileComparison(op: ComparisonOp, a: Compiled, b: Compiled): Compiled {
  if ((a.type.kind === 'json' || b.type.kind === 'json') && a.type.kind !== 'null' && b.type.kind !== 'null') return compileJsonComparison(op === '<=>', comparisonTest(op), a, b);
  const domain = compareDomain(a.type, b.type);
  const collation = collationOf(a.type, b.type);
  const ae = a.eval, be = b.eval;
  const test = comparisonTest(op);
  if (op === '<=>') {
    return {
      type: T_BOOL_INT, nullable: false, constant: a.constant && b.constant,
      eval: (r, c) => {
        const x = ae(r, c);
        const y = be(r, c);
        if (x === null || y === null) return x === y ? TRUE_VAL : FALSE_VAL;
        return compareIn(domain, x, y, collation) === 0 ? TRUE_VAL : FALSE_VAL;
      },
    };
  }
  if (domain === 'int') {
    return {
      type: T_BOOL_INT, nullable: a.nullable || b.nullable, constant: a.constant && b.constant,
      eval: (r, c) => {
        const x = ae(r, c);
        if (x === null) return null;
        const y = be(r, c);
        if (y === null) return null;
        if (typeof x === 'number' && typeof y === 'number') return test(x < y ? -1 : x > y ? 1 : 0) ? TRUE_VAL : FALSE_VAL;
        return test(compareIn('int', x, y)) ? TRUE_VAL : FALSE_VAL;
      },
    };
  }
  return {
    type: T_BOOL_INT, nullable: a.nullable || b.nullable, constant: a.constant && b.constant,
    eval: (r, c) => {
      const x = ae(r, c);
      if (x === null) return null;
      const y = be(r, c);
      if (y === null) return null;
      return test(compareIn(domain, x, y, collation)) ? TRUE_VAL : FALSE_VAL;
    },
  };
}

function comparisonTest(op: string): (cmp: number) => boolean {
  switch (op) {
    case '=': case '<=>': return (c) => c === 0;
    case '!=': return (c) => c !== 0;
    case '<': return (c) => c < 0;
    case '<=': return (c) => c <= 0;
    case '>': return (c) => c > 0;
    default: return (c) => c >= 0;
  }
}

/** The items of a row constructor, or the expression alone. */
const rowItems = (e: Expr): Expr[] => (e.type === 'row' ? e.items : [e]);

function rowArityError(expected: number): Error {
  return sqlError('OPERAND_COLUMNS', `Operand should contain ${expected} column(s)`);
}

function compileRowComparison(expr: BinaryExpr, env: CompileEnv): Compiled {
  const left = rowItems(expr.left);
  const right = rowItems(expr.right);
  if (left.length !== right.length) throw rowArityError(left.length);
  const op = expr.op;
  if (op === '<' || op === '<=' || op === '>' || op === '>=') {
    return compileRowOrdering(op, left.map((l, i) => [compileExpr(l, env), compileExpr(right[i], env)]));
  }
  if (op !== '=' && op !== '!=' && op !== '<=>') throw rowArityError(1);
  return rowEquality(op === '<=>' ? '<=>' : '=', left.map((l) => compileExpr(l, env)), right, env, op === '!=');
}

/** (a1, a2, …) = (b1, b2, …): every pair equal, with three-valued AND (so a pair that differs wins over a NULL). */
function rowEquality(op: '=' | '<=>', left: Compiled[], right: Expr[], env: CompileEnv, not = false): Compiled {
  const parts = left.map((l, i) => compileComparison(op, l, compileExpr(right[i], env)));
  const all = parts.reduce((acc, p) => logical('AND', acc, p));
  return not ? notOf(all) : all;
}

/**
 * (a1, a2, …) < (b1, b2, …) is decided by the first pair that is not equal, as in MySQL: a NULL met before
 * that pair makes the answer NULL, and rows equal throughout satisfy <= and >= only.
 */
function compileRowOrdering(op: '<' | '<=' | '>' | '>=', pairs: [Compiled, Compiled][]): Compiled {
  const strict = op === '<=' ? '<' : op === '>=' ? '>' : op;
  const steps = pairs.map(([a, b]) => ({ equal: compileComparison('=', a, b).eval, decide: compileComparison(strict, a, b).eval }));
  const whenEqual = op === '<=' || op === '>=' ? TRUE_VAL : FALSE_VAL;
  return {
    type: T_BOOL_INT, nullable: true, constant: pairs.every(([a, b]) => a.constant && b.constant),
    eval: (r, c) => {
      for (const step of steps) {
        const equal = step.equal(r, c);
        if (equal === null) return null;
        if (equal === FALSE_VAL) return step.decide(r, c);
      }
      return whenEqual;
    },
  };
}

/** (a, b) IN ((x, y), (z, w), …): equal to any of the rows, with SQL's NULL rules (OR of row equalities). */
function compileRowInList(operand: Expr, list: Expr[], not: boolean, env: CompileEnv): Compiled {
  const left = rowItems(operand).map((e) => compileExpr(e, env));
  const alternatives = list.map((item) => {
    const right = rowItems(item);
    if (right.length !== left.length) throw rowArityError(left.length);
    return rowEquality('=', left, right, env);
  });
  const any = alternatives.reduce((acc, a) => logical('OR', acc, a));
  return not ? notOf(any) : any;
}

/** (a, b) IN (SELECT x, y …): some row equal in every column; a row that differs in none but has a NULL makes it NULL. */
function compileRowInSubquery(operand: Expr, sub: { types: SqlType[]; run: (row: Row, ctx: EvalContext) => Row[] }, not: boolean, env: CompileEnv): Compiled {
  const items = rowItems(operand).map((e) => compileExpr(e, env));
  if (sub.types.length !== items.length) throw rowArityError(items.length);
  const evals = items.map((x) => x.eval);
  const domains = items.map((x, i) => compareDomain(x.type, sub.types[i]));
  const collations = items.map((x) => x.type.collation);
  const found = not ? FALSE_VAL : TRUE_VAL;
  const missing = not ? TRUE_VAL : FALSE_VAL;
  return {
    type: T_BOOL_INT, nullable: true, constant: false,
    eval: (r, c) => {
      const rows = sub.run(r, c);
      if (rows.length === 0) return missing;
      const values = evals.map((e) => e(r, c));
      let sawNull = false;
      for (const row of rows) {
        let rowNull = false;
        let differs = false;
        for (let i = 0; i < values.length && !differs; i++) {
          const v = values[i], w = row[i];
          if (v === null || w === null) rowNull = true;
          else differs = compareIn(domains[i], v, w, collations[i]) !== 0;
        }
        if (differs) continue;
        if (!rowNull) return found;
        sawNull = true;
      }
      return sawNull ? null : missing;
    },
  };
}

function compileIs(x: Compiled, test: 'null' | 'true' | 'false' | 'unknown', not: boolean): Compiled {
  const xe = x.eval;
  const check: (v: Value) => boolean =
    test === 'null' || test === 'unknown' ? (v) => v === null
    : test === 'true' ? (v) => toBoolean(v) === true
    : (v) => toBoolean(v) === false;
  return {
    type: T_BOOL_INT, nullable: false, constant: x.constant,
    eval: (r, c) => (check(xe(r, c)) !== not ? TRUE_VAL : FALSE_VAL),
  };
}

function compileInList(x: Compiled, list: Compiled[], not: boolean): Compiled {
  if (x.type.kind === 'json' || list.some((e) => e.type.kind === 'json')) return compileJsonInList(x, list, not);
  const xe = x.eval;
  const domains: CompareDomain[] = list.map((e) => compareDomain(x.type, e.type));
  const collation = x.type.collation;
  // Constant lists of one domain compare through a Set of normalized keys when possible (fast path for IN (1,2,3)).
  const evals = list.map((e) => e.eval);
  const n = evals.length;
  const result: Compiled = {
    type: T_BOOL_INT, nullable: true, constant: x.constant && list.every((e) => e.constant),
    eval: (r, c) => {
      const v = xe(r, c);
      if (v === null) return null;
      let sawNull = false;
      for (let i = 0; i < n; i++) {
        const w = evals[i](r, c);
        if (w === null) {
          sawNull = true;
          continue;
        }
        if (compareIn(domains[i], v, w, collation) === 0) return not ? FALSE_VAL : TRUE_VAL;
      }
      return sawNull ? null : not ? TRUE_VAL : FALSE_VAL;
    },
  };
  return result;
}

/** Remembers the last compiled pattern: patterns are usually constant, so each is built once. */
function lastPattern(build: (key: string) => RegExp): (key: string) => RegExp {
  let cachedKey: string | undefined;
  let cached: RegExp | undefined;
  return (key) => {
    if (key !== cachedKey || !cached) {
      cached = build(key);
      cachedKey = key;
    }
    return cached;
  };
}

function compileLike(x: Compiled, p: Compiled, esc: Compiled | undefined, not: boolean): Compiled {
  const binary = isBinaryType(x.type) || isBinaryType(p.type);
  const collation = binary ? 'binary' : collationOf(x.type, p.type);
  const fold = binary || isBinaryCollation(collation) ? (s: string) => s : likeFold;
  const xe = x.eval, pe = p.eval;
  const pattern = lastPattern((key) => likeToRegExp(fold(key.slice(1)), key[0]));
  return {
    type: T_BOOL_INT, nullable: true, constant: x.constant && p.constant,
    eval: (r, c) => {
      const v = xe(r, c);
      if (v === null) return null;
      const pv = pe(r, c);
      if (pv === null) return null;
      const escape = esc ? valueToString(esc.eval(r, c) ?? '\\') || '\\' : '\\';
      const matched = pattern(escape[0] + valueToString(pv)).test(fold(valueToString(v, x.type)));
      return matched !== not ? TRUE_VAL : FALSE_VAL;
    },
  };
}

function compileRegexp(x: Compiled, p: Compiled, not: boolean): Compiled {
  const ci = !isBinaryType(x.type) && !(x.type.collation ?? '').endsWith('_bin');
  const xe = x.eval, pe = p.eval;
  const pattern = lastPattern((ps) => {
    try {
      return new RegExp(ps, ci ? 'iu' : 'u');
    } catch (e) {
      throw sqlError('WRONG_ARGUMENTS', `Got error '${(e as Error).message}' from regexp`);
    }
  });
  return {
    type: T_BOOL_INT, nullable: true, constant: x.constant && p.constant,
    eval: (r, c) => {
      const v = xe(r, c);
      if (v === null) return null;
      const pv = pe(r, c);
      if (pv === null) return null;
      return pattern(valueToString(pv)).test(valueToString(v, x.type)) !== not ? TRUE_VAL : FALSE_VAL;
    },
  };
}

function compileCase(expr: Extract<Expr, { type: 'case' }>, env: CompileEnv): Compiled {
  const operand = expr.operand ? compileExpr(expr.operand, env) : undefined;
  const conds = expr.whens.map((w) => {
    const when = compileExpr(w.when, env);
    return operand ? compileComparison('=', operand, when) : when;
  });
  const thens = expr.whens.map((w) => compileExpr(w.then, env));
  const otherwise = expr.else ? compileExpr(expr.else, env) : constant(T_NULL, null);
  const type = unifyTypes([...thens.map((t) => t.type), otherwise.type]);
  const condEvals = conds.map((c) => c.eval);
  const n = condEvals.length;
  return {
    type,
    nullable: thens.some((t) => t.nullable) || otherwise.nullable,
    constant: conds.every((c) => c.constant) && thens.every((t) => t.constant) && otherwise.constant,
    ...keepingQuotientDigits([...thens, otherwise].map((t) => convertTo(t, type)), type, (evals) => {
      const elseEval = evals[n];
      return (r, c) => {
        for (let i = 0; i < n; i++) {
          if (toBoolean(condEvals[i](r, c)) === true) return evals[i](r, c);
        }
        return elseEval(r, c);
      };
    }),
  };
}

/**
 * Wraps `x` so its values match the representation of `type` (used where branches
 * of one result must share a type: CASE, IF, COALESCE, UNION).
 */
export function convertTo(x: Compiled, type: SqlType): Compiled {
  if (type.kind === x.type.kind || type.kind === 'null' || x.type.kind === 'null') return x;
  const xe = x.eval;
  if (type.kind === 'double') {
    return { ...x, type, eval: (r, c) => { const v = xe(r, c); return v === null ? null : toDouble(v); } };
  }
  if (type.kind === 'decimal') {
    return { ...x, type, eval: (r, c) => { const v = xe(r, c); return v === null ? null : v instanceof Decimal ? v : typeof v === 'number' && Number.isInteger(v) ? v : typeof v === 'bigint' ? new Decimal(v, 0) : Decimal.fromNumber(toDouble(v)); } };
  }
  if (isStringType(type)) {
    return { ...x, type, eval: (r, c) => { const v = xe(r, c); return v === null ? null : valueToString(v, x.type); } };
  }
  return x;
}

function compileCast(x: Compiled, target: SqlType): Compiled {
  if (target.kind === 'json') return castToJson(x);
  // To text or bytes a JSON value casts as its text; to numbers and times as the scalar it holds.
  if (x.type.kind === 'json' && !isStringType(target) && !isBinaryType(target)) x = jsonAsScalar(x);
  // A quotient casts to a number from all its digits (CAST(1/3 AS DECIMAL(10,9)) = 0.333333333), to text at its scale.
  const numeric = target.kind === 'decimal' || target.kind === 'double' || target.kind === 'float';
  const xe = numeric ? x.evalUnrounded ?? x.eval : isStringType(target) && x.type.kind === 'decimal' ? decimalAsText(x) : x.eval;
  // CHAR without a length holds the whole value: a number's type length is a display width, not a bound.
  const type: SqlType = target.kind === 'char' && target.length === undefined ? { kind: 'varchar', length: isStringType(x.type) ? x.type.length ?? 255 : Math.max(x.type.length ?? 0, 255) }
    : target.kind === 'char' ? { ...target, kind: 'varchar' }
    : target.kind === 'binary' && target.length === undefined ? { kind: 'varbinary', length: x.type.length ?? 255 }
    : target;
  if (type.kind === 'date' || type.kind === 'datetime' || type.kind === 'timestamp' || type.kind === 'time') return castTemporal(x, type);
  if (type.kind === 'bigint' && type.unsigned) return castUnsigned(x, type);
  if (type.kind === 'bigint' && isIntegerType(x.type) && x.type.unsigned) return castUnsignedToSigned(x, type);
  const signedText = type.kind === 'bigint';
  return {
    type, nullable: x.nullable, constant: x.constant,
    eval: (r, c) => {
      const v = xe(r, c);
      if (v === null) return null;
      if (signedText && (typeof v === 'string' || Buffer.isBuffer(v))) return castTextToInteger(c, v, type);
      return coerceValue(v, type, {
        mode: 'cast', strict: false, column: '', rowNumber: c.rowNumber,
        warn: (code, message) => castWarning(c, code, message, v, type),
      });
    },
  };
}

/** A DECIMAL operand as the text it casts to: at its type's scale (CAST(IF(c, 1.5, 2.25) AS CHAR) is '1.50'). */
function decimalAsText(x: Compiled): Evaluator {
  const xe = x.eval;
  const type = x.type;
  return (r, c) => { const v = xe(r, c); return v === null || typeof v === 'string' || Buffer.isBuffer(v) ? v : valueToString(v, type); };
}

/** CAST to a temporal type: text that is no valid date or time is NULL with warning 1292, not a zero date. */
function castTemporal(x: Compiled, type: SqlType): Compiled {
  const xe = x.eval;
  const fsp = type.fsp ?? 0;
  const kind = type.kind;
  const label = kind === 'time' ? 'time' : 'datetime';
  return {
    type, nullable: true, constant: x.constant,
    eval: (r, c) => {
      const v = xe(r, c);
      if (v === null) return null;
      const s = Buffer.isBuffer(v) ? v.toString('latin1') : valueToString(v, x.type);
      const out = kind === 'date' ? parseDate(s) ?? parseDateTime(s, 0)?.slice(0, 10)
        : kind === 'time' ? parseTime(s, fsp)
        : parseDateTime(s, fsp) ?? (parseDate(s) !== undefined ? parseDate(s) + (fsp > 0 ? ' 00:00:00.' + '0'.repeat(fsp) : ' 00:00:00') : undefined);
      if (out !== undefined) return out;
      c.session.warn(1292, `Incorrect ${label} value: '${s}'`);
      return null;
    },
  };
}

const UNSIGNED_WRAP_NOTE = "Cast to unsigned converted negative integer to it's positive complement";
const SIGNED_WRAP_WARNING = "Cast to signed converted positive out-of-range integer to it's negative complement";

/**
 * CAST(text AS SIGNED|UNSIGNED) as MySQL 8 reads the text: 1292 for anything but an integer or for one past
 * 64 bits (then clipped); a positive number from 2^63 up wraps to negative as SIGNED (warning 1105), a negative
 * one wraps to positive as UNSIGNED (note 1105).
 */
function castTextToInteger(c: EvalContext, v: string | Buffer, type: SqlType): Value {
  const read = textToInteger64(typeof v === 'string' ? v : v.toString('latin1'));
  if (read.truncated || read.overflow) castWarning(c, 1292, '', v, type);
  if (type.unsigned) {
    if (read.negative && !read.overflow) c.session.warn(1105, UNSIGNED_WRAP_NOTE, 'Note');
    return normInt(read.bits);
  }
  const value = BigInt.asIntN(64, read.bits);
  if (!read.negative && !read.overflow && value < 0n) c.session.warn(1105, SIGNED_WRAP_WARNING, 'Warning');
  return normInt(value);
}

/** CAST(... AS UNSIGNED): a negative integer wraps to its two's complement (with a note), as in MySQL. */
function castUnsigned(x: Compiled, type: SqlType): Compiled {
  const xe = x.eval;
  const signed: SqlType = { kind: 'bigint' };
  return {
    type, nullable: x.nullable, constant: x.constant,
    eval: (r, c) => {
      const v = xe(r, c);
      if (v === null) return null;
      if (typeof v === 'string' || Buffer.isBuffer(v)) return castTextToInteger(c, v, type);
      const negative = typeof v === 'number' ? v < 0 : typeof v === 'bigint' ? v < 0n : v instanceof Decimal && v.sign() < 0;
      const target = negative ? signed : type;
      const n = coerceValue(v, target, {
        mode: 'cast', strict: false, column: '', rowNumber: c.rowNumber,
        warn: (code, message) => castWarning(c, code, message, v, target),
      });
      if (!negative || n === null) return n;
      const big = BigInt(n as number | bigint);
      if (big >= 0n) return n;
      c.session.warn(1105, UNSIGNED_WRAP_NOTE, 'Note');
      return BigInt.asUintN(64, big);
    },
  };
}

/** CAST(unsigned integer AS SIGNED): values from 2^63 up wrap to negative (CAST(18446744073709551615 AS SIGNED) = -1), as in MySQL. */
function castUnsignedToSigned(x: Compiled, type: SqlType): Compiled {
  const xe = x.eval;
  return {
    type, nullable: x.nullable, constant: x.constant,
    eval: (r, c) => {
      const v = xe(r, c);
      if (v === null) return null;
      if (typeof v === 'bigint') return normInt(BigInt.asIntN(64, v));
      return typeof v === 'number' ? v : coerceValue(v, type, { mode: 'cast', strict: false, column: '', rowNumber: c.rowNumber, warn: (code, message) => castWarning(c, code, message, v, type) });
    },
  };
}

/**
 * A CAST's conversion warning as MySQL words it: 1292 "Truncated incorrect INTEGER|DECIMAL|DOUBLE|CHAR(n)|BINARY(n) value",
 * where storing into a column says 1366 or 1406.
 */
function castWarning(c: EvalContext, code: number, message: string, v: Exclude<Value, null>, type: SqlType): void {
  const truncated = code === 1406 && (isStringType(type) || isBinaryType(type));
  if (code !== 1366 && code !== 1292 && !truncated) return c.session.warn(code, message);
  const name = truncated ? `${isBinaryType(type) ? 'BINARY' : 'CHAR'}(${type.length})` : type.kind === 'bigint' ? 'INTEGER' : type.kind.toUpperCase();
  c.session.warn(1292, `Truncated incorrect ${name} value: '${valueToString(v)}'`);
}

function compileScalarSubquery(query: QueryExpr, env: CompileEnv): Compiled {
  if (!env.subquery) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support subqueries here');
  const sub = env.subquery(query);
  if (sub.types.length !== 1) throw sqlError('OPERAND_COLUMNS', 'Operand should contain 1 column(s)');
  return {
    type: sub.types[0], nullable: true, constant: false,
    eval: (r, c) => {
      const rows = sub.run(r, c);
      if (rows.length > 1) throw sqlError('SUBQUERY_NO_1_ROW', 'Subquery returns more than 1 row');
      return rows.length === 0 ? null : rows[0][0];
    },
  };
}

function compileSubqueryPredicate(expr: Extract<Expr, { type: 'inSubquery' | 'exists' | 'quantified' }>, env: CompileEnv): Compiled {
  if (!env.subquery) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle does not yet support subqueries here');
  const sub = env.subquery(expr.query);
  if (expr.type === 'exists') {
    return { type: T_BOOL_INT, nullable: false, constant: false, eval: (r, c) => (sub.run(r, c).length > 0 ? TRUE_VAL : FALSE_VAL) };
  }
  if (expr.operand.type === 'row') {
    // Rows compare with subqueries by equality only: IN, = ANY, and their negations NOT IN, <> ALL.
    const equality = expr.type === 'inSubquery' || (expr.op === '=' && expr.quantifier !== 'all') || (expr.op === '!=' && expr.quantifier === 'all');
    if (!equality) throw rowArityError(1);
    return compileRowInSubquery(expr.operand, sub, expr.type === 'inSubquery' ? expr.not : expr.op === '!=', env);
  }
  if (sub.types.length !== 1) throw sqlError('OPERAND_COLUMNS', 'Operand should contain 1 column(s)');
  const x = compileExpr(expr.operand, env);
  const xe = x.eval;
  const domain = compareDomain(x.type, sub.types[0]);
  const collation = x.type.collation;
  // x IN (subquery) is x = ANY (subquery); NOT IN is its three-valued negation.
  const op = expr.type === 'inSubquery' ? '=' : expr.op;
  const all = expr.type === 'quantified' && expr.quantifier === 'all';
  const quantified = compileQuantified(comparisonTest(op), all, sub, xe, domain, collation);
  return expr.type === 'inSubquery' && expr.not ? notOf(quantified) : quantified;
}

/** `x op ANY|ALL (rows)` with SQL's NULL rules: an empty set is FALSE for ANY and TRUE for ALL. */
function compileQuantified(test: (cmp: number) => boolean, all: boolean, sub: { run: (row: Row, ctx: EvalContext) => Row[] }, xe: Evaluator, domain: CompareDomain, collation: string | undefined): Compiled {
  return {
    type: T_BOOL_INT, nullable: true, constant: false,
    eval: (r, c) => {
      const rows = sub.run(r, c);
      if (rows.length === 0) return all ? TRUE_VAL : FALSE_VAL;
      const v = xe(r, c);
      if (v === null) return null;
      let sawNull = false;
      for (const row of rows) {
        const w = row[0];
        if (w === null) { sawNull = true; continue; }
        const ok = test(compareIn(domain, v, w, collation));
        if (all && !ok) return FALSE_VAL;
        if (!all && ok) return TRUE_VAL;
      }
      if (sawNull) return null;
      return all ? TRUE_VAL : FALSE_VAL;
    },
  };
}
