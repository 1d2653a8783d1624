// Tests of binary result rows and sets, and of COM_STMT_PREPARE_OK, against hand-computed protocol bytes; rows read back by the client end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultColumn } from '../../base/result.js';
import type { SqlType } from '../../base/sql-type.js';
import { Decimal, type Row } from '../../base/value.js';
import { binaryRowPlan, parseBinaryRow, planFits, writeBinaryResultSet, writeBinaryRow } from './binary-resultset.js';
import { writeBinaryDateTime, writeBinaryTime } from './binary-temporal.js';
import { TYPED_CASES, columnOf, payloadsIn as payloads, readResultSet } from './codec-fixture.js';
import { parseColumnDefinition } from './column-definition.js';
import { ServerStatus } from './constants.js';
import { PacketWriter } from './packet-writer.js';
import { MalformedPacketError } from './payload-reader.js';
import { parsePrepareOk, writePrepareOk } from './prepared-packets.js';
import { parseEof } from './responses.js';

function col(type: SqlType, name = 'c'): ResultColumn {
  return { name, orgName: name, table: '', orgTable: '', schema: '', type, nullable: true };
}

/** The payload of one binary row of a single column of `type` holding `v`, as hex. */
function cell(type: SqlType, v: Row[number]): string {
  const w = new PacketWriter();
  writeBinaryRow(w, [v], binaryRowPlan([col(type)]));
  const [p] = payloads(w.take());
  assert.equal(p[0], 0);
  // Skip the 0x00 header and the 1-byte NULL bitmap.
  return p.subarray(2).toString('hex');
}

test('integers by column width, little-endian, two\'s complement', () => {
  assert.equal(cell({ kind: 'tinyint' }, 1), '01');
  assert.equal(cell({ kind: 'tinyint' }, -1), 'ff');
  assert.equal(cell({ kind: 'tinyint', unsigned: true }, 255), 'ff');
  assert.equal(cell({ kind: 'smallint' }, 1), '0100');
  assert.equal(cell({ kind: 'smallint' }, -2), 'feff');
  assert.equal(cell({ kind: 'year' }, 2024), 'e807');
  assert.equal(cell({ kind: 'mediumint' }, -1), 'ffffffff', 'INT24 in 4 bytes');
  assert.equal(cell({ kind: 'int' }, 1), '01000000');
  assert.equal(cell({ kind: 'int', unsigned: true }, 4294967295), 'ffffffff');
  assert.equal(cell({ kind: 'int' }, -2147483648), '00000080');
  assert.equal(cell({ kind: 'bigint' }, 1), '0100000000000000');
  assert.equal(cell({ kind: 'bigint' }, -1), 'ffffffffffffffff');
  assert.equal(cell({ kind: 'bigint' }, -(2 ** 53)), '000000000000e0ff');
  assert.equal(cell({ kind: 'bigint' }, Number.MAX_SAFE_INTEGER), 'ffffffffffff1f00');
  assert.equal(cell({ kind: 'bigint' }, -9223372036854775808n), '0000000000000080');
  assert.equal(cell({ kind: 'bigint', unsigned: true }, 18446744073709551615n), 'ffffffffffffffff');
  // Values of another runtime type are converted.
  assert.equal(cell({ kind: 'int' }, '42'), '2a000000');
  assert.equal(cell({ kind: 'bigint' }, Decimal.parse('7.9') ?? null), '0700000000000000');
});

test('FLOAT in 4 bytes, DOUBLE in 8 (10.2 from the documentation), DECIMAL as text with the column scale', () => {
  assert.equal(cell({ kind: 'double' }, 10.2), '6666666666662440');
  assert.equal(cell({ kind: 'float' }, 10.2), '33332341');
  assert.equal(cell({ kind: 'double' }, Decimal.parse('0.5') ?? null), '000000000000e03f');
  assert.equal(cell({ kind: 'decimal', precision: 10, scale: 3 }, Decimal.parse('1.5') ?? null), '05' + Buffer.from('1.500').toString('hex'));
  assert.equal(cell({ kind: 'decimal', precision: 10, scale: 2 }, 3), '04' + Buffer.from('3.00').toString('hex'));
});

test('temporal columns in the binary date and time formats (documentation examples)', () => {
  assert.equal(cell({ kind: 'datetime', fsp: 6 }, '2010-10-17 19:27:30.000001'), '0bda070a11131b1e01000000');
  assert.equal(cell({ kind: 'datetime' }, '2010-10-17 19:27:30'), '07da070a11131b1e');
  assert.equal(cell({ kind: 'timestamp' }, '2010-10-17 00:00:00'), '04da070a11');
  assert.equal(cell({ kind: 'date' }, '2010-10-17'), '04da070a11');
  assert.equal(cell({ kind: 'date' }, '0000-00-00'), '00');
  assert.equal(cell({ kind: 'datetime', fsp: 3 }, '2024-01-31 10:11:12.345'), '0be807011f0a0b0ca8430500');
  assert.equal(cell({ kind: 'time', fsp: 6 }, '-2899:27:30.000001'), '0c0178000000131b1e01000000');
  assert.equal(cell({ kind: 'time' }, '-2899:27:30'), '080178000000131b1e');
  assert.equal(cell({ kind: 'time' }, '838:59:59'), '080022000000163b3b');
  assert.equal(cell({ kind: 'time' }, '00:00:00'), '00');
  assert.equal(cell({ kind: 'time' }, '01:02:03'), '08000000000001' + '0203');
});

test('strings, bytes, BIT, JSON, ENUM as length-encoded values', () => {
  assert.equal(cell({ kind: 'varchar', length: 10 }, 'foo'), '03666f6f');
  assert.equal(cell({ kind: 'char', length: 5 }, 'hé'), '0368c3a9');
  assert.equal(cell({ kind: 'blob' }, Buffer.from([0, 0xfb, 0xff])), '0300fbff');
  assert.equal(cell({ kind: 'bit', length: 8 }, Buffer.from([5])), '0105');
  assert.equal(cell({ kind: 'json' }, '{"a":1}'), '07' + Buffer.from('{"a":1}').toString('hex'));
  assert.equal(cell({ kind: 'enum', values: ['a', 'b'] }, 'b'), '0162');
  assert.equal(cell({ kind: 'varchar' }, 12), '023132', 'a number in a text column is written as its text');
  const long = 'y'.repeat(300);
  assert.equal(cell({ kind: 'text' }, long), 'fc2c01' + Buffer.from(long).toString('hex'));
});

test('NULL bitmap with offset 2: header 0x00, (n + 9) / 8 bytes, NULL columns take no value bytes', () => {
  const types: SqlType[] = [{ kind: 'int' }, { kind: 'varchar' }, { kind: 'bigint' }, { kind: 'date' }, { kind: 'double' }, { kind: 'int' }, { kind: 'int' }];
  const w = new PacketWriter();
  // 7 columns: bitmap of (7 + 9) >> 3 = 2 bytes. Column i is bit i + 2.
  writeBinaryRow(w, [null, 'a', null, null, null, null, 9], binaryRowPlan(types.map((t) => col(t))));
  const [p] = payloads(w.take());
  // NULL: columns 0, 2, 3, 4, 5 → bits 2, 4, 5, 6, 7 → 0b11110100 = 0xf4; byte 2 empty.
  assert.equal(p.toString('hex'), '00' + 'f400' + '0161' + '09000000');
  const w2 = new PacketWriter();
  writeBinaryRow(w2, [null, null, null, null, null, null, null], binaryRowPlan(types.map((t) => col(t))));
  assert.equal(payloads(w2.take())[0].toString('hex'), '00fc01');
});

test('a whole result set: count, definitions, EOF, rows, EOF; DEPRECATE_EOF variant ends with OK 0xFE', () => {
  const columns = [col({ kind: 'int' }, 'id'), col({ kind: 'varchar', length: 20 }, 'name')];
  const rows: Row[] = [[1, 'a'], [2, null]];
  for (const deprecateEof of [false, true]) {
    const w = new PacketWriter();
    writeBinaryResultSet(w, columns, rows, binaryRowPlan(columns), { deprecateEof, status: 2, warnings: 0, textCharset: 255 });
    const ps = payloads(w.take());
    const expected = deprecateEof ? 1 + 2 + 2 + 1 : 1 + 2 + 1 + 2 + 1;
    assert.equal(ps.length, expected);
    assert.deepEqual(ps[0], Buffer.from([2]));
    const rowAt = deprecateEof ? 3 : 4;
    assert.equal(ps[rowAt].toString('hex'), '0000' + '01000000' + '0161');
    assert.equal(ps[rowAt + 1].toString('hex'), '0008' + '02000000');
    const end = ps[ps.length - 1];
    assert.equal(end[0], 0xfe);
    if (deprecateEof) assert.equal(end.toString('hex'), 'fe000002000000');
    else assert.equal(end.toString('hex'), 'fe00000200');
  }
});

test('row plans are reused while the column layout is unchanged', () => {
  const a = [col({ kind: 'int' }), col({ kind: 'decimal', scale: 2 })];
  const plan = binaryRowPlan(a);
  assert.ok(planFits(plan, [col({ kind: 'int' }), col({ kind: 'decimal', scale: 2 })]));
  assert.ok(!planFits(plan, [col({ kind: 'int' }), col({ kind: 'decimal', scale: 3 })]));
  assert.ok(!planFits(plan, [col({ kind: 'int', unsigned: true }), col({ kind: 'decimal', scale: 2 })]));
  assert.ok(!planFits(plan, [col({ kind: 'int' })]));
});

test('temporal writers: shortest length, unreadable text as zero', () => {
  const hexOf = (f: (w: PacketWriter) => void): string => {
    const w = new PacketWriter();
    w.begin();
    f(w);
    w.end();
    return payloads(w.take())[0].toString('hex');
  };
  assert.equal(hexOf((w) => writeBinaryDateTime(w, 'garbage')), '00');
  assert.equal(hexOf((w) => writeBinaryDateTime(w, '2024-02-29 00:00:00.5')), '0be807021d00000020a10700');
  assert.equal(hexOf((w) => writeBinaryTime(w, '-00:00:01')), '080100000000000001');
  assert.equal(hexOf((w) => writeBinaryTime(w, '24:00:00')), '080001000000000000');
});

test('COM_STMT_PREPARE_OK, parameter definitions and column definitions with their EOFs', () => {
  for (const deprecateEof of [false, true]) {
    const w = new PacketWriter();
    writePrepareOk(w, { statementId: 7, params: 2, columns: [col({ kind: 'int' }, 'x')], warnings: 0, deprecateEof, textCharset: 255, status: 2 });
    const ps = payloads(w.take());
    assert.equal(ps[0].toString('hex'), '00' + '07000000' + '0100' + '0200' + '00' + '0000');
    assert.equal(ps.length, deprecateEof ? 1 + 2 + 1 : 1 + 2 + 1 + 1 + 1);
    // A parameter: def, empty schema/table/org_table, '?', empty org_name, binary VAR_STRING.
    assert.equal(ps[1].toString('hex'), '03646566' + '000000' + '013f' + '00' + '0c' + '3f00' + '00000000' + 'fd' + '8000' + '00' + '0000');
    if (!deprecateEof) {
      assert.equal(ps[3].toString('hex'), 'fe00000200');
      assert.equal(ps[5].toString('hex'), 'fe00000200');
    }
  }
  const w = new PacketWriter();
  writePrepareOk(w, { statementId: 1, params: 0, columns: [], warnings: 1, deprecateEof: false, textCharset: 255, status: 2 });
  const ps = payloads(w.take());
  assert.equal(ps.length, 1, 'no definitions, no EOFs');
  assert.equal(ps[0].toString('hex'), '00010000000000000000' + '0100');
});

test('round trip: every column type written in a binary row is read back as the Value it was, NULLs in any bitmap position', () => {
  const cols = TYPED_CASES.map((c, i) => columnOf(c.type, `c${i}`));
  const values: Row = TYPED_CASES.map((c) => c.value);
  const expected = TYPED_CASES.map((c) => (c.binary !== undefined ? c.binary : c.value));
  // Each row NULLs a different stride of columns, so every bitmap byte and bit is used both ways.
  const rows: Row[] = [values, values.map(() => null)];
  for (const stride of [2, 3, 7, 8, 9]) rows.push(values.map((v, i) => (i % stride === 0 ? null : v)));
  for (const deprecateEof of [true, false]) {
    const w = new PacketWriter();
    const status = ServerStatus.AUTOCOMMIT;
    writeBinaryResultSet(w, cols, rows, binaryRowPlan(cols), { deprecateEof, status, warnings: 0, textCharset: 255 });
    const got = readResultSet(payloads(w.take()), deprecateEof, parseBinaryRow);
    assert.deepEqual(got.end, { warnings: 0, status });
    for (let i = 0; i < TYPED_CASES.length; i++) {
      assert.deepEqual(got.rows[0][i], expected[i], `${JSON.stringify(TYPED_CASES[i].type)} ${String(TYPED_CASES[i].value)}`);
    }
    assert.deepEqual(got.rows[1], values.map(() => null));
    for (let r = 2; r < rows.length; r++) assert.deepEqual(got.rows[r], rows[r].map((v, i) => (v === null ? null : expected[i])), `row ${r}`);
  }
});

test('round trip: binary strings and bytes at every length-encoded size boundary', () => {
  const sizes = [0, 250, 251, 0xffff, 0x10000, 0xffffff, 0x1000000];
  const cols = [columnOf({ kind: 'int' }, 'k'), columnOf({ kind: 'longtext' }, 'txt'), columnOf({ kind: 'longblob' }, 'bin')];
  const rows: Row[] = sizes.map((n, i) => [i, 'é'.repeat(n >> 1) + 'x'.repeat(n & 1), Buffer.alloc(n, i)]);
  const w = new PacketWriter();
  writeBinaryResultSet(w, cols, rows, binaryRowPlan(cols), { deprecateEof: true, status: 2, warnings: 0, textCharset: 255 });
  const got = readResultSet(payloads(w.take()), true, parseBinaryRow);
  assert.equal(got.rows.length, sizes.length);
  for (let i = 0; i < sizes.length; i++) {
    const [k, t, b] = got.rows[i];
    assert.equal(k, i);
    assert.ok(t === rows[i][1], `text of ${sizes[i]} bytes`);
    assert.ok(Buffer.isBuffer(b) && b.equals(rows[i][2] as Buffer), `bytes of ${sizes[i]}`);
  }
});

test('reading binary rows: header, bitmap size and column count are checked', () => {
  const cols = [columnOf({ kind: 'int' }), columnOf({ kind: 'varchar' })];
  const w = new PacketWriter();
  writeBinaryRow(w, [1, 'a'], binaryRowPlan(cols));
  const [row] = payloads(w.take());
  const defs = cols.map((c) => ({ type: c.type.kind === 'int' ? 3 : 253, flags: 0, length: 0, decimals: 0, charset: c.type.kind === 'int' ? 63 : 255 }));
  assert.deepEqual(parseBinaryRow(row, defs), [1, 'a']);
  assert.throws(() => parseBinaryRow(row, defs.slice(0, 1)), MalformedPacketError);
  assert.throws(() => parseBinaryRow(Buffer.concat([row, Buffer.from([0])]), defs), MalformedPacketError);
  const notRow = Buffer.from(row);
  notRow[0] = 1;
  assert.throws(() => parseBinaryRow(notRow, defs), MalformedPacketError);
});

test('COM_STMT_PREPARE_OK round trip: head, parameter and column definitions', () => {
  const columns = [columnOf({ kind: 'int' }, 'x'), columnOf({ kind: 'varchar', length: 3 }, 'y')];
  for (const deprecateEof of [false, true]) {
    for (const [params, cols] of [[0, []], [3, []], [0, columns], [2, columns]] as const) {
      const ps = payloads(((w) => (writePrepareOk(w, { statementId: 0xfffffff0, params, columns: cols, warnings: 70000, deprecateEof, textCharset: 255, status: 2 }), w.take()))(new PacketWriter()));
      let i = 0;
      assert.deepEqual(parsePrepareOk(ps[i++]), { statementId: 0xfffffff0, columnCount: cols.length, paramCount: params, warnings: 0xffff });
      for (let p = 0; p < params; p++) {
        const d = parseColumnDefinition(ps[i++]);
        assert.deepEqual([d.name, d.type, d.charset], ['?', 253, 63]);
      }
      if (params > 0 && !deprecateEof) assert.deepEqual(parseEof(ps[i++]), { warnings: 0, status: 2 });
      assert.deepEqual(cols.map(() => parseColumnDefinition(ps[i++]).name), cols.map((c) => c.name));
      if (cols.length > 0 && !deprecateEof) assert.deepEqual(parseEof(ps[i++]), { warnings: 0, status: 2 });
      assert.equal(i, ps.length);
    }
  }
  assert.throws(() => parsePrepareOk(Buffer.from([0xff, 1, 2])), MalformedPacketError);
});
