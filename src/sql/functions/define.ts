// How a built-in function is declared: argument bounds and a compile step producing a typed evaluator.
import { sqlError } from '../../base/errors.js';
import type { Expr, FuncCall } from '../parser/ast.js';
import type { ComparisonOp, Compiled, CompileEnv } from '../analyzer/compile-expr.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import type { EvalContext } from '../analyzer/eval-context.js';

/**
 * The parts of the expression compiler that function definitions use. The analyzer hands it
 * to `compile`, so this folder imports the analyzer only for types and no import cycle forms.
 */
export interface ExprCompiler {
  /** Compiles an argument's AST (for functions with `rawArgs`). */
  compile(expr: Expr, env: CompileEnv): Compiled;
  /** Wraps `x` so its values have the representation of `type` (branches sharing one result type). */
  convertTo(x: Compiled, type: SqlType): Compiled;
  compileComparison(op: ComparisonOp, a: Compiled, b: Compiled): Compiled;
}

/** A built-in function. `compile` gets the call's arguments already compiled (unless `rawArgs`). */
export interface FunctionDef {
  name: string;
  minArgs: number;
  maxArgs: number;
  /** Functions like DATE_ADD that need the AST of an argument (INTERVAL) compile their own args. */
  rawArgs?: boolean;
  compile(args: Compiled[], env: CompileEnv, call: FuncCall, compiler: ExprCompiler): Compiled;
}

/** The only context constant arguments are evaluated in at compile time: they read no row, session or parameter. */
const COMPILE_TIME: EvalContext = { rowNumber: 0, params: [], divPrecisionIncrement: 4, strict: true, now: new Date(0), outerRows: [] } as unknown as EvalContext;

/**
 * The value of an argument known at compile time (literals, @@variables, pure functions of
 * them), for functions whose result type depends on it (ROUND's digits, NOW's precision);
 * undefined when it depends on the row or cannot be computed without a statement.
 */
export function constantValue(a: Compiled): Value | undefined {
  if (!a.constant) return undefined;
  try {
    return a.eval([], COMPILE_TIME);
  } catch {
    return undefined;
  }
}

/** Throws MySQL's 1582 for a wrong argument count. */
export function checkArgCount(def: FunctionDef, n: number): void {
  if (n < def.minArgs || n > def.maxArgs) {
    throw sqlError('WRONG_PARAMCOUNT_TO_NATIVE_FCT', `Incorrect parameter count in the call to native function '${def.name.toLowerCase()}'`);
  }
}

/**
 * A function whose result is NULL when any argument is NULL and otherwise
 * computed from the argument values: the common case.
 */
export function strict(
  name: string,
  minArgs: number,
  maxArgs: number,
  type: (args: Compiled[]) => SqlType,
  fn: (values: Exclude<Value, null>[], ctx: EvalContext, args: Compiled[]) => Value,
  opts: { deterministic?: boolean; quotientDigits?: boolean } = {},
): FunctionDef {
  return {
    name, minArgs, maxArgs,
    compile(args) {
      // quotientDigits: a quotient argument is read with all the digits division keeps (ROUND(1/3, 6) = 0.333333).
      const evals = args.map((a) => (opts.quotientDigits === true ? a.evalUnrounded ?? a.eval : a.eval));
      const n = evals.length;
      const deterministic = opts.deterministic !== false;
      return {
        type: type(args),
        nullable: true,
        constant: deterministic && args.every((a) => a.constant),
        eval: (row, ctx) => {
          const values: Exclude<Value, null>[] = new Array(n);
          for (let i = 0; i < n; i++) {
            const v = evals[i](row, ctx);
            if (v === null) return null;
            values[i] = v;
          }
          return fn(values, ctx, args);
        },
      };
    },
  };
}

/** A function of the session or statement with no arguments (DATABASE(), NOW() ...). */
export function niladic(name: string, type: SqlType, fn: (ctx: EvalContext) => Value, maxArgs = 0): FunctionDef {
  return {
    name, minArgs: 0, maxArgs,
    compile() {
      return { type, nullable: true, constant: false, eval: (_row, ctx) => fn(ctx) };
    },
  };
}
