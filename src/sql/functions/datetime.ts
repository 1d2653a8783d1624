// Date and time functions: NOW(), CURDATE(), CURTIME(), UNIX_TIMESTAMP(), DATE(), YEAR(), DATE_ADD(), ...
import { sqlError } from '../../base/errors.js';
import type { Compiled, Evaluator } from '../analyzer/compile-expr.js';
import { toInteger, toDouble, valueToString } from '../types/convert.js';
import { T_BIGINT, T_DATE, T_DATETIME, T_DOUBLE, T_TIME } from '../types/infer.js';
import { formatDate, formatDateTime, formatTime, parseDate, parseDateTime } from '../../base/temporal.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import { constantValue, strict, type FunctionDef } from './define.js';
import { CONVERT_TZ } from './time-zones.js';

function fspArg(args: Compiled[]): number {
  if (!args[0]) return 0;
  const v = constantValue(args[0]);
  const n = v === null || v === undefined ? 0 : Number(toInteger(v));
  if (n < 0 || n > 6) throw sqlError('TOO_BIG_PRECISION', `Too-big precision ${n} specified. Maximum is 6.`);
  return n;
}

function nowLike(name: string, kind: 'datetime' | 'date' | 'time'): FunctionDef {
  return {
    name, minArgs: 0, maxArgs: kind === 'date' ? 0 : 1,
    compile(args) {
      const fsp = fspArg(args);
      const type: SqlType = kind === 'datetime' ? { ...T_DATETIME, fsp: fsp || undefined } : kind === 'date' ? T_DATE : { ...T_TIME, fsp: fsp || undefined };
      const f = kind === 'datetime' ? (d: Date) => formatDateTime(d, fsp) : kind === 'date' ? formatDate : (d: Date) => formatTime(d, fsp);
      return { type, nullable: false, constant: false, eval: (_r, c) => f(c.now) };
    },
  };
}

const SYSDATE: FunctionDef = {
  name: 'SYSDATE', minArgs: 0, maxArgs: 1,
  compile(args) {
    const fsp = fspArg(args);
    return { type: { ...T_DATETIME, fsp: fsp || undefined }, nullable: false, constant: false, eval: () => formatDateTime(new Date(), fsp) };
  },
};

const UNIX_TIMESTAMP: FunctionDef = {
  name: 'UNIX_TIMESTAMP', minArgs: 0, maxArgs: 1,
  compile(args) {
    const arg: Evaluator | undefined = args.length ? args[0].eval : undefined;
    return {
      type: arg ? T_DOUBLE : T_BIGINT, nullable: !!arg, constant: false,
      eval: (r, c) => {
        if (!arg) return Math.floor(c.now.getTime() / 1000);
        const v = arg(r, c);
        if (v === null) return null;
        const dt = parseDateTime(valueToString(v), 6);
        if (!dt) return null;
        const ms = new Date(dt.replace(' ', 'T')).getTime();
        return Number.isNaN(ms) ? null : ms / 1000;
      },
    };
  },
};

function datePart(name: string, pick: (dt: string) => number): FunctionDef {
  return strict(name, 1, 1, () => T_BIGINT, (v) => {
    const s = valueToString(v[0]);
    const dt = parseDateTime(s, 0) ?? (parseDate(s) ? parseDate(s) + ' 00:00:00' : undefined);
    return dt === undefined ? null : pick(dt);
  });
}

const DATE = strict('DATE', 1, 1, () => T_DATE, (v) => {
  const s = valueToString(v[0]);
  return parseDate(s) ?? parseDateTime(s, 0)?.slice(0, 10) ?? null;
});

const UNIT_MS: Record<string, number> = {
  MILLISECOND: 1, MICROSECOND: 0.001, SECOND: 1000, MINUTE: 60000, HOUR: 3600000, DAY: 86400000, WEEK: 604800000,
};

/**
 * The fields of each compound interval unit, most significant first: '1:30' HOUR_MINUTE is 1 hour 30 minutes.
 * MONTH fields move the calendar; the others are fixed lengths in milliseconds.
 */
const COMPOUND_UNITS: Record<string, readonly ('YEAR' | 'MONTH' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MICROSECOND')[]> = {
  YEAR_MONTH: ['YEAR', 'MONTH'],
  DAY_HOUR: ['DAY', 'HOUR'],
  DAY_MINUTE: ['DAY', 'HOUR', 'MINUTE'],
  DAY_SECOND: ['DAY', 'HOUR', 'MINUTE', 'SECOND'],
  DAY_MICROSECOND: ['DAY', 'HOUR', 'MINUTE', 'SECOND', 'MICROSECOND'],
  HOUR_MINUTE: ['HOUR', 'MINUTE'],
  HOUR_SECOND: ['HOUR', 'MINUTE', 'SECOND'],
  HOUR_MICROSECOND: ['HOUR', 'MINUTE', 'SECOND', 'MICROSECOND'],
  MINUTE_SECOND: ['MINUTE', 'SECOND'],
  MINUTE_MICROSECOND: ['MINUTE', 'SECOND', 'MICROSECOND'],
  SECOND_MICROSECOND: ['SECOND', 'MICROSECOND'],
};

/** A compound interval as months to move and milliseconds to add. */
interface CompoundAmount { months: number; ms: number }

/**
 * Reads a compound interval's text as MySQL does: the numbers in it, separated by anything else, a
 * leading '-' negating the whole; too few numbers fill the rightmost fields; a microsecond field's
 * digits are a fraction ('1.5' SECOND_MICROSECOND is 1.5 s). Undefined (NULL) for too many numbers.
 */
function readCompound(text: string, unit: string, sign: number): CompoundAmount | undefined {
  const fields = COMPOUND_UNITS[unit];
  const trimmed = text.trim();
  const negative = trimmed.startsWith('-');
  const numbers = trimmed.match(/\d+/g) ?? [];
  if (numbers.length > fields.length) return undefined;
  const offset = fields.length - numbers.length;
  const out: CompoundAmount = { months: 0, ms: 0 };
  for (let i = 0; i < numbers.length; i++) {
    const field = fields[offset + i];
    const digits = numbers[i];
    const n = Number(digits);
    if (field === 'YEAR') out.months += n * 12;
    else if (field === 'MONTH') out.months += n;
    else if (field === 'MICROSECOND') out.ms += Number((digits + '000000').slice(0, 6)) / 1000;
    else out.ms += n * UNIT_MS[field];
  }
  const k = (negative ? -1 : 1) * sign;
  out.months *= k;
  out.ms *= k;
  return out;
}

/** Text with a time of day after the date ('2024-01-31 10:00', '20240131100000'). */
const DATE_WITH_TIME = /^\s*\S+[ T]\S|^\s*\d{12,}/;

function dateAdd(name: string, sign: 1 | -1): FunctionDef {
  return {
    name, minArgs: 2, maxArgs: 2, rawArgs: true,
    compile(_args, env, call, compiler) {
      const d = compiler.compile(call.args[0], env);
      const ivExpr = call.args[1];
      const iv = ivExpr.type === 'interval' ? ivExpr : { type: 'interval' as const, value: ivExpr, unit: 'DAY' };
      const amount = compiler.compile(iv.value, env);
      const unit = iv.unit.toUpperCase();
      const de = d.eval, ae = amount.eval;
      const compound = unit in COMPOUND_UNITS;
      const dayOrMore = compound ? unit === 'YEAR_MONTH' : !(unit in UNIT_MS && UNIT_MS[unit] < 86400000);
      const dateOnly = d.type.kind === 'date' && dayOrMore;
      // Text without a time part stays a date when whole days are added ('2024-01-31' + 1 MONTH = '2024-02-29').
      const textDate = dayOrMore && d.type.kind !== 'datetime' && d.type.kind !== 'timestamp' && d.type.kind !== 'date';
      return {
        type: dateOnly ? T_DATE : T_DATETIME, nullable: true, constant: d.constant && amount.constant,
        eval: (r, c) => {
          const dv = de(r, c);
          const av = ae(r, c);
          if (dv === null || av === null) return null;
          const s = valueToString(dv);
          const keepDate = dateOnly || (textDate && typeof dv === 'string' && !DATE_WITH_TIME.test(s));
          if (compound) {
            const amount = readCompound(valueToString(av), unit, sign);
            if (!amount) return null;
            const moved = amount.months === 0 ? s : shiftDate(s, amount.months, 'MONTH', false);
            return moved === null ? null : shiftDate(String(moved), amount.ms, 'MILLISECOND', keepDate);
          }
          return shiftDate(s, toDouble(av) * sign, unit, keepDate);
        },
      };
    },
  };
}

/** TIMESTAMPADD(unit, n, d) is DATE_ADD(d, INTERVAL n unit); the parser puts the unit on the call. */
const TIMESTAMPADD: FunctionDef = {
  name: 'TIMESTAMPADD', minArgs: 2, maxArgs: 2, rawArgs: true,
  compile(_args, env, call, compiler) {
    const interval = { type: 'interval' as const, value: call.args[0], unit: (call.unit ?? 'DAY').toUpperCase(), pos: call.pos };
    return DATE_ADD.compile([], env, { ...call, name: 'DATE_ADD', args: [call.args[1], interval] }, compiler);
  },
};

function shiftDate(s: string, n: number, unit: string, dateOnly: boolean): Value {
  const dt = parseDateTime(s, 6) ?? (parseDate(s) ? parseDate(s) + ' 00:00:00.000000' : undefined);
  if (!dt) return null;
  const base = new Date(Date.UTC(+dt.slice(0, 4), +dt.slice(5, 7) - 1, +dt.slice(8, 10), +dt.slice(11, 13), +dt.slice(14, 16), +dt.slice(17, 19), Math.floor(+dt.slice(20, 26) / 1000)));
  if (unit in UNIT_MS) base.setTime(base.getTime() + n * UNIT_MS[unit]);
  else if (unit === 'MONTH' || unit === 'QUARTER' || unit === 'YEAR') {
    const months = Math.trunc(n) * (unit === 'YEAR' ? 12 : unit === 'QUARTER' ? 3 : 1);
    const day = base.getUTCDate();
    base.setUTCDate(1);
    base.setUTCMonth(base.getUTCMonth() + months);
    const last = new Date(Date.UTC(base.getUTCFullYear(), base.getUTCMonth() + 1, 0)).getUTCDate();
    base.setUTCDate(Math.min(day, last));
  } else {
    throw sqlError('NOT_SUPPORTED_YET', `This version of mizzle does not yet support INTERVAL unit ${unit}`);
  }
  const y = base.getUTCFullYear();
  if (y < 1 || y > 9999) return null;
  const iso = base.toISOString();
  return dateOnly ? iso.slice(0, 10) : iso.slice(0, 10) + ' ' + iso.slice(11, 19);
}

const DATE_ADD = dateAdd('DATE_ADD', 1);

export const datetimeFunctions: FunctionDef[] = [
  nowLike('NOW', 'datetime'), nowLike('CURRENT_TIMESTAMP', 'datetime'), nowLike('LOCALTIME', 'datetime'), nowLike('LOCALTIMESTAMP', 'datetime'),
  nowLike('CURDATE', 'date'), nowLike('CURRENT_DATE', 'date'),
  nowLike('CURTIME', 'time'), nowLike('CURRENT_TIME', 'time'),
  SYSDATE, UNIX_TIMESTAMP, DATE, CONVERT_TZ,
  datePart('YEAR', (d) => +d.slice(0, 4)),
  datePart('MONTH', (d) => +d.slice(5, 7)),
  datePart('DAY', (d) => +d.slice(8, 10)),
  datePart('DAYOFMONTH', (d) => +d.slice(8, 10)),
  DATE_ADD, dateAdd('ADDDATE', 1), TIMESTAMPADD, dateAdd('DATE_SUB', -1), dateAdd('SUBDATE', -1),
];
