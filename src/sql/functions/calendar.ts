// Calendar arithmetic shared by the date functions: day numbers, weekdays, MySQL's week modes, value parsing.
import { parseDate, parseDateTime, parseTime } from '../../base/temporal.js';
import { valueToString } from '../types/convert.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';

/**
 * The fields of the value last read by `readDateTime`/`readTime`. One scratch object, refilled per
 * call, so evaluating a row allocates nothing; callers copy what they need before reading again.
 */
export const P = { y: 0, m: 0, d: 0, hh: 0, mi: 0, ss: 0, us: 0, neg: false };

const isTemporalDate = (t: SqlType | undefined) => t !== undefined && (t.kind === 'date' || t.kind === 'datetime' || t.kind === 'timestamp');

function fill(dt: string): void {
  P.y = +dt.slice(0, 4);
  P.m = +dt.slice(5, 7);
  P.d = +dt.slice(8, 10);
  P.hh = +dt.slice(11, 13);
  P.mi = +dt.slice(14, 16);
  P.ss = +dt.slice(17, 19);
  P.us = +dt.slice(20, 26);
  P.neg = false;
}

/** Reads a DATE or DATETIME value (or text/number in one of their forms) into P; false when it is none. */
export function readDateTime(v: Exclude<Value, null>): boolean {
  const s = Buffer.isBuffer(v) ? v.toString('latin1') : valueToString(v);
  const dt = parseDateTime(s, 6);
  if (dt !== undefined) {
    fill(dt);
    return true;
  }
  const d = parseDate(s);
  if (d === undefined) return false;
  fill(d + ' 00:00:00.000000');
  return true;
}

/**
 * Reads a TIME into P (hours unbounded by 24). Text is read as a time first: '10:11:12' would also
 * parse as the date 2010-11-12, and HOUR() of it must be 10. Values typed DATE/DATETIME use their time part.
 */
export function readTime(v: Exclude<Value, null>, type?: SqlType): boolean {
  if (isTemporalDate(type)) return readDateTime(v);
  const s = Buffer.isBuffer(v) ? v.toString('latin1') : valueToString(v);
  const t = parseTime(s, 6);
  if (t === undefined) return readDateTime(v);
  const neg = t.startsWith('-');
  const body = neg ? t.slice(1) : t;
  const c1 = body.indexOf(':');
  P.y = 0; P.m = 0; P.d = 0;
  P.hh = +body.slice(0, c1);
  P.mi = +body.slice(c1 + 1, c1 + 3);
  P.ss = +body.slice(c1 + 4, c1 + 6);
  P.us = +body.slice(c1 + 7, c1 + 13);
  P.neg = neg;
  return true;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (civil-calendar arithmetic in 400-year eras). */
export function epochDay(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of epochDay, into P.y/P.m/P.d. */
export function civilFromEpochDay(z0: number): void {
  const z = z0 + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const m = mp < 10 ? mp + 3 : mp - 9;
  P.d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  P.m = m;
  P.y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

/** TO_DAYS of 1970-01-01: MySQL counts days from year 0. */
export const EPOCH_TO_DAYS = 719528;

/** 0 = Monday ... 6 = Sunday (WEEKDAY()). */
export function weekday(epoch: number): number {
  return (((epoch + 3) % 7) + 7) % 7;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Epoch day on which week 1 of year y starts, for a week mode (see WEEK() in the MySQL manual). */
function weekOneStart(y: number, mondayFirst: boolean, fourDays: boolean): number {
  const jan1 = epochDay(y, 1, 1);
  const wd = mondayFirst ? weekday(jan1) : (weekday(jan1) + 1) % 7; // days since the week's first day
  if (fourDays) return 7 - wd >= 4 ? jan1 - wd : jan1 - wd + 7;
  return wd === 0 ? jan1 : jan1 - wd + 7;
}

/** WEEK(date, mode) with the year the week belongs to in `weekYear` (YEARWEEK, %X, %x). */
export const WEEK = { week: 0, year: 0 };

export function computeWeek(y: number, m: number, d: number, mode: number, forceRange1 = false): void {
  const mondayFirst = (mode & 1) === 1;
  const range1 = forceRange1 || (mode & 2) === 2;
  // Modes 1, 3, 4, 6: week 1 is the first with four or more days in the year.
  const fourDays = mode === 1 || mode === 3 || mode === 4 || mode === 6;
  const day = epochDay(y, m, d);
  let start = weekOneStart(y, mondayFirst, fourDays);
  let year = y;
  if (day < start) {
    if (!range1) {
      WEEK.week = 0;
      WEEK.year = y;
      return;
    }
    year = y - 1;
    start = weekOneStart(year, mondayFirst, fourDays);
  } else if (range1) {
    const next = weekOneStart(y + 1, mondayFirst, fourDays);
    if (day >= next) {
      year = y + 1;
      start = next;
    }
  }
  WEEK.week = Math.floor((day - start) / 7) + 1;
  WEEK.year = year;
}

export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
export const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));
const pad4 = (n: number) => (n < 1000 ? String(n).padStart(4, '0') : String(n));

/** 'YYYY-MM-DD' of P. */
export function dateText(): string {
  return `${pad4(P.y)}-${pad2(P.m)}-${pad2(P.d)}`;
}

/** 'YYYY-MM-DD HH:MM:SS[.ffffff]' of P, with fractional digits when fsp > 0. */
export function dateTimeText(fsp: number): string {
  const base = `${pad4(P.y)}-${pad2(P.m)}-${pad2(P.d)} ${pad2(P.hh)}:${pad2(P.mi)}:${pad2(P.ss)}`;
  return fsp > 0 ? base + '.' + String(P.us).padStart(6, '0').slice(0, fsp) : base;
}

/** '[-]HH:MM:SS[.ffffff]' of P. */
export function timeText(fsp: number): string {
  const base = `${P.neg ? '-' : ''}${pad2(P.hh)}:${pad2(P.mi)}:${pad2(P.ss)}`;
  return fsp > 0 ? base + '.' + String(P.us).padStart(6, '0').slice(0, fsp) : base;
}
