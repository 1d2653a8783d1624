// COM_STMT_PREPARE describes a query's columns from its plan, without running it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith } from '../../testing/embedded.js';

test('prepare gives a query its columns from the plan, none for SELECT ... INTO, and runs nothing', async () => {
  const { db, session } = await startEmbeddedWith(['CREATE DATABASE p', 'USE p', 'CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR(10))', 'CREATE VIEW v AS SELECT b, a FROM t']);
  try {
    assert.deepEqual(session.prepare('SELECT a, b FROM t WHERE a = ?').columns.map((c) => c.name), ['a', 'b']);
    assert.deepEqual(session.prepare('SELECT * FROM v').columns.map((c) => c.name), ['b', 'a']);
    assert.deepEqual(session.prepare('SELECT a INTO @x FROM t').columns, []);
    // Run, this would sleep 5 s; described, it returns at once.
    const t0 = Date.now();
    assert.deepEqual(session.prepare('SELECT (SELECT SLEEP(5)) AS s').columns.map((c) => c.name), ['s']);
    assert.ok(Date.now() - t0 < 1000);
  } finally {
    await db.stop();
  }
});
