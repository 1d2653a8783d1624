// Tests of text result sets: packet sequence, row encoding against formatValueText, NULLs, flushing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultColumn } from '../../base/result.js';
import { formatValueText } from '../../base/format.js';
import type { SqlType } from '../../base/sql-type.js';
import { Decimal, type Row } from '../../base/value.js';
import { PacketFramer } from './framer.js';
import { PacketWriter } from './packet-writer.js';
import { PayloadReader } from './payload-reader.js';
import { writeTextResultSet } from './text-resultset.js';

const types: SqlType[] = [
  { kind: 'int' }, { kind: 'int', zerofill: true, length: 5 }, { kind: 'bigint' }, { kind: 'double' }, { kind: 'decimal', precision: 6, scale: 2 },
  { kind: 'varchar', length: 10 }, { kind: 'blob' }, { kind: 'date' },
];
const columns: ResultColumn[] = types.map((type, i) => ({ name: `c${i}`, orgName: '', table: '', orgTable: '', schema: '', type, nullable: true }));

function payloads(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  new PacketFramer({ onPayload: (p) => out.push(Buffer.from(p)), onOversize: () => undefined }, 1 << 30).push(bytes);
  return out;
}

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
