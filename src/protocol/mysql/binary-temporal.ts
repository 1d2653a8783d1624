// Binary-protocol DATE/DATETIME/TIMESTAMP and TIME values, to and from mizzle's canonical temporal strings (both ends).
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, type PayloadReader } from './payload-reader.js';

function pad2(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

function pad4(n: number): string {
  return n >= 1000 ? String(n) : n >= 100 ? '0' + n : n >= 10 ? '00' + n : '000' + n;
}

function micros6(n: number): string {
  return String(n).padStart(6, '0');
}

/**
 * `text` with its fraction: `fsp` digits when the column declares them (a result
 * column's decimals, 1 to 6), else six digits when there is one (a parameter).
 */
function withFraction(text: string, micro: number, fsp: number | undefined): string {
  if (fsp === undefined || fsp <= 0 || fsp > 6) return micro === 0 ? text : `${text}.${micros6(micro)}`;
  return `${text}.${micros6(micro).slice(0, fsp)}`;
}

/**
 * Reads a binary date/datetime (length byte 0, 4, 7 or 11). `dateOnly` (a DATE
 * parameter or column) gives 'YYYY-MM-DD' unless a time of day was sent; otherwise
 * 'YYYY-MM-DD HH:MM:SS[.f]' with the fraction as `fsp` says (see withFraction).
 */
export function readBinaryDateTime(r: PayloadReader, dateOnly: boolean, fsp?: number): string {
  const len = r.u8();
  if (len !== 0 && len !== 4 && len !== 7 && len !== 11) throw new MalformedPacketError(`bad binary datetime length ${len}`);
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, micro = 0;
  if (len >= 4) {
    year = r.u16();
    month = r.u8();
    day = r.u8();
  }
  if (len >= 7) {
    hour = r.u8();
    minute = r.u8();
    second = r.u8();
  }
  if (len === 11) micro = r.u32();
  const date = `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
  if (dateOnly && hour === 0 && minute === 0 && second === 0 && micro === 0) return date;
  const time = `${date} ${pad2(hour)}:${pad2(minute)}:${pad2(second)}`;
  return withFraction(time, micro, fsp);
}

/**
 * Reads a binary time (length 0, 8 or 12: sign, days, h, m, s[, µs]) as
 * '[-]HH:MM:SS[.f]' (hours may exceed 99; the fraction as `fsp` says, see withFraction).
 */
export function readBinaryTime(r: PayloadReader, fsp?: number): string {
  const len = r.u8();
  if (len === 0) return withFraction('00:00:00', 0, fsp);
  if (len !== 8 && len !== 12) throw new MalformedPacketError(`bad binary time length ${len}`);
  const negative = r.u8() !== 0;
  const days = r.u32();
  const hours = days * 24 + r.u8();
  const minute = r.u8();
  const second = r.u8();
  const micro = len === 12 ? r.u32() : 0;
  const text = `${negative ? '-' : ''}${pad2(hours)}:${pad2(minute)}:${pad2(second)}`;
  return withFraction(text, micro, fsp);
}

/**
 * The numbers in a canonical temporal string, in order (year, month, day, hour,
 * minute, second, or hours, minutes, seconds for TIME), written into `out`;
 * returns how many were found (at most 6). The fraction goes to out[6] in
 * microseconds, and out[7] is 1 for a leading '-'.
 */
function scanTemporal(s: string, out: Int32Array): number {
  out.fill(0);
  let count = 0;
  let i = 0;
  const n = s.length;
  if (n > 0 && s.charCodeAt(0) === 0x2d) {
    out[7] = 1;
    i = 1;
  }
  while (i < n && count < 6) {
    let c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return -1;
    let v = 0;
    while (c >= 0x30 && c <= 0x39) {
      v = v * 10 + (c - 0x30);
      if (++i >= n) break;
      c = s.charCodeAt(i);
    }
    out[count++] = v;
    if (i >= n) break;
    if (c === 0x2e) {
      // Fraction: up to six digits, scaled to microseconds.
      let micro = 0;
      let digits = 0;
      for (i++; i < n; i++) {
        const d = s.charCodeAt(i);
        if (d < 0x30 || d > 0x39) break;
        if (digits < 6) {
          micro = micro * 10 + (d - 0x30);
          digits++;
        }
      }
      while (digits++ < 6) micro *= 10;
      out[6] = micro;
      break;
    }
    i++; // a separator: '-', ' ', ':' or 'T'
  }
  return count;
}

const parts = new Int32Array(8);

/**
 * Writes a canonical 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' string in the binary
 * date format with the shortest length MySQL uses (0 for the zero date, 4 without
 * time of day, 7 without microseconds, else 11). Unreadable text is written as 0.
 */
export function writeBinaryDateTime(w: PacketWriter, s: string): void {
  const count = scanTemporal(s, parts);
  if (count < 3) {
    w.u8(0);
    return;
  }
  const [year, month, day, hour, minute, second, micro] = parts;
  if (micro !== 0) {
    w.u8(11).u16(year).u8(month).u8(day).u8(hour).u8(minute).u8(second).u32(micro);
  } else if (hour !== 0 || minute !== 0 || second !== 0) {
    w.u8(7).u16(year).u8(month).u8(day).u8(hour).u8(minute).u8(second);
  } else if (year !== 0 || month !== 0 || day !== 0) {
    w.u8(4).u16(year).u8(month).u8(day);
  } else {
    w.u8(0);
  }
}

/**
 * Writes a canonical '[-]HH:MM:SS[.ffffff]' string in the binary time format
 * (length 0 for zero, 8 without microseconds, else 12; hours beyond 24 become days).
 */
export function writeBinaryTime(w: PacketWriter, s: string): void {
  const count = scanTemporal(s, parts);
  if (count < 3) {
    w.u8(0);
    return;
  }
  const hours = parts[0];
  const minute = parts[1];
  const second = parts[2];
  const micro = parts[6];
  const negative = parts[7];
  if (hours === 0 && minute === 0 && second === 0 && micro === 0) {
    w.u8(0);
    return;
  }
  const days = Math.floor(hours / 24);
  w.u8(micro !== 0 ? 12 : 8).u8(negative).u32(days).u8(hours % 24).u8(minute).u8(second);
  if (micro !== 0) w.u32(micro);
}
