// DATE_FORMAT, TIME_FORMAT and STR_TO_DATE: MySQL's %-specifier date formats, both ways.
import { T_DATE, T_DATETIME, T_TIME, varchar } from '../types/infer.js';
import { valueToString } from '../types/convert.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import { constantValue, strict, type FunctionDef } from './define.js';
import { P, DAY_NAMES, MONTH_NAMES, WEEK, computeWeek, daysInMonth, epochDay, readDateTime, readTime, weekday, dateText, dateTimeText, timeText } from './calendar.js';

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));

function ordinal(d: number): string {
  if (d >= 11 && d <= 13) return d + 'th';
  const r = d % 10;
  return d + (r === 1 ? 'st' : r === 2 ? 'nd' : r === 3 ? 'rd' : 'th');
}

/** Formats P with a DATE_FORMAT format string. */
export function formatP(fmt: string): string {
  let out = '';
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch !== '%' || i + 1 === fmt.length) {
      out += ch;
      continue;
    }
    const f = fmt[++i];
    const h12 = P.hh % 12 === 0 ? 12 : P.hh % 12;
    switch (f) {
      case 'a': out += DAY_NAMES[weekday(epochDay(P.y, P.m, P.d))].slice(0, 3); break;
      case 'b': out += MONTH_NAMES[P.m - 1]?.slice(0, 3) ?? ''; break;
      case 'c': out += P.m; break;
      case 'D': out += ordinal(P.d); break;
      case 'd': out += pad2(P.d); break;
      case 'e': out += P.d; break;
      case 'f': out += String(P.us).padStart(6, '0'); break;
      case 'H': out += pad2(P.hh); break;
      case 'h': case 'I': out += pad2(h12); break;
      case 'i': out += pad2(P.mi); break;
      case 'j': out += String(epochDay(P.y, P.m, P.d) - epochDay(P.y, 1, 1) + 1).padStart(3, '0'); break;
      case 'k': out += P.hh; break;
      case 'l': out += h12; break;
      case 'M': out += MONTH_NAMES[P.m - 1] ?? ''; break;
      case 'm': out += pad2(P.m); break;
      case 'p': out += P.hh < 12 ? 'AM' : 'PM'; break;
      case 'r': out += `${pad2(h12)}:${pad2(P.mi)}:${pad2(P.ss)} ${P.hh < 12 ? 'AM' : 'PM'}`; break;
      case 'S': case 's': out += pad2(P.ss); break;
      case 'T': out += `${pad2(P.hh)}:${pad2(P.mi)}:${pad2(P.ss)}`; break;
      case 'U': computeWeek(P.y, P.m, P.d, 0); out += pad2(WEEK.week); break;
      case 'u': computeWeek(P.y, P.m, P.d, 1); out += pad2(WEEK.week); break;
      case 'V': computeWeek(P.y, P.m, P.d, 2); out += pad2(WEEK.week); break;
      case 'v': computeWeek(P.y, P.m, P.d, 3); out += pad2(WEEK.week); break;
      case 'W': out += DAY_NAMES[weekday(epochDay(P.y, P.m, P.d))]; break;
      case 'w': out += (weekday(epochDay(P.y, P.m, P.d)) + 1) % 7; break;
      case 'X': computeWeek(P.y, P.m, P.d, 2); out += String(WEEK.year).padStart(4, '0'); break;
      case 'x': computeWeek(P.y, P.m, P.d, 3); out += String(WEEK.year).padStart(4, '0'); break;
      case 'Y': out += String(P.y).padStart(4, '0'); break;
      case 'y': out += pad2(P.y % 100); break;
      default: out += f; // '%%' and unknown specifiers give the character itself
    }
  }
  return out;
}

const DATE_FORMAT = strict('DATE_FORMAT', 2, 2, () => varchar(255), (v) => (readDateTime(v[0]) ? formatP(valueToString(v[1])) : null));

const TIME_FORMAT = strict('TIME_FORMAT', 2, 2, () => varchar(255), (v, _c, a) => {
  if (!readTime(v[0], a[0].type)) return null;
  // A TIME has no date: hours may exceed 23 and date specifiers print zeroes (MySQL prints NULL for them; rare).
  const s = formatP(valueToString(v[1]));
  return P.neg ? '-' + s : s;
});

const MONTH_BY_NAME = new Map<string, number>();
MONTH_NAMES.forEach((n, i) => {
  MONTH_BY_NAME.set(n.toLowerCase(), i + 1);
  MONTH_BY_NAME.set(n.slice(0, 3).toLowerCase(), i + 1);
});

/** Which parts a STR_TO_DATE format sets, deciding its result type as MySQL does. */
function formatKinds(fmt: string): { date: boolean; time: boolean } {
  let date = false, time = false;
  for (let i = 0; i < fmt.length - 1; i++) {
    if (fmt[i] !== '%') continue;
    const f = fmt[++i];
    if ('YymcdeDjMbaWUuVvXx'.includes(f)) date = true;
    else if ('HkhIlisSfpTr'.includes(f)) time = true;
  }
  return { date, time };
}

/** The parse position in the text parseWith reads (module state, so a row's parse allocates no closure). */
let pos = 0;
let s = '';

/** Up to maxDigits decimal digits at pos, advancing past them; -1 when there are none. */
function num(maxDigits: number): number {
  let j = pos;
  while (j < s.length && j - pos < maxDigits && s.charCodeAt(j) >= 48 && s.charCodeAt(j) <= 57) j++;
  if (j === pos) return -1;
  const n = +s.slice(pos, j);
  pos = j;
  return n;
}

/** Parses `text` by `fmt` into P; false on mismatch. */
function parseWith(text: string, fmt: string): boolean {
  P.y = 0; P.m = 0; P.d = 0; P.hh = 0; P.mi = 0; P.ss = 0; P.us = 0; P.neg = false;
  let pm = -1;
  pos = 0;
  s = text;
  for (let i = 0; i < fmt.length; i++) {
    const ch = fmt[i];
    if (ch !== '%' || i + 1 === fmt.length) {
      // A space in the format skips any run of spaces; other literals must match.
      if (ch === ' ') { while (s[pos] === ' ') pos++; continue; }
      if (s[pos] !== ch) return false;
      pos++;
      continue;
    }
    const f = fmt[++i];
    let n = 0;
    switch (f) {
      case 'Y': n = num(4); if (n < 0) return false; P.y = n; break;
      case 'y': n = num(2); if (n < 0) return false; P.y = n < 70 ? 2000 + n : 1900 + n; break;
      case 'm': case 'c': n = num(2); if (n < 0) return false; P.m = n; break;
      case 'd': case 'e': n = num(2); if (n < 0) return false; P.d = n; break;
      case 'D': n = num(2); if (n < 0) return false; P.d = n; pos += 2; break;
      case 'H': case 'k': case 'h': case 'I': case 'l': n = num(2); if (n < 0) return false; P.hh = n; break;
      case 'i': n = num(2); if (n < 0) return false; P.mi = n; break;
      case 's': case 'S': n = num(2); if (n < 0) return false; P.ss = n; break;
      case 'f': {
        const start = pos;
        n = num(6);
        if (n < 0) return false;
        P.us = n * 10 ** (6 - (pos - start));
        break;
      }
      case 'p': {
        const w = s.slice(pos, pos + 2).toUpperCase();
        if (w !== 'AM' && w !== 'PM') return false;
        pm = w === 'PM' ? 1 : 0;
        pos += 2;
        break;
      }
      case 'M': case 'b': {
        let j = pos;
        while (j < s.length && /[A-Za-z]/.test(s[j])) j++;
        const m = MONTH_BY_NAME.get(s.slice(pos, j).toLowerCase());
        if (m === undefined) return false;
        P.m = m;
        pos = j;
        break;
      }
      case 'W': case 'a': {
        while (pos < s.length && /[A-Za-z]/.test(s[pos])) pos++;
        break;
      }
      case 'T': case 'r': {
        const h = num(2); if (h < 0 || s[pos++] !== ':') return false;
        const mi = num(2); if (mi < 0 || s[pos++] !== ':') return false;
        const ss = num(2); if (ss < 0) return false;
        P.hh = h; P.mi = mi; P.ss = ss;
        if (f === 'r') { while (s[pos] === ' ') pos++; const w = s.slice(pos, pos + 2).toUpperCase(); if (w === 'AM' || w === 'PM') { pm = w === 'PM' ? 1 : 0; pos += 2; } }
        break;
      }
      default:
        if (s[pos] !== f) return false;
        pos++;
    }
  }
  if (pm >= 0) {
    if (P.hh < 1 || P.hh > 12) return false;
    P.hh = (P.hh % 12) + (pm ? 12 : 0);
  }
  // Trailing text is ignored with a warning in MySQL; the parsed prefix still counts.
  return P.hh < 24 && P.mi < 60 && P.ss < 60;
}

const STR_TO_DATE: FunctionDef = {
  name: 'STR_TO_DATE', minArgs: 2, maxArgs: 2,
  compile(args: Compiled[]) {
    const fv = constantValue(args[1]);
    const kinds = typeof fv === 'string' ? formatKinds(fv) : { date: true, time: true };
    const fsp = typeof fv === 'string' && fv.includes('%f') ? 6 : 0;
    const type: SqlType = kinds.date && kinds.time ? { ...T_DATETIME, fsp: fsp || undefined } : kinds.date ? T_DATE : { ...T_TIME, fsp: fsp || undefined };
    const se = args[0].eval, fe = args[1].eval;
    return {
      type, nullable: true, constant: args[0].constant && args[1].constant,
      eval: (r, c) => {
        const sv = se(r, c), f = fe(r, c);
        if (sv === null || f === null) return null;
        const s = valueToString(sv);
        const ok = parseWith(s, valueToString(f));
        // Under MySQL 8's default NO_ZERO_IN_DATE / NO_ZERO_DATE a date part must be a real date.
        const dateOk = type.kind === 'time' || (P.m >= 1 && P.m <= 12 && P.d >= 1 && P.d <= daysInMonth(P.y, P.m));
        if (!ok || !dateOk) {
          c.session.warn(1411, `Incorrect datetime value: '${s}' for function str_to_date`);
          return null;
        }
        return type.kind === 'date' ? dateText() : type.kind === 'time' ? timeText(fsp) : dateTimeText(fsp);
      },
    };
  },
};

/** The formats GET_FORMAT names, per value kind and standard (MySQL's table; TIMESTAMP is DATETIME's). */
const NAMED_FORMATS: Record<string, Record<string, string>> = {
  DATE: { USA: '%m.%d.%Y', JIS: '%Y-%m-%d', ISO: '%Y-%m-%d', EUR: '%d.%m.%Y', INTERNAL: '%Y%m%d' },
  DATETIME: { USA: '%Y-%m-%d %H.%i.%s', JIS: '%Y-%m-%d %H:%i:%s', ISO: '%Y-%m-%d %H:%i:%s', EUR: '%Y-%m-%d %H.%i.%s', INTERNAL: '%Y%m%d%H%i%s' },
  TIME: { USA: '%h:%i:%s %p', JIS: '%H:%i:%s', ISO: '%H:%i:%s', EUR: '%H.%i.%s', INTERNAL: '%H%i%s' },
};

/** GET_FORMAT(DATE|TIME|DATETIME|TIMESTAMP, 'USA'|'JIS'|'ISO'|'EUR'|'INTERNAL'); NULL for another name. The parser passes the kind as text. */
const GET_FORMAT = strict('GET_FORMAT', 2, 2, () => varchar(17), (v) => {
  const kind = valueToString(v[0]).toUpperCase();
  return NAMED_FORMATS[kind === 'TIMESTAMP' ? 'DATETIME' : kind]?.[valueToString(v[1]).toUpperCase()] ?? null;
});

export const dateFormatFunctions: FunctionDef[] = [DATE_FORMAT, TIME_FORMAT, STR_TO_DATE, GET_FORMAT];
