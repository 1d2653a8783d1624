// Transactions in-process: rollback, savepoints, isolation, lost updates, lock waits, timeouts and deadlocks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbedded, type Embedded } from '../../testing/embedded.js';
import type { KernelSession } from '../plugin.js';
import type { StatementResult } from '../../base/result.js';

async function setup(): Promise<{ e: Embedded; a: KernelSession; b: KernelSession; q: (s: KernelSession, sql: string) => Promise<StatementResult>; rows: (s: KernelSession, sql: string) => Promise<unknown[][]> }> {
  const e = await startEmbedded();
  const q = (s: KernelSession, sql: string) => e.run(s, sql);
  const rows = async (s: KernelSession, sql: string) => {
    const r = await q(s, sql);
    assert.equal(r.kind, 'rows');
    return r.kind === 'rows' ? r.rows.map((row) => row.map((v) => (typeof v === 'object' && v !== null && !Buffer.isBuffer(v) ? String(v) : v))) : [];
  };
  const a = e.session();
  await q(a, 'CREATE DATABASE bank');
  await q(a, 'USE bank');
  await q(a, 'CREATE TABLE acct (id INT PRIMARY KEY, n INT NOT NULL, email VARCHAR(20), UNIQUE KEY (email))');
  await q(a, "INSERT INTO acct VALUES (1, 100, 'a@x'), (2, 100, 'b@x')");
  const b = e.session('bank');
  return { e, a, b, q, rows };
}

test('ROLLBACK undoes, COMMIT keeps, and a failed statement leaves the transaction usable', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    await q(a, 'BEGIN');
    await q(a, 'UPDATE acct SET n = 0 WHERE id = 1');
    assert.deepEqual(await rows(a, 'SELECT n FROM acct WHERE id = 1'), [[0]], 'a transaction sees its own writes');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1'), [[100]], 'others do not see uncommitted writes');
    assert.equal(a.status().inTransaction, true);
    await q(a, 'ROLLBACK');
    assert.equal(a.status().inTransaction, false);
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1'), [[100]]);

    await q(a, 'START TRANSACTION');
    await q(a, "INSERT INTO acct VALUES (3, 5, 'c@x')");
    // The 2nd row of this statement hits a duplicate: the whole statement leaves no trace.
    await assert.rejects(q(a, "INSERT INTO acct VALUES (4, 5, 'd@x'), (1, 5, 'e@x')"), /Duplicate entry '1'/);
    assert.equal(a.status().inTransaction, true);
    await q(a, 'COMMIT');
    assert.deepEqual(await rows(b, 'SELECT id FROM acct ORDER BY id'), [[1], [2], [3]]);
  } finally {
    await e.stop();
  }
});

test('savepoints roll back part of a transaction', async () => {
  const { e, a, q, rows } = await setup();
  try {
    await q(a, 'BEGIN');
    await q(a, 'UPDATE acct SET n = 1 WHERE id = 1');
    await q(a, 'SAVEPOINT s1');
    await q(a, 'UPDATE acct SET n = 2 WHERE id = 1');
    await q(a, 'ROLLBACK TO SAVEPOINT s1');
    assert.deepEqual(await rows(a, 'SELECT n FROM acct WHERE id = 1'), [[1]]);
    await assert.rejects(q(a, 'ROLLBACK TO SAVEPOINT nope'), /SAVEPOINT nope does not exist/);
    await q(a, 'RELEASE SAVEPOINT s1');
    await q(a, 'COMMIT');
    assert.deepEqual(await rows(a, 'SELECT n FROM acct WHERE id = 1'), [[1]]);
  } finally {
    await e.stop();
  }
});

test('REPEATABLE READ keeps one snapshot; READ COMMITTED sees new commits', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    await q(b, 'BEGIN');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 2'), [[100]]);
    await q(a, 'UPDATE acct SET n = 7 WHERE id = 2');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 2'), [[100]], 'repeatable read');
    await q(b, 'COMMIT');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 2'), [[7]]);
    await q(b, 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
    await q(b, 'BEGIN');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 2'), [[7]]);
    await q(a, 'UPDATE acct SET n = 8 WHERE id = 2');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 2'), [[8]], 'read committed');
    await q(b, 'COMMIT');
  } finally {
    await e.stop();
  }
});

test('no lost updates: concurrent increments all count', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    const bump = async (s: KernelSession, times: number) => {
      for (let i = 0; i < times; i++) {
        await q(s, 'BEGIN');
        await q(s, 'UPDATE acct SET n = n + 1 WHERE id = 1');
        // Yield so the other session's statements interleave with this open transaction.
        await new Promise((r) => setImmediate(r));
        await q(s, 'COMMIT');
      }
    };
    await Promise.all([bump(a, 200), bump(b, 200)]);
    assert.deepEqual(await rows(a, 'SELECT n FROM acct WHERE id = 1'), [[500]]);
  } finally {
    await e.stop();
  }
});

test('a writer waits for a row lock, and times out with 1205 keeping its transaction', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    await q(a, 'BEGIN');
    await q(a, 'UPDATE acct SET n = 1 WHERE id = 1');
    const waiting = q(b, 'UPDATE acct SET n = n + 10 WHERE id = 1');
    await new Promise((r) => setTimeout(r, 50));
    await q(a, 'COMMIT');
    await waiting;
    assert.deepEqual(await rows(a, 'SELECT n FROM acct WHERE id = 1'), [[11]], 'the waiter saw the committed value');

    await q(b, 'SET innodb_lock_wait_timeout = 1');
    await q(a, 'BEGIN');
    await q(a, 'UPDATE acct SET n = 2 WHERE id = 2');
    await q(b, 'BEGIN');
    await q(b, 'UPDATE acct SET n = 3 WHERE id = 1');
    const t0 = Date.now();
    await assert.rejects(q(b, 'UPDATE acct SET n = 3 WHERE id = 2'), (err: { code: number }) => err.code === 1205);
    assert.ok(Date.now() - t0 >= 900, 'it waited for the timeout');
    assert.equal(b.status().inTransaction, true, 'a timeout rolls back the statement only');
    await q(a, 'COMMIT');
    await q(b, 'COMMIT');
    assert.deepEqual(await rows(a, 'SELECT id, n FROM acct ORDER BY id'), [[1, 3], [2, 2]]);
  } finally {
    await e.stop();
  }
});

test('a deadlock is detected at once: one victim gets 1213 and is rolled back', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    await q(a, 'BEGIN');
    await q(b, 'BEGIN');
    await q(a, 'UPDATE acct SET n = 1 WHERE id = 1');
    await q(b, 'UPDATE acct SET n = 2 WHERE id = 2');
    const aWaits = q(a, 'UPDATE acct SET n = 1 WHERE id = 2');
    await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await assert.rejects(q(b, 'UPDATE acct SET n = 2 WHERE id = 1'), (err: { code: number }) => err.code === 1213);
    assert.ok(Date.now() - t0 < 500, 'detected without waiting for a timeout');
    assert.equal(b.status().inTransaction, false, 'the victim is rolled back');
    await aWaits;
    await q(a, 'COMMIT');
    assert.deepEqual(await rows(a, 'SELECT id, n FROM acct ORDER BY id'), [[1, 1], [2, 1]]);
  } finally {
    await e.stop();
  }
});

test('two transactions cannot both take one unique value', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    await q(a, 'BEGIN');
    await q(a, "INSERT INTO acct VALUES (10, 0, 'same@x')");
    await q(b, 'BEGIN');
    const second = q(b, "INSERT INTO acct VALUES (11, 0, 'same@x')");
    await new Promise((r) => setTimeout(r, 20));
    await q(a, 'COMMIT');
    await assert.rejects(second, /Duplicate entry 'same@x'/);
    await q(b, 'ROLLBACK');
    assert.deepEqual(await rows(a, "SELECT id FROM acct WHERE email = 'same@x'"), [[10]]);
  } finally {
    await e.stop();
  }
});

test('autocommit=0 opens a transaction; DDL commits it implicitly', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    await q(a, 'SET autocommit = 0');
    await q(a, 'UPDATE acct SET n = 42 WHERE id = 1');
    assert.equal(a.status().inTransaction, true);
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1'), [[100]]);
    await q(a, 'CREATE TABLE other (x INT)');
    assert.equal(a.status().inTransaction, false);
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1'), [[42]]);
    await q(a, 'UPDATE acct SET n = 43 WHERE id = 1');
    await q(a, 'ROLLBACK');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1'), [[42]]);
    await q(a, 'START TRANSACTION READ ONLY');
    await assert.rejects(q(a, 'UPDATE acct SET n = 1'), (err: { code: number }) => err.code === 1207);
    await q(a, 'COMMIT');
    a.close();
  } finally {
    await e.stop();
  }
});

test('a session that closes with an open transaction loses it and frees its locks', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    await q(a, 'BEGIN');
    await q(a, 'UPDATE acct SET n = 0 WHERE id = 1');
    a.close();
    await q(b, 'UPDATE acct SET n = n + 1 WHERE id = 1');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1'), [[101]]);
  } finally {
    await e.stop();
  }
});

test('SELECT ... FOR UPDATE locks what it reads and reads the latest commit; FOR SHARE readers share', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    const c = e.session('bank');
    await q(b, 'BEGIN');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1'), [[100]], 'b pins its snapshot');
    await q(a, 'UPDATE acct SET n = 150 WHERE id = 1');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1'), [[100]], 'plain reads stay on the snapshot');
    assert.deepEqual(await rows(b, 'SELECT n FROM acct WHERE id = 1 FOR UPDATE'), [[150]], 'a locking read sees the latest commit');
    let updated = false;
    const waiting = q(a, 'UPDATE acct SET n = n + 1 WHERE id = 1').then(() => { updated = true; });
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(updated, false, 'the writer waits for the FOR UPDATE lock');
    await q(b, 'UPDATE acct SET n = n * 2 WHERE id = 1');
    await q(b, 'COMMIT');
    await waiting;
    assert.deepEqual(await rows(a, 'SELECT n FROM acct WHERE id = 1'), [[301]]);

    await q(b, 'BEGIN');
    await q(c, 'BEGIN');
    await rows(b, 'SELECT n FROM acct WHERE id = 2 FOR SHARE');
    await rows(c, 'SELECT n FROM acct WHERE id = 2 LOCK IN SHARE MODE');
    await q(a, 'SET innodb_lock_wait_timeout = 1');
    await assert.rejects(q(a, 'UPDATE acct SET n = 0 WHERE id = 2'), (err: { code: number }) => err.code === 1205);
    await q(b, 'COMMIT');
    await q(c, 'COMMIT');
    await q(a, 'UPDATE acct SET n = 0 WHERE id = 2');
  } finally {
    await e.stop();
  }
});

test('an idle transaction is rolled back after idle_transaction_timeout and its client is told', async () => {
  const { e, a, b, q, rows } = await setup();
  try {
    await q(a, 'SET idle_transaction_timeout = 1');
    await q(a, 'BEGIN');
    await q(a, 'UPDATE acct SET n = 0 WHERE id = 1');
    await new Promise((r) => setTimeout(r, 1300));
    // Its locks are gone: another writer is not blocked.
    await q(b, 'UPDATE acct SET n = n + 1 WHERE id = 1');
    await assert.rejects(q(a, 'COMMIT'), (err: { code: number; message: string }) => err.code === 4031 && /idle_transaction_timeout/.test(err.message));
    assert.equal(a.status().inTransaction, false);
    assert.deepEqual(await rows(a, 'SELECT n FROM acct WHERE id = 1'), [[101]], 'the idle change was rolled back, the next statement works');
  } finally {
    await e.stop();
  }
});

test('an UPDATE locks the rows it matches even when it changes nothing', async () => {
  const { e, a, b, q } = await setup();
  try {
    await q(a, 'BEGIN');
    await q(a, 'UPDATE acct SET n = 100 WHERE id = 1');
    await q(b, 'SET innodb_lock_wait_timeout = 1');
    await assert.rejects(q(b, 'UPDATE acct SET n = 5 WHERE id = 1'), (err: { code: number }) => err.code === 1205);
    await q(a, 'COMMIT');
  } finally {
    await e.stop();
  }
});
