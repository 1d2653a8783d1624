// REGEXP_LIKE, REGEXP_REPLACE, REGEXP_SUBSTR, REGEXP_INSTR over JavaScript regular expressions.
import { sqlError } from '../../base/errors.js';
import { isBinaryType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import { toInteger, valueToString } from '../types/convert.js';
import { T_BIGINT, T_BOOL_INT, displayLength, varchar } from '../types/infer.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import type { SqlType } from '../../base/sql-type.js';
import type { FunctionDef } from './define.js';

/** The last pattern and flags compiled by one call site: a column of values usually repeats one pattern. */
interface PatternCache {
  key: string;
  re: RegExp | undefined;
}

/** JS flags from MySQL's match_type letters; later letters win ('ci' is case-insensitive). */
function flagsOf(matchType: string, ci: boolean): string {
  let i = ci, m = false, s = false;
  for (const ch of matchType) {
    if (ch === 'c') i = false;
    else if (ch === 'i') i = true;
    else if (ch === 'm') m = true;
    else if (ch === 'n') s = true;
    else if (ch !== 'u') throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to regexp_like');
  }
  return 'gu' + (i ? 'i' : '') + (m ? 'm' : '') + (s ? 's' : '');
}

function regexOf(cache: PatternCache, pattern: string, flags: string): RegExp {
  const key = flags + '\u0000' + pattern;
  if (cache.key !== key || !cache.re) {
    try {
      cache.re = new RegExp(pattern, flags);
    } catch (e) {
      throw sqlError('WRONG_ARGUMENTS', `Got error '${(e as Error).message}' from regexp`);
    }
    cache.key = key;
  }
  cache.re.lastIndex = 0;
  return cache.re;
}

/** Code-unit offset of the 1-based character position `pos` in s, or -1 past the end. */
function offsetOf(s: string, pos: number): number {
  let off = 0;
  for (let n = 1; n < pos; n++) {
    if (off >= s.length) return -1;
    const cp = s.codePointAt(off) ?? 0;
    off += cp > 0xffff ? 2 : 1;
  }
  return off <= s.length ? off : -1;
}

const charCount = (s: string, end: number): number => {
  let n = 0;
  for (let i = 0; i < end; i++, n++) if ((s.codePointAt(i) ?? 0) > 0xffff) i++;
  return n;
};

type RegexpOp = (s: string, re: RegExp, ints: number[], rest: string[]) => Value;

/**
 * Declares a REGEXP_* function: arguments are (subject, pattern, ...strings before the integers,
 * ...integer options, match_type). `textArgs` counts the extra string arguments (the replacement).
 */
function regexpFn(name: string, textArgs: number, intArgs: number[], type: (a: Compiled[]) => SqlType, op: RegexpOp): FunctionDef {
  const min = 2 + textArgs;
  const max = min + intArgs.length + 1;
  return {
    name, minArgs: min, maxArgs: max,
    compile(args) {
      const ci = !args.slice(0, 2).some((a) => isBinaryType(a.type) || (a.type.collation ?? '').endsWith('_bin'));
      const evals = args.map((a) => a.eval);
      const n = evals.length;
      const nInts = Math.min(intArgs.length, Math.max(0, n - min));
      const hasMatchType = n === max;
      const cache: PatternCache = { key: '', re: undefined };
      const ints = intArgs.slice();
      const rest: string[] = new Array(textArgs).fill('');
      return {
        type: type(args), nullable: true, constant: args.every((a) => a.constant),
        eval: (r, c) => {
          const sv = evals[0](r, c);
          const pv = evals[1](r, c);
          if (sv === null || pv === null) return null;
          for (let i = 0; i < textArgs; i++) {
            const v = evals[2 + i](r, c);
            if (v === null) return null;
            rest[i] = valueToString(v);
          }
          for (let i = 0; i < intArgs.length; i++) {
            if (i < nInts) {
              const v = evals[min + i](r, c);
              if (v === null) return null;
              ints[i] = Number(toInteger(v));
            } else ints[i] = intArgs[i];
          }
          let matchType = '';
          if (hasMatchType) {
            const m = evals[n - 1](r, c);
            if (m === null) return null;
            matchType = valueToString(m);
          }
          const re = regexOf(cache, valueToString(pv), flagsOf(matchType, ci));
          return op(valueToString(sv, args[0].type), re, ints, rest);
        },
      };
    },
  };
}

/** Finds the occurrence-th match at or after character position pos; the match or null. */
function nth(s: string, re: RegExp, pos: number, occurrence: number): RegExpExecArray | null {
  const start = offsetOf(s, pos);
  if (start < 0 || pos < 1) throw sqlError('WRONG_ARGUMENTS', 'Index out of bounds in regular expression search.');
  re.lastIndex = start;
  let m: RegExpExecArray | null = null;
  for (let k = 0; k < Math.max(1, occurrence); k++) {
    m = re.exec(s);
    if (!m) return null;
    if (m[0] === '') re.lastIndex++;
  }
  return m;
}

const REGEXP_LIKE = regexpFn('REGEXP_LIKE', 0, [], () => T_BOOL_INT, (s, re) => (re.test(s) ? 1 : 0));

const REGEXP_SUBSTR = regexpFn('REGEXP_SUBSTR', 0, [1, 1], (a) => varchar(displayLength(a[0].type)), (s, re, [pos, occ]) => nth(s, re, pos, occ)?.[0] ?? null);

const REGEXP_INSTR = regexpFn('REGEXP_INSTR', 0, [1, 1, 0], () => T_BIGINT, (s, re, [pos, occ, after]) => {
  const m = nth(s, re, pos, occ);
  if (!m) return 0;
  return charCount(s, m.index + (after ? m[0].length : 0)) + 1;
});

/** occurrence 0 replaces every match from pos on; n replaces only the n-th. */
const REGEXP_REPLACE = regexpFn('REGEXP_REPLACE', 1, [1, 0], (a) => varchar(Math.max(255, displayLength(a[0].type) * 4)), (s, re, [pos, occ], [repl]) => {
  const start = offsetOf(s, pos);
  if (start < 0 || pos < 1) throw sqlError('WRONG_ARGUMENTS', 'Index out of bounds in regular expression search.');
  const head = s.slice(0, start);
  const tail = s.slice(start);
  if (occ <= 0) return head + tail.replace(re, repl);
  let k = 0;
  return head + tail.replace(re, (...m: unknown[]) => {
    k++;
    if (k !== occ) return m[0] as string;
    // Expand $n group references the way String.replace would for this one match.
    const groups = m.slice(1, -2) as (string | undefined)[];
    return repl.replace(/\$(\d)/g, (_x, d: string) => groups[+d - 1] ?? '');
  });
});

export const regexpFunctions: FunctionDef[] = [REGEXP_LIKE, REGEXP_SUBSTR, REGEXP_INSTR, REGEXP_REPLACE];
