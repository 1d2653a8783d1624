// Order-preserving, self-delimiting binary encoding of index key values, and range bounds over them.
import { collationKey } from '../base/collation.js';
import { Decimal } from '../base/decimal.js';
import type { Value } from '../base/value.js';
import type { KvRange } from './kv.js';
import type { ColumnDef } from './table-def.js';
import { ByteWriter } from './byte-writer.js';
import {
  FAM_BINARY, FAM_DATETEXT, FAM_DECIMAL, FAM_DOUBLE, FAM_ENUM, FAM_INT, FAM_SET, FAM_TEXT, FAM_TIME, FAM_UINT, FAM_YEAR,
  familyMismatch, familyOf, timeToMicros, type Family,
} from './column-family.js';

/*
 * Every value starts with a tag byte: NULL (0x01) sorts before any value (0x02).
 * Then, per family:
 *   int       8 bytes big-endian two's complement with the sign bit flipped
 *   uint/set  8 bytes big-endian (set: the member bitmask)
 *   time      signed microseconds, as int
 *   double    IEEE-754 big-endian; negatives inverted, positives sign-flipped; -0 = 0
 *   decimal   sign byte (01 neg, 02 zero, 03 pos), then for non-zero: u16 exponent
 *             (integer digits + 0x8000), digit pairs as bytes 1..100, 0x00 end;
 *             all bytes after the sign inverted for negatives
 *   text      UTF-8 of the collation key; binary: raw bytes; date text: raw ASCII;
 *             0x00 escaped as 00 FF and terminated by 00 01, so a prefix sorts first
 *   year/enum u16 (enum: the 1-based member index, '' = 0)
 * Composite keys are plain concatenations.
 */
const TAG_NULL = 0x01;
const TAG_VALUE = 0x02;

/** How one index column is encoded: its family plus what the family needs. Built once per index. */
export interface KeyPart {
  readonly fam: Family;
  /** Collation for text columns. */
  readonly collation: string | undefined;
  /** Index only the first N characters (text) or bytes (binary); 0 = whole value. */
  readonly prefix: number;
  /** ENUM/SET member → 0-based position (exact and lower-cased spellings). */
  readonly members: ReadonlyMap<string, number> | undefined;
}

/** Builds the key part for a column, resolving its collation against the table's. */
export function keyPartFor(col: ColumnDef, tableCollation: string | undefined, prefixLength?: number): KeyPart {
  const fam = familyOf(col.type);
  let members: Map<string, number> | undefined;
  if (fam === FAM_ENUM || fam === FAM_SET) {
    members = new Map();
    const vals = col.type.values ?? [];
    for (let i = vals.length - 1; i >= 0; i--) members.set(vals[i].toLowerCase(), i);
    for (let i = 0; i < vals.length; i++) members.set(vals[i], i);
  }
  return { fam, collation: col.type.collation ?? tableCollation, prefix: prefixLength ?? 0, members };
}

const TWO32 = 4294967296;

function writeInt64Number(w: ByteWriter, v: number, signed: boolean): void {
  w.ensure(8);
  const b = w.buf;
  const p = w.pos;
  const hi = Math.floor(v / TWO32);
  const lo = v - hi * TWO32;
  if (signed) {
    b.writeInt32BE(hi, p);
    b[p] ^= 0x80;
  } else {
    b.writeUInt32BE(hi, p);
  }
  b.writeUInt32BE(lo, p + 4);
  w.pos = p + 8;
}

function writeInt64Big(w: ByteWriter, v: bigint, signed: boolean): void {
  w.ensure(8);
  const p = w.pos;
  if (signed) {
    w.buf.writeBigInt64BE(v, p);
    w.buf[p] ^= 0x80;
  } else {
    w.buf.writeBigUInt64BE(v, p);
  }
  w.pos = p + 8;
}

/** Escapes 0x00 bytes written since `start` (00 → 00 FF) and appends the 00 01 terminator. */
function escapeAndTerminate(w: ByteWriter, start: number): void {
  let b = w.buf;
  let zero = b.indexOf(0, start);
  if (zero >= 0 && zero < w.pos) {
    let zeros = 0;
    for (let i = zero; i < w.pos; i++) if (b[i] === 0) zeros++;
    w.ensure(zeros + 2);
    b = w.buf;
    let src = w.pos - 1;
    let dst = w.pos + zeros - 1;
    while (src >= zero) {
      const c = b[src--];
      if (c === 0) {
        b[dst--] = 0xff;
        b[dst--] = 0;
      } else {
        b[dst--] = c;
      }
    }
    w.pos += zeros;
  } else {
    w.ensure(2);
  }
  w.buf[w.pos++] = 0;
  w.buf[w.pos++] = 1;
}

/** The first `n` code points of `s`. */
export function truncateCodePoints(s: string, n: number): string {
  if (s.length <= n) return s;
  let i = 0;
  for (let k = 0; k < n && i < s.length; k++) {
    const c = s.charCodeAt(i);
    i += c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  }
  return s.slice(0, i);
}

function writeDecimal(w: ByteWriter, d: Decimal): void {
  const u = d.unscaled;
  if (u === 0n) {
    w.u8(0x02);
    return;
  }
  const neg = u < 0n;
  let digits = (neg ? -u : u).toString();
  const exponent = digits.length - d.scale;
  let end = digits.length;
  while (digits.charCodeAt(end - 1) === 48) end--;
  if (end !== digits.length) digits = digits.slice(0, end);
  if (exponent < -0x7fff || exponent > 0x7fff) throw new RangeError('storage: decimal exponent out of range for a key');
  w.ensure(4 + (digits.length + 1) / 2);
  const b = w.buf;
  let p = w.pos;
  b[p++] = neg ? 0x01 : 0x03;
  const start = p;
  const e = exponent + 0x8000;
  b[p++] = e >>> 8;
  b[p++] = e & 0xff;
  for (let i = 0; i < digits.length; i += 2) {
    const d1 = digits.charCodeAt(i) - 48;
    const d2 = i + 1 < digits.length ? digits.charCodeAt(i + 1) - 48 : 0;
    b[p++] = d1 * 10 + d2 + 1;
  }
  b[p++] = 0;
  if (neg) for (let i = start; i < p; i++) b[i] = ~b[i] & 0xff;
  w.pos = p;
}

function memberIndex(part: KeyPart, s: string): number {
  const m = part.members;
  let i = m?.get(s);
  if (i === undefined) i = m?.get(s.toLowerCase());
  return i === undefined ? -1 : i;
}

/**
 * Appends one value's key encoding. Throws a TypeError (a caller bug, not a
 * client error) when the value does not fit the column's family.
 */
export function encodeKeyValue(w: ByteWriter, part: KeyPart, v: Value): void {
  if (v === null) {
    w.u8(TAG_NULL);
    return;
  }
  w.u8(TAG_VALUE);
  switch (part.fam) {
    case FAM_INT:
      if (typeof v === 'number' && Number.isInteger(v)) return writeInt64Number(w, v, true);
      if (typeof v === 'bigint') return writeInt64Big(w, v, true);
      break;
    case FAM_UINT:
      if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return writeInt64Number(w, v, false);
      if (typeof v === 'bigint') return writeInt64Big(w, v, false);
      break;
    case FAM_DOUBLE:
      if (typeof v === 'number' && !Number.isNaN(v)) {
        w.ensure(8);
        const b = w.buf;
        const p = w.pos;
        b.writeDoubleBE(v === 0 ? 0 : v, p);
        if (b[p] & 0x80) for (let i = p; i < p + 8; i++) b[i] = ~b[i] & 0xff;
        else b[p] ^= 0x80;
        w.pos = p + 8;
        return;
      }
      break;
    case FAM_DECIMAL:
      if (v instanceof Decimal) return writeDecimal(w, v);
      if (typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v))) return writeDecimal(w, Decimal.fromInt(v));
      break;
    case FAM_TEXT:
      if (typeof v === 'string') {
        const s = part.prefix > 0 ? truncateCodePoints(v, part.prefix) : v;
        const start = w.pos;
        w.utf8(collationKey(s, part.collation));
        return escapeAndTerminate(w, start);
      }
      break;
    case FAM_BINARY:
      if (Buffer.isBuffer(v)) {
        const start = w.pos;
        w.bytes(v, 0, part.prefix > 0 && v.length > part.prefix ? part.prefix : v.length);
        return escapeAndTerminate(w, start);
      }
      break;
    case FAM_DATETEXT:
      if (typeof v === 'string') {
        const start = w.pos;
        w.utf8(v);
        return escapeAndTerminate(w, start);
      }
      break;
    case FAM_TIME:
      if (typeof v === 'string') {
        const us = timeToMicros(v);
        if (!Number.isNaN(us)) return writeInt64Number(w, us, true);
      }
      break;
    case FAM_YEAR: {
      const y = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
      if (Number.isInteger(y) && y >= 0 && y <= 0xffff) return w.u16(y);
      break;
    }
    case FAM_ENUM:
      if (typeof v === 'string') {
        const i = v === '' ? -1 : memberIndex(part, v);
        if (i >= 0 || v === '') return w.u16(i + 1);
      }
      break;
    case FAM_SET:
      if (typeof v === 'string') {
        let hi = 0;
        let lo = 0;
        let ok = true;
        if (v !== '') {
          for (const member of v.split(',')) {
            const i = memberIndex(part, member);
            if (i < 0) ok = false;
            else if (i < 32) lo = (lo | (1 << i)) >>> 0;
            else hi = (hi | (1 << (i - 32))) >>> 0;
          }
        }
        if (ok) {
          w.u32(hi);
          return w.u32(lo);
        }
      }
      break;
  }
  throw familyMismatch(part.fam, v, 'index key');
}

/** Appends the encodings of `values[0..count)` under `parts[0..count)`. */
export function encodeKeyValues(w: ByteWriter, parts: readonly KeyPart[], values: readonly Value[], count = values.length): void {
  for (let i = 0; i < count; i++) encodeKeyValue(w, parts[i], values[i]);
}

/**
 * Whether a column's value can be read back from its key bytes exactly as the row codec
 * would return it: integers, YEAR, dates and datetimes, and whole binary strings. Text keys
 * hold collation keys, prefixes hold part of a value, and the other families change the
 * value's form, so those are read from the row.
 */
export function keyValueDecodable(part: KeyPart): boolean {
  switch (part.fam) {
    case FAM_INT: case FAM_UINT: case FAM_YEAR: case FAM_DATETEXT:
      return true;
    case FAM_BINARY:
      return part.prefix === 0;
    default:
      return false;
  }
}

/** Where the value `decodeKeyValue` just read ends: a module variable, so the hot path allocates nothing. */
let keyValueEnd = 0;

/** The position after the last value decodeKeyValue read. */
export function decodedKeyEnd(): number {
  return keyValueEnd;
}

const MAX_SAFE_HI = Math.floor(Number.MAX_SAFE_INTEGER / TWO32);

/** The end of an escaped, terminated byte string starting at `p`, and how many escapes it holds. */
function escapedEnd(key: Buffer, p: number): { end: number; escapes: number } {
  let escapes = 0;
  for (let i = p; i < key.length; i++) {
    if (key[i] !== 0) continue;
    if (key[i + 1] === 1) return { end: i, escapes };
    escapes++;
    i++;
  }
  throw new Error('storage: an index key string has no terminator');
}

/**
 * Decodes the value at `p` of a key written by encodeKeyValue, for a part that is
 * keyValueDecodable; the next value starts at decodedKeyEnd().
 */
export function decodeKeyValue(key: Buffer, p: number, part: KeyPart): Value {
  if (key[p] === TAG_NULL) {
    keyValueEnd = p + 1;
    return null;
  }
  p++;
  switch (part.fam) {
    case FAM_INT: {
      keyValueEnd = p + 8;
      const hi = (key.readUInt32BE(p) ^ 0x80000000) | 0;
      const lo = key.readUInt32BE(p + 4);
      if (hi <= MAX_SAFE_HI && hi >= -MAX_SAFE_HI) return hi * TWO32 + lo;
      const b = (BigInt(hi) << 32n) | BigInt(lo);
      return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case FAM_UINT: {
      keyValueEnd = p + 8;
      const hi = key.readUInt32BE(p);
      const lo = key.readUInt32BE(p + 4);
      if (hi <= MAX_SAFE_HI) return hi * TWO32 + lo;
      const b = (BigInt(hi) << 32n) | BigInt(lo);
      return b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
    }
    case FAM_YEAR:
      keyValueEnd = p + 2;
      return key.readUInt16BE(p);
    case FAM_DATETEXT:
    case FAM_BINARY: {
      const { end, escapes } = escapedEnd(key, p);
      keyValueEnd = end + 2;
      let bytes: Buffer;
      if (escapes === 0) {
        if (part.fam === FAM_DATETEXT) return key.toString('utf8', p, end);
        bytes = Buffer.allocUnsafe(end - p);
        key.copy(bytes, 0, p, end);
      } else {
        bytes = Buffer.allocUnsafe(end - p - escapes);
        let o = 0;
        for (let i = p; i < end; i++) {
          bytes[o++] = key[i];
          if (key[i] === 0) i++;
        }
      }
      return part.fam === FAM_DATETEXT ? bytes.toString('utf8') : bytes;
    }
  }
  throw new Error(`storage: key values of family ${part.fam} are not decoded`);
}

/** True when the key of `v` keeps only a prefix of it (so range bounds on it must be widened). */
export function isTruncatedByPrefix(part: KeyPart, v: Value): boolean {
  if (part.prefix <= 0 || v === null) return false;
  if (typeof v === 'string') return truncateCodePoints(v, part.prefix).length < v.length;
  if (Buffer.isBuffer(v)) return v.length > part.prefix;
  return false;
}

/**
 * The smallest key greater than every key that starts with `prefix`, or
 * undefined when there is none (all bytes 0xFF).
 */
export function prefixSuccessor(prefix: Buffer): Buffer | undefined {
  let i = prefix.length - 1;
  while (i >= 0 && prefix[i] === 0xff) i--;
  if (i < 0) return undefined;
  const out = Buffer.allocUnsafe(i + 1);
  prefix.copy(out, 0, 0, i + 1);
  out[i]++;
  return out;
}

const ZERO_BYTE = Buffer.from([0]);

/** The smallest key greater than `key`: where a scan that has read up to `key` resumes. */
export function keyAfter(key: Buffer): Buffer {
  return Buffer.concat([key, ZERO_BYTE]);
}

/** One end of a range over the leading columns of an index. */
export interface KeyBound {
  /** Values for the first values.length index columns (NULL allowed: it sorts first). */
  values: readonly Value[];
  inclusive: boolean;
}

/**
 * The KV range of the keys under `prefix` whose leading columns lie between
 * `lower` and `upper`. E.g. on (a, b, c), `a = 5 AND b > 3` is
 * lower {[5, 3], exclusive}, upper {[5], inclusive}. Without a lower bound the
 * range includes NULLs (pass lower {[null], exclusive} to skip them). Bounds on
 * prefix-indexed columns are widened, so callers must re-check the rows.
 */
export function keyRange(prefix: Buffer, parts: readonly KeyPart[], lower?: KeyBound, upper?: KeyBound, reverse = false): KvRange {
  const w = new ByteWriter(64);
  let start: Buffer | undefined = prefix;
  let end: Buffer | undefined = prefixSuccessor(prefix);
  if (lower !== undefined) {
    const inclusive = encodeBound(w, prefix, parts, lower);
    start = inclusive ? w.finish() : prefixSuccessor(w.view());
  }
  if (upper !== undefined) {
    const inclusive = encodeBound(w, prefix, parts, upper);
    end = inclusive ? prefixSuccessor(w.view()) : w.finish();
  }
  return { start, end, reverse };
}

/** Encodes prefix + bound values into `w`; returns the effective inclusiveness (widened on truncation). */
function encodeBound(w: ByteWriter, prefix: Buffer, parts: readonly KeyPart[], bound: KeyBound): boolean {
  if (bound.values.length > parts.length) throw new RangeError('storage: more bound values than index columns');
  w.reset();
  w.bytes(prefix);
  for (let i = 0; i < bound.values.length; i++) {
    const v = bound.values[i];
    encodeKeyValue(w, parts[i], v);
    if (isTruncatedByPrefix(parts[i], v)) return true;
  }
  return bound.inclusive;
}
