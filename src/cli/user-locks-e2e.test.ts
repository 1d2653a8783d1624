// User-level locks between sessions over the wire: GET_LOCK waits, times out, is woken by RELEASE_LOCK and by the holder's disconnect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;
const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
const one = async (c: mysql.Connection, sql: string): Promise<unknown> => {
  const [rows] = await c.query({ sql, rowsAsArray: true });
  return (rows as unknown[][])[0]?.[0];
};

before(async () => {
  server = await startServerProcess();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

/** Resolves once `id`'s statement shows in the process list as running GET_LOCK (a wait in progress). */
async function waitingOnLock(observer: mysql.Connection, id: unknown): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [list] = await observer.query('SHOW PROCESSLIST');
    if ((list as { Id: number; Info: string | null }[]).some((p) => Number(p.Id) === Number(id) && /GET_LOCK/.test(p.Info ?? ''))) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`connection ${String(id)} never waited`);
}

test('GET_LOCK of a held lock: 0 at once with timeout 0, 0 after the timeout, 1 once released', async () => {
  const a = await connect();
  const b = await connect();
  try {
    assert.equal(await one(a, "SELECT GET_LOCK('job', 10)"), 1);
    assert.equal(await one(b, "SELECT GET_LOCK('JOB', 0)"), 0);
    assert.equal(await one(b, "SELECT IS_FREE_LOCK('job')"), 0);
    assert.equal(await one(b, "SELECT RELEASE_LOCK('job')"), 0);
    let t = Date.now();
    assert.equal(await one(b, "SELECT GET_LOCK('job', 0.3)"), 0);
    assert.ok(Date.now() - t >= 250, 'waited for the timeout');
    t = Date.now();
    const waiting = one(b, "SELECT GET_LOCK('job', 10)");
    setTimeout(() => void one(a, "SELECT RELEASE_LOCK('job')"), 200);
    assert.equal(await waiting, 1);
    assert.ok(Date.now() - t < 5000);
    assert.equal(await one(a, "SELECT GET_LOCK('job', 0)"), 0);
    // The same statement in a prepared form and inside a transaction.
    const [rows] = await a.execute('SELECT GET_LOCK(?, ?) AS g', ['job', 0]);
    assert.equal((rows as { g: number }[])[0]?.g, 0);
  } finally {
    await a.end();
    await b.end();
  }
});

test("a session's locks are released when it disconnects, waking a waiter", async () => {
  const a = await connect();
  const b = await connect();
  assert.equal(await one(a, "SELECT GET_LOCK('mig', 0)"), 1);
  const waiting = one(b, "SELECT GET_LOCK('mig', -1)");
  setTimeout(() => void a.end(), 200);
  assert.equal(await waiting, 1);
  assert.equal(await one(b, 'SELECT RELEASE_ALL_LOCKS()'), 1);
  await b.end();
});

test('KILL QUERY ends a GET_LOCK wait with 1317', async () => {
  const a = await connect();
  const b = await connect();
  try {
    assert.equal(await one(a, "SELECT GET_LOCK('k', 0)"), 1);
    const id = await one(b, 'SELECT CONNECTION_ID()');
    const waiting = one(b, "SELECT GET_LOCK('k', 60)");
    waiting.catch(() => undefined);
    // Kill only once the wait shows in the process list (threads may take a moment to start it).
    await waitingOnLock(a, id);
    await new Promise((r) => setTimeout(r, 100));
    await a.query(`KILL QUERY ${Number(id)}`);
    await assert.rejects(waiting, (e: { errno: number }) => e.errno === 1317);
    assert.equal(await one(b, 'SELECT 1'), 1);
  } finally {
    await a.end();
    await b.end();
  }
});

test('IS_USED_LOCK names the holding connection to other sessions, NULL once released', async () => {
  const a = await connect();
  const b = await connect();
  try {
    const idA = Number(await one(a, 'SELECT CONNECTION_ID()'));
    assert.equal(await one(b, "SELECT IS_USED_LOCK('report')"), null);
    assert.equal(await one(a, "SELECT GET_LOCK('report', 0)"), 1);
    assert.equal(Number(await one(b, "SELECT IS_USED_LOCK('REPORT')")), idA);
    assert.equal(await one(a, "SELECT RELEASE_LOCK('report')"), 1);
    assert.equal(await one(b, "SELECT IS_USED_LOCK('report')"), null);
  } finally {
    await a.end();
    await b.end();
  }
});

test('GET_LOCK waits that form a cycle: the session closing it gets 3058 at once, keeps its locks and its transaction', async () => {
  const a = await connect();
  const b = await connect();
  const c = await connect();
  try {
    await a.query('CREATE DATABASE IF NOT EXISTS ulk');
    await a.query('CREATE TABLE ulk.t (id INT PRIMARY KEY)');
    assert.equal(await one(a, "SELECT GET_LOCK('x', 0)"), 1);
    assert.equal(await one(b, "SELECT GET_LOCK('y', 0)"), 1);
    const idA = await one(a, 'SELECT CONNECTION_ID()');
    const aWaits = one(a, "SELECT GET_LOCK('y', 30)");
    await waitingOnLock(c, idA);
    await b.query('BEGIN');
    await b.query('INSERT INTO ulk.t VALUES (1)');
    const t = Date.now();
    await assert.rejects(one(b, "SELECT GET_LOCK('x', 30)"), (e: { errno: number; sqlState: string }) => e.errno === 3058 && e.sqlState === 'HY000');
    assert.ok(Date.now() - t < 5000, 'found at once, not by timeout');
    // The victim still holds y (a keeps waiting) and its transaction is intact.
    assert.equal(Number(await one(c, "SELECT IS_USED_LOCK('y')")), Number(await one(b, 'SELECT CONNECTION_ID()')));
    await b.query('COMMIT');
    assert.deepEqual((await c.query({ sql: 'SELECT id FROM ulk.t', rowsAsArray: true }))[0], [[1]]);
    assert.equal(await one(b, "SELECT RELEASE_LOCK('y')"), 1);
    assert.equal(await aWaits, 1);

    // Three sessions: a holds p and waits for q, b holds q and waits for r; c holds r and asks for p.
    assert.equal(await one(a, 'SELECT RELEASE_ALL_LOCKS()'), 2);
    for (const [s, n] of [[a, 'p'], [b, 'q'], [c, 'r']] as const) assert.equal(await one(s, `SELECT GET_LOCK('${n}', 0)`), 1);
    const watcher = await connect();
    try {
      const aWaitsQ = one(a, "SELECT GET_LOCK('q', 30)");
      await waitingOnLock(watcher, idA);
      const bWaitsR = one(b, "SELECT GET_LOCK('r', 30)");
      await waitingOnLock(watcher, await one(watcher, `SELECT IS_USED_LOCK('q')`));
      await assert.rejects(one(c, "SELECT GET_LOCK('p', 30)"), (e: { errno: number }) => e.errno === 3058);
      assert.equal(await one(c, 'SELECT RELEASE_ALL_LOCKS()'), 1);
      assert.equal(await bWaitsR, 1);
      assert.equal(await one(b, 'SELECT RELEASE_ALL_LOCKS()'), 2);
      assert.equal(await aWaitsQ, 1);
    } finally {
      await watcher.end();
    }
  } finally {
    await a.end();
    await b.end();
    await c.end();
  }
});
