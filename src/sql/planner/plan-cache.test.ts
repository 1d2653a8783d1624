// A cached plan is reused only while what it was planned against holds: DDL, the current database, temporary tables, parameter types and variables each force a new plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith, type Embedded } from '../../testing/embedded.js';
import type { KernelSession } from '../../kernel/plugin.js';
import type { StatementResult } from '../../base/result.js';
import type { Value } from '../../base/value.js';
import { SqlError } from '../../base/errors.js';
import { dmlPlans, queryPlans } from './plan-query.js';

async function withDb(setup: readonly string[], body: (db: Embedded, s: KernelSession) => Promise<void>): Promise<void> {
  const { db, session } = await startEmbeddedWith(['CREATE DATABASE p', 'USE p', ...setup]);
  try {
    await body(db, session);
  } finally {
    await db.stop();
  }
}

function shape(r: StatementResult): { columns: string[]; rows: Value[][] } | number {
  return r.kind === 'rows' ? { columns: r.columns.map((c) => c.name), rows: r.rows.map((row) => [...row]) } : r.kind === 'ok' ? r.affectedRows : -1;
}

async function errno(p: Promise<unknown>): Promise<number> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
  return 0;
}

test('a prepared SELECT sees ADD COLUMN, DROP COLUMN, DROP TABLE and a re-created table between two executions', async () => {
  await withDb(['CREATE TABLE t (id INT PRIMARY KEY, b INT)', 'INSERT INTO t VALUES (1, 10), (2, 20)'], async (db, s) => {
    const star = s.prepare('SELECT * FROM t WHERE id = ?');
    const b = s.prepare('SELECT b FROM t WHERE id = ?');
    assert.deepEqual(shape(await s.executePrepared(star.id, [1])), { columns: ['id', 'b'], rows: [[1, 10]] });
    assert.deepEqual(shape(await s.executePrepared(b.id, [2])), { columns: ['b'], rows: [[20]] });
    const hits = queryPlans.hits;
    assert.deepEqual(shape(await s.executePrepared(b.id, [1])), { columns: ['b'], rows: [[10]] });
    assert.equal(queryPlans.hits, hits + 1, 'the second execution reuses the plan');
    await db.run(s, 'ALTER TABLE t ADD COLUMN z INT DEFAULT 7 FIRST');
    assert.deepEqual(shape(await s.executePrepared(star.id, [1])), { columns: ['z', 'id', 'b'], rows: [[7, 1, 10]] });
    assert.deepEqual(shape(await s.executePrepared(b.id, [2])), { columns: ['b'], rows: [[20]] });
    await db.run(s, 'ALTER TABLE t DROP COLUMN b');
    assert.equal(await errno(s.executePrepared(b.id, [2])), 1054);
    assert.deepEqual(shape(await s.executePrepared(star.id, [2])), { columns: ['z', 'id'], rows: [[7, 2]] });
    await db.run(s, 'DROP TABLE t');
    assert.equal(await errno(s.executePrepared(star.id, [2])), 1146);
    await db.run(s, "CREATE TABLE t (id VARCHAR(5) PRIMARY KEY, b VARCHAR(5))");
    await db.run(s, "INSERT INTO t VALUES ('2', 'two')");
    assert.deepEqual(shape(await s.executePrepared(b.id, ['2'])), { columns: ['b'], rows: [['two']] });
  });
});

test('a repeated text is planned again after DDL, and under another current database', async () => {
  await withDb(['CREATE TABLE t (id INT PRIMARY KEY, b INT)', 'INSERT INTO t VALUES (1, 10)', 'CREATE DATABASE q', 'CREATE TABLE q.t (id INT PRIMARY KEY, c CHAR(3))', "INSERT INTO q.t VALUES (1, 'q')"], async (db, s) => {
    const sql = 'SELECT * FROM t WHERE id = 1';
    assert.deepEqual(shape(await db.run(s, sql)), { columns: ['id', 'b'], rows: [[1, 10]] });
    const hits = queryPlans.hits;
    assert.deepEqual(shape(await db.run(s, sql)), { columns: ['id', 'b'], rows: [[1, 10]] });
    assert.equal(queryPlans.hits, hits + 1, 'the same text reuses its plan');
    await db.run(s, 'ALTER TABLE t ADD COLUMN z INT DEFAULT 5');
    assert.deepEqual(shape(await db.run(s, sql)), { columns: ['id', 'b', 'z'], rows: [[1, 10, 5]] });
    await db.run(s, 'USE q');
    assert.deepEqual(shape(await db.run(s, sql)), { columns: ['id', 'c'], rows: [[1, 'q']] });
    await db.run(s, 'RENAME TABLE t TO t2');
    assert.equal(await errno(db.run(s, sql)), 1146);
  });
});

test('a new index, a renamed table and a temporary table shadowing the name change what a prepared statement reads', async () => {
  await withDb(['CREATE TABLE t (id INT PRIMARY KEY, k INT)', 'INSERT INTO t VALUES (1, 5), (2, 5), (3, 6)'], async (db, s) => {
    const byK = s.prepare('SELECT id FROM t WHERE k = ? ORDER BY id');
    assert.deepEqual(shape(await s.executePrepared(byK.id, [5])), { columns: ['id'], rows: [[1], [2]] });
    await db.run(s, 'CREATE INDEX k ON t (k)');
    assert.deepEqual(shape(await s.executePrepared(byK.id, [5])), { columns: ['id'], rows: [[1], [2]] });
    await db.run(s, 'INSERT INTO t VALUES (4, 5)');
    assert.deepEqual(shape(await s.executePrepared(byK.id, [5])), { columns: ['id'], rows: [[1], [2], [4]] });
    await db.run(s, 'CREATE TEMPORARY TABLE t (id INT, k INT)');
    await db.run(s, 'INSERT INTO t VALUES (9, 5)');
    assert.deepEqual(shape(await s.executePrepared(byK.id, [5])), { columns: ['id'], rows: [[9]] });
    await db.run(s, 'DROP TEMPORARY TABLE t');
    assert.deepEqual(shape(await s.executePrepared(byK.id, [5])), { columns: ['id'], rows: [[1], [2], [4]] });
    await db.run(s, 'RENAME TABLE t TO old_t');
    await db.run(s, 'CREATE TABLE t (k INT, id INT)');
    await db.run(s, 'INSERT INTO t VALUES (5, 42)');
    assert.deepEqual(shape(await s.executePrepared(byK.id, [5])), { columns: ['id'], rows: [[42]] });
  });
});

test('prepared UPDATE and DELETE follow an ALTER between executions', async () => {
  await withDb(['CREATE TABLE t (id INT PRIMARY KEY, a INT, b INT)', 'INSERT INTO t VALUES (1, 1, 1), (2, 2, 2), (3, 3, 3)'], async (db, s) => {
    const upd = s.prepare('UPDATE t SET b = b + 10 WHERE id = ?');
    const del = s.prepare('DELETE FROM t WHERE id = ?');
    assert.equal(shape(await s.executePrepared(upd.id, [1])), 1);
    const hits = dmlPlans.hits;
    assert.equal(shape(await s.executePrepared(upd.id, [3])), 1);
    assert.equal(dmlPlans.hits, hits + 1, 'the second execution reuses the plan');
    await db.run(s, 'ALTER TABLE t DROP COLUMN a');
    assert.equal(shape(await s.executePrepared(upd.id, [1])), 1);
    assert.equal(shape(await s.executePrepared(del.id, [2])), 1);
    assert.deepEqual(shape(await db.run(s, 'SELECT * FROM t ORDER BY id')), { columns: ['id', 'b'], rows: [[1, 21], [3, 13]] });
    await db.run(s, 'ALTER TABLE t DROP COLUMN b');
    assert.equal(await errno(s.executePrepared(upd.id, [1])), 1054);
    await db.run(s, 'ALTER TABLE t CHANGE id id2 INT');
    assert.equal(await errno(s.executePrepared(del.id, [3])), 1054);
  });
});

test('parameter types, system and user variables are not baked into a reused plan', async () => {
  await withDb(['CREATE TABLE t (id INT PRIMARY KEY)', 'INSERT INTO t VALUES (1), (2)'], async (db, s) => {
    const p = s.prepare('SELECT ? AS v');
    const first = await s.executePrepared(p.id, [1]);
    const second = await s.executePrepared(p.id, ['abcdef']);
    assert.ok(first.kind === 'rows' && second.kind === 'rows');
    assert.equal(first.columns[0].type.kind, 'bigint');
    assert.equal(second.columns[0].type.kind, 'varchar');
    assert.deepEqual(second.rows, [['abcdef']]);
    await db.run(s, 'SET @@div_precision_increment = 2');
    const before = await db.rows(s, 'SELECT @@div_precision_increment, 1/3');
    assert.equal(before[0][0], 2);
    assert.equal(String(before[0][1]), '0.33');
    await db.run(s, 'SET @@div_precision_increment = 6');
    const again = await db.rows(s, 'SELECT @@div_precision_increment, 1/3');
    assert.equal(again[0][0], 6);
    assert.equal(String(again[0][1]), '0.333333');
    await db.run(s, 'SET @v = 1');
    assert.deepEqual(await db.rows(s, 'SELECT id FROM t WHERE id = @v'), [[1]]);
    await db.run(s, 'SET @v = 2');
    assert.deepEqual(await db.rows(s, 'SELECT id FROM t WHERE id = @v'), [[2]]);
  });
});
