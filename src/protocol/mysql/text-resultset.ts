// Text-protocol result sets: column count, column definitions, rows of length-encoded strings, end marker.
import type { ResultColumn } from '../../base/result.js';
import { formatValueText } from '../../base/format.js';
import { isIntegerType, type SqlType } from '../../base/sql-type.js';
import type { Row } from '../../base/value.js';
import { columnWire, writeColumnDefinition } from './column-definition.js';
import { Header } from './constants.js';
import type { PacketWriter } from './packet-writer.js';
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

/** Writes a whole text result set (Protocol::Resultset with ProtocolText::ResultsetRow rows). */
export function writeTextResultSet(w: PacketWriter, columns: readonly ResultColumn[], rows: readonly Row[], o: ResultSetOptions): void {
  const n = columns.length;
  w.begin().lenencInt(n).end();
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
  const flushBytes = o.flushBytes ?? DEFAULT_FLUSH_BYTES;
  const flush = o.flush;
  for (let r = 0; r < rows.length; r++) {
    writeTextRow(w, rows[r], types, plainInt, n);
    if (flush !== undefined && w.length >= flushBytes) flush();
  }
  writeEnd(w, o.deprecateEof, o.warnings, o.status);
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
