// Parsing and canonical text of DATE, DATETIME/TIMESTAMP, TIME and YEAR values.

const pad2 = (n: number) => (n < 10 ? '0' + n : String(n));
const pad4 = (n: number) => String(n).padStart(4, '0');

function daysInMonth(y: number, m: number): number {
  return m === 2 ? ((y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1];
}

function validDate(y: number, m: number, d: number): boolean {
  if (y === 0 && m === 0 && d === 0) return true; // the zero date
  return y >= 0 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

function fraction(frac: string | undefined, fsp: number): string {
  if (fsp <= 0) return '';
  return '.' + (frac ?? '').padEnd(fsp, '0').slice(0, fsp);
}

function twoDigitYear(y: number, len: number): number {
  if (len > 2) return y;
  return y < 70 ? 2000 + y : 1900 + y;
}

type DateTimeParts = { y: number; m: number; d: number; hh: number; mi: number; ss: number; frac?: string };

/** Delimited ('2024-1-31 10:00:00.5') and packed ('20240131100000') forms: year, month, day, hour, minute, second, fraction groups. */
const DELIMITED = /^(\d{2,4})[-/.:](\d{1,2})[-/.:](\d{1,2})(?:[ T](\d{1,2})(?:[:.](\d{1,2})(?:[:.](\d{1,2})(?:\.(\d*))?)?)?)?$/;
const PACKED = /^(\d{4}|\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})(?:\.(\d*))?)?$/;

/** Parses a date/datetime text into parts, or undefined. */
function parseDateTimeParts(s: string): DateTimeParts | undefined {
  const t = s.trim();
  const m = DELIMITED.exec(t) ?? PACKED.exec(t);
  if (!m) return undefined;
  return {
    y: twoDigitYear(parseInt(m[1], 10), m[1].length),
    m: parseInt(m[2], 10),
    d: parseInt(m[3], 10),
    hh: m[4] ? parseInt(m[4], 10) : 0,
    mi: m[5] ? parseInt(m[5], 10) : 0,
    ss: m[6] ? parseInt(m[6], 10) : 0,
    frac: m[7],
  };
}

/** Canonical 'YYYY-MM-DD' or undefined when the text is not a valid date. */
export function parseDate(s: string): string | undefined {
  const p = parseDateTimeParts(s);
  if (!p || !validDate(p.y, p.m, p.d)) return undefined;
  return `${pad4(p.y)}-${pad2(p.m)}-${pad2(p.d)}`;
}

/** Canonical 'YYYY-MM-DD HH:MM:SS[.f]' (fsp digits) or undefined. */
export function parseDateTime(s: string, fsp = 0): string | undefined {
  const p = parseDateTimeParts(s);
  if (!p || !validDate(p.y, p.m, p.d) || p.hh > 23 || p.mi > 59 || p.ss > 59) return undefined;
  return `${pad4(p.y)}-${pad2(p.m)}-${pad2(p.d)} ${pad2(p.hh)}:${pad2(p.mi)}:${pad2(p.ss)}${fraction(p.frac, fsp)}`;
}

/** Canonical '[-]HH:MM:SS[.f]' (hours up to 838) or undefined. Accepts 'D HH:MM:SS', 'HH:MM', 'HHMMSS', seconds. */
export function parseTime(s: string, fsp = 0): string | undefined {
  const t = s.trim();
  let m = /^(-)?(?:(\d+) )?(\d{1,3}):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d*))?$/.exec(t);
  let neg = false;
  let h = 0, mi = 0, sec = 0;
  let frac: string | undefined;
  if (m) {
    neg = !!m[1];
    h = parseInt(m[3], 10) + (m[2] ? parseInt(m[2], 10) * 24 : 0);
    mi = parseInt(m[4], 10);
    sec = m[5] ? parseInt(m[5], 10) : 0;
    frac = m[6];
  } else {
    m = /^(-)?(\d+)(?:\.(\d*))?$/.exec(t);
    if (!m) {
      const dt = parseDateTimeParts(t);
      if (!dt || !/\s/.test(t)) return undefined;
      return `${pad2(dt.hh)}:${pad2(dt.mi)}:${pad2(dt.ss)}${fraction(dt.frac, fsp)}`;
    }
    neg = !!m[1];
    const n = parseInt(m[2], 10);
    sec = n % 100;
    mi = Math.floor(n / 100) % 100;
    h = Math.floor(n / 10000);
    frac = m[3];
  }
  if (mi > 59 || sec > 59 || h > 838) return undefined;
  const body = `${pad2(h)}:${pad2(mi)}:${pad2(sec)}${fraction(frac, fsp)}`;
  return neg && (h || mi || sec) ? '-' + body : body;
}

/** A YEAR from text or number: 1901..2155 or 0; two-digit years map to 1970..2069. */
export function parseYear(v: string | number): number | undefined {
  const n = typeof v === 'number' ? v : /^\s*\d{1,4}\s*$/.test(v) ? parseInt(v, 10) : NaN;
  if (Number.isNaN(n)) return undefined;
  if (typeof v === 'string' && v.trim().length <= 2) return n < 70 ? 2000 + n : 1900 + n;
  if (n === 0) return 0;
  if (n > 0 && n < 70) return 2000 + n;
  if (n >= 70 && n < 100) return 1900 + n;
  return n >= 1901 && n <= 2155 ? n : undefined;
}

/** Local date/time parts of a JS Date as canonical DATETIME text with fsp digits. */
export function formatDateTime(d: Date, fsp = 0): string {
  const base = `${pad4(d.getFullYear())}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
  return fsp > 0 ? base + '.' + String(d.getMilliseconds()).padStart(3, '0').padEnd(fsp, '0').slice(0, fsp) : base;
}

export function formatDate(d: Date): string {
  return `${pad4(d.getFullYear())}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}`;
}

export function formatTime(d: Date, fsp = 0): string {
  return formatDateTime(d, fsp).slice(11);
}
