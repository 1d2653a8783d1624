// Covering secondary-index reads: rows built from index entries alone equal the rows read through the clustered index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith } from '../testing/embedded.js';
import { ByteWriter } from './byte-writer.js';
import { decodedKeyEnd, decodeKeyValue, encodeKeyValue, keyPartFor, keyValueDecodable } from './key-codec.js';
import { entryColumns, indexCovers } from './table-store.js';
import type { SqlType } from '../base/sql-type.js';
import type { Value } from '../base/value.js';
import type { TableDef } from './table-def.js';

test('decodable key values decode to what the row codec stores, one after another', () => {
  const cases: [SqlType, Value[]][] = [
    [{ kind: 'int' }, [0, 1, -1, 2147483647, -2147483648, 123456]],
    [{ kind: 'bigint' }, [9007199254740991, -9007199254740991, 9223372036854775807n, -9223372036854775808n, -9007199254740992n, 2 ** 40 + 5]],
    [{ kind: 'bigint', unsigned: true }, [0, 18446744073709551615n, 9007199254740991, 9007199254740992n]],
    [{ kind: 'year' }, [1901, 2155, 0]],
    [{ kind: 'date' }, ['2024-02-29', '0000-00-00']],
    [{ kind: 'datetime', fsp: 6 }, ['2024-02-29 12:34:56.123456']],
    [{ kind: 'varbinary', length: 10 }, [Buffer.from([0, 1, 0, 0, 255]), Buffer.alloc(0), Buffer.from('abc')]],
  ];
  for (const [type, values] of cases) {
    const part = keyPartFor({ name: 'c', type, nullable: true }, undefined);
    assert.ok(keyValueDecodable(part), type.kind);
    const w = new ByteWriter(8);
    for (const v of [...values, null]) encodeKeyValue(w, part, v);
    const key = w.finish();
    let p = 0;
    for (const v of [...values, null]) {
      assert.deepEqual(decodeKeyValue(key, p, part), v, `${type.kind} ${String(v)}`);
      p = decodedKeyEnd();
    }
    assert.equal(p, key.length);
  }
  for (const type of [{ kind: 'varchar', length: 10 }, { kind: 'decimal', precision: 5, scale: 2 }, { kind: 'double' }, { kind: 'time' }] as SqlType[]) {
    assert.equal(keyValueDecodable(keyPartFor({ name: 'c', type, nullable: true }, undefined)), false, type.kind);
  }
});

test('an index covers the primary key and its leading decodable columns only', () => {
  const def = {
    id: 1, schema: 's', name: 't', nextIndexId: 3,
    columns: [
      { name: 'id', type: { kind: 'int' }, nullable: false },
      { name: 'k', type: { kind: 'int' }, nullable: true },
      { name: 's', type: { kind: 'varchar', length: 5 }, nullable: true },
      { name: 'd', type: { kind: 'date' }, nullable: true },
    ],
    primaryKey: { id: 0, name: 'PRIMARY', columns: [0], unique: true },
    indexes: [{ id: 1, name: 'k', columns: [1, 3], unique: false }, { id: 2, name: 'ks', columns: [2, 1], unique: false }],
  } as unknown as TableDef;
  assert.deepEqual(entryColumns(def, def.indexes[0]), [true, true, false, true]);
  assert.deepEqual(entryColumns(def, def.indexes[1]), [true, false, false, false]);
  assert.equal(indexCovers(entryColumns(def, def.indexes[0]), [true, true, false, false]), true);
  assert.equal(indexCovers(entryColumns(def, def.indexes[0]), [true, true, true, false]), false);
  assert.equal(indexCovers(entryColumns(def, def.indexes[0]), undefined), false);
  const textKey = { ...def, primaryKey: { id: 0, name: 'PRIMARY', columns: [2], unique: true } } as TableDef;
  assert.deepEqual(entryColumns(textKey, def.indexes[0]), [false, false, false, false]);
});

test('covering reads return the same rows as clustered reads, see uncommitted writes of their transaction, and EXPLAIN says Using index', async () => {
  const { db, session: s } = await startEmbeddedWith([
    'CREATE DATABASE c', 'USE c',
    'CREATE TABLE t (id BIGINT PRIMARY KEY, k INT, d DATE, pad VARCHAR(20), KEY kd (k, d), KEY p (pad))',
    "INSERT INTO t VALUES (1, 5, '2020-01-01', 'a'), (2, -3, NULL, 'b'), (3, NULL, '2021-06-30', 'c'), (9007199254740993, 5, '2019-12-31', 'd'), (-7, 2147483647, '2022-01-01', 'e')",
  ]);
  try {
    const explain = async (sql: string) => (await db.rows(s, `EXPLAIN ${sql}`)).map((r) => [r[4], r[6], r[11]]);
    assert.deepEqual(await explain('SELECT count(k) FROM t WHERE k BETWEEN 1 AND 9'), [['range', 'kd', 'Using where; Using index']]);
    assert.deepEqual(await explain('SELECT id, d FROM t WHERE k = 5'), [['ref', 'kd', 'Using where; Using index']]);
    assert.deepEqual(await explain('SELECT pad FROM t WHERE k = 5'), [['ref', 'kd', 'Using where']]);
    assert.deepEqual(await explain("SELECT id FROM t WHERE pad = 'a'"), [['ref', 'p', 'Using where']]);
    const tree = await db.rows(s, 'EXPLAIN FORMAT=TREE SELECT k FROM t WHERE k > 0');
    assert.match(String(tree[0][0]), /Covering index range scan on t using kd/);

    const same = async (covered: string, full: string) => assert.deepEqual(await db.rows(s, covered), await db.rows(s, full), covered);
    await same('SELECT id, k, d FROM t WHERE k BETWEEN -5 AND 2147483647 ORDER BY id', 'SELECT id, k, d FROM t IGNORE INDEX (kd) WHERE k BETWEEN -5 AND 2147483647 ORDER BY id');
    assert.deepEqual(await db.rows(s, 'SELECT id, d FROM t WHERE k = 5 ORDER BY id'), [[1, '2020-01-01'], [9007199254740993n, '2019-12-31']]);
    const [[count, sum]] = await db.rows(s, 'SELECT count(k), sum(k) FROM t WHERE k BETWEEN -10 AND 10 OR k BETWEEN 100 AND 200');
    assert.deepEqual([count, String(sum)], [3, '7']);
    assert.deepEqual(await db.rows(s, 'SELECT id FROM t WHERE k IS NULL'), [[3]]);

    await db.run(s, 'BEGIN');
    await db.run(s, "INSERT INTO t VALUES (4, 6, '2023-03-03', 'f')");
    await db.run(s, 'UPDATE t SET k = 7 WHERE id = 1');
    await db.run(s, 'DELETE FROM t WHERE id = 9007199254740993');
    assert.deepEqual(await db.rows(s, 'SELECT k, id, d FROM t WHERE k BETWEEN 5 AND 7 ORDER BY k'), [[6, 4, '2023-03-03'], [7, 1, '2020-01-01']]);
    await db.run(s, 'ROLLBACK');
    assert.deepEqual(await db.rows(s, 'SELECT k, id FROM t WHERE k BETWEEN 5 AND 7 ORDER BY id'), [[5, 1], [5, 9007199254740993n]]);
  } finally {
    await db.stop();
  }
});
