// Test support for the codec tests: the payloads a PacketWriter holds, as the other end's framer delivers them.
import assert from 'node:assert/strict';
import { formatFloat } from '../../base/format.js';
import type { ResultColumn } from '../../base/result.js';
import type { SqlType } from '../../base/sql-type.js';
import { Decimal, type Value } from '../../base/value.js';
import { parseColumnDefinition, type ColumnDefinition } from './column-definition.js';
import { PacketFramer } from './framer.js';
import { PacketWriter } from './packet-writer.js';
import { isEndPacket, parseEnd, parseEof, type EndFields } from './responses.js';
import { parseColumnCount } from './text-resultset.js';

/** Every payload in `bytes` (whole packets), continuations joined. */
export function payloadsIn(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  new PacketFramer({ onPayload: (p) => out.push(Buffer.from(p)), onOversize: () => assert.fail('oversize') }, 1 << 30).push(bytes);
  return out;
}

/** The payloads `build` writes. */
export function payloadsOf(build: (w: PacketWriter) => void): Buffer[] {
  const w = new PacketWriter();
  build(w);
  return payloadsIn(w.take());
}

/** The one payload `build` writes. */
export function payloadOf(build: (w: PacketWriter) => void): Buffer {
  const all = payloadsOf(build);
  assert.equal(all.length, 1, 'exactly one packet');
  return all[0];
}

export interface DecodedResultSet {
  columns: ColumnDefinition[];
  rows: Value[][];
  end: EndFields;
}

/** Reads a whole result set from its payloads with the client end's codecs; nothing may follow its end. */
export function readResultSet(payloads: Buffer[], deprecateEof: boolean, parseRow: (p: Buffer, columns: ColumnDefinition[]) => Value[]): DecodedResultSet {
  let i = 0;
  const count = parseColumnCount(payloads[i++]);
  const columns: ColumnDefinition[] = [];
  for (let c = 0; c < count; c++) columns.push(parseColumnDefinition(payloads[i++]));
  if (!deprecateEof) parseEof(payloads[i++]);
  const rows: Value[][] = [];
  while (i < payloads.length && !isEndPacket(payloads[i])) rows.push(parseRow(payloads[i++], columns));
  const end = parseEnd(payloads[i++], deprecateEof);
  assert.equal(i, payloads.length, 'nothing after the end of the result set');
  return { columns, rows, end };
}

/**
 * A value of each column type the protocols carry, with what the client end reads
 * back when that differs from the value itself (`text` for text rows, `binary` for
 * binary rows).
 */
export interface TypedCase {
  type: SqlType;
  value: Value;
  text?: Value;
  binary?: Value;
}

/** A Decimal from its text (the test fails on text that is not one). */
export const dec = (s: string): Decimal => Decimal.parse(s) ?? assert.fail(s);

export const TYPED_CASES: TypedCase[] = [
  { type: { kind: 'tinyint' }, value: -128 },
  { type: { kind: 'tinyint' }, value: 127 },
  { type: { kind: 'tinyint', unsigned: true }, value: 255 },
  { type: { kind: 'tinyint', boolean: true }, value: 1 },
  { type: { kind: 'smallint' }, value: -32768 },
  { type: { kind: 'smallint', unsigned: true }, value: 65535 },
  { type: { kind: 'mediumint' }, value: -8388608 },
  { type: { kind: 'mediumint', unsigned: true }, value: 16777215 },
  { type: { kind: 'int' }, value: -2147483648 },
  { type: { kind: 'int', unsigned: true }, value: 4294967295 },
  { type: { kind: 'int', zerofill: true, length: 5 }, value: 7 },
  { type: { kind: 'bigint' }, value: Number.MAX_SAFE_INTEGER },
  { type: { kind: 'bigint' }, value: -Number.MAX_SAFE_INTEGER },
  { type: { kind: 'bigint' }, value: 9223372036854775807n },
  { type: { kind: 'bigint' }, value: -9223372036854775808n },
  { type: { kind: 'bigint', unsigned: true }, value: 18446744073709551615n },
  { type: { kind: 'bigint', unsigned: true }, value: 9223372036854775808n },
  { type: { kind: 'bigint', unsigned: true }, value: 0 },
  { type: { kind: 'double' }, value: 0.1 },
  { type: { kind: 'double' }, value: -1.5e300 },
  { type: { kind: 'double' }, value: 1e-7 },
  { type: { kind: 'double' }, value: -0 },
  { type: { kind: 'float' }, value: 0.25 },
  { type: { kind: 'float' }, value: 10.2, text: Number(formatFloat(10.2)), binary: Math.fround(10.2) },
  { type: { kind: 'decimal', precision: 10, scale: 3 }, value: dec('12.500') },
  { type: { kind: 'decimal', precision: 65, scale: 30 }, value: dec('-12345678901234567890123456789012345.123456789012345678901234567890') },
  { type: { kind: 'decimal', precision: 5, scale: 0, unsigned: true }, value: dec('99999') },
  { type: { kind: 'decimal', precision: 10, scale: 2 }, value: 3, text: dec('3.00'), binary: dec('3.00') },
  { type: { kind: 'date' }, value: '2024-02-29' },
  { type: { kind: 'date' }, value: '0000-00-00' },
  { type: { kind: 'datetime' }, value: '2024-02-29 10:11:12' },
  { type: { kind: 'datetime' }, value: '2024-02-29 00:00:00' },
  { type: { kind: 'datetime' }, value: '0000-00-00 00:00:00' },
  { type: { kind: 'datetime', fsp: 3 }, value: '2024-01-31 10:11:12.345' },
  { type: { kind: 'datetime', fsp: 6 }, value: '2010-10-17 19:27:30.000001' },
  { type: { kind: 'datetime', fsp: 2 }, value: '2024-01-31 00:00:00.00' },
  { type: { kind: 'timestamp' }, value: '2038-01-19 03:14:07' },
  { type: { kind: 'timestamp', fsp: 6 }, value: '1970-01-01 00:00:01.999999' },
  { type: { kind: 'time' }, value: '12:34:56' },
  { type: { kind: 'time' }, value: '-838:59:59' },
  { type: { kind: 'time' }, value: '-00:00:01' },
  { type: { kind: 'time' }, value: '00:00:00' },
  { type: { kind: 'time' }, value: '100:00:00' },
  { type: { kind: 'time', fsp: 3 }, value: '-01:02:03.450' },
  { type: { kind: 'time', fsp: 6 }, value: '00:00:00.000000' },
  { type: { kind: 'time', fsp: 1 }, value: '23:59:59.9' },
  { type: { kind: 'year' }, value: 2024 },
  { type: { kind: 'year' }, value: 0 },
  { type: { kind: 'char', length: 5 }, value: 'hé' },
  { type: { kind: 'varchar', length: 20 }, value: 'héllo wörld ✓ 😀' },
  { type: { kind: 'varchar', length: 20 }, value: '' },
  { type: { kind: 'text' }, value: 'y'.repeat(300) },
  { type: { kind: 'varchar', length: 10, collation: 'utf8mb4_bin' }, value: 'Bin' },
  { type: { kind: 'binary', length: 3 }, value: Buffer.from([0, 1, 0]) },
  { type: { kind: 'varbinary', length: 8 }, value: Buffer.from([0, 0xfb, 0xff]) },
  { type: { kind: 'blob' }, value: Buffer.from('not text, bytes') },
  { type: { kind: 'longblob' }, value: Buffer.alloc(0) },
  { type: { kind: 'bit', length: 12 }, value: Buffer.from([0x0f, 0xff]) },
  { type: { kind: 'enum', values: ['a', 'bé'] }, value: 'bé' },
  { type: { kind: 'set', values: ['a', 'b'] }, value: 'a,b' },
  { type: { kind: 'json' }, value: '{"a": [1, "é"]}' },
  { type: { kind: 'null' }, value: null },
];

/** A result column of `type`, named `name`. */
export function columnOf(type: SqlType, name = 'c'): ResultColumn {
  return { name, orgName: name, table: 't', orgTable: 't', schema: 'db', type, nullable: true };
}
