// SELECT decodes only the table columns it reads: every clause that reads a column must still see it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith, type Embedded } from '../../testing/embedded.js';
import type { KernelSession } from '../../kernel/plugin.js';
import type { Row } from '../../base/value.js';

let db: Embedded;
let s: KernelSession;

before(async () => {
  ({ db, session: s } = await startEmbeddedWith([
    'CREATE DATABASE q',
    'USE q',
    'CREATE TABLE wide (id INT PRIMARY KEY, a INT, b VARCHAR(20), big TEXT, c INT, KEY by_a (a))',
    "INSERT INTO wide VALUES (1, 10, 'one', REPEAT('x', 5000), 100), (2, 20, 'two', 'y', 200), (3, 10, 'three', NULL, 300), (4, 30, 'four', 'z', 400)",
    'CREATE TABLE other (x INT)',
    'INSERT INTO other VALUES (10), (30)',
    'CREATE TABLE nopk (a INT, b VARCHAR(5))',
    "INSERT INTO nopk VALUES (1, 'p'), (2, 'q'), (2, 'r')",
    'CREATE TABLE copy (id INT PRIMARY KEY, c INT)',
  ]));
});

after(async () => {
  await db.stop();
});

const rows = (sql: string): Promise<Row[]> => db.rows(s, sql);

test('a column read only in WHERE, ORDER BY, GROUP BY, HAVING or an aggregate is still read', async () => {
  assert.deepEqual(await rows('SELECT id FROM wide WHERE c > 150 ORDER BY id'), [[2], [3], [4]]);
  assert.deepEqual(await rows('SELECT id FROM wide ORDER BY b'), [[4], [1], [3], [2]]);
  assert.deepEqual(await rows('SELECT COUNT(*) FROM wide GROUP BY a ORDER BY a'), [[2], [1], [1]]);
  assert.deepEqual(await rows('SELECT a FROM wide GROUP BY a HAVING SUM(c) > 350 ORDER BY a'), [[10], [30]]);
  assert.deepEqual(await rows('SELECT CAST(SUM(c) AS SIGNED), MAX(LENGTH(big)) FROM wide WHERE a = 10'), [[400, 5000]]);
  assert.deepEqual(await rows('SELECT b AS name FROM wide ORDER BY name LIMIT 1'), [['four']]);
  assert.deepEqual(await rows('SELECT id FROM wide WHERE big IS NULL'), [[3]]);
});

test('SELECT * and t.* read every column', async () => {
  assert.deepEqual(await rows('SELECT * FROM wide WHERE id = 2'), [[2, 20, 'two', 'y', 200]]);
  assert.deepEqual(await rows('SELECT w.* FROM wide w WHERE id = 4'), [[4, 30, 'four', 'z', 400]]);
});

test('a column read only inside a correlated subquery is still read', async () => {
  assert.deepEqual(await rows('SELECT id FROM wide w WHERE EXISTS (SELECT 1 FROM other WHERE other.x = w.a) ORDER BY id'), [[1], [3], [4]]);
  assert.deepEqual(await rows('SELECT id, (SELECT COUNT(*) FROM other WHERE other.x = w.a) FROM wide w ORDER BY id'), [[1, 1], [2, 0], [3, 1], [4, 1]]);
  assert.deepEqual(await rows('SELECT x FROM other WHERE x IN (SELECT a FROM wide WHERE c >= 300) ORDER BY x'), [[10], [30]]);
});

test('tables without a primary key, derived tables, INSERT ... SELECT and locking reads', async () => {
  assert.deepEqual(await rows('SELECT b FROM nopk WHERE a = 2 ORDER BY b'), [['q'], ['r']]);
  assert.deepEqual(await rows('SELECT n FROM (SELECT b AS n, c FROM wide WHERE c < 250) d ORDER BY c DESC'), [['two'], ['one']]);
  await db.run(s, 'INSERT INTO copy SELECT id, c FROM wide WHERE a = 10');
  assert.deepEqual(await rows('SELECT * FROM copy ORDER BY id'), [[1, 100], [3, 300]]);
  await db.run(s, 'BEGIN');
  assert.deepEqual(await rows('SELECT b FROM wide WHERE a = 20 FOR UPDATE'), [['two']]);
  await db.run(s, 'UPDATE wide SET c = c + 1 WHERE a = 20');
  await db.run(s, 'COMMIT');
  assert.deepEqual(await rows('SELECT id, a, b, big, c FROM wide WHERE id = 2'), [[2, 20, 'two', 'y', 201]]);
});

test('a locking read of some columns still locks the rows it read', async () => {
  const other = db.session();
  await db.run(other, 'SET SESSION innodb_lock_wait_timeout = 1');
  await db.run(s, 'BEGIN');
  assert.deepEqual(await rows('SELECT b FROM wide WHERE a = 30 FOR UPDATE'), [['four']]);
  await assert.rejects(db.run(other, 'UPDATE q.wide SET c = 0 WHERE id = 4'), (e: { code?: number }) => e.code === 1205);
  await db.run(s, 'COMMIT');
  await db.run(other, 'UPDATE q.wide SET c = 0 WHERE id = 4');
  assert.deepEqual(await rows('SELECT c FROM wide WHERE id = 4'), [[0]]);
});
