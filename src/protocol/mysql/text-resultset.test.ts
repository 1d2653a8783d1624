// Tests of text result sets: packet sequence, row encoding against formatValueText, NULLs, flushing; rows read back by the client end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultColumn } from '../../base/result.js';
import { formatValueText } from '../../base/format.js';
import type { SqlType } from '../../base/sql-type.js';
import { Decimal, type Row } from '../../base/value.js';
import { TYPED_CASES, columnOf, payloadOf, payloadsIn as payloads, readResultSet } from './codec-fixture.js';
import { ServerStatus } from './constants.js';
import { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';
import { parseColumnCount, parseTextRow, readTextCells, textCellValue, writeColumnCount, writeTextResultSet } from './text-resultset.js';

const types: SqlType[] = [
  { kind: 'int' }, { kind: 'int', zerofill: true, length: 5 }, { kind: 'bigint' }, { kind: 'double' }, { kind: 'decimal', precision: 6, scale: 2 },
  { kind: 'varchar', length: 10 }, { kind: 'blob' }, { kind: 'date' },
];
const columns: ResultColumn[] = types.map((type, i) => ({ name: `c${i}`, orgName: '', table: '', orgTable: '', schema: '', type, nullable: true }));

test('column count, definitions, rows, end; values as formatValueText renders them', () => {
  const rows: Row[] = [
    [-42, 7, 2n ** 63n - 1n, 0.1, Decimal.parse('3.5') ?? null, 'héllo', Buffer.from([0, 0xfb, 0xff]), '2024-02-29'],
    [null, null, null, null, null, null, null, null],
    [12345678, 123456, -5n, 1e20, Decimal.parse('-0.01') ?? null, '', Buffer.alloc(0), '0000-00-00'],
  ];
  const w = new PacketWriter();
  w.seq = 1;
  writeTextResultSet(w, columns, rows, { deprecateEof: true, status: 2, warnings: 0, textCharset: 255 });
  const p = payloads(w.take());
  assert.equal(p.length, 1 + types.length + rows.length + 1);
  assert.equal(new PayloadReader(p[0]).lenencInt(), types.length);
  assert.equal(p[p.length - 1][0], 0xfe);
  for (let r = 0; r < rows.length; r++) {
    const reader = new PayloadReader(p[1 + types.length + r]);
    for (let i = 0; i < types.length; i++) {
      const v = rows[r][i];
      const expected = v === null ? null : formatValueText(v, types[i]);
      const got = reader.lenencBytes();
      if (expected === null) assert.equal(got, null);
      else assert.deepEqual(got, typeof expected === 'string' ? Buffer.from(expected) : expected, `row ${r} col ${i}`);
    }
    assert.ok(reader.atEnd());
  }
});

test('big result sets are flushed in chunks between rows', () => {
  const w = new PacketWriter();
  const chunks: Buffer[] = [];
  const rows: Row[] = Array.from({ length: 5000 }, (_, i) => [i, 0, 0, 0, null, 'x'.repeat(100), null, null]);
  writeTextResultSet(w, columns, rows, { deprecateEof: false, status: 2, warnings: 0, textCharset: 255, flush: () => chunks.push(w.take()), flushBytes: 64 * 1024 });
  chunks.push(w.take());
  assert.ok(chunks.length > 5);
  const p = payloads(Buffer.concat(chunks));
  assert.equal(p.length, 1 + types.length + 1 + rows.length + 1, 'with an EOF after the columns');
  assert.equal(p[1 + types.length][0], 0xfe);
});

test('round trip: every column type written in a text row is read back as the Value it was, NULLs included', () => {
  const cols = TYPED_CASES.map((c, i) => columnOf(c.type, `c${i}`));
  const values: Row = TYPED_CASES.map((c) => c.value);
  const nulls: Row = TYPED_CASES.map(() => null);
  const alternating: Row = values.map((v, i) => (i % 2 === 0 ? null : v));
  const expected = TYPED_CASES.map((c) => (c.text !== undefined ? c.text : c.value));
  for (const deprecateEof of [true, false]) {
    const status = ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS;
    const w = new PacketWriter();
    writeTextResultSet(w, cols, [values, nulls, alternating], { deprecateEof, status, warnings: 2, textCharset: 255 });
    const got = readResultSet(payloads(w.take()), deprecateEof, parseTextRow);
    assert.deepEqual(got.end, { warnings: 2, status });
    assert.deepEqual(got.columns.map((c) => c.name), cols.map((c) => c.name));
    for (let i = 0; i < TYPED_CASES.length; i++) {
      assert.deepEqual(got.rows[0][i], expected[i], `${JSON.stringify(TYPED_CASES[i].type)} ${String(TYPED_CASES[i].value)}`);
    }
    assert.deepEqual(got.rows[1], nulls);
    assert.deepEqual(got.rows[2], expected.map((v, i) => (i % 2 === 0 ? null : v)));
  }
});

test('round trip: text and bytes at every length-encoded size boundary, up to a value that needs the 8-byte length', () => {
  const sizes = [0, 1, 250, 251, 0xffff, 0x10000, 0xffffff, 0x1000000];
  const cols = [columnOf({ kind: 'longtext' }, 'txt'), columnOf({ kind: 'longblob' }, 'bin')];
  const rows: Row[] = sizes.map((n, i) => [String.fromCharCode(97 + i).repeat(n), Buffer.alloc(n, i)]);
  const w = new PacketWriter();
  writeTextResultSet(w, cols, rows, { deprecateEof: true, status: 2, warnings: 0, textCharset: 255 });
  const p = payloads(w.take());
  const got = readResultSet(p, true, parseTextRow);
  assert.equal(got.rows.length, sizes.length);
  for (let i = 0; i < sizes.length; i++) {
    const [t, b] = got.rows[i];
    assert.equal(typeof t === 'string' && t.length, sizes[i]);
    assert.ok(t === rows[i][0], `text of ${sizes[i]} characters`);
    assert.ok(Buffer.isBuffer(b) && b.equals(rows[i][1] as Buffer), `bytes of ${sizes[i]}`);
  }
  // The largest row starts with 0xFE (an 8-byte length) and still is a row, not the end.
  assert.equal(p[p.length - 2][0], 0xfe);
});

test('column count round trip at each length-encoding width; zero or NULL is no column count', () => {
  for (const n of [1, 250, 251, 4096, 0xffff, 0x10000]) assert.equal(parseColumnCount(payloadOf((w) => writeColumnCount(w, n))), n);
  assert.throws(() => parseColumnCount(Buffer.from([0])), MalformedPacketError);
  assert.throws(() => parseColumnCount(Buffer.from([0xfb])), MalformedPacketError);
});

test('text cells: raw bytes, exact column count, conversions by wire type', () => {
  const row = Buffer.from([1, 0x35, 0xfb, 0]);
  assert.deepEqual(readTextCells(row, 3), [Buffer.from('5'), null, Buffer.alloc(0)]);
  assert.throws(() => readTextCells(row, 2), MalformedPacketError);
  assert.throws(() => readTextCells(row, 4), MalformedPacketError);
  const doubleCol = { type: 5, flags: 0, length: 22, decimals: 31, charset: 63 };
  assert.deepEqual(['inf', '-inf', '1e20', '-0'].map((t) => textCellValue(Buffer.from(t), doubleCol)), [Infinity, -Infinity, 1e20, -0]);
  const decimalCol = { type: 246, flags: 0, length: 10, decimals: 2, charset: 63 };
  assert.equal(textCellValue(Buffer.from('x'), decimalCol), 'x', 'not a number: left as text');
});
