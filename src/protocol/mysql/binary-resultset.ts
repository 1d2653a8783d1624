// Binary-protocol result sets (COM_STMT_EXECUTE replies): per-column encoders, rows with a NULL bitmap, end marker; rows read back.
import type { ResultColumn } from '../../base/result.js';
import { formatValueText } from '../../base/format.js';
import type { SqlType, TypeKind } from '../../base/sql-type.js';
import type { Row, Value } from '../../base/value.js';
import { readBinaryParam } from './binary-params.js';
import { readBinaryDateTime, readBinaryTime, writeBinaryDateTime, writeBinaryTime } from './binary-temporal.js';
import { columnWire, isStringFamily, stringCellValue, writeColumnDefinition, type ColumnWire } from './column-definition.js';
import { ColumnFlag, FieldType } from './constants.js';
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';
import { writeEnd, writeEof } from './responses.js';
import { writeColumnCount, type ResultSetOptions } from './text-resultset.js';
import { doubleOf, integerOf } from './value-coercion.js';

/** How one column's values are written in a binary row. */
export const BinaryCodec = {
  INT8: 1,
  INT16: 2,
  INT32: 3,
  INT64: 4,
  FLOAT: 5,
  DOUBLE: 6,
  DATETIME: 7,
  TIME: 8,
  /** Everything else: length-encoded text or bytes (DECIMAL, strings, BLOBs, BIT, JSON, ...). */
  LENENC: 9,
} as const;

const CODEC_BY_KIND: Record<TypeKind, number> = {
  tinyint: BinaryCodec.INT8,
  smallint: BinaryCodec.INT16,
  year: BinaryCodec.INT16,
  mediumint: BinaryCodec.INT32,
  int: BinaryCodec.INT32,
  bigint: BinaryCodec.INT64,
  float: BinaryCodec.FLOAT,
  double: BinaryCodec.DOUBLE,
  date: BinaryCodec.DATETIME,
  datetime: BinaryCodec.DATETIME,
  timestamp: BinaryCodec.DATETIME,
  time: BinaryCodec.TIME,
  decimal: BinaryCodec.LENENC,
  char: BinaryCodec.LENENC,
  varchar: BinaryCodec.LENENC,
  tinytext: BinaryCodec.LENENC,
  text: BinaryCodec.LENENC,
  mediumtext: BinaryCodec.LENENC,
  longtext: BinaryCodec.LENENC,
  binary: BinaryCodec.LENENC,
  varbinary: BinaryCodec.LENENC,
  tinyblob: BinaryCodec.LENENC,
  blob: BinaryCodec.LENENC,
  mediumblob: BinaryCodec.LENENC,
  longblob: BinaryCodec.LENENC,
  bit: BinaryCodec.LENENC,
  enum: BinaryCodec.LENENC,
  set: BinaryCodec.LENENC,
  json: BinaryCodec.LENENC,
  null: BinaryCodec.LENENC,
};

/** Everything needed to write rows of one column layout, computed once and reused across executes. */
export interface BinaryRowPlan {
  readonly count: number;
  readonly codecs: Uint8Array;
  readonly types: readonly SqlType[];
  /** NULL bitmap bytes: (count + 7 + 2) / 8. */
  readonly bitmapBytes: number;
}

export function binaryRowPlan(columns: readonly ResultColumn[]): BinaryRowPlan {
  const count = columns.length;
  const codecs = new Uint8Array(count);
  const types: SqlType[] = new Array<SqlType>(count);
  for (let i = 0; i < count; i++) {
    types[i] = columns[i].type;
    codecs[i] = CODEC_BY_KIND[columns[i].type.kind];
  }
  return { count, codecs, types, bitmapBytes: (count + 9) >> 3 };
}

/** Whether `plan` writes rows of `columns` exactly as a fresh plan would (same kinds, signs, scales). */
export function planFits(plan: BinaryRowPlan, columns: readonly ResultColumn[]): boolean {
  if (plan.count !== columns.length) return false;
  for (let i = 0; i < plan.count; i++) {
    const a = plan.types[i];
    const b = columns[i].type;
    if (a === b) continue;
    if (a.kind !== b.kind || a.unsigned !== b.unsigned || a.scale !== b.scale || a.zerofill !== b.zerofill || a.length !== b.length) return false;
  }
  return true;
}

function textOf(v: Exclude<Value, null>, type: SqlType): string {
  if (typeof v === 'string') return v;
  const t = formatValueText(v, type);
  return t === null ? '' : typeof t === 'string' ? t : t.toString('latin1');
}

/** One ProtocolBinary::ResultsetRow: 0x00, the NULL bitmap (offset 2), then each non-NULL value. */
export function writeBinaryRow(w: PacketWriter, row: Row, plan: BinaryRowPlan): void {
  const n = plan.count;
  const codecs = plan.codecs;
  w.begin().u8(0);
  const bitmapAt = w.length;
  w.zeros(plan.bitmapBytes);
  for (let i = 0; i < n; i++) {
    const v = row[i];
    if (v === null || v === undefined) {
      w.orByte(bitmapAt + ((i + 2) >> 3), 1 << ((i + 2) & 7));
      continue;
    }
    switch (codecs[i]) {
      case BinaryCodec.INT8: {
        const x = typeof v === 'number' ? v : integerOf(v);
        w.u8(Number(x) & 0xff);
        break;
      }
      case BinaryCodec.INT16: {
        const x = typeof v === 'number' ? v : integerOf(v);
        w.u16(Number(x) & 0xffff);
        break;
      }
      case BinaryCodec.INT32: {
        const x = typeof v === 'number' ? v : integerOf(v);
        w.u32(Number(x));
        break;
      }
      case BinaryCodec.INT64:
        w.i64(typeof v === 'number' && Number.isInteger(v) ? v : integerOf(v));
        break;
      case BinaryCodec.FLOAT:
        w.f32(typeof v === 'number' ? v : doubleOf(v));
        break;
      case BinaryCodec.DOUBLE:
        w.f64(typeof v === 'number' ? v : doubleOf(v));
        break;
      case BinaryCodec.DATETIME:
        writeBinaryDateTime(w, typeof v === 'string' ? v : textOf(v, plan.types[i]));
        break;
      case BinaryCodec.TIME:
        writeBinaryTime(w, typeof v === 'string' ? v : textOf(v, plan.types[i]));
        break;
      default:
        if (typeof v === 'string') {
          w.lenencString(v);
        } else if (Buffer.isBuffer(v)) {
          w.lenencBytes(v);
        } else {
          const t = formatValueText(v, plan.types[i]);
          if (t === null) w.orByte(bitmapAt + ((i + 2) >> 3), 1 << ((i + 2) & 7));
          else if (typeof t === 'string') w.lenencString(t);
          else w.lenencBytes(t);
        }
    }
  }
  w.end();
}

const DEFAULT_FLUSH_BYTES = 256 * 1024;

/** Column count, definitions and (without DEPRECATE_EOF) the EOF that ends them. */
export function writeResultMetadata(w: PacketWriter, columns: readonly ResultColumn[], o: ResultSetOptions, eofStatus: number): void {
  writeColumnCount(w, columns.length);
  for (const c of columns) writeColumnDefinition(w, c, columnWire(c, o.textCharset));
  if (!o.deprecateEof) writeEof(w, 0, eofStatus);
}

/** Rows [from, to) of a result, flushing between rows when the writer grows past `flushBytes`. */
export function writeBinaryRows(w: PacketWriter, rows: readonly Row[], from: number, to: number, plan: BinaryRowPlan, o: Pick<ResultSetOptions, 'flush' | 'flushBytes'>): void {
  const flushBytes = o.flushBytes ?? DEFAULT_FLUSH_BYTES;
  const flush = o.flush;
  for (let r = from; r < to; r++) {
    writeBinaryRow(w, rows[r], plan);
    if (flush !== undefined && w.length >= flushBytes) flush();
  }
}

/** A whole binary result set: metadata, every row, then EOF (or OK 0xFE under DEPRECATE_EOF). */
export function writeBinaryResultSet(w: PacketWriter, columns: readonly ResultColumn[], rows: readonly Row[], plan: BinaryRowPlan, o: ResultSetOptions): void {
  writeResultMetadata(w, columns, o, o.status);
  writeBinaryRows(w, rows, 0, rows.length, plan, o);
  writeEnd(w, o.deprecateEof, o.warnings, o.status);
}

/**
 * One binary cell read back into a Value by its column definition: DATE as
 * 'YYYY-MM-DD', DATETIME/TIMESTAMP/TIME with the column's fractional digits,
 * strings as text or bytes by character set, numbers as readBinaryParam reads them
 * (signed unless the column is UNSIGNED).
 */
export function readBinaryCell(r: PayloadReader, c: ColumnWire): Value {
  switch (c.type) {
    case FieldType.DATE:
    case FieldType.NEWDATE:
      return readBinaryDateTime(r, true);
    case FieldType.DATETIME:
    case FieldType.TIMESTAMP:
      return readBinaryDateTime(r, false, c.decimals);
    case FieldType.TIME:
      return readBinaryTime(r, c.decimals);
    default: {
      if (!isStringFamily(c.type)) return readBinaryParam(r, c.type, (c.flags & ColumnFlag.UNSIGNED) !== 0);
      const n = r.lenencInt();
      if (n === null) throw new MalformedPacketError('NULL marker inside a binary row');
      const start = r.pos;
      r.skip(n);
      return stringCellValue(r.buf, start, start + n, c);
    }
  }
}

/** A ProtocolBinary::ResultsetRow read back into Values (see readBinaryCell); NULLs come from the bitmap. */
export function parseBinaryRow(payload: Buffer, columns: readonly ColumnWire[]): Value[] {
  const r = new PayloadReader(payload);
  if (r.u8() !== 0) throw new MalformedPacketError('not a binary row');
  const n = columns.length;
  const bitmapAt = r.pos;
  r.skip((n + 9) >> 3);
  const row = new Array<Value>(n);
  for (let i = 0; i < n; i++) {
    const bit = i + 2;
    row[i] = (payload[bitmapAt + (bit >> 3)] & (1 << (bit & 7))) !== 0 ? null : readBinaryCell(r, columns[i]);
  }
  if (!r.atEnd()) throw new MalformedPacketError('binary row longer than its columns');
  return row;
}
