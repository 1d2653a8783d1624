// CONVERT_TZ(dt, from_tz, to_tz): time zones as '+hh:mm' offsets, SYSTEM (the server process's zone) or
// IANA names (from the runtime's zone database, as MySQL with its time zone tables loaded). An unknown
// zone or an invalid datetime gives NULL; a value outside TIMESTAMP's range is returned unconverted.
import type { Compiled } from '../analyzer/compile-expr.js';
import { T_DATETIME } from '../types/infer.js';
import { valueToString } from '../types/convert.js';
import { parseDateTime } from '../../base/temporal.js';
import { strict, type FunctionDef } from './define.js';

/** Milliseconds to add to a UTC instant to get the zone's wall clock at that instant. */
type ZoneOffset = (utcMs: number) => number;

const OFFSET = /^([+-])(\d{1,2}):(\d{2})$/;
const zones = new Map<string, ZoneOffset | null>();

/** A zone by MySQL's names; null when unknown. '+hh:mm' must lie in -13:59 .. +14:00, as in MySQL 8. */
function zoneOf(name: string): ZoneOffset | null {
  const m = OFFSET.exec(name.trim());
  if (m) {
    const minutes = Number(m[2]) * 60 + Number(m[3]);
    if (Number(m[3]) > 59 || (m[1] === '+' ? minutes > 14 * 60 : minutes > 13 * 60 + 59)) return null;
    const ms = (m[1] === '-' ? -minutes : minutes) * 60000;
    return () => ms;
  }
  const key = name.toUpperCase() === 'SYSTEM' ? Intl.DateTimeFormat().resolvedOptions().timeZone : name;
  let zone = zones.get(key);
  if (zone === undefined) {
    zone = namedZone(key);
    if (zones.size < 1000) zones.set(key, zone);
  }
  return zone;
}

function namedZone(name: string): ZoneOffset | null {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
  } catch {
    return null;
  }
  return (utcMs) => {
    const p: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(utcMs))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const wall = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    return wall - Math.floor(utcMs / 1000) * 1000;
  };
}

/** The UTC instant a zone's wall clock shows (a wall time in a DST gap or overlap is read with one of the two offsets around it). */
function wallToUtc(wallMs: number, zone: ZoneOffset): number {
  const first = wallMs - zone(wallMs);
  return wallMs - zone(first);
}

/** TIMESTAMP's range in UTC: 1970-01-01 00:00:01 to 2038-01-19 03:14:07. */
const TIMESTAMP_MIN = 1000;
const TIMESTAMP_MAX = 2147483647000;

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

export const CONVERT_TZ: FunctionDef = strict('CONVERT_TZ', 3, 3, (args: Compiled[]) => ({ ...T_DATETIME, fsp: args[0].type.fsp }), (v, _ctx, args) => {
  const fsp = args[0].type.fsp ?? (typeof v[0] === 'string' && /\.\d/.test(v[0]) ? 6 : 0);
  const dt = parseDateTime(valueToString(v[0]), fsp);
  const from = zoneOf(valueToString(v[1]));
  const to = zoneOf(valueToString(v[2]));
  if (dt === undefined || from === null || to === null) return null;
  const wall = Date.UTC(+dt.slice(0, 4), +dt.slice(5, 7) - 1, +dt.slice(8, 10), +dt.slice(11, 13), +dt.slice(14, 16), +dt.slice(17, 19));
  const utc = wallToUtc(wall, from);
  if (utc < TIMESTAMP_MIN || utc > TIMESTAMP_MAX) return dt;
  const d = new Date(utc + to(utc));
  const base = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return base + dt.slice(19);
});
