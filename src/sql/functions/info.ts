// Session and server information functions: DATABASE(), VERSION(), USER(), CONNECTION_ID(), LAST_INSERT_ID(), ...
import { randomUUID } from 'node:crypto';
import type { Evaluator } from '../analyzer/compile-expr.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import type { Value } from '../../base/value.js';
import { valueToString } from '../../base/format.js';
import { sqlError } from '../../base/errors.js';
import { toDouble, toInteger } from '../types/convert.js';
import { T_BIGINT, varchar } from '../types/infer.js';
import { niladic, type FunctionDef } from './define.js';

const LAST_INSERT_ID: FunctionDef = {
  name: 'LAST_INSERT_ID', minArgs: 0, maxArgs: 1,
  compile(args) {
    const arg: Evaluator | undefined = args.length ? args[0].eval : undefined;
    return {
      type: { ...T_BIGINT, unsigned: true }, nullable: false, constant: false,
      eval: (r, c) => {
        if (!arg) return c.session.lastInsertId;
        // LAST_INSERT_ID(expr) returns expr and remembers it for the next call, as MySQL does.
        const v = arg(r, c);
        const n = v === null ? 0 : toInteger(v);
        c.session.lastInsertId = n;
        return n;
      },
    };
  },
};

/** `@var := expr` inside expressions: assigns the user variable and yields the value. */
const ASSIGN: FunctionDef = {
  name: ':=', minArgs: 2, maxArgs: 2, rawArgs: true,
  compile(_args, env, call, compiler) {
    const target = call.args[0];
    if (target.type !== 'variable' || target.kind !== 'user') throw sqlError('PARSE', "You have an error in your SQL syntax; ':=' needs a user variable on its left");
    const value = compiler.compile(call.args[1], env);
    const name = target.name;
    const ve = value.eval;
    return { type: value.type, nullable: true, constant: false, eval: (r, c) => { const v = ve(r, c); c.session.setUserVariable(name, v); return v; } };
  },
};

/**
 * SLEEP(seconds): 0, after the statement has waited that long. Evaluation cannot block the
 * thread, so the wait is owed to the statement's driver, which serves it at the next pause or
 * at the end, interruptibly (KILL QUERY answers 1317; MySQL would return 1 for a lone SLEEP).
 */
const SLEEP: FunctionDef = {
  name: 'SLEEP',
  minArgs: 1,
  maxArgs: 1,
  compile([seconds]) {
    const ev = seconds.eval;
    return {
      type: T_BIGINT,
      nullable: false,
      constant: false,
      eval: (row, ctx) => {
        const v = ev(row, ctx);
        const ms = v === null ? 0 : Number(toDouble(v)) * 1000;
        if (ms < 0 || Number.isNaN(ms)) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to sleep.');
        if (ms > 0) ctx.session.requestSleep(ms);
        return 0;
      },
    };
  },
};

/** A user-level lock's name: MySQL refuses NULL, '' and names longer than 64 characters (3057). */
function lockName(v: Value): string {
  const name = v === null ? '' : valueToString(v);
  if (name === '' || name.length > 64) throw sqlError('USER_LOCK_WRONG_NAME', `Incorrect user-level lock name '${v === null ? 'NULL' : name}'.`);
  return name;
}

/** GET_LOCK(name, timeout): waits (in the statement's driver) up to `timeout` seconds; negative waits without limit. */
const GET_LOCK: FunctionDef = {
  name: 'GET_LOCK', minArgs: 2, maxArgs: 2,
  compile([name, timeout]) {
    const en = name.eval;
    const et = timeout.eval;
    return {
      type: T_BIGINT, nullable: true, constant: false,
      eval: (row, ctx) => {
        const n = lockName(en(row, ctx));
        const t = et(row, ctx);
        const seconds = t === null ? 0 : Number(toDouble(t));
        return ctx.session.userLocks.get(n, seconds < 0 ? -1 : Math.round(seconds * 1000));
      },
    };
  },
};

const nameFunction = (fname: string, fn: (ctx: EvalContext, name: string) => Value): FunctionDef => ({
  name: fname, minArgs: 1, maxArgs: 1,
  compile([name]) {
    const en = name.eval;
    return { type: T_BIGINT, nullable: true, constant: false, eval: (row, ctx) => fn(ctx, lockName(en(row, ctx))) };
  },
});

const userAtHost = niladic('USER', varchar(288), (c) => `${c.session.user}@${c.session.host}`);

export const infoFunctions: FunctionDef[] = [
  SLEEP,
  GET_LOCK,
  nameFunction('RELEASE_LOCK', (c, n) => c.session.userLocks.release(n)),
  nameFunction('IS_FREE_LOCK', (c, n) => c.session.userLocks.isFree(n)),
  nameFunction('IS_USED_LOCK', (c, n) => c.session.userLocks.usedBy(n)),
  niladic('RELEASE_ALL_LOCKS', T_BIGINT, (c) => c.session.userLocks.releaseAll()),
  niladic('DATABASE', varchar(64), (c) => c.session.database),
  niladic('SCHEMA', varchar(64), (c) => c.session.database),
  niladic('VERSION', varchar(64), (c) => c.session.serverVersion),
  userAtHost,
  { ...userAtHost, name: 'SESSION_USER' },
  { ...userAtHost, name: 'SYSTEM_USER' },
  { ...userAtHost, name: 'CURRENT_USER' },
  niladic('CONNECTION_ID', { ...T_BIGINT, unsigned: true }, (c) => c.session.connectionId),
  LAST_INSERT_ID,
  ASSIGN,
  niladic('ROW_COUNT', T_BIGINT, (c) => c.session.lastRowCount),
  niladic('FOUND_ROWS', T_BIGINT, (c) => c.session.lastFoundRows),
  niladic('UUID', varchar(36), () => randomUUID()),
];
