// Decodes the parameter values of COM_STMT_EXECUTE (binary protocol) into mizzle Values.
import { isUtf8 } from 'node:buffer';
import { Decimal } from '../../base/decimal.js';
import type { Value } from '../../base/value.js';
import { readBinaryDateTime, readBinaryTime } from './binary-temporal.js';
import { FieldType } from './constants.js';
import { MalformedPacketError, type PayloadReader } from './payload-reader.js';

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
