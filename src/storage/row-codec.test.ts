// Round-trip tests for the row codec over every column family and its edge values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../base/decimal.js';
import type { SqlType } from '../base/sql-type.js';
import type { Value } from '../base/value.js';
import type { ColumnDef } from './table-def.js';
import { RowCodec } from './row-codec.js';

const col = (type: SqlType): ColumnDef => ({ name: 'c', type, nullable: true });

function roundTrip(type: SqlType, values: Value[]): void {
  const codec = new RowCodec([col(type)]);
  for (const v of values) {
    const back = codec.decode(codec.encode([v]))[0];
    if (v instanceof Decimal) {
      assert.ok(back instanceof Decimal);
      assert.equal(back.unscaled, v.unscaled);
      assert.equal(back.scale, v.scale);
    } else {
      assert.deepEqual(back, v);
      assert.equal(typeof back, typeof v);
    }
  }
}

test('signed ints: number when safe, bigint beyond; int64 extremes', () => {
  roundTrip({ kind: 'bigint' }, [0, 1, -1, 127, -128, 128, 32767, -32769, 2 ** 31, -(2 ** 31) - 1, 2 ** 47, -(2 ** 47) - 1,
    Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2n ** 63n - 1n, -(2n ** 63n), 2n ** 53n, null]);
  const codec = new RowCodec([col({ kind: 'bigint' })]);
  assert.equal(codec.decode(codec.encode([5n]))[0], 5, 'a safe bigint comes back as a number');
});

test('unsigned ints up to 2^64-1; YEAR', () => {
  roundTrip({ kind: 'bigint', unsigned: true }, [0, 255, 256, 2 ** 48 - 1, 2 ** 48, Number.MAX_SAFE_INTEGER, 2n ** 64n - 1n, 2n ** 63n]);
  roundTrip({ kind: 'year' }, [0, 1901, 2155]);
  const codec = new RowCodec([col({ kind: 'int', unsigned: true })]);
  assert.throws(() => codec.encode([-1]), TypeError);
});

test('doubles incl. -0 and infinities; NaN rejected', () => {
  roundTrip({ kind: 'double' }, [0, 1.5, -1e308, Number.MIN_VALUE, Infinity, -Infinity, 0.1 + 0.2]);
  const codec = new RowCodec([col({ kind: 'double' })]);
  assert.ok(Object.is(codec.decode(codec.encode([-0]))[0], -0));
  assert.throws(() => codec.encode([NaN]), TypeError);
});

test('decimals keep their scale, small and huge', () => {
  roundTrip({ kind: 'decimal', precision: 65, scale: 30 }, [
    new Decimal(0n, 2), new Decimal(150n, 2), new Decimal(-150n, 2), new Decimal(-1n, 30),
    new Decimal(10n ** 65n - 1n, 30), new Decimal(-(10n ** 65n - 1n), 0), new Decimal(2n ** 48n, 3),
  ]);
});

test('strings: empty, unicode, long (multi-byte lengths)', () => {
  roundTrip({ kind: 'varchar' }, ['', 'a', 'héllo wörld', '\u{1f600}'.repeat(50), 'x'.repeat(42), 'é'.repeat(43), 'y'.repeat(100_000), '\u0000']);
  roundTrip({ kind: 'datetime', fsp: 6 }, ['2024-01-31 12:00:00.123456', '0000-00-00 00:00:00']);
  roundTrip({ kind: 'time' }, ['-838:59:59', '00:00:00']);
  roundTrip({ kind: 'enum', values: ['a', 'b'] }, ['a', '']);
  roundTrip({ kind: 'json' }, ['{"a": [1, 2]}']);
});

test('buffers: empty, zero bytes, large', () => {
  const big = Buffer.alloc(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = i & 0xff;
  roundTrip({ kind: 'blob' }, [Buffer.alloc(0), Buffer.from([0, 0, 1]), big]);
});

test('a wide row with NULLs in every position round-trips', () => {
  const types: SqlType[] = [
    { kind: 'int' }, { kind: 'varchar' }, { kind: 'double' }, { kind: 'decimal', precision: 10, scale: 2 },
    { kind: 'blob' }, { kind: 'date' }, { kind: 'bigint', unsigned: true }, { kind: 'time' }, { kind: 'set', values: ['a', 'b'] },
  ];
  const codec = new RowCodec(types.map(col));
  const full: Value[] = [7, 'seven', 7.5, new Decimal(750n, 2), Buffer.from('7'), '2007-07-07', 2n ** 64n - 1n, '07:00:00', 'a,b'];
  for (let mask = 0; mask < 1 << types.length; mask += 7) {
    const row = full.map((v, i) => ((mask >> i) & 1 ? null : v));
    const back = codec.decode(codec.encode(row));
    assert.deepEqual(back, row);
  }
  assert.throws(() => codec.encode([1]), TypeError);
});

test('decoding only some columns: the others read as NULL, the chosen ones exactly as a full decode', () => {
  const types: SqlType[] = [
    { kind: 'int' }, { kind: 'varchar' }, { kind: 'double' }, { kind: 'decimal', precision: 30, scale: 2 },
    { kind: 'blob' }, { kind: 'date' }, { kind: 'bigint', unsigned: true }, { kind: 'time' }, { kind: 'year' }, { kind: 'text' },
  ];
  const codec = new RowCodec(types.map(col));
  // Long values take multi-byte lengths, so skipping must read those too.
  const full: Value[] = [-7, 'x'.repeat(300), 7.5, new Decimal(10n ** 25n + 1n, 2), Buffer.alloc(20000, 7), '2007-07-07', 2n ** 64n - 1n, '07:00:00', 2007, 'é'.repeat(70000)];
  for (let nulls = 0; nulls < 1 << types.length; nulls += 37) {
    const row = full.map((v, i) => ((nulls >> i) & 1 ? null : v));
    const bytes = codec.encode(row);
    for (let wanted = 0; wanted < 1 << types.length; wanted += 13) {
      const columns = types.map((_, i) => ((wanted >> i) & 1) === 1);
      const expected = row.map((v, i) => (columns[i] ? v : null));
      assert.deepEqual(codec.decode(bytes, columns), expected, `nulls ${nulls} wanted ${wanted}`);
    }
  }
});
