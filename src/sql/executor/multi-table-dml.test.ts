// Multi-table UPDATE / DELETE results the SQL tests cannot see: affected rows, the "Rows matched" info, and prepared executions with parameters.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith } from '../../testing/embedded.js';
import type { StatementResult } from '../../base/result.js';

function ok(r: StatementResult): { affected: number; info: string | undefined } {
  assert.equal(r.kind, 'ok');
  return r.kind === 'ok' ? { affected: r.affectedRows, info: r.info } : { affected: -1, info: undefined };
}

const SETUP = [
  'CREATE DATABASE m', 'USE m',
  'CREATE TABLE a (id INT PRIMARY KEY, v INT)',
  'CREATE TABLE b (id INT PRIMARY KEY, a_id INT, w INT)',
  'INSERT INTO a VALUES (1, 10), (2, 20), (3, 30)',
  'INSERT INTO b VALUES (1, 1, 10), (2, 1, 11), (3, 2, 99), (4, 3, 5)',
];

test('UPDATE over a join counts each matched row once, and changed rows as affected', async () => {
  const { db, session: s } = await startEmbeddedWith(SETUP);
  try {
    // a.1 is matched twice (first match wins, unchanged: 10), a.2 changes, a.3 changes; b rows 1..4 all match, 3 change.
    const r = ok(await db.run(s, 'UPDATE a JOIN b ON b.a_id = a.id SET a.v = b.w, b.w = 10'));
    assert.deepEqual(r, { affected: 5, info: 'Rows matched: 7  Changed: 5  Warnings: 0' });
    assert.deepEqual(await db.rows(s, 'SELECT v FROM a ORDER BY id'), [[10], [99], [5]]);
    const again = ok(await db.run(s, 'UPDATE a JOIN b ON b.a_id = a.id SET b.w = 10'));
    assert.deepEqual(again, { affected: 0, info: 'Rows matched: 4  Changed: 0  Warnings: 0' });
    assert.equal(ok(await db.run(s, 'DELETE a, b FROM a JOIN b ON b.a_id = a.id WHERE a.id = 1')).affected, 3);
  } finally {
    await db.stop();
  }
});

test('prepared multi-table UPDATE and DELETE bind their parameters on each execution', async () => {
  const { db, session: s } = await startEmbeddedWith(SETUP);
  try {
    const upd = s.prepare('UPDATE a JOIN b ON b.a_id = a.id SET a.v = a.v + ?, b.w = ? WHERE a.id = ?');
    assert.equal(ok(await s.executePrepared(upd.id, [1, 0, 1])).affected, 3);
    assert.equal(ok(await s.executePrepared(upd.id, [5, 7, 2])).affected, 2);
    assert.deepEqual(await db.rows(s, 'SELECT v FROM a ORDER BY id'), [[11], [25], [30]]);
    assert.deepEqual(await db.rows(s, 'SELECT w FROM b ORDER BY id'), [[0], [0], [7], [5]]);
    const del = s.prepare('DELETE b FROM a JOIN b ON b.a_id = a.id WHERE a.v > ?');
    assert.equal(ok(await s.executePrepared(del.id, [20])).affected, 2);
    assert.equal(ok(await s.executePrepared(del.id, [0])).affected, 2);
    assert.deepEqual(await db.rows(s, 'SELECT COUNT(*) FROM b'), [[0]]);
  } finally {
    await db.stop();
  }
});

test('multi-table writes lock their target rows until the transaction ends, and roll back with it', async () => {
  const { db, session: s } = await startEmbeddedWith(SETUP);
  try {
    const other = db.session('m');
    await db.run(other, 'SET SESSION innodb_lock_wait_timeout = 1');
    await db.run(s, 'BEGIN');
    assert.equal(ok(await db.run(s, 'UPDATE a JOIN b ON b.a_id = a.id SET a.v = 0 WHERE b.id = 3')).affected, 1);
    await assert.rejects(db.run(other, 'UPDATE a SET v = 1 WHERE id = 2'), (e: { code?: number }) => e.code === 1205);
    assert.equal(ok(await db.run(s, 'DELETE a FROM a JOIN b ON b.a_id = a.id WHERE b.id = 4')).affected, 1);
    await assert.rejects(db.run(other, 'DELETE FROM a WHERE id = 3'), (e: { code?: number }) => e.code === 1205);
    await db.run(s, 'ROLLBACK');
    assert.deepEqual(await db.rows(s, 'SELECT id, v FROM a ORDER BY id'), [[1, 10], [2, 20], [3, 30]]);
    assert.equal(ok(await db.run(other, 'DELETE FROM a WHERE id = 3')).affected, 1);
  } finally {
    await db.stop();
  }
});
