// A client that stops reading mid-result is disconnected after net_write_timeout; its transaction's locks go with it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { Socket } from 'node:net';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;
const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'nw' });

before(async () => {
  server = await startServerProcess();
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE nw');
  await c.query('CREATE TABLE nw.t (id INT PRIMARY KEY, v INT)');
  await c.query('INSERT INTO nw.t VALUES (1, 0), (2, 0)');
  await c.end();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

test('a client that reads none of a large result for net_write_timeout is disconnected, its locks released', async () => {
  const stuck = await connect();
  const other = await connect();
  await stuck.query('SET net_write_timeout = 1');
  const [[[id]]] = (await stuck.query({ sql: 'SELECT CONNECTION_ID()', rowsAsArray: true })) as unknown as [[[number]]];
  await stuck.query('BEGIN');
  await stuck.query('UPDATE t SET v = 1 WHERE id = 1');
  // Stop reading the socket, then ask for ~32 MB: the server's writes back up.
  const socket = (stuck as unknown as { connection: { stream: Socket } }).connection.stream;
  socket.pause();
  const t0 = Date.now();
  stuck.query("SELECT REPEAT('x', 1000000) FROM t a, t b, t c, t d, t e").catch(() => undefined);
  // The paused client cannot see the disconnect; the server's process list can.
  let gone = false;
  while (!gone && Date.now() - t0 < 10_000) {
    await new Promise((r) => setTimeout(r, 200));
    const [procs] = await other.query({ sql: 'SHOW PROCESSLIST', rowsAsArray: true });
    gone = !(procs as unknown[][]).some((p) => Number(p[0]) === id);
  }
  const after = Date.now() - t0;
  assert.ok(gone, 'the stuck client is still connected after 10 s');
  assert.ok(after >= 900, `disconnected after only ${after} ms`);
  // The stuck session's row lock is gone with it: this update does not wait for it.
  await other.query('SET innodb_lock_wait_timeout = 2');
  const [res] = await other.query('UPDATE t SET v = 2 WHERE id = 1');
  assert.equal((res as { affectedRows: number }).affectedRows, 1);
  await other.end();
  stuck.destroy();
});
