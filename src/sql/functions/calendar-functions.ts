// Calendar functions: DATEDIFF, TIMESTAMPDIFF, LAST_DAY, DAYNAME, WEEK, YEARWEEK, TO_DAYS, FROM_UNIXTIME, UTC_*, ...
import { sqlError } from '../../base/errors.js';
import { toDouble, toInteger, valueToString } from '../types/convert.js';
import { T_BIGINT, T_DATE, T_DATETIME, T_TIME, varchar } from '../types/infer.js';
import { formatDate, formatDateTime, formatTime } from '../../base/temporal.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import { constantValue, strict, type FunctionDef } from './define.js';
import {
  P, WEEK, DAY_NAMES, MONTH_NAMES, EPOCH_TO_DAYS, civilFromEpochDay, computeWeek, dateText, dateTimeText, daysInMonth, epochDay, readDateTime, readTime, timeText, weekday,
} from './calendar.js';
import { formatP } from './date-format.js';

/** Reads a date into P that names a real day: a zero month or day ('2024-00-10', '0000-00-00') counts as none, as in MySQL. */
function readFullDate(v: Exclude<Value, null>): boolean {
  return readDateTime(v) && P.m > 0 && P.d > 0;
}

/**
 * A function of one DATE/DATETIME argument; NULL when the argument is no valid date. Day arithmetic
 * (TO_DAYS, DAYNAME, ...) needs a real day; `zeroPartsAllowed` is for those MySQL answers from the parts (MONTHNAME).
 */
function ofDate(name: string, type: SqlType, pick: () => Value, zeroPartsAllowed = false): FunctionDef {
  return strict(name, 1, 1, () => type, (v) => ((zeroPartsAllowed ? readDateTime(v[0]) : readFullDate(v[0])) ? pick() : null));
}

/** A function of one TIME argument (or the time part of a DATETIME). */
function ofTime(name: string, type: SqlType, pick: () => Value): FunctionDef {
  return strict(name, 1, 1, () => type, (v, _c, a) => (readTime(v[0], a[0].type) ? pick() : null));
}

const today = () => epochDay(P.y, P.m, P.d);

/** WEEK(d[, mode]); the default mode is default_week_format's default, 0. */
const WEEK_FN = strict('WEEK', 1, 2, () => T_BIGINT, (v) => {
  if (!readFullDate(v[0])) return null;
  computeWeek(P.y, P.m, P.d, v.length > 1 ? Number(toInteger(v[1])) & 7 : 0);
  return WEEK.week;
});

/** YEARWEEK always numbers weeks 1..53, with the year the week belongs to. */
const YEARWEEK = strict('YEARWEEK', 1, 2, () => T_BIGINT, (v) => {
  if (!readFullDate(v[0])) return null;
  computeWeek(P.y, P.m, P.d, v.length > 1 ? Number(toInteger(v[1])) & 7 : 0, true);
  return WEEK.year * 100 + WEEK.week;
});

const DATEDIFF = strict('DATEDIFF', 2, 2, () => T_BIGINT, (v) => {
  if (!readFullDate(v[0])) return null;
  const a = today();
  if (!readFullDate(v[1])) return null;
  return a - today();
});

/** Microseconds since the epoch of P's date and time (exact in a double up to year 9999). */
const microsOfP = () => (today() * 86400 + P.hh * 3600 + P.mi * 60 + P.ss) * 1e6 + P.us;

const TIMESTAMPDIFF: FunctionDef = {
  name: 'TIMESTAMPDIFF', minArgs: 2, maxArgs: 2,
  compile(args, _env, call) {
    const unit = (call.unit ?? '').toUpperCase();
    const perUnit: Record<string, number> = { MICROSECOND: 1, SECOND: 1e6, MINUTE: 6e7, HOUR: 3.6e9, DAY: 8.64e10, WEEK: 6.048e11 };
    const months = unit === 'MONTH' ? 1 : unit === 'QUARTER' ? 3 : unit === 'YEAR' ? 12 : 0;
    if (!months && !(unit in perUnit)) throw sqlError('PARSE', `You have an error in your SQL syntax near '${unit}'`);
    const div = perUnit[unit] ?? 1;
    const ae = args[0].eval, be = args[1].eval;
    return {
      type: T_BIGINT, nullable: true, constant: args[0].constant && args[1].constant,
      eval: (r, c) => {
        const av = ae(r, c), bv = be(r, c);
        if (av === null || bv === null || !readDateTime(av)) return null;
        const ay = P.y, am = P.m, aRest = microsOfP() - epochDay(P.y, P.m, 1) * 8.64e10;
        const aMicros = microsOfP();
        if (!readDateTime(bv)) return null;
        if (!months) return Math.trunc((microsOfP() - aMicros) / div);
        // Whole months: the month count, less one when the later value's day-and-time has not reached the earlier one's.
        let n = (P.y - ay) * 12 + (P.m - am);
        const bRest = microsOfP() - epochDay(P.y, P.m, 1) * 8.64e10;
        if (n > 0 && bRest < aRest) n--;
        else if (n < 0 && bRest > aRest) n++;
        return Math.trunc(n / months);
      },
    };
  },
};

/** LAST_DAY reads the month only: a zero day is fine ('2024-01-00'), a zero month is not. */
const LAST_DAY = ofDate('LAST_DAY', T_DATE, () => {
  if (P.m === 0) return null;
  P.d = daysInMonth(P.y, P.m);
  return dateText();
}, true);

const TO_DAYS = ofDate('TO_DAYS', T_BIGINT, () => today() + EPOCH_TO_DAYS);
/** TO_SECONDS(d): seconds since year 0, TO_DAYS's count with the time of day added (fractions dropped). */
const TO_SECONDS = ofDate('TO_SECONDS', T_BIGINT, () => (today() + EPOCH_TO_DAYS) * 86400 + P.hh * 3600 + P.mi * 60 + P.ss);

const FROM_DAYS = strict('FROM_DAYS', 1, 1, () => T_DATE, (v) => {
  const n = Number(toInteger(v[0]));
  // Day numbers before year 1 (and past 9999) have no date in MySQL's calendar.
  if (n < 366 || n > 3652424) return '0000-00-00';
  civilFromEpochDay(n - EPOCH_TO_DAYS);
  return dateText();
});

const MAKEDATE = strict('MAKEDATE', 2, 2, () => T_DATE, (v) => {
  let y = Number(toInteger(v[0]));
  const doy = Number(toInteger(v[1]));
  if (doy <= 0 || y < 0 || y > 9999) return null;
  if (y < 100) y = y < 70 ? 2000 + y : 1900 + y;
  civilFromEpochDay(epochDay(y, 1, 1) + doy - 1);
  return P.y > 9999 ? null : dateText();
});

const TIME_TO_SEC = ofTime('TIME_TO_SEC', T_BIGINT, () => (P.neg ? -1 : 1) * (P.hh * 3600 + P.mi * 60 + P.ss));

const SEC_TO_TIME = strict('SEC_TO_TIME', 1, 1, () => T_TIME, (v) => {
  const n = toDouble(v[0]);
  const a = Math.min(Math.trunc(Math.abs(n)), 838 * 3600 + 59 * 60 + 59);
  P.neg = n < 0;
  P.hh = Math.floor(a / 3600);
  P.mi = Math.floor(a / 60) % 60;
  P.ss = a % 60;
  P.us = 0;
  return timeText(0);
});

/** Fills P from a JS Date's local fields (FROM_UNIXTIME renders in the session's zone, here the server's). */
function fillFromDate(d: Date, us: number): void {
  P.y = d.getFullYear(); P.m = d.getMonth() + 1; P.d = d.getDate();
  P.hh = d.getHours(); P.mi = d.getMinutes(); P.ss = d.getSeconds(); P.us = us; P.neg = false;
}

const FROM_UNIXTIME: FunctionDef = {
  name: 'FROM_UNIXTIME', minArgs: 1, maxArgs: 2,
  compile(args) {
    const fsp = Math.min(6, args[0].type.kind === 'decimal' ? args[0].type.scale ?? 0 : args[0].type.kind === 'double' ? 6 : 0);
    const ne = args[0].eval;
    const fe = args.length > 1 ? args[1].eval : undefined;
    return {
      type: fe ? varchar(255) : { ...T_DATETIME, fsp: fsp || undefined }, nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const nv = ne(r, c);
        if (nv === null) return null;
        const secs = toDouble(nv);
        // MySQL 8 accepts 0 .. 32536771199.999999 (3001-01-18 23:59:59 UTC) on 64-bit platforms.
        if (!(secs >= 0) || secs > 32536771199.999999) return null;
        const whole = Math.floor(secs);
        fillFromDate(new Date(whole * 1000), Math.round((secs - whole) * 1e6));
        if (!fe) return dateTimeText(fsp);
        const f = fe(r, c);
        return f === null ? null : formatP(valueToString(f));
      },
    };
  },
};

/** EXTRACT(unit FROM d): the parser puts the unit on the call. */
const EXTRACT: FunctionDef = {
  name: 'EXTRACT', minArgs: 1, maxArgs: 1,
  compile(args, _env, call) {
    const unit = (call.unit ?? '').toUpperCase();
    const timeOnly = unit === 'HOUR' || unit === 'MINUTE' || unit === 'SECOND' || unit === 'MICROSECOND';
    const pick: Record<string, () => number> = {
      YEAR: () => P.y, MONTH: () => P.m, DAY: () => P.d, QUARTER: () => Math.ceil(P.m / 3),
      WEEK: () => (computeWeek(P.y, P.m, P.d, 0), WEEK.week), YEAR_MONTH: () => P.y * 100 + P.m,
      HOUR: () => P.hh, MINUTE: () => P.mi, SECOND: () => P.ss, MICROSECOND: () => P.us,
      DAY_HOUR: () => P.d * 100 + P.hh, DAY_MINUTE: () => (P.d * 100 + P.hh) * 100 + P.mi,
      DAY_SECOND: () => ((P.d * 100 + P.hh) * 100 + P.mi) * 100 + P.ss,
      HOUR_MINUTE: () => P.hh * 100 + P.mi, HOUR_SECOND: () => (P.hh * 100 + P.mi) * 100 + P.ss, MINUTE_SECOND: () => P.mi * 100 + P.ss,
    };
    const f = pick[unit];
    if (!f) throw sqlError('NOT_SUPPORTED_YET', `This version of mizzle does not yet support EXTRACT(${unit} FROM ...)`);
    const e = args[0].eval, type = args[0].type;
    return {
      type: T_BIGINT, nullable: true, constant: args[0].constant,
      eval: (r, c) => {
        const v = e(r, c);
        if (v === null) return null;
        const ok = timeOnly ? readTime(v, type) : readDateTime(v);
        return ok ? (timeOnly && P.neg ? -f() : f()) : null;
      },
    };
  },
};

/** Text or values with a date part ('2024-01-02 10:00'), as opposed to a bare TIME ('10:00:00', '1 10:00'). */
function hasDatePart(v: Exclude<Value, null>, type: SqlType): boolean {
  if (type.kind === 'date' || type.kind === 'datetime' || type.kind === 'timestamp') return true;
  if (type.kind === 'time') return false;
  return typeof v === 'string' && /^\s*\d{2,4}[-/.]\d/.test(v);
}

/** Signed microseconds of the TIME in P. */
const timeMicrosOfP = () => (P.neg ? -1 : 1) * ((P.hh * 3600 + P.mi * 60 + P.ss) * 1e6 + P.us);

const MAX_TIME_MICROS = (838 * 3600 + 59 * 60 + 59) * 1e6;

/** Renders signed microseconds as TIME, clipped to MySQL's +-838:59:59. */
function timeFromMicros(us: number, fsp: number): string {
  const a = Math.min(Math.abs(us), MAX_TIME_MICROS);
  P.neg = us < 0;
  const secs = Math.floor(a / 1e6);
  P.hh = Math.floor(secs / 3600);
  P.mi = Math.floor(secs / 60) % 60;
  P.ss = secs % 60;
  P.us = Math.round(a - secs * 1e6);
  return timeText(fsp);
}

/** Renders microseconds since the epoch as DATETIME, or NULL outside years 1..9999. */
function dateTimeFromMicros(us: number, fsp: number): Value {
  const day = Math.floor(us / 8.64e10);
  let rest = us - day * 8.64e10;
  civilFromEpochDay(day);
  if (P.y < 1 || P.y > 9999) return null;
  P.hh = Math.floor(rest / 3.6e9); rest -= P.hh * 3.6e9;
  P.mi = Math.floor(rest / 6e7); rest -= P.mi * 6e7;
  P.ss = Math.floor(rest / 1e6);
  P.us = Math.round(rest - P.ss * 1e6);
  return dateTimeText(fsp);
}

const fspOf = (t: SqlType) => t.fsp ?? (t.kind === 'decimal' ? Math.min(6, t.scale ?? 0) : 0);

/** TIMEDIFF(a, b) = a - b as TIME; both must be times or both datetimes. */
const TIMEDIFF = strict('TIMEDIFF', 2, 2, (a) => ({ ...T_TIME, fsp: Math.max(fspOf(a[0].type), fspOf(a[1].type)) || undefined }), (v, _c, a) => {
  const dated = hasDatePart(v[0], a[0].type);
  if (dated !== hasDatePart(v[1], a[1].type)) return null;
  if (!(dated ? readDateTime(v[0]) : readTime(v[0], a[0].type))) return null;
  const x = dated ? microsOfP() : timeMicrosOfP();
  if (!(dated ? readDateTime(v[1]) : readTime(v[1], a[1].type))) return null;
  const us = x - (dated ? microsOfP() : timeMicrosOfP());
  return timeFromMicros(us, P.us || us % 1e6 ? 6 : 0);
});

/** ADDTIME / SUBTIME(expr, time): a DATETIME stays a DATETIME, a TIME a TIME. */
function addTime(name: string, sign: 1 | -1): FunctionDef {
  return strict(name, 2, 2, (a) => (a[0].type.kind === 'datetime' || a[0].type.kind === 'timestamp' ? T_DATETIME : T_TIME), (v, _c, a) => {
    const dated = hasDatePart(v[0], a[0].type);
    if (!(dated ? readDateTime(v[0]) : readTime(v[0], a[0].type))) return null;
    const base = dated ? microsOfP() : timeMicrosOfP();
    const hadFraction = P.us !== 0;
    if (hasDatePart(v[1], a[1].type) || !readTime(v[1], a[1].type)) return null;
    const fsp = hadFraction || P.us !== 0 ? 6 : 0;
    const sum = base + sign * timeMicrosOfP();
    return dated ? dateTimeFromMicros(sum, fsp) : timeFromMicros(sum, fsp);
  });
}

/** TIMESTAMP(expr[, time]): a DATETIME, with a TIME added. */
const TIMESTAMP = strict('TIMESTAMP', 1, 2, () => T_DATETIME, (v, _c, a) => {
  if (!readDateTime(v[0])) return null;
  let us = microsOfP();
  let fsp = P.us ? 6 : 0;
  if (v.length > 1) {
    if (!readTime(v[1], a[1].type)) return null;
    us += timeMicrosOfP();
    if (P.us) fsp = 6;
  }
  return dateTimeFromMicros(us, fsp);
});

const MAKETIME = strict('MAKETIME', 3, 3, () => T_TIME, (v) => {
  const h = Number(toInteger(v[0]));
  const m = Number(toInteger(v[1]));
  const sec = toDouble(v[2]);
  if (m < 0 || m > 59 || sec < 0 || sec >= 60) return null;
  const us = (Math.abs(h) * 3600 + m * 60) * 1e6 + Math.round(sec * 1e6);
  return timeFromMicros(h < 0 ? -us : us, Number.isInteger(sec) ? 0 : 6);
});

/** Periods are YYMM or YYYYMM numbers; two-digit years map to 1970..2069. */
function periodMonths(p: number): number {
  let y = Math.floor(p / 100);
  if (y < 100) y += y < 70 ? 2000 : 1900;
  return y * 12 + (p % 100) - 1;
}

const PERIOD_ADD = strict('PERIOD_ADD', 2, 2, () => T_BIGINT, (v) => {
  const p = Number(toInteger(v[0]));
  if (p === 0) return 0;
  const m = periodMonths(p) + Number(toInteger(v[1]));
  return Math.floor(m / 12) * 100 + (m % 12) + 1;
});

const PERIOD_DIFF = strict('PERIOD_DIFF', 2, 2, () => T_BIGINT, (v) => periodMonths(Number(toInteger(v[0]))) - periodMonths(Number(toInteger(v[1]))));

function utcNow(c: { now: Date }): Date {
  return new Date(c.now.getTime() + c.now.getTimezoneOffset() * 60000);
}

function utcLike(name: string, kind: 'datetime' | 'date' | 'time'): FunctionDef {
  return {
    name, minArgs: 0, maxArgs: kind === 'date' ? 0 : 1,
    compile(args: Compiled[]) {
      const v = args[0] ? constantValue(args[0]) : 0;
      const fsp = v === null || v === undefined ? 0 : Number(toInteger(v));
      if (fsp < 0 || fsp > 6) throw sqlError('TOO_BIG_PRECISION', `Too-big precision ${fsp} specified. Maximum is 6.`);
      const type: SqlType = kind === 'datetime' ? { ...T_DATETIME, fsp: fsp || undefined } : kind === 'date' ? T_DATE : { ...T_TIME, fsp: fsp || undefined };
      const f = kind === 'datetime' ? (d: Date) => formatDateTime(d, fsp) : kind === 'date' ? formatDate : (d: Date) => formatTime(d, fsp);
      return { type, nullable: false, constant: false, eval: (_r, c) => f(utcNow(c)) };
    },
  };
}

export const calendarFunctions: FunctionDef[] = [
  WEEK_FN, YEARWEEK, ofDate('WEEKOFYEAR', T_BIGINT, () => (computeWeek(P.y, P.m, P.d, 3), WEEK.week)),
  ofDate('DAYNAME', varchar(9), () => DAY_NAMES[weekday(today())]),
  ofDate('MONTHNAME', varchar(9), () => (P.m > 0 ? MONTH_NAMES[P.m - 1] : null), true),
  ofDate('DAYOFWEEK', T_BIGINT, () => ((weekday(today()) + 1) % 7) + 1),
  ofDate('WEEKDAY', T_BIGINT, () => weekday(today())),
  ofDate('DAYOFYEAR', T_BIGINT, () => today() - epochDay(P.y, 1, 1) + 1),
  ofDate('QUARTER', T_BIGINT, () => Math.ceil(P.m / 3), true),
  DATEDIFF, TIMESTAMPDIFF, LAST_DAY, TO_DAYS, TO_SECONDS, FROM_DAYS, MAKEDATE,
  ofTime('HOUR', T_BIGINT, () => P.hh), ofTime('MINUTE', T_BIGINT, () => P.mi), ofTime('SECOND', T_BIGINT, () => P.ss),
  ofTime('MICROSECOND', T_BIGINT, () => P.us),
  ofTime('TIME', T_TIME, () => timeText(P.us ? 6 : 0)),
  TIME_TO_SEC, SEC_TO_TIME, FROM_UNIXTIME, EXTRACT,
  TIMEDIFF, addTime('ADDTIME', 1), addTime('SUBTIME', -1), TIMESTAMP, MAKETIME, PERIOD_ADD, PERIOD_DIFF,
  utcLike('UTC_TIMESTAMP', 'datetime'), utcLike('UTC_DATE', 'date'), utcLike('UTC_TIME', 'time'),
];
