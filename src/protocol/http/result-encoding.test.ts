// The HTTP protocol's values: types survive JSON (no float rounding, ISO datetimes, base64 bytes), named as a MySQL client reads them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../base/decimal.js';
import type { ResultColumn } from '../../base/result.js';
import type { SqlType } from '../../base/sql-type.js';
import { cellJson, columnJson, integerJson } from './result-encoding.js';

function column(type: SqlType, nullable = true): ResultColumn {
  return { name: 'c', orgName: 'c', table: '', orgTable: '', schema: '', type, nullable };
}

test('column types are named as the MySQL wire reports them (TEXT and BLOB families collapse)', () => {
  const names = (['bigint', 'decimal', 'varchar', 'varbinary', 'mediumtext', 'longblob', 'datetime', 'enum', 'json', 'bit'] as const)
    .map((kind) => columnJson(column({ kind, values: kind === 'enum' ? ['a'] : undefined })).type);
  assert.deepEqual(names, ['bigint', 'decimal', 'varchar', 'varbinary', 'text', 'blob', 'datetime', 'enum', 'json', 'bit']);
  assert.deepEqual(columnJson(column({ kind: 'int' }, false)), { name: 'c', type: 'int', nullable: false });
});

test('BIGINT and DECIMAL are strings, other numbers numbers, DATETIME ISO, bytes base64', () => {
  assert.equal(cellJson(9007199254740993n, 'bigint'), '9007199254740993');
  assert.equal(cellJson(5, 'bigint'), '5');
  assert.equal(cellJson(Decimal.parse('12345678901234567890.12') as Decimal, 'decimal'), '12345678901234567890.12');
  assert.equal(cellJson(7, 'int'), 7);
  assert.equal(cellJson(1.5, 'double'), 1.5);
  assert.equal(cellJson('2024-01-02 03:04:05.5', 'datetime'), '2024-01-02T03:04:05.5');
  assert.equal(cellJson('2024-01-02', 'date'), '2024-01-02');
  assert.equal(cellJson(Buffer.from([0, 1, 255]), 'blob'), 'AAH/');
  assert.equal(cellJson(null, 'blob'), null);
  assert.equal(cellJson('é', 'varchar'), 'é');
});

test('insert ids are numbers while exact, strings past 2^53', () => {
  assert.equal(integerJson(5n), 5);
  assert.equal(integerJson(2n ** 60n), '1152921504606846976');
});
