// The parameter values of COM_STMT_EXECUTE (binary protocol): decoded into mizzle Values by the server, encoded by the client end.
import { isUtf8 } from 'node:buffer';
import { Decimal } from '../../base/decimal.js';
import { valueToString } from '../../base/format.js';
import type { Value } from '../../base/value.js';
import { readBinaryDateTime, readBinaryTime, writeBinaryDateTime, writeBinaryTime } from './binary-temporal.js';
import { FieldType } from './constants.js';
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, type PayloadReader } from './payload-reader.js';
import { doubleOf, integerOf } from './value-coercion.js';

/** The unsigned flag in the second byte of a parameter's type. */
export const PARAM_UNSIGNED = 0x80;

const TWO_32 = 0x100000000;
/** Longest byte string checked for ASCII in JS before asking the native UTF-8 validator. */
const ASCII_SCAN_MAX = 64;

/**
 * Bytes of a string-like parameter: text when they are valid UTF-8 (what every
 * driver sends for strings), a Buffer (copied out of the packet) otherwise.
 */
export function bytesToValue(buf: Buffer, start: number, end: number): Value {
  if (end - start <= ASCII_SCAN_MAX) {
    let i = start;
    while (i < end && buf[i] < 0x80) i++;
    if (i === end) return buf.toString('latin1', start, end);
  }
  const bytes = buf.subarray(start, end);
  return isUtf8(bytes) ? bytes.toString('utf8') : Buffer.from(bytes);
}

/** A 64-bit little-endian integer: a number when safe, a bigint beyond. */
function readInt64(r: PayloadReader, unsigned: boolean): number | bigint {
  const lo = r.u32();
  const buf = r.buf;
  const at = r.pos;
  const hi = unsigned ? buf.readUInt32LE(at) : buf.readInt32LE(at);
  r.skip(4);
  // |hi| < 2^21 keeps hi * 2^32 + lo within 2^53.
  if (hi < 0x200000 && hi >= -0x200000) return hi * TWO_32 + lo;
  const big = (BigInt(hi) << 32n) | BigInt(lo);
  return big;
}

/** Reads one non-NULL parameter value of wire type `type`. Unknown types are malformed. */
export function readBinaryParam(r: PayloadReader, type: number, unsigned: boolean): Value {
  switch (type) {
    case FieldType.TINY: {
      const v = r.u8();
      return unsigned ? v : (v << 24) >> 24;
    }
    case FieldType.SHORT:
    case FieldType.YEAR: {
      const v = r.u16();
      return unsigned ? v : (v << 16) >> 16;
    }
    case FieldType.LONG:
    case FieldType.INT24: {
      const v = r.u32();
      return unsigned ? v : v | 0;
    }
    case FieldType.LONGLONG:
      return readInt64(r, unsigned);
    case FieldType.FLOAT: {
      const v = r.bytes(4).readFloatLE(0);
      return v;
    }
    case FieldType.DOUBLE: {
      const v = r.bytes(8).readDoubleLE(0);
      return v;
    }
    case FieldType.DECIMAL:
    case FieldType.NEWDECIMAL: {
      const text = r.lenencString('latin1') ?? '';
      return Decimal.parse(text) ?? text;
    }
    case FieldType.DATE:
    case FieldType.NEWDATE:
      return readBinaryDateTime(r, true);
    case FieldType.DATETIME:
    case FieldType.TIMESTAMP:
      return readBinaryDateTime(r, false);
    case FieldType.TIME:
      return readBinaryTime(r);
    case FieldType.NULL:
      return null;
    case FieldType.BIT:
    case FieldType.GEOMETRY: {
      const b = r.lenencBytes();
      return b === null ? null : Buffer.from(b);
    }
    case FieldType.VARCHAR:
    case FieldType.VAR_STRING:
    case FieldType.STRING:
    case FieldType.ENUM:
    case FieldType.SET:
    case FieldType.JSON:
    case FieldType.TINY_BLOB:
    case FieldType.MEDIUM_BLOB:
    case FieldType.LONG_BLOB:
    case FieldType.BLOB: {
      const n = r.lenencInt();
      if (n === null) return null;
      const start = r.pos;
      r.skip(n);
      return bytesToValue(r.buf, start, start + n);
    }
    default:
      throw new MalformedPacketError(`unknown parameter type ${type}`);
  }
}

/** The value of a parameter sent with COM_STMT_SEND_LONG_DATA, by its declared wire type. */
export function longDataValue(data: Buffer, type: number): Value {
  if (type === FieldType.BIT || type === FieldType.GEOMETRY) return data;
  return bytesToValue(data, 0, data.length);
}

/** Where a statement's parameter values come from besides the packet. */
export interface ParamSources {
  /** Types (2 bytes per parameter: type, flags) from an earlier execute, used when the packet sends none. */
  previousTypes: Uint8Array | null;
  /** Accumulated COM_STMT_SEND_LONG_DATA per parameter (undefined or null where none was sent). */
  longData: readonly (Buffer | null | undefined)[] | null;
}

/** The decoded parameter block of a COM_STMT_EXECUTE. */
export interface DecodedParams {
  values: Value[];
  /** The types in effect (2 bytes per parameter), to remember for the next execute; null when none are known. */
  types: Uint8Array | null;
  /** True when this packet carried new types (new-params-bound flag 1). */
  newTypes: boolean;
}

/**
 * Reads the parameter block that follows the execute header (`r` at the NULL
 * bitmap): bitmap, new-params-bound flag, types when bound, then values. A
 * parameter with long data takes that value (its NULL bit and packet bytes are
 * skipped, as clients send none). New types are copied so the packet can go.
 */
export function decodeExecuteParams(r: PayloadReader, count: number, sources: ParamSources): DecodedParams {
  const values: Value[] = new Array<Value>(count);
  if (count === 0) return { values, types: null, newTypes: false };
  const buf = r.buf;
  const nullAt = r.pos;
  r.skip((count + 7) >> 3);
  const bound = r.u8();
  let types: Uint8Array | null;
  let newTypes = false;
  if (bound === 1) {
    const raw = r.bytes(count * 2);
    types = sources.previousTypes !== null && sources.previousTypes.length === count * 2 ? sources.previousTypes : new Uint8Array(count * 2);
    types.set(raw);
    newTypes = true;
  } else {
    types = sources.previousTypes;
  }
  const longData = sources.longData;
  for (let i = 0; i < count; i++) {
    const ld = longData !== null ? longData[i] : undefined;
    if (ld) {
      values[i] = longDataValue(ld, types !== null ? types[i * 2] : FieldType.BLOB);
      continue;
    }
    if ((buf[nullAt + (i >> 3)] & (1 << (i & 7))) !== 0) {
      values[i] = null;
      continue;
    }
    if (types === null) throw new MalformedPacketError('parameter types were never sent');
    values[i] = readBinaryParam(r, types[i * 2], (types[i * 2 + 1] & PARAM_UNSIGNED) !== 0);
  }
  return { values, types, newTypes };
}

// ------------------------------------------------------------------ the client end

/** One parameter of a COM_STMT_EXECUTE as the client end sends it. */
export interface BinaryParam {
  /** The wire type (FieldType) the value is sent as. */
  type: number;
  unsigned?: boolean;
  value: Value;
  /** The value went ahead by COM_STMT_SEND_LONG_DATA: the execute carries no bytes and no NULL bit for it. */
  longData?: boolean;
}

const INT64_MAX = 2n ** 63n - 1n;

/**
 * The wire type a Value travels as when the caller names none: safe integers and bigints as LONGLONG
 * (unsigned past 2^63 - 1), other numbers as DOUBLE, DECIMAL as NEWDECIMAL, text as
 * VAR_STRING, bytes as BLOB, NULL as NULL.
 */
export function binaryParamOf(value: Value): BinaryParam {
  if (value === null) return { type: FieldType.NULL, value };
  switch (typeof value) {
    case 'number':
      return { type: Number.isSafeInteger(value) ? FieldType.LONGLONG : FieldType.DOUBLE, value };
    case 'bigint':
      return { type: FieldType.LONGLONG, unsigned: value > INT64_MAX, value };
    case 'string':
      return { type: FieldType.VAR_STRING, value };
    default:
      return { type: value instanceof Decimal ? FieldType.NEWDECIMAL : FieldType.BLOB, value };
  }
}

/**
 * Writes one non-NULL parameter value as wire type `type`, the inverse of
 * readBinaryParam; values of another runtime type are converted (text to numbers,
 * numbers to text). Temporal values are mizzle's canonical strings.
 */
export function writeBinaryParam(w: PacketWriter, type: number, v: Exclude<Value, null>): void {
  switch (type) {
    case FieldType.TINY:
      w.u8(Number(integerOf(v)) & 0xff);
      return;
    case FieldType.SHORT:
    case FieldType.YEAR:
      w.u16(Number(integerOf(v)) & 0xffff);
      return;
    case FieldType.LONG:
    case FieldType.INT24:
      w.u32(Number(integerOf(v)));
      return;
    case FieldType.LONGLONG:
      w.i64(integerOf(v));
      return;
    case FieldType.FLOAT:
      w.f32(doubleOf(v));
      return;
    case FieldType.DOUBLE:
      w.f64(doubleOf(v));
      return;
    case FieldType.DATE:
    case FieldType.NEWDATE:
    case FieldType.DATETIME:
    case FieldType.TIMESTAMP:
      writeBinaryDateTime(w, valueToString(v));
      return;
    case FieldType.TIME:
      writeBinaryTime(w, valueToString(v));
      return;
    case FieldType.NULL:
      return;
    default:
      // DECIMAL as its text, and the string family: bytes as they are, anything else as text.
      if (Buffer.isBuffer(v)) w.lenencBytes(v);
      else w.lenencString(valueToString(v));
  }
}
