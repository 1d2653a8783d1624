// EXPLAIN describes the plan tree without running the statement: access types, keys, estimates, query blocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith, type Embedded } from '../../testing/embedded.js';
import type { KernelSession } from '../../kernel/plugin.js';
import type { Row } from '../../base/value.js';

let db: Embedded;
let s: KernelSession;

before(async () => {
  const rows = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i + 1)).join(',');
  ({ db, session: s } = await startEmbeddedWith([
    'CREATE DATABASE e',
    'USE e',
    'CREATE TABLE t (id INT PRIMARY KEY, grp INT, name VARCHAR(20), KEY k_grp (grp))',
    `INSERT INTO t VALUES ${rows(200, (i) => `(${i}, ${i % 20}, 'n${i}')`)}`,
    'CREATE TABLE u (id INT PRIMARY KEY, t_id INT)',
    `INSERT INTO u VALUES ${rows(200, (i) => `(${i}, ${i})`)}`,
    'CREATE VIEW v AS SELECT id, grp FROM t WHERE grp = 3',
  ]));
});

after(async () => {
  await db.stop();
});

const rows = (sql: string): Promise<Row[]> => db.rows(s, sql);

/** The columns that say how each table is read: table, type, key, rows, Extra. */
async function explain(sql: string): Promise<Row[]> {
  return (await rows(`EXPLAIN ${sql}`)).map((r) => [r[0], r[1], r[2], r[4], r[6], r[9], r[11]]);
}

test('EXPLAIN of a statement that would fail when run succeeds: it is planned, not run', async () => {
  // Run, the subquery returns 200 rows where one is allowed (1242).
  await assert.rejects(rows('SELECT * FROM t WHERE id = (SELECT id FROM u)'), (e: Error & { code?: number }) => e.code === 1242);
  assert.deepEqual(await explain('SELECT * FROM t WHERE id = (SELECT id FROM u)'), [
    [1, 'PRIMARY', 't', 'ALL', null, 200, null],
    [2, 'SUBQUERY', 'u', 'ALL', null, 200, null],
  ]);
  // Run, this cross product of 1.6 billion rows outlasts its time limit (3024); explained, it is only described.
  const cross4 = 'SELECT /*+ MAX_EXECUTION_TIME(100) */ COUNT(*) FROM t a, t b, t c, t d';
  await assert.rejects(rows(cross4), (e: Error & { code?: number }) => e.code === 3024);
  const cross = await explain(cross4);
  assert.deepEqual(cross.map((r) => r[5]), [200, 200, 200, 200]);
});

test('access types and keys: const, range, ref, full scan', async () => {
  assert.deepEqual(await explain('SELECT * FROM t WHERE id = 7'), [[1, 'SIMPLE', 't', 'const', 'PRIMARY', 1, 'Using where']]);
  assert.deepEqual(await explain('SELECT * FROM t WHERE id BETWEEN 10 AND 19'), [[1, 'SIMPLE', 't', 'range', 'PRIMARY', 10, 'Using where']]);
  const ref = await explain('SELECT * FROM t WHERE grp = 3');
  assert.deepEqual(ref[0].slice(0, 5), [1, 'SIMPLE', 't', 'ref', 'k_grp']);
  assert.deepEqual(await explain("SELECT * FROM t WHERE name = 'n1'"), [[1, 'SIMPLE', 't', 'ALL', null, 200, null]]);
  assert.deepEqual(await explain('SELECT 1'), [[1, 'SIMPLE', null, null, null, null, 'No tables used']]);
  // A number written as a string (PDO binds every value as one) keys the index like the number itself.
  assert.deepEqual(await explain("SELECT * FROM t WHERE id = '7'"), [[1, 'SIMPLE', 't', 'const', 'PRIMARY', 1, 'Using where']]);
  assert.deepEqual((await explain("SELECT * FROM t WHERE id BETWEEN '10' AND ' 19.5 '")).map((r) => [r[3], r[4]]), [['range', 'PRIMARY']]);
  assert.deepEqual((await explain("SELECT * FROM t WHERE grp IN ('3', '4')")).map((r) => r[4]), ['k_grp']);
  // Not a plain number: compared row by row.
  assert.deepEqual((await explain("SELECT * FROM t WHERE id = '7x'")).map((r) => r[3]), ['ALL']);
});

test('joins show the order the executor reads them and how each step matches', async () => {
  assert.deepEqual(await explain('SELECT * FROM u JOIN t ON t.id = u.t_id WHERE u.id BETWEEN 1 AND 4'), [
    [1, 'SIMPLE', 'u', 'range', 'PRIMARY', 4, 'Using where'],
    [1, 'SIMPLE', 't', 'eq_ref', 'PRIMARY', 1, 'Using where'],
  ]);
  const hash = await explain("SELECT * FROM u JOIN t ON t.name = CONCAT('n', u.t_id)");
  assert.equal(hash[1][6], 'Using where; Using join buffer (hash join)');
});

test('derived tables, views, set operations, UPDATE and DELETE are explained by query block', async () => {
  assert.deepEqual(await explain('SELECT * FROM (SELECT id FROM u WHERE id = 3) d'), [
    [1, 'PRIMARY', '<derived2>', 'ALL', null, 1, null],
    [2, 'DERIVED', 'u', 'const', 'PRIMARY', 1, 'Using where'],
  ]);
  const view = await explain('SELECT * FROM v');
  assert.deepEqual(view[1].slice(1, 5), ['DERIVED', 't', 'ref', 'k_grp']);
  assert.deepEqual((await explain('SELECT id FROM t UNION SELECT id FROM u')).map((r) => [r[0], r[1], r[2]]), [[1, 'PRIMARY', 't'], [2, 'UNION', 'u']]);
  assert.deepEqual(await explain('UPDATE t SET name = NULL WHERE id = 5'), [[1, 'UPDATE', 't', 'const', 'PRIMARY', 1, 'Using where']]);
  assert.deepEqual(await explain('DELETE FROM u LIMIT 3'), [[1, 'DELETE', 'u', 'ALL', null, 3, null]]);
  // Nothing was changed by explaining them.
  assert.deepEqual(await rows('SELECT name FROM t WHERE id = 5'), [['n5']]);
  assert.deepEqual(await rows('SELECT COUNT(*) FROM u'), [[200]]);
});

test('EXPLAIN FORMAT=TREE nests the joins', async () => {
  const [[tree]] = await rows('EXPLAIN FORMAT=TREE SELECT * FROM u JOIN t ON t.id = u.t_id WHERE u.id BETWEEN 1 AND 4');
  assert.equal(tree, [
    '-> Nested loop inner join  (rows=4)',
    '    -> Index range scan on u using PRIMARY  (rows=4)',
    '    -> Single-row index lookup on t using PRIMARY  (rows=1)',
  ].join('\n'));
});

test('errors in the explained statement are its own errors', async () => {
  await assert.rejects(rows('EXPLAIN SELECT * FROM missing'), (e: Error & { code?: number }) => e.code === 1146);
  await assert.rejects(rows('EXPLAIN SELECT nope FROM t'), (e: Error & { code?: number }) => e.code === 1054);
  await assert.rejects(rows('EXPLAIN INSERT INTO t VALUES (1000, 1, "x")'), (e: Error & { code?: number }) => e.code === 1235);
});
