// Limits that protect the server from one bad client, over the wire: max_user_connections, wait_timeout,
// max_execution_time, KILL [QUERY], and the traffic and slow-query counters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;
const connect = (user = 'root') => mysql.createConnection({ host: '127.0.0.1', port: server.port, user, database: 'lim' });
const one = async (c: mysql.Connection, sql: string): Promise<unknown> => {
  const [rows] = await c.query({ sql, rowsAsArray: true });
  return (rows as unknown[][])[0]?.[0];
};
const status = async (c: mysql.Connection, name: string): Promise<number> => {
  const [rows] = await c.query({ sql: `SHOW GLOBAL STATUS LIKE '${name}'`, rowsAsArray: true });
  return Number((rows as unknown[][])[0]?.[1]);
};
const errno = (e: unknown): number | undefined => (e as { errno?: number }).errno;

before(async () => {
  server = await startServerProcess({ args: ['--max-user-connections=2', '--long-query-time=0'] });
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE lim');
  await c.query('CREATE TABLE lim.t (id INT PRIMARY KEY, v INT)');
  // 3000 rows, so a correlated subquery scans 9M rows: far longer than any deadline below.
  await c.query('INSERT INTO lim.t VALUES ' + Array.from({ length: 3000 }, (_, i) => `(${i}, ${i % 97})`).join(','));
  await c.end();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

test('max_user_connections: one more session of the same user gets 1203; other users are not affected', async () => {
  const a = await connect('greedy');
  const b = await connect('greedy');
  await assert.rejects(connect('greedy'), (e) => errno(e) === 1203 && /User greedy already has more than 'max_user_connections' active connections/.test(String((e as Error).message)));
  const other = await connect('polite');
  assert.equal(await one(other, 'SELECT 1'), 1);
  await a.end();
  // The slot is free again once a session ends.
  await new Promise((r) => setTimeout(r, 50));
  const c = await connect('greedy');
  assert.equal(await one(c, 'SELECT @@max_user_connections'), 2);
  await Promise.all([b.end(), c.end(), other.end()]);
});

test('max_execution_time interrupts a long SELECT with 3024; the session and the server go on', async () => {
  const c = await connect('runner');
  await c.query('SET max_execution_time = 50');
  const t0 = Date.now();
  await assert.rejects(
    c.query('SELECT COUNT(*) FROM t a WHERE a.v < (SELECT AVG(b.v) FROM t b WHERE b.id <> a.id)'),
    (e) => errno(e) === 3024 && (e as { sqlState?: string }).sqlState === 'HY000',
  );
  assert.ok(Date.now() - t0 < 5000, `interrupted after ${Date.now() - t0} ms`);
  // The session goes on (with a deadline that a loaded machine cannot miss for a 3000-row count).
  await c.query('SET max_execution_time = 5000');
  assert.equal(await one(c, 'SELECT COUNT(*) FROM t'), 3000);
  // Only SELECTs are bounded, as in MySQL.
  await c.query('SET max_execution_time = 1');
  await c.query('UPDATE t SET v = v WHERE id < 3000');
  await c.end();
});

test('query_memory_limit: a statement holding too many rows fails with 1038; aggregates stream and stay within it', async () => {
  const c = await connect('hungry');
  await c.query('SET query_memory_limit = 65536');
  await assert.rejects(c.query('SELECT * FROM t ORDER BY v'), (e) => errno(e) === 1038 && (e as { sqlState?: string }).sqlState === 'HY001' && /query_memory_limit/.test((e as Error).message));
  await assert.rejects(c.query('SELECT a.id FROM t a JOIN t b ON a.v = b.v'), (e) => errno(e) === 1038);
  // COUNT and GROUP BY over 3000 rows hold one row per group, not every row.
  assert.equal(await one(c, 'SELECT COUNT(*) FROM t'), 3000);
  const [groups] = await c.query({ sql: 'SELECT v, COUNT(*) FROM t GROUP BY v ORDER BY v LIMIT 2', rowsAsArray: true });
  assert.deepEqual(groups, [[0, 31], [1, 31]]);
  assert.equal((await c.query('SELECT * FROM t LIMIT 5'))[0] instanceof Array, true);
  await c.end();
});

test('KILL QUERY stops a statement waiting for a row lock with 1317; the victim session stays usable', async () => {
  const holder = await connect('holder');
  const victim = await connect('victim');
  const killer = await connect('killer');
  await holder.query('BEGIN');
  await holder.query('UPDATE t SET v = 1 WHERE id = 1');
  const victimId = Number(await one(victim, 'SELECT CONNECTION_ID()'));
  const waiting = victim.query('UPDATE t SET v = 2 WHERE id = 1').then(() => 0, (e: unknown) => errno(e));
  await new Promise((r) => setTimeout(r, 200));
  const [procs] = await killer.query({ sql: 'SHOW PROCESSLIST', rowsAsArray: true });
  assert.ok((procs as unknown[][]).some((p) => Number(p[0]) === victimId && String(p[7]).startsWith('UPDATE t SET v = 2')));
  await killer.query(`KILL QUERY ${victimId}`);
  assert.equal(await waiting, 1317);
  assert.equal(await one(victim, 'SELECT 42'), 42);
  await holder.query('ROLLBACK');
  await Promise.all([holder.end(), victim.end(), killer.end()]);
});

test('KILL CONNECTION closes another session; KILL of an unknown id is 1094', async () => {
  const victim = await connect('victim2');
  const killer = await connect('killer2');
  const victimId = Number(await one(victim, 'SELECT CONNECTION_ID()'));
  const closed = new Promise<void>((resolve) => victim.once('end', () => resolve()));
  victim.on('error', () => undefined);
  await killer.query(`KILL ${victimId}`);
  await closed;
  await assert.rejects(victim.query('SELECT 1'));
  await assert.rejects(killer.query('KILL 987654'), (e) => errno(e) === 1094);
  await assert.rejects(killer.query("KILL 'abc'"), (e) => errno(e) === 1094 && /Unknown thread id: 0$/.test((e as Error).message));
  await assert.rejects(killer.query('KILL NULL'), (e) => errno(e) === 1094);
  const [procs] = await killer.query({ sql: 'SHOW PROCESSLIST', rowsAsArray: true });
  assert.ok(!(procs as unknown[][]).some((p) => Number(p[0]) === victimId));
  await killer.end();
});

test('KILL of your own connection answers 1317, then closes it; KILL QUERY of yourself answers 1317 and the session goes on', async () => {
  const c = await connect('suicidal');
  const id = Number(await one(c, 'SELECT CONNECTION_ID()'));
  await assert.rejects(c.query(`KILL QUERY ${id}`), (e) => errno(e) === 1317);
  assert.equal(await one(c, 'SELECT 1'), 1);
  c.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => c.once('end', () => resolve()));
  await assert.rejects(c.query(`KILL ${id}`), (e) => errno(e) === 1317);
  await closed;
});

test('wait_timeout disconnects an idle client with 4031', async () => {
  const c = await connect('idler');
  await c.query('SET SESSION wait_timeout = 1');
  const err = new Promise<unknown>((resolve) => c.once('error', resolve));
  const e = (await err) as { errno?: number; code?: unknown; message: string };
  // mysql2 reports an error packet that no command asked for with the number in `code`.
  assert.equal(e.errno ?? e.code, 4031);
  assert.match(e.message, /disconnected by the server because of inactivity/);
  await assert.rejects(c.query('SELECT 1'));
});

test('SHOW GLOBAL STATUS: Bytes_received/Bytes_sent, Questions, Com_select and Slow_queries move', async () => {
  const c = await connect('counter');
  const before = { rx: await status(c, 'Bytes_received'), tx: await status(c, 'Bytes_sent'), q: await status(c, 'Questions'), sel: await status(c, 'Com_select'), slow: await status(c, 'Slow_queries') };
  await c.query(`SELECT '${'x'.repeat(5000)}' AS big`);
  const after = { rx: await status(c, 'Bytes_received'), tx: await status(c, 'Bytes_sent'), q: await status(c, 'Questions'), sel: await status(c, 'Com_select'), slow: await status(c, 'Slow_queries') };
  assert.ok(after.rx - before.rx > 5000, `received ${after.rx - before.rx}`);
  assert.ok(after.tx - before.tx > 5000, `sent ${after.tx - before.tx}`);
  assert.ok(after.q > before.q);
  assert.ok(after.sel > before.sel);
  // long_query_time=0: every statement is slow.
  assert.ok(after.slow > before.slow);
  await c.end();
});

test('a limit option must be a whole number', async () => {
  await assert.rejects(startServerProcess({ args: ['--wait-timeout=-5'] }), /--wait-timeout must be a whole number of at least 0/);
});
