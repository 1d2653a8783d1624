// Text-protocol result sets: column count, column definitions, rows of length-encoded strings, end marker; written and read.
import type { ResultColumn } from '../../base/result.js';
import { formatValueText } from '../../base/format.js';
import { isIntegerType, type SqlType } from '../../base/sql-type.js';
import { Decimal, type Row, type Value } from '../../base/value.js';
import { columnWire, stringCellValue, writeColumnDefinition, type ColumnWire } from './column-definition.js';
import { FieldType, Header } from './constants.js';
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';
import { writeEnd, writeEof } from './responses.js';

export interface ResultSetOptions {
  /** The client set DEPRECATE_EOF: no EOF after the columns, an OK (0xFE) at the end. */
  deprecateEof: boolean;
  /** Status flags for the final packet (MORE_RESULTS_EXISTS included when more follow). */
  status: number;
  warnings: number;
  /** Collation id reported for character columns. */
  textCharset: number;
  /**
   * Called whenever the writer holds more than `flushBytes` between rows, so big
   * result sets leave in chunks instead of one huge buffer.
   */
  flush?: () => void;
  flushBytes?: number;
}

const DEFAULT_FLUSH_BYTES = 256 * 1024;

/** What writing a text row needs of its result's columns, worked out once per result. */
export interface TextRowShape {
  readonly types: readonly SqlType[];
  /** Integer columns whose safe-integer values are written as plain digits. */
  readonly plainInt: readonly boolean[];
}

/** Writes a whole text result set (Protocol::Resultset with ProtocolText::ResultsetRow rows). */
export function writeTextResultSet(w: PacketWriter, columns: readonly ResultColumn[], rows: readonly Row[], o: ResultSetOptions): void {
  const shape = writeTextResultHead(w, columns, o);
  writeTextRows(w, rows, shape, o);
  writeEnd(w, o.deprecateEof, o.warnings, o.status);
}

/** The start of a text result set: column count, definitions, and the EOF after them unless DEPRECATE_EOF. */
export function writeTextResultHead(w: PacketWriter, columns: readonly ResultColumn[], o: ResultSetOptions): TextRowShape {
  const n = columns.length;
  writeColumnCount(w, n);
  const types: SqlType[] = new Array<SqlType>(n);
  const plainInt: boolean[] = new Array<boolean>(n);
  for (let i = 0; i < n; i++) {
    const c = columns[i];
    types[i] = c.type;
    plainInt[i] = isPlainInteger(c.type);
    writeColumnDefinition(w, c, columnWire(c, o.textCharset));
  }
  // Status here matters little; MySQL sends the statement's status.
  if (!o.deprecateEof) writeEof(w, 0, o.status);
  return { types, plainInt };
}

/** Text rows of a result whose head was written, flushing between rows when the writer grows past `flushBytes`. */
export function writeTextRows(w: PacketWriter, rows: readonly Row[], shape: TextRowShape, o: Pick<ResultSetOptions, 'flush' | 'flushBytes'>): void {
  const flushBytes = o.flushBytes ?? DEFAULT_FLUSH_BYTES;
  const flush = o.flush;
  const { types, plainInt } = shape;
  const n = types.length;
  for (let r = 0; r < rows.length; r++) {
    writeTextRow(w, rows[r], types, plainInt, n);
    if (flush !== undefined && w.length >= flushBytes) flush();
  }
}

/** Integer columns whose text is just the decimal digits (no ZEROFILL padding). */
function isPlainInteger(t: SqlType): boolean {
  return isIntegerType(t) && !t.zerofill;
}

/**
 * One ProtocolText::ResultsetRow. `plainInt[i]` marks integer columns whose
 * safe-integer values may be written as digits directly (the text
 * formatValueText would produce).
 */
export function writeTextRow(w: PacketWriter, row: Row, types: readonly SqlType[], plainInt: readonly boolean[], n: number): void {
  w.begin();
  for (let i = 0; i < n; i++) {
    const v = row[i];
    if (v === null || v === undefined) {
      w.u8(Header.NULL_VALUE);
    } else if (typeof v === 'string') {
      w.lenencString(v);
    } else if (typeof v === 'number' && plainInt[i] && Number.isSafeInteger(v)) {
      w.lenencDecimal(v);
    } else {
      const text = formatValueText(v, types[i]);
      if (text === null) w.u8(Header.NULL_VALUE);
      else if (typeof text === 'string') w.lenencString(text);
      else w.lenencBytes(text);
    }
  }
  w.end();
}

/** The first packet of a result set: how many column definitions follow. */
export function writeColumnCount(w: PacketWriter, count: number): void {
  w.begin().lenencInt(count).end();
}

export function parseColumnCount(payload: Buffer): number {
  const n = new PayloadReader(payload).lenencInt();
  if (n === null || n === 0) throw new MalformedPacketError('bad column count');
  return n;
}

/** The cells of a text row as raw bytes (views into `payload`), null for NULL; exactly `count` of them. */
export function readTextCells(payload: Buffer, count: number): (Buffer | null)[] {
  const r = new PayloadReader(payload);
  const cells = new Array<Buffer | null>(count);
  for (let i = 0; i < count; i++) cells[i] = r.lenencBytes();
  if (!r.atEnd()) throw new MalformedPacketError('text row longer than its columns');
  return cells;
}

/** FLOAT/DOUBLE text as MySQL prints it, infinities and NaN included (see formatDouble). */
function textDouble(t: string): number {
  if (t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  return Number(t);
}

/**
 * One non-NULL text cell as a mizzle Value, by the column's wire type: integers as
 * numbers (bigints past 2^53), DECIMAL as Decimal, FLOAT/DOUBLE as numbers, temporal
 * values as their text, strings as text or bytes by the column's character set.
 */
export function textCellValue(cell: Buffer, c: ColumnWire): Value {
  switch (c.type) {
    case FieldType.TINY:
    case FieldType.SHORT:
    case FieldType.INT24:
    case FieldType.LONG:
    case FieldType.YEAR:
      return Number(cell.toString('latin1'));
    case FieldType.LONGLONG: {
      const t = cell.toString('latin1');
      const n = Number(t);
      return Number.isSafeInteger(n) ? n : BigInt(t);
    }
    case FieldType.FLOAT:
    case FieldType.DOUBLE:
      return textDouble(cell.toString('latin1'));
    case FieldType.DECIMAL:
    case FieldType.NEWDECIMAL: {
      const t = cell.toString('latin1');
      return Decimal.parse(t) ?? t;
    }
    case FieldType.NULL:
      return null;
    default:
      return stringCellValue(cell, 0, cell.length, c);
  }
}

/** A ProtocolText::ResultsetRow read back into Values (see textCellValue). */
export function parseTextRow(payload: Buffer, columns: readonly ColumnWire[]): Value[] {
  const cells = readTextCells(payload, columns.length);
  const row = new Array<Value>(cells.length);
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    row[i] = cell === null ? null : textCellValue(cell, columns[i]);
  }
  return row;
}
