// String functions: CONCAT, LENGTH, SUBSTRING, UPPER, TRIM, REPLACE, LPAD, LOCATE, HEX, MD5, ...
import { createHash } from 'node:crypto';
import { toInteger, toDouble, valueToString } from '../types/convert.js';
import { T_BIGINT, displayLength, varchar } from '../types/infer.js';
import { isBinaryType, type SqlType } from '../../base/sql-type.js';
import { collationKey } from '../../base/collation.js';
import { likeFold } from '../types/like.js';
import type { Value } from '../../base/value.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import { strict, type FunctionDef } from './define.js';

export const str = (v: Exclude<Value, null>, a?: Compiled): string => (Buffer.isBuffer(v) ? v.toString('utf8') : valueToString(v, a?.type));
export const num = (v: Exclude<Value, null>): number => Number(toInteger(v));
export const lenOf = (a: Compiled) => displayLength(a.type);
export const textOrBinary = (args: Compiled[], length: number): SqlType =>
  args.some((a) => isBinaryType(a.type)) ? { kind: 'varbinary', length } : varchar(length);

/** Code points of a string (so SUBSTRING counts characters, not UTF-16 units). */
const chars = (s: string): string[] => [...s];

const CONCAT = strict('CONCAT', 1, 1 << 16, (a) => textOrBinary(a, a.reduce((n, x) => n + lenOf(x), 0)), (v, _c, args) => {
  let out = '';
  for (let i = 0; i < v.length; i++) out += str(v[i], args[i]);
  return out;
});

const CONCAT_WS: FunctionDef = {
  name: 'CONCAT_WS', minArgs: 2, maxArgs: 1 << 16,
  compile(args) {
    const evals = args.map((a) => a.eval);
    return {
      type: varchar(args.reduce((n, x) => n + lenOf(x), 0)), nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const sep = evals[0](r, c);
        if (sep === null) return null;
        const parts: string[] = [];
        for (let i = 1; i < evals.length; i++) {
          const v = evals[i](r, c);
          if (v !== null) parts.push(str(v, args[i]));
        }
        return parts.join(str(sep));
      },
    };
  },
};

function substring(s: string, pos: number, len?: number): string {
  const cs = chars(s);
  if (pos === 0) return '';
  const start = pos > 0 ? pos - 1 : cs.length + pos;
  if (start < 0 || start >= cs.length) return '';
  const end = len === undefined ? cs.length : len <= 0 ? start : start + len;
  return cs.slice(start, end).join('');
}

const SUBSTRING = (name: string) => strict(name, 2, 3, (a) => textOrBinary(a, lenOf(a[0])), (v, _c, a) =>
  substring(str(v[0], a[0]), num(v[1]), v.length > 2 ? num(v[2]) : undefined));

const LEFT = strict('LEFT', 2, 2, (a) => textOrBinary(a, lenOf(a[0])), (v, _c, a) => chars(str(v[0], a[0])).slice(0, Math.max(0, num(v[1]))).join(''));
const RIGHT = strict('RIGHT', 2, 2, (a) => textOrBinary(a, lenOf(a[0])), (v, _c, a) => {
  const n = num(v[1]);
  if (n <= 0) return '';
  const cs = chars(str(v[0], a[0]));
  return cs.slice(Math.max(0, cs.length - n)).join('');
});

const LENGTH = (name: string) => strict(name, 1, 1, () => T_BIGINT, (v, _c, a) => (Buffer.isBuffer(v[0]) ? v[0].length : Buffer.byteLength(str(v[0], a[0]), 'utf8')));
const CHAR_LENGTH = (name: string) => strict(name, 1, 1, () => T_BIGINT, (v, _c, a) => (Buffer.isBuffer(v[0]) ? v[0].length : chars(str(v[0], a[0])).length));

const caseFn = (name: string, upper: boolean) =>
  strict(name, 1, 1, (a) => textOrBinary(a, lenOf(a[0])), (v, _c, a) => (Buffer.isBuffer(v[0]) ? v[0] : upper ? str(v[0], a[0]).toUpperCase() : str(v[0], a[0]).toLowerCase()));

function trimWith(s: string, r: string, side: 'leading' | 'trailing' | 'both'): string {
  if (r === '') return s;
  let start = 0;
  let end = s.length;
  if (side !== 'trailing') while (s.startsWith(r, start)) start += r.length;
  if (side !== 'leading') while (end - r.length >= start && s.startsWith(r, end - r.length)) end -= r.length;
  return s.slice(start, end);
}

const TRIM: FunctionDef = {
  name: 'TRIM', minArgs: 1, maxArgs: 2,
  compile(args, _env, call) {
    const side = call.trimSide ?? 'both';
    const evals = args.map((a) => a.eval);
    // The parser puts the string first and the optional remove-string second.
    return {
      type: textOrBinary(args, lenOf(args[0])), nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const s = evals[0](r, c);
        if (s === null) return null;
        const rem = evals.length > 1 ? evals[1](r, c) : ' ';
        if (rem === null) return null;
        return trimWith(str(s, args[0]), str(rem), side);
      },
    };
  },
};
const LTRIM = strict('LTRIM', 1, 1, (a) => textOrBinary(a, lenOf(a[0])), (v, _c, a) => trimWith(str(v[0], a[0]), ' ', 'leading'));
const RTRIM = strict('RTRIM', 1, 1, (a) => textOrBinary(a, lenOf(a[0])), (v, _c, a) => trimWith(str(v[0], a[0]), ' ', 'trailing'));

const REPLACE = strict('REPLACE', 3, 3, (a) => textOrBinary(a, lenOf(a[0]) * 4), (v, _c, a) => {
  const from = str(v[1], a[1]);
  return from === '' ? str(v[0], a[0]) : str(v[0], a[0]).split(from).join(str(v[2], a[2]));
});

const REVERSE = strict('REVERSE', 1, 1, (a) => textOrBinary(a, lenOf(a[0])), (v, _c, a) => chars(str(v[0], a[0])).reverse().join(''));

const REPEAT = strict('REPEAT', 2, 2, () => ({ kind: 'longtext' }), (v, _c, a) => {
  const n = num(v[1]);
  const s = str(v[0], a[0]);
  if (n <= 0) return '';
  if (s.length * n > 64 * 1024 * 1024) return null;
  return s.repeat(n);
});

const SPACE = strict('SPACE', 1, 1, () => ({ kind: 'longtext' }), (v) => {
  const n = num(v[0]);
  return n <= 0 ? '' : n > 64 * 1024 * 1024 ? null : ' '.repeat(n);
});

function locate(sub: string, s: string, from: number): number {
  const keyS = likeFold(s);
  const keySub = likeFold(sub);
  if (from < 1) return 0;
  const cs = chars(keyS);
  const prefixLen = cs.slice(0, from - 1).join('').length;
  const i = keyS.indexOf(keySub, prefixLen);
  return i < 0 ? 0 : chars(keyS.slice(0, i)).length + 1;
}

const LOCATE = strict('LOCATE', 2, 3, () => T_BIGINT, (v, _c, a) => locate(str(v[0], a[0]), str(v[1], a[1]), v.length > 2 ? num(v[2]) : 1));
const INSTR = strict('INSTR', 2, 2, () => T_BIGINT, (v, _c, a) => locate(str(v[1], a[1]), str(v[0], a[0]), 1));

function pad(left: boolean) {
  return strict(left ? 'LPAD' : 'RPAD', 3, 3, (a) => textOrBinary(a, Math.max(lenOf(a[0]), 255)), (v, _c, a) => {
    const s = chars(str(v[0], a[0]));
    const n = num(v[1]);
    if (n < 0) return null;
    if (n <= s.length) return s.slice(0, n).join('');
    const p = chars(str(v[2], a[2]));
    if (p.length === 0) return null;
    const fill: string[] = [];
    while (fill.length < n - s.length) fill.push(p[fill.length % p.length]);
    return left ? fill.join('') + s.join('') : s.join('') + fill.join('');
  });
}

const HEX = strict('HEX', 1, 1, (a) => varchar(lenOf(a[0]) * 2), (v, _c, a) => {
  const x = v[0];
  if (Buffer.isBuffer(x)) return x.toString('hex').toUpperCase();
  if (typeof x === 'string' && !(a[0].type.kind === 'null')) return Buffer.from(x, 'utf8').toString('hex').toUpperCase();
  return BigInt.asUintN(64, BigInt(toInteger(x))).toString(16).toUpperCase();
});

const UNHEX = strict('UNHEX', 1, 1, (a) => ({ kind: 'varbinary', length: Math.ceil(lenOf(a[0]) / 2) }), (v) => {
  const s = str(v[0]);
  if (!/^[0-9a-fA-F]*$/.test(s)) return null;
  return Buffer.from(s.length % 2 ? '0' + s : s, 'hex');
});

const hashFn = (name: string, algo: string, hexLen: number) =>
  strict(name, 1, 1, () => varchar(hexLen), (v) => createHash(algo).update(Buffer.isBuffer(v[0]) ? v[0] : Buffer.from(str(v[0]), 'utf8')).digest('hex'));

const ASCII = strict('ASCII', 1, 1, () => T_BIGINT, (v) => {
  const b = Buffer.isBuffer(v[0]) ? v[0] : Buffer.from(str(v[0]), 'utf8');
  return b.length ? b[0] : 0;
});

const STRCMP = strict('STRCMP', 2, 2, () => T_BIGINT, (v, _c, a) => {
  const x = collationKey(str(v[0], a[0]));
  const y = collationKey(str(v[1], a[1]));
  return x < y ? -1 : x > y ? 1 : 0;
});

const FORMAT = strict('FORMAT', 2, 3, () => varchar(64), (v) => {
  const d = Math.max(0, Math.min(30, num(v[1])));
  const n = toDouble(v[0]);
  return n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d, useGrouping: true });
});

export const stringFunctions: FunctionDef[] = [
  CONCAT, CONCAT_WS,
  SUBSTRING('SUBSTRING'), SUBSTRING('SUBSTR'), SUBSTRING('MID'),
  LEFT, RIGHT,
  LENGTH('LENGTH'), LENGTH('OCTET_LENGTH'), CHAR_LENGTH('CHAR_LENGTH'), CHAR_LENGTH('CHARACTER_LENGTH'),
  caseFn('UPPER', true), caseFn('UCASE', true), caseFn('LOWER', false), caseFn('LCASE', false),
  TRIM, LTRIM, RTRIM, REPLACE, REVERSE, REPEAT, SPACE,
  LOCATE, INSTR, pad(true), pad(false),
  HEX, UNHEX, hashFn('MD5', 'md5', 32), hashFn('SHA1', 'sha1', 40), hashFn('SHA', 'sha1', 40),
  ASCII, STRCMP, FORMAT,
];
