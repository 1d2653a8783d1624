// What a string argument is made of: CHARSET(), COLLATION() and COERCIBILITY(), read from its static type.
import type { Compiled } from '../analyzer/compile-expr.js';
import type { Expr } from '../parser/ast.js';
import { DEFAULT_COLLATION, getCollation } from '../../base/collation.js';
import { isBinaryType, isStringType } from '../../base/sql-type.js';
import { T_BIGINT, varchar } from '../types/infer.js';
import type { FunctionDef } from './define.js';

/** The collation MySQL reports for a value of this type: 'binary' for numbers, temporals, binary strings and NULL. */
function collationOf(arg: Compiled): string {
  const t = arg.type;
  if (t.kind === 'json') return 'utf8mb4_bin';
  if (isStringType(t)) return t.collation ?? DEFAULT_COLLATION;
  return 'binary';
}

function charsetOf(arg: Compiled): string {
  const collation = collationOf(arg);
  return getCollation(collation)?.charset ?? collation.split('_')[0];
}

/**
 * MySQL's coercibility levels: 0 explicit COLLATE, 2 a column, 3 a system constant (USER()),
 * 4 a string literal, 5 a number or temporal, 6 NULL. Read from the argument's syntax and type.
 */
function coercibilityOf(expr: Expr, arg: Compiled): number {
  if (expr.type === 'collate') return 0;
  if (arg.type.kind === 'null') return 6;
  if (!isStringType(arg.type) && !isBinaryType(arg.type)) return 5;
  if (expr.type === 'call' && /^(USER|CURRENT_USER|SESSION_USER|SYSTEM_USER|DATABASE|SCHEMA|VERSION)$/i.test(expr.name)) return 3;
  return arg.constant ? 4 : 2;
}

/** A function of the argument's static type only: the value itself is never read, so NULL gives an answer too. */
function ofType(name: string, type: Compiled['type'], answer: (arg: Compiled, expr: Expr) => string | number): FunctionDef {
  return {
    name, minArgs: 1, maxArgs: 1,
    compile([arg], _env, call) {
      const value = answer(arg, call.args[0]);
      return { type, nullable: false, constant: true, eval: () => value };
    },
  };
}

export const charsetInfoFunctions: FunctionDef[] = [
  ofType('CHARSET', varchar(64), (a) => charsetOf(a)),
  ofType('COLLATION', varchar(64), (a) => collationOf(a)),
  ofType('COERCIBILITY', T_BIGINT, (a, e) => coercibilityOf(e, a)),
];
