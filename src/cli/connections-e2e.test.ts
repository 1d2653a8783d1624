// Connection limits over the wire: max_connections' extra slot for an administrator, interactive_timeout
// for interactive clients (the mariadb CLI), and net_read_timeout for a client stuck in the middle of a packet.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import type { Socket } from 'node:net';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

const servers: ServerProcess[] = [];
async function start(args: string[]): Promise<ServerProcess> {
  const s = await startServerProcess({ args });
  servers.push(s);
  return s;
}
after(async () => {
  for (const s of servers) {
    await s.stop();
    s.cleanup();
  }
});

const errno = (e: unknown): number | undefined => (e as { errno?: number }).errno;
const tooMany = (e: unknown): boolean => errno(e) === 1040 && (e as { sqlState?: string }).sqlState === '08004' && /Too many connections/.test(String((e as Error).message));
const one = async (c: mysql.Connection, sql: string): Promise<unknown> => {
  const [rows] = await c.query({ sql, rowsAsArray: true });
  return (rows as unknown[][])[0]?.[0];
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Resolves once `c`'s connection is closed by the server (or rejects after `ms`). */
const closedBy = (c: mysql.Connection, ms: number) =>
  new Promise<void>((resolve, reject) => {
    const stream = (c as unknown as { connection: { stream: Socket } }).connection.stream;
    if (stream.destroyed) return resolve();
    const t = setTimeout(() => reject(new Error(`still connected after ${ms} ms`)), ms);
    stream.once('close', () => {
      clearTimeout(t);
      resolve();
    });
  });
const socketOf = (c: mysql.Connection): Socket => (c as unknown as { connection: { stream: Socket } }).connection.stream;

test('max_connections: one connection beyond the limit is kept for root (no authorization plugin), others get 1040', async () => {
  const server = await start(['--mysql.max_connections=2']);
  const connect = (user: string) => mysql.createConnection({ host: '127.0.0.1', port: server.port, user });
  const a = await connect('app');
  const b = await connect('app');
  assert.equal(Number(await one(a, 'SELECT @@max_connections')), 2);
  await assert.rejects(connect('app'), tooMany, 'an ordinary user past max_connections');
  const root = await connect('root');
  assert.equal(await one(root, 'SELECT 1'), 1);
  // The admin may see and kill the others: what the slot is for.
  const [procs] = await root.query({ sql: 'SHOW PROCESSLIST', rowsAsArray: true });
  assert.equal((procs as unknown[][]).length, 3);
  await assert.rejects(connect('root'), tooMany, 'only one connection beyond the limit, even for root');
  await Promise.all([root.end(), closedBy(root, 5000)]);
  // The admin slot is free again, and the ordinary ones stay full.
  await assert.rejects(connect('app'), tooMany);
  const root2 = await connect('root');
  await Promise.all([a.end(), closedBy(a, 5000)]);
  await Promise.all([root2.end(), closedBy(root2, 5000)]);
  const c = await connect('app');
  assert.equal(await one(c, 'SELECT 1'), 1);
  await Promise.all([b.end(), c.end()]);
});

test('max_connections with an authorization plugin: the extra slot is for a user with PROCESS over every session', async () => {
  const server = await start(['--mysql.max_connections=1', '--plugin-add=authz-own-schema', '--authz-own-schema.admin_users=dba']);
  const connect = (user: string) => mysql.createConnection({ host: '127.0.0.1', port: server.port, user });
  const alice = await connect('alice');
  await assert.rejects(connect('bob'), tooMany);
  // root is no administrator here: the authorization plugin says who is.
  await assert.rejects(connect('root'), tooMany);
  const dba = await connect('dba');
  assert.equal(await one(dba, 'SELECT 1'), 1);
  await Promise.all([alice.end(), dba.end()]);
});

test('interactive_timeout: a client that says it is interactive gets it as wait_timeout, and is disconnected after it', async () => {
  const server = await start(['--wait-timeout=100', '--interactive-timeout=2']);
  const connect = (flags?: string[]) => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', flags });
  const plain = await connect();
  assert.equal(Number(await one(plain, 'SELECT @@session.wait_timeout')), 100);
  assert.equal(Number(await one(plain, 'SELECT @@global.interactive_timeout')), 2);
  const [vars] = await plain.query({ sql: "SHOW VARIABLES LIKE 'interactive_timeout'", rowsAsArray: true });
  assert.deepEqual((vars as unknown[][]).map((r) => [r[0], Number(r[1])]), [['interactive_timeout', 2]]);
  const interactive = await connect(['INTERACTIVE']);
  assert.equal(Number(await one(interactive, 'SELECT @@session.wait_timeout')), 2);
  interactive.on('error', () => undefined);
  const t0 = Date.now();
  await closedBy(interactive, 8000);
  assert.ok(Date.now() - t0 >= 1500, `disconnected after ${Date.now() - t0} ms`);
  // The non-interactive client idled as long and is still here.
  assert.equal(await one(plain, 'SELECT 1'), 1);
  // SET GLOBAL reaches the next interactive login; SET SESSION is the session's own.
  await plain.query('SET GLOBAL interactive_timeout = 50');
  await plain.query('SET SESSION interactive_timeout = 7');
  assert.equal(Number(await one(plain, 'SELECT @@session.interactive_timeout')), 7);
  const next = await connect(['INTERACTIVE']);
  assert.equal(Number(await one(next, 'SELECT @@session.wait_timeout')), 50);
  await Promise.all([plain.end(), next.end()]);
});

// The mariadb CLI says it is interactive only when it is (a terminal, no -e): `script` gives it one.
const mariadb = spawnSync('mariadb', ['--version']).status === 0 && spawnSync('script', ['--version']).status === 0;
test('interactive_timeout: the mariadb command line on a terminal is an interactive client', { skip: !mariadb && 'mariadb or script is not installed' }, async () => {
  const server = await start(['--wait-timeout=100', '--interactive-timeout=3']);
  const cli = `mariadb -h127.0.0.1 -P${server.port} -uroot --skip-ssl`;
  const r = spawnSync('script', ['-qec', cli, '/dev/null'], {
    input: "SELECT CONCAT('wait=', @@session.wait_timeout, ',', @@global.wait_timeout) AS w;\nquit\n",
    encoding: 'utf8',
    timeout: 20000,
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /wait=3,100/);
  // In batch mode (-e) it is not interactive, and wait_timeout stays.
  const batch = spawnSync('mariadb', [...cli.split(' ').slice(1), '-N', '-e', 'SELECT @@session.wait_timeout'], { encoding: 'utf8', timeout: 20000 });
  assert.equal(batch.stdout.trim(), '100', batch.stderr);
});

test('net_read_timeout: a client stuck in the middle of a packet is disconnected and its row locks released', async () => {
  const server = await start(['--net-read-timeout=1']);
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await admin.query('CREATE DATABASE nr');
  await admin.query('CREATE TABLE nr.t (id INT PRIMARY KEY, v INT)');
  await admin.query('INSERT INTO nr.t VALUES (1, 0), (2, 0)');
  const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'nr' });
  const other = await connect();
  await other.query('SET innodb_lock_wait_timeout = 10');
  // A header that promises 100 bytes, then 10 of them; then a bare half header.
  for (const [row, partial] of [[1, Buffer.concat([Buffer.from([100, 0, 0, 0, 3]), Buffer.from('UPDATE t ')])], [2, Buffer.from([5, 0])]] as const) {
    const stuck = await connect();
    stuck.on('error', () => undefined);
    assert.equal(Number(await one(stuck, 'SELECT @@net_read_timeout')), 1);
    await stuck.query('BEGIN');
    await stuck.query(`UPDATE t SET v = 1 WHERE id = ${row}`);
    socketOf(stuck).write(partial);
    const t0 = Date.now();
    // The row is locked until the stuck client is cut off; then the update goes through (and the stuck one's was rolled back).
    const [res] = await other.query(`UPDATE t SET v = v + 10 WHERE id = ${row}`);
    const waited = Date.now() - t0;
    assert.equal((res as { affectedRows: number }).affectedRows, 1);
    assert.ok(waited >= 800 && waited < 8000, `the lock was released after ${waited} ms`);
    await closedBy(stuck, 2000);
    assert.equal(Number(await one(other, `SELECT v FROM t WHERE id = ${row}`)), 10);
  }
  // Idle between commands is wait_timeout's business: a client idle past net_read_timeout stays.
  const idle = await connect();
  await pause(2500);
  assert.equal(await one(idle, 'SELECT 1'), 1);
  const [procs] = await admin.query({ sql: 'SHOW PROCESSLIST', rowsAsArray: true });
  assert.equal((procs as unknown[][]).length, 3, 'the stuck sessions are gone, the others stay');
  await Promise.all([idle.end(), other.end(), admin.end()]);
});

test('net_read_timeout follows SET GLOBAL, and a client that keeps sending a packet slowly is not cut off', async () => {
  const server = await start([]);
  const admin = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  assert.equal(Number(await one(admin, 'SELECT @@global.net_read_timeout')), 30);
  await admin.query('SET GLOBAL net_read_timeout = 1');
  const slow = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  slow.on('error', () => undefined);
  // A 30-byte COM_QUERY begun a byte every 300 ms: 4.8 s in all, never 1 s without progress.
  const bytes = Buffer.concat([Buffer.from([30, 0, 0, 0, 3]), Buffer.from('SELECT 1 + ')]);
  const socket = socketOf(slow);
  for (const b of bytes) {
    if (socket.destroyed) break;
    socket.write(Buffer.from([b]));
    await pause(300);
  }
  assert.equal(socket.destroyed, false, 'a client sending steadily was disconnected');
  // Then silence before the packet's end: cut off.
  const t0 = Date.now();
  await closedBy(slow, 4000);
  assert.ok(Date.now() - t0 >= 500, `cut off ${Date.now() - t0} ms after its last byte`);
  await admin.end();
});
