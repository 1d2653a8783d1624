// Cells and parameters on the native wire: server Values written by column type, read back as client values; client parameters both ways.
import { Decimal, type Value } from '../../base/value.js';
import type { ColumnTypeName } from '../mysql/column-type-name.js';
import { cellKindOf, type CellKind } from './constants.js';
import { NativeProtocolError, type WireReader } from './wire-reader.js';
import type { WireWriter } from './wire-writer.js';

/** A cell as a client reads it: the client library's value types (integers exact, bytes as Uint8Array, DATETIME in ISO form). */
export type NativeCell = null | number | bigint | string | Uint8Array;

/** A parameter as a client sends it. */
export type NativeParam = null | number | bigint | string | Uint8Array;

const INT_AS_DOUBLE = 0;
const INT_AS_TEXT = 1;

const PARAM_NULL = 0;
const PARAM_DOUBLE = 1;
const PARAM_INTEGER_TEXT = 2;
const PARAM_TEXT = 3;
const PARAM_BYTES = 4;

function textOf(v: Value): string {
  if (Buffer.isBuffer(v)) return v.toString('utf8');
  return v instanceof Decimal ? v.toString() : String(v);
}

function writeInteger(w: WireWriter, v: Value): void {
  if (typeof v === 'number' && Number.isSafeInteger(v)) {
    w.u8(INT_AS_DOUBLE);
    w.f64(v);
    return;
  }
  if (typeof v === 'bigint' && v >= -9007199254740991n && v <= 9007199254740991n) {
    w.u8(INT_AS_DOUBLE);
    w.f64(Number(v));
    return;
  }
  const text = textOf(v);
  const n = Number(text);
  if (Number.isSafeInteger(n)) {
    w.u8(INT_AS_DOUBLE);
    w.f64(n);
  } else {
    w.u8(INT_AS_TEXT);
    w.text(text);
  }
}

/** One non-NULL cell of a column whose kind is `kind` (`iso`: DATETIME/TIMESTAMP, written with 'T'). */
function writeCell(w: WireWriter, v: Value, kind: CellKind, iso: boolean): void {
  switch (kind) {
    case 'integer':
      return writeInteger(w, v);
    case 'double':
      return w.f64(typeof v === 'number' ? v : Number(textOf(v)));
    case 'bytes':
      return w.bytes(Buffer.isBuffer(v) ? v : Buffer.from(textOf(v), 'utf8'));
    case 'text':
      return w.text(iso ? textOf(v).replace(' ', 'T') : textOf(v));
  }
}

/** How the cells of a result's columns are written and read: computed once per result. */
export interface CellPlan {
  kinds: CellKind[];
  iso: boolean[];
}

export function cellPlan(types: readonly ColumnTypeName[]): CellPlan {
  return { kinds: types.map(cellKindOf), iso: types.map((t) => t === 'datetime' || t === 'timestamp') };
}

/** One row: a NULL bitmap (bit i of byte i>>3 set for a NULL column i), then the non-NULL cells. */
export function writeRow(w: WireWriter, row: readonly Value[], plan: CellPlan): void {
  const n = plan.kinds.length;
  const bitmapAt = w.pos;
  for (let i = 0; i < n; i += 8) w.u8(0);
  // The bitmap is set before any cell is written: writing may move the buffer.
  const buf = w.finish();
  for (let i = 0; i < n; i++) if ((row[i] ?? null) === null) buf[bitmapAt + (i >> 3)] |= 1 << (i & 7);
  for (let i = 0; i < n; i++) {
    const v = row[i] ?? null;
    if (v !== null) writeCell(w, v, plan.kinds[i], plan.iso[i]);
  }
}

function readCell(r: WireReader, kind: CellKind): NativeCell {
  switch (kind) {
    case 'integer': {
      const form = r.u8();
      if (form === INT_AS_DOUBLE) return r.f64();
      if (form === INT_AS_TEXT) {
        const text = r.text();
        if (!/^-?\d+$/.test(text)) throw new NativeProtocolError(`an integer cell holds '${text.slice(0, 40)}'`);
        return BigInt(text);
      }
      throw new NativeProtocolError(`unknown integer cell form ${form}`);
    }
    case 'double':
      return r.f64();
    case 'bytes':
      // A copy as a plain Uint8Array: the received frame is not kept alive by a row.
      return new Uint8Array(r.bytes());
    case 'text':
      return r.text();
  }
}

export function readRow(r: WireReader, kinds: readonly CellKind[]): NativeCell[] {
  const n = kinds.length;
  const bitmapAt = r.pos;
  for (let i = 0; i < n; i += 8) r.u8();
  const out = new Array<NativeCell>(n);
  for (let i = 0; i < n; i++) {
    out[i] = (r.buf[bitmapAt + (i >> 3)] & (1 << (i & 7))) !== 0 ? null : readCell(r, kinds[i]);
  }
  return out;
}

export function writeParam(w: WireWriter, p: NativeParam): void {
  if (p === null) return w.u8(PARAM_NULL);
  if (typeof p === 'number') {
    w.u8(PARAM_DOUBLE);
    return w.f64(p);
  }
  if (typeof p === 'bigint') {
    w.u8(PARAM_INTEGER_TEXT);
    return w.text(p.toString());
  }
  if (typeof p === 'string') {
    w.u8(PARAM_TEXT);
    return w.text(p);
  }
  w.u8(PARAM_BYTES);
  w.bytes(p);
}

/** A parameter as the Value the kernel binds. */
export function readParam(r: WireReader): Value {
  const tag = r.u8();
  switch (tag) {
    case PARAM_NULL:
      return null;
    case PARAM_DOUBLE:
      return r.f64();
    case PARAM_INTEGER_TEXT: {
      const text = r.text();
      if (!/^-?\d{1,20}$/.test(text)) throw new NativeProtocolError(`an integer parameter holds '${text.slice(0, 40)}'`);
      return BigInt(text);
    }
    case PARAM_TEXT:
      return r.text();
    case PARAM_BYTES:
      return Buffer.from(r.bytes());
    default:
      throw new NativeProtocolError(`unknown parameter tag ${tag}`);
  }
}
