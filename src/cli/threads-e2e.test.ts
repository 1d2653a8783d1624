// Worker threads (--threads 2) over the wire: sessions on different workers share locks, counters, the catalog, PROCESSLIST and KILL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;
const open: mysql.Connection[] = [];

async function connect(): Promise<mysql.Connection> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'th' });
  open.push(c);
  return c;
}

async function one(c: mysql.Connection, sql: string, params: unknown[] = []): Promise<unknown> {
  const [rows] = await c.query({ sql, values: params, rowsAsArray: true });
  return (rows as unknown[][])[0]?.[0];
}

async function workerOf(c: mysql.Connection): Promise<number> {
  return Number(await one(c, 'SELECT @@mizzle_worker_thread'));
}

/** Two connections served by different workers (connections are spread over the workers as they arrive). */
async function pairOnTwoWorkers(): Promise<[mysql.Connection, mysql.Connection]> {
  const byWorker = new Map<number, mysql.Connection>();
  for (let i = 0; i < 12 && byWorker.size < 2; i++) {
    const c = await connect();
    const w = await workerOf(c);
    if (!byWorker.has(w)) byWorker.set(w, c);
  }
  assert.equal(byWorker.size, 2, 'connections reach both workers');
  const [a, b] = [...byWorker.values()];
  return [a, b];
}

before(async () => {
  server = await startServerProcess({ args: ['--threads', '2'] });
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE th');
  await c.end();
});

after(async () => {
  for (const c of open) await c.end().catch(() => undefined);
  await server.stop();
  server.cleanup();
});

test('two workers serve, and connections are spread over them', async () => {
  const c = await connect();
  assert.equal(Number(await one(c, 'SELECT @@mizzle_threads')), 2);
  const [a, b] = await pairOnTwoWorkers();
  assert.notEqual(await workerOf(a), await workerOf(b));
});

test('a table created on one worker is used at once on the other, also by a statement prepared before an ALTER', async () => {
  const [a, b] = await pairOnTwoWorkers();
  await a.query('CREATE TABLE ddl (id INT PRIMARY KEY)');
  await b.query('INSERT INTO ddl VALUES (1)');
  const [rows1] = await b.execute('SELECT * FROM ddl WHERE id = ?', [1]);
  assert.deepEqual(rows1, [{ id: 1 }]);
  await a.query("ALTER TABLE ddl ADD COLUMN v VARCHAR(10) DEFAULT 'x'");
  const [rows2] = await b.execute('SELECT * FROM ddl WHERE id = ?', [1]);
  assert.deepEqual(rows2, [{ id: 1, v: 'x' }]);
  await a.query('DROP TABLE ddl');
  await assert.rejects(b.execute('SELECT * FROM ddl WHERE id = ?', [1]), { errno: 1146 });
});

test('no lost updates and a kept bank total with sessions on both workers', async () => {
  const [a, b] = await pairOnTwoWorkers();
  await a.query('CREATE TABLE acct (id INT PRIMARY KEY, n INT)');
  await a.query('INSERT INTO acct VALUES (1, 0), (2, 1000)');
  const bump = async (c: mysql.Connection) => {
    for (let i = 0; i < 300; i++) await c.query('UPDATE acct SET n = n + 1 WHERE id = 1');
  };
  const move = async (c: mysql.Connection, from: number, to: number) => {
    for (let i = 0; i < 100; i++) {
      for (;;) {
        try {
          await c.query('BEGIN');
          await c.query('UPDATE acct SET n = n - 1 WHERE id = ?', [from]);
          await c.query('UPDATE acct SET n = n + 1 WHERE id = ?', [to]);
          await c.query('COMMIT');
          break;
        } catch (e) {
          if ((e as { errno?: number }).errno !== 1213) throw e;
        }
      }
    }
  };
  await Promise.all([bump(a), bump(b)]);
  assert.equal(Number(await one(a, 'SELECT n FROM acct WHERE id = 1')), 600);
  await Promise.all([move(a, 1, 2), move(b, 2, 1)]);
  assert.equal(Number(await one(b, 'SELECT SUM(n) FROM acct')), 1600);
});

test('a deadlock between sessions on different workers is found: one gets 1213', async () => {
  const [a, b] = await pairOnTwoWorkers();
  await a.query('CREATE TABLE dl (id INT PRIMARY KEY, n INT)');
  await a.query('INSERT INTO dl VALUES (1, 0), (2, 0)');
  await a.query('BEGIN');
  await b.query('BEGIN');
  await a.query('UPDATE dl SET n = 1 WHERE id = 1');
  await b.query('UPDATE dl SET n = 2 WHERE id = 2');
  const first = a.query('UPDATE dl SET n = 1 WHERE id = 2');
  await new Promise((r) => setTimeout(r, 200));
  const second = b.query('UPDATE dl SET n = 2 WHERE id = 1');
  const outcomes = await Promise.allSettled([first, second]);
  const errnos = outcomes.map((o) => (o.status === 'rejected' ? (o.reason as { errno?: number }).errno : 0));
  assert.deepEqual(errnos.filter((e) => e === 1213).length, 1, `one deadlock victim, got ${JSON.stringify(errnos)}`);
  await a.query('ROLLBACK');
  await b.query('ROLLBACK');
});

test('a big transaction on one worker gives its row locks back after commit (in slices): a waiter on the other worker gets its row and sees the commit', async () => {
  const [a, b] = await pairOnTwoWorkers();
  await a.query('CREATE TABLE big (id INT PRIMARY KEY, n INT)');
  for (let i = 0; i < 5; i++) {
    await a.query(`INSERT INTO big VALUES ${Array.from({ length: 1000 }, (_, j) => `(${i * 1000 + j}, 0)`).join(',')}`);
  }
  await a.query('BEGIN');
  await a.query('UPDATE big SET n = n + 1');
  const waiting = b.query('UPDATE big SET n = n + 10 WHERE id = 4000');
  await new Promise((r) => setTimeout(r, 200));
  await a.query('COMMIT');
  await waiting;
  assert.equal(Number(await one(b, 'SELECT n FROM big WHERE id = 4000')), 11);
  assert.equal(Number(await one(a, 'SELECT SUM(n) FROM big')), 5010);
  // Every lock was given back: the other worker can lock every row.
  await b.query('BEGIN');
  await b.query('UPDATE big SET n = 0');
  await b.query('COMMIT');
  await a.query('DROP TABLE big');
});

test('AUTO_INCREMENT under concurrent inserts from both workers: unique values, each session\'s own LAST_INSERT_ID', async () => {
  const conns = [await connect(), await connect(), await connect(), await connect()];
  await conns[0].query('CREATE TABLE ai (id INT AUTO_INCREMENT PRIMARY KEY, who INT)');
  const seen: number[] = [];
  await Promise.all(conns.map(async (c, who) => {
    for (let i = 0; i < 50; i++) {
      const [r] = await c.query('INSERT INTO ai (who) VALUES (?)', [who]);
      const id = (r as mysql.ResultSetHeader).insertId;
      seen.push(id);
      assert.equal(Number(await one(c, 'SELECT LAST_INSERT_ID()')), id);
    }
  }));
  assert.equal(new Set(seen).size, 200);
  assert.equal(Number(await one(conns[0], 'SELECT COUNT(*) FROM ai')), 200);
  assert.equal(Number(await one(conns[0], 'SELECT MAX(id) FROM ai')), 200);
});

test('PROCESSLIST shows a statement running on the other worker, and KILL QUERY from there interrupts it', async () => {
  const [a, b] = await pairOnTwoWorkers();
  const aId = Number(await one(a, 'SELECT CONNECTION_ID()'));
  // Handled from the start: the 1317 may arrive before the KILL's own answer.
  const running = a.query('SELECT SLEEP(20)').then(() => null, (e: { errno?: number }) => e.errno);
  await new Promise((r) => setTimeout(r, 300));
  const [list] = await b.query({ sql: 'SHOW PROCESSLIST', rowsAsArray: true });
  const row = (list as unknown[][]).find((r) => Number(r[0]) === aId);
  assert.ok(row, 'the other worker\'s session is listed');
  assert.equal(row[7], 'SELECT SLEEP(20)');
  const started = Date.now();
  await b.query(`KILL QUERY ${aId}`);
  assert.equal(await running, 1317);
  assert.ok(Date.now() - started < 2000, 'interrupted promptly');
  await assert.rejects(b.query('KILL 4000000000'), { errno: 1094 });
});

test('KILL of an idle session on the other worker has closed it when the KILL answers', async () => {
  // Repeated: the KILL reaches the other worker by message, and a KILL that answered before the
  // victim's worker acted let the victim's next statement through now and then on a loaded machine
  // (a CI run of the PHP drivers' test failed so).
  for (let round = 0; round < 10; round++) {
    const [killer, victim] = await pairOnTwoWorkers();
    const victimId = Number(await one(victim, 'SELECT CONNECTION_ID()'));
    victim.on('error', () => undefined);
    await killer.query(`KILL ${victimId}`);
    await assert.rejects(victim.query('SELECT 1'), (e: { code?: string; fatal?: boolean }) => e.fatal === true, `round ${round}: the victim's next statement fails`);
    await killer.end();
    open.splice(open.indexOf(killer), 1);
  }
});

test('SET GLOBAL on one worker holds on the other as soon as it answered; status sums both workers', async () => {
  const [a, b] = await pairOnTwoWorkers();
  // No pause: once SET GLOBAL answered, every worker applied it (MySQL's sessions see it at once).
  for (let i = 1; i <= 30; i++) {
    await a.query(`SET GLOBAL max_execution_time = ${1000 + i}`);
    assert.equal(Number(await one(b, 'SELECT @@GLOBAL.max_execution_time')), 1000 + i);
  }
  await a.query('SET GLOBAL max_execution_time = 0');
  // A shard cut-over freezes its source with super_read_only and relies on it holding on every worker.
  await b.query('CREATE TABLE th.frozen (id INT PRIMARY KEY)');
  for (let i = 0; i < 10; i++) {
    await a.query('SET GLOBAL super_read_only = 1');
    await assert.rejects(b.query(`INSERT INTO th.frozen VALUES (${i})`), (e: { errno?: number }) => e.errno === 1290);
    await a.query('SET GLOBAL super_read_only = 0');
    await b.query(`INSERT INTO th.frozen VALUES (${i})`);
  }
  const [rows] = await b.query({ sql: "SHOW GLOBAL STATUS LIKE 'Worker_%_connections'", rowsAsArray: true });
  const total = (rows as unknown[][]).reduce((s, r) => s + Number(r[1]), 0);
  const [threads] = await b.query({ sql: "SHOW GLOBAL STATUS LIKE 'Threads_connected'", rowsAsArray: true });
  assert.equal(Number((threads as unknown[][])[0][1]), total);
  assert.ok(total >= 2);
});
