// Compact binary encoding of a table's rows for the clustered record: built once per table, decoded on every read.
import { Decimal } from '../base/decimal.js';
import type { Row, Value } from '../base/value.js';
import type { ColumnDef } from './table-def.js';
import { ByteWriter } from './byte-writer.js';
import {
  FAM_BINARY, FAM_DATETEXT, FAM_DECIMAL, FAM_DOUBLE, FAM_ENUM, FAM_INT, FAM_SET, FAM_TEXT, FAM_TIME, FAM_UINT, FAM_YEAR,
  familyMismatch, familyOf,
} from './column-family.js';

/*
 * Format (version 1):
 *   u8 version | null bitmap (ceil(n/8) bytes, bit i%8 of byte i/8 set = NULL)
 *   then per non-NULL column:
 *     int/uint/year  u8 L (0 = zero; 1..6 = that many bytes; 8 = 64-bit), big-endian
 *     double         8 bytes little-endian (NaN rejected; -0 kept)
 *     decimal        u8 scale, u8 (0x80 if negative | L), L magnitude bytes big-endian
 *     text-like      varuint byte length, UTF-8
 *     binary         varuint length, bytes
 */
export const ROW_FORMAT_VERSION = 1;

const MAX_SAFE = Number.MAX_SAFE_INTEGER;
const MIN_SAFE_BIG = BigInt(Number.MIN_SAFE_INTEGER);
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

function signedLength(v: number): number {
  if (v >= -0x80 && v < 0x80) return 1;
  if (v >= -0x8000 && v < 0x8000) return 2;
  if (v >= -0x800000 && v < 0x800000) return 3;
  if (v >= -0x80000000 && v < 0x80000000) return 4;
  if (v >= -0x8000000000 && v < 0x8000000000) return 5;
  if (v >= -0x800000000000 && v < 0x800000000000) return 6;
  return 8;
}

function unsignedLength(v: number): number {
  if (v < 0x100) return 1;
  if (v < 0x10000) return 2;
  if (v < 0x1000000) return 3;
  if (v < 0x100000000) return 4;
  if (v < 0x10000000000) return 5;
  if (v < 0x1000000000000) return 6;
  return 8;
}

/** Encodes and decodes the rows of one table shape; build one per TableDef and reuse it. */
export class RowCodec {
  /** Storage family per column. */
  readonly fams: Uint8Array;
  readonly columnCount: number;
  private readonly bitmapBytes: number;
  private readonly w = new ByteWriter(512);

  constructor(columns: readonly ColumnDef[]) {
    this.columnCount = columns.length;
    this.fams = new Uint8Array(columns.length);
    for (let i = 0; i < columns.length; i++) this.fams[i] = familyOf(columns[i].type);
    this.bitmapBytes = (columns.length + 7) >>> 3;
  }

  /** The encoded row, as a fresh exact-size buffer. Throws a TypeError when a value does not fit its column. */
  encode(row: readonly Value[]): Buffer {
    const n = this.columnCount;
    if (row.length !== n) throw new TypeError(`storage: row has ${row.length} values for ${n} columns`);
    const w = this.w.reset();
    w.ensure(1 + this.bitmapBytes);
    w.buf[0] = ROW_FORMAT_VERSION;
    const bitmapAt = 1;
    w.buf.fill(0, bitmapAt, bitmapAt + this.bitmapBytes);
    w.pos = 1 + this.bitmapBytes;
    for (let i = 0; i < n; i++) {
      const v = row[i];
      if (v === null) {
        w.buf[bitmapAt + (i >>> 3)] |= 1 << (i & 7);
        continue;
      }
      this.encodeValue(w, this.fams[i], v);
    }
    return w.finish();
  }

  private encodeValue(w: ByteWriter, fam: number, v: Exclude<Value, null>): void {
    switch (fam) {
      case FAM_INT:
        if (typeof v === 'number' && Number.isInteger(v) && v >= -MAX_SAFE && v <= MAX_SAFE) return writeSigned(w, v);
        if (typeof v === 'bigint') {
          if (v >= MIN_SAFE_BIG && v <= MAX_SAFE_BIG) return writeSigned(w, Number(v));
          w.ensure(9);
          w.buf[w.pos] = 8;
          w.buf.writeBigInt64BE(v, w.pos + 1);
          w.pos += 9;
          return;
        }
        break;
      case FAM_UINT:
      case FAM_YEAR:
        if (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= MAX_SAFE) return writeUnsigned(w, v);
        if (typeof v === 'bigint' && v >= 0n) {
          if (v <= MAX_SAFE_BIG) return writeUnsigned(w, Number(v));
          w.ensure(9);
          w.buf[w.pos] = 8;
          w.buf.writeBigUInt64BE(v, w.pos + 1);
          w.pos += 9;
          return;
        }
        break;
      case FAM_DOUBLE:
        if (typeof v === 'number' && !Number.isNaN(v)) {
          w.ensure(8);
          w.buf.writeDoubleLE(v, w.pos);
          w.pos += 8;
          return;
        }
        break;
      case FAM_DECIMAL:
        if (v instanceof Decimal) return writeDecimal(w, v);
        break;
      case FAM_TEXT:
      case FAM_DATETEXT:
      case FAM_TIME:
      case FAM_ENUM:
      case FAM_SET:
        if (typeof v === 'string') {
          if (v.length < 43) {
            // At most 126 UTF-8 bytes: a one-byte length, filled in after writing.
            const at = w.pos;
            w.u8(0);
            w.buf[at] = w.utf8(v);
            return;
          }
          w.varuint(Buffer.byteLength(v, 'utf8'));
          w.utf8(v);
          return;
        }
        break;
      case FAM_BINARY:
        if (Buffer.isBuffer(v)) {
          w.varuint(v.length);
          w.bytes(v);
          return;
        }
        break;
    }
    throw familyMismatch(fam, v, 'row');
  }

  /**
   * Decodes a row written by `encode`. Hot path: one loop, no allocation beyond the values.
   * With `columns`, only the columns marked true are decoded; the others read as NULL
   * (for statements that never look at them: a wide TEXT column costs nothing then).
   */
  decode(buf: Buffer, columns?: readonly boolean[]): Row {
    if (buf[0] !== ROW_FORMAT_VERSION) throw new Error(`storage: unknown row format version ${buf[0]}`);
    const n = this.columnCount;
    const fams = this.fams;
    const row: Value[] = new Array<Value>(n);
    let p = 1 + this.bitmapBytes;
    for (let i = 0; i < n; i++) {
      if ((buf[1 + (i >>> 3)] & (1 << (i & 7))) !== 0) {
        row[i] = null;
        continue;
      }
      if (columns !== undefined && columns[i] !== true) {
        row[i] = null;
        p = skipValue(buf, p, fams[i]);
        continue;
      }
      switch (fams[i]) {
        case FAM_INT: {
          const len = buf[p++];
          if (len === 0) row[i] = 0;
          else if (len <= 6) row[i] = buf.readIntBE(p, len);
          else {
            const b = buf.readBigInt64BE(p);
            row[i] = b >= MIN_SAFE_BIG && b <= MAX_SAFE_BIG ? Number(b) : b;
          }
          p += len;
          break;
        }
        case FAM_UINT:
        case FAM_YEAR: {
          const len = buf[p++];
          if (len === 0) row[i] = 0;
          else if (len <= 6) row[i] = buf.readUIntBE(p, len);
          else {
            const b = buf.readBigUInt64BE(p);
            row[i] = b <= MAX_SAFE_BIG ? Number(b) : b;
          }
          p += len;
          break;
        }
        case FAM_DOUBLE:
          row[i] = buf.readDoubleLE(p);
          p += 8;
          break;
        case FAM_DECIMAL: {
          const scale = buf[p];
          const head = buf[p + 1];
          const len = head & 0x7f;
          p += 2;
          let mag: bigint;
          if (len === 0) mag = 0n;
          else if (len <= 6) mag = BigInt(buf.readUIntBE(p, len));
          else mag = BigInt('0x' + buf.toString('hex', p, p + len));
          p += len;
          row[i] = new Decimal(head & 0x80 ? -mag : mag, scale);
          break;
        }
        case FAM_BINARY: {
          const len = readLength(buf, p);
          p = lengthEnd;
          const out = Buffer.allocUnsafe(len);
          buf.copy(out, 0, p, p + len);
          row[i] = out;
          p += len;
          break;
        }
        default: {
          const len = readLength(buf, p);
          p = lengthEnd;
          row[i] = buf.toString('utf8', p, p + len);
          p += len;
          break;
        }
      }
    }
    return row;
  }
}

/** Where the bytes after the length `readLength` just read begin: a module variable, so the hot path allocates nothing. */
let lengthEnd = 0;

/** Reads a variable-length length (7 bits a byte, high bit = more) at `p`; sets `lengthEnd`. */
function readLength(buf: Buffer, p: number): number {
  let len = buf[p++];
  if (len >= 0x80) {
    len &= 0x7f;
    let shift = 128;
    let b: number;
    do {
      b = buf[p++];
      len += (b & 0x7f) * shift;
      shift *= 128;
    } while (b >= 0x80);
  }
  lengthEnd = p;
  return len;
}

/** The position after the value of family `fam` that starts at `p` (mirrors `decode`, without building the value). */
function skipValue(buf: Buffer, p: number, fam: number): number {
  switch (fam) {
    case FAM_INT:
    case FAM_UINT:
    case FAM_YEAR:
      return p + 1 + buf[p];
    case FAM_DOUBLE:
      return p + 8;
    case FAM_DECIMAL:
      return p + 2 + (buf[p + 1] & 0x7f);
    default: {
      const len = readLength(buf, p);
      return lengthEnd + len;
    }
  }
}

function writeSigned(w: ByteWriter, v: number): void {
  w.ensure(9);
  const b = w.buf;
  if (v === 0) {
    b[w.pos++] = 0;
    return;
  }
  const len = signedLength(v);
  b[w.pos] = len;
  if (len <= 6) b.writeIntBE(v, w.pos + 1, len);
  else b.writeBigInt64BE(BigInt(v), w.pos + 1);
  w.pos += 1 + len;
}

function writeUnsigned(w: ByteWriter, v: number): void {
  w.ensure(9);
  const b = w.buf;
  if (v === 0) {
    b[w.pos++] = 0;
    return;
  }
  const len = unsignedLength(v);
  b[w.pos] = len;
  if (len <= 6) b.writeUIntBE(v, w.pos + 1, len);
  else b.writeBigUInt64BE(BigInt(v), w.pos + 1);
  w.pos += 1 + len;
}

function writeDecimal(w: ByteWriter, d: Decimal): void {
  if (d.scale < 0 || d.scale > 255) throw new RangeError(`storage: decimal scale ${d.scale} out of range`);
  const neg = d.unscaled < 0n;
  const mag = neg ? -d.unscaled : d.unscaled;
  w.ensure(2);
  w.buf[w.pos] = d.scale;
  if (mag <= 0xffffffffffffn) {
    const m = Number(mag);
    const len = m === 0 ? 0 : unsignedLength(m);
    w.buf[w.pos + 1] = (neg ? 0x80 : 0) | len;
    w.pos += 2;
    if (len > 0) {
      w.ensure(len);
      w.buf.writeUIntBE(m, w.pos, len);
      w.pos += len;
    }
    return;
  }
  let hex = mag.toString(16);
  if (hex.length & 1) hex = '0' + hex;
  const len = hex.length >>> 1;
  if (len > 0x7f) throw new RangeError('storage: decimal too large to store');
  w.buf[w.pos + 1] = (neg ? 0x80 : 0) | len;
  w.pos += 2;
  w.ensure(len);
  w.buf.write(hex, w.pos, 'hex');
  w.pos += len;
}
