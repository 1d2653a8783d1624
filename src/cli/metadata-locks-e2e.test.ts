// Metadata locks over the wire: DDL waits for the transactions and statements using its tables, at one and at two worker threads.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

const servers: ServerProcess[] = [];
const open: mysql.Connection[] = [];

after(async () => {
  for (const c of open) c.destroy();
  for (const s of servers) {
    await s.stop();
    s.cleanup();
  }
});

async function serverWith(threads: number): Promise<ServerProcess> {
  const s = await startServerProcess({ args: ['--threads', String(threads)] });
  servers.push(s);
  const c = await mysql.createConnection({ host: '127.0.0.1', port: s.port, user: 'root' });
  await c.query('CREATE DATABASE md');
  await c.end();
  return s;
}

async function connect(s: ServerProcess): Promise<mysql.Connection> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: s.port, user: 'root', database: 'md', connectTimeout: 5000 });
  open.push(c);
  return c;
}

async function one(c: mysql.Connection, sql: string): Promise<unknown> {
  const [rows] = await c.query({ sql, rowsAsArray: true });
  return (rows as unknown[][])[0]?.[0];
}

/** `count` sessions; with two workers, consecutive ones are on different workers (connections spread as they arrive). */
async function sessions(s: ServerProcess, threads: number, count: number): Promise<mysql.Connection[]> {
  const byWorker = new Map<number, mysql.Connection[]>();
  for (let i = 0; i < count * 6; i++) {
    const c = await connect(s);
    const w = Number(await one(c, 'SELECT @@mizzle_worker_thread'));
    const list = byWorker.get(w) ?? [];
    list.push(c);
    byWorker.set(w, list);
    const lists = [...byWorker.values()];
    if (threads === 1 && list.length === count) return list;
    if (threads > 1 && lists.length >= 2 && lists.every((l) => l.length >= Math.ceil(count / 2))) {
      const out: mysql.Connection[] = [];
      for (let k = 0; out.length < count; k++) out.push(lists[k % 2][Math.floor(k / 2)]);
      return out;
    }
  }
  throw new Error('could not spread sessions over the workers');
}

/** Settles with what happened, so a test can look at a statement that is still running. */
function track<T>(p: Promise<T>): { done: boolean; at: number; result: Promise<{ ok: T } | { err: { errno?: number; message: string } }> } {
  const t = {
    done: false,
    at: 0,
    result: p.then(
      (ok) => ({ ok }),
      (err: { errno?: number; message: string }) => ({ err }),
    ),
  };
  void t.result.then(() => {
    t.done = true;
    t.at = performance.now();
  });
  return t;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function idOf(c: mysql.Connection): Promise<number> {
  return Number(await one(c, 'SELECT CONNECTION_ID()'));
}

/** Waits until session `id` shows State `state` in the process list (or fails after a while). */
async function untilState(c: mysql.Connection, id: number, state: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const s = await one(c, `SELECT STATE FROM information_schema.PROCESSLIST WHERE ID = ${id}`);
    if (s === state) return;
    await pause(25);
  }
  assert.fail(`session ${id} never showed state ${state}`);
}

const WAITING = 'Waiting for table metadata lock';

for (const threads of [1, 2]) {
  test(`ALTER, DROP, TRUNCATE and RENAME wait for a transaction that wrote the table, whose commit survives (threads ${threads})`, async () => {
    const s = await serverWith(threads);
    const [a, b, watcher] = await sessions(s, threads, 3);
    const bId = await idOf(b);
    const cases: { ddl: string; check: () => Promise<void> }[] = [
      {
        ddl: 'ALTER TABLE t ADD COLUMN extra INT DEFAULT 7',
        check: async () => {
          assert.equal(Number(await one(watcher, 'SELECT v FROM t WHERE id = 1')), 11, 'the update committed before the ALTER is kept');
          assert.equal(Number(await one(watcher, 'SELECT extra FROM t WHERE id = 1')), 7);
        },
      },
      {
        ddl: 'RENAME TABLE t TO t_renamed',
        check: async () => {
          assert.equal(Number(await one(watcher, 'SELECT v FROM t_renamed WHERE id = 1')), 11);
          await watcher.query('DROP TABLE t_renamed');
        },
      },
      {
        ddl: 'TRUNCATE TABLE t',
        check: async () => assert.equal(Number(await one(watcher, 'SELECT COUNT(*) FROM t')), 0, 'the truncate ran after the commit'),
      },
      {
        ddl: 'DROP TABLE t',
        check: async () => assert.equal(Number(await one(watcher, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'md' AND TABLE_NAME = 't'")), 0),
      },
    ];
    for (const { ddl, check } of cases) {
      await watcher.query('DROP TABLE IF EXISTS t');
      await watcher.query('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
      await watcher.query('INSERT INTO t VALUES (1, 10), (2, 20)');
      await a.query('BEGIN');
      await a.query('UPDATE t SET v = v + 1 WHERE id = 1');
      const running = track(b.query(ddl));
      await untilState(watcher, bId, WAITING);
      await pause(150);
      assert.equal(running.done, false, `${ddl} waits for the open transaction`);
      await a.query('COMMIT');
      const committedAt = performance.now();
      const outcome = await running.result;
      assert.ok('ok' in outcome, `${ddl} succeeds after the commit: ${JSON.stringify(outcome)}`);
      assert.ok(running.at >= committedAt - 5, `${ddl} ended after the commit`);
      await check();
    }
  });

  test(`an UPDATE running in slices is not lost to an ALTER started meanwhile (threads ${threads})`, async () => {
    const s = await serverWith(threads);
    const [a, b] = await sessions(s, threads, 2);
    await a.query('CREATE TABLE big (id INT PRIMARY KEY, v INT)');
    const rows = 30_000;
    for (let from = 0; from < rows; from += 5000) {
      const values = Array.from({ length: 5000 }, (_, i) => `(${from + i}, 1)`).join(',');
      await a.query(`INSERT INTO big VALUES ${values}`);
    }
    const update = track(a.query('UPDATE big SET v = v + 1'));
    await pause(20);
    const alter = track(b.query('ALTER TABLE big ADD COLUMN note VARCHAR(10)'));
    const [u, al] = await Promise.all([update.result, alter.result]);
    assert.ok('ok' in u && 'ok' in al, JSON.stringify([u, al]));
    assert.equal(Number(await one(b, 'SELECT SUM(v) FROM big')), rows * 2, 'every updated row kept its change');
  });

  test(`lock_wait_timeout ends a waiting DDL with 1205, and KILL QUERY with 1317, the table unchanged (threads ${threads})`, async () => {
    const s = await serverWith(threads);
    const [a, b, watcher] = await sessions(s, threads, 3);
    await a.query('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    await a.query('BEGIN');
    await a.query('SELECT * FROM t');
    await b.query('SET SESSION lock_wait_timeout = 1');
    const started = performance.now();
    await assert.rejects(b.query('ALTER TABLE t ADD COLUMN w INT'), (e: { errno?: number; message: string }) => e.errno === 1205 && /Lock wait timeout exceeded; try restarting transaction/.test(e.message));
    assert.ok(performance.now() - started >= 900, 'it waited about a second');
    await b.query('SET SESSION lock_wait_timeout = DEFAULT');
    assert.equal(Number(await one(b, 'SELECT @@lock_wait_timeout')), 31536000);
    const bId = await idOf(b);
    const drop = track(b.query('DROP TABLE t'));
    await untilState(watcher, bId, WAITING);
    await watcher.query(`KILL QUERY ${bId}`);
    const outcome = await drop.result;
    assert.ok('err' in outcome && outcome.err.errno === 1317, JSON.stringify(outcome));
    await a.query('COMMIT');
    assert.equal(Number(await one(watcher, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'md' AND TABLE_NAME = 't'")), 2, 'neither DDL changed the table');
  });

  test(`a waiting DDL holds back new readers of its table, which go on after it (threads ${threads})`, async () => {
    const s = await serverWith(threads);
    const [a, b, c, watcher] = await sessions(s, threads, 4);
    await a.query('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    await a.query('INSERT INTO t VALUES (1, 1)');
    await a.query('BEGIN');
    await a.query('SELECT * FROM t');
    const bId = await idOf(b);
    const cId = await idOf(c);
    const alter = track(b.query('ALTER TABLE t ADD COLUMN w INT DEFAULT 5'));
    await untilState(watcher, bId, WAITING);
    const read = track(c.query({ sql: 'SELECT w FROM t', rowsAsArray: true }));
    await untilState(watcher, cId, WAITING);
    // The open transaction reads its table again: it holds the lock already.
    assert.equal(Number(await one(a, 'SELECT COUNT(*) FROM t')), 1);
    assert.equal(alter.done || read.done, false);
    await a.query('COMMIT');
    const [al, r] = await Promise.all([alter.result, read.result]);
    assert.ok('ok' in al, JSON.stringify(al));
    assert.ok('ok' in r, JSON.stringify(r));
    assert.deepEqual((r.ok[0] as unknown as unknown[][]).map((row) => Number(row[0])), [5], 'the reader ran after the ALTER');
  });

  test(`a cycle through a metadata lock wait is a deadlock: 1213 (threads ${threads})`, async () => {
    const s = await serverWith(threads);
    const [a, b, c, watcher] = await sessions(s, threads, 4);
    await a.query('CREATE TABLE t1 (id INT PRIMARY KEY, v INT)');
    await a.query('CREATE TABLE t2 (id INT PRIMARY KEY, v INT)');
    await a.query('INSERT INTO t1 VALUES (1, 1)');
    await a.query('INSERT INTO t2 VALUES (1, 1)');
    await a.query('BEGIN');
    await a.query('SELECT * FROM t1');
    await b.query('BEGIN');
    await b.query('UPDATE t2 SET v = 2 WHERE id = 1');
    const cId = await idOf(c);
    const bId = await idOf(b);
    // c's ALTER waits for a; b's read of t1 queues behind the ALTER; a's update then waits for b's row lock: a cycle.
    const alter = track(c.query('ALTER TABLE t1 ADD COLUMN w INT'));
    await untilState(watcher, cId, WAITING);
    const bRead = track(b.query('SELECT * FROM t1'));
    await untilState(watcher, bId, WAITING);
    await assert.rejects(a.query('UPDATE t2 SET v = 3 WHERE id = 1'), (e: { errno?: number }) => e.errno === 1213);
    // a was rolled back: the ALTER runs, then b's read.
    const [al, br] = await Promise.all([alter.result, bRead.result]);
    assert.ok('ok' in al && 'ok' in br, JSON.stringify([al, br]));
    await b.query('COMMIT');
    assert.equal(Number(await one(watcher, 'SELECT v FROM t2 WHERE id = 1')), 2);
  });

  test(`preparing a statement holds no table: DDL right after it goes on (threads ${threads})`, async () => {
    const s = await serverWith(threads);
    const [a, b] = await sessions(s, threads, 2);
    await a.query('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    await a.query('INSERT INTO t VALUES (1, 1)');
    const read = await a.prepare('SELECT * FROM t WHERE id = ?');
    const show = await a.prepare('SHOW CREATE TABLE t');
    await b.query('SET SESSION lock_wait_timeout = 2');
    await b.query('ALTER TABLE t ADD COLUMN w INT DEFAULT 4');
    const [rows] = await read.execute([1]);
    assert.deepEqual(rows, [{ id: 1, v: 1, w: 4 }]);
    await show.close();
    await read.close();
  });

  test(`KILL of the connection holding the table lets the DDL go on (threads ${threads})`, async () => {
    const s = await serverWith(threads);
    const [a, b, watcher] = await sessions(s, threads, 3);
    await a.query('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    await a.query('INSERT INTO t VALUES (1, 1)');
    await a.query('BEGIN');
    await a.query('UPDATE t SET v = 9');
    const aId = await idOf(a);
    const bId = await idOf(b);
    const drop = track(b.query('DROP TABLE t'));
    await untilState(watcher, bId, WAITING);
    await watcher.query(`KILL ${aId}`);
    const outcome = await drop.result;
    assert.ok('ok' in outcome, JSON.stringify(outcome));
  });
}
