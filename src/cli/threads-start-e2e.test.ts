// How `mizzle --threads N` starts: its workers are spawned before the main thread loads the server, and a start that ends in one thread, or fails, does not keep them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess } from '../testing/server-process.js';

test('--threads 2 with the memory default engine: one thread serves, and no worker starts', async () => {
  const server = await startServerProcess({ args: ['--threads', '2', '--default-storage-engine', 'memory'], waitFor: 'greeting' });
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    const [rows] = await c.query({ sql: 'SELECT @@mizzle_threads, @@mizzle_worker_thread', rowsAsArray: true });
    assert.deepEqual((rows as unknown[][])[0].map(Number), [1, 0]);
    await c.end();
    assert.match(server.log(), /one thread serves clients/);
    // Only the main thread's kernel runs: no worker reported a start.
    assert.doesNotMatch(server.log(), /worker \d started/);
  } finally {
    assert.equal(await server.stop(), 0, 'SIGTERM ends the server cleanly');
    server.cleanup();
  }
});

test('--threads 2 with a bad option: the error is reported and the process exits, its early workers with it', async () => {
  const started = Date.now();
  await assert.rejects(startServerProcess({ args: ['--threads', '2', '--lmdb.no-such-option', '1'] }), /mizzle exited with 1:[\s\S]*no-such-option/);
  assert.ok(Date.now() - started < 10_000, 'it exits at once rather than waiting for its workers');
});

test('--threads 2: the first client to connect is served as soon as the server greets it', async () => {
  const server = await startServerProcess({ args: ['--threads', '2'], waitFor: 'greeting' });
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    const [rows] = await c.query({ sql: 'SELECT @@mizzle_threads', rowsAsArray: true });
    assert.equal(Number((rows as unknown[][])[0][0]), 2);
    await c.end();
  } finally {
    // Possibly before the other worker has started: the server handles SIGTERM from its first greeting on.
    assert.equal(await server.stop(), 0);
    server.cleanup();
  }
});

test('--threads 2: clients that connect while a worker is still starting are all greeted', async () => {
  // One worker greets first; the other may not listen yet. A connection handed to it then used to be
  // dropped (never greeted). Several starts, since the window is short.
  for (let round = 0; round < 4; round++) {
    const server = await startServerProcess({ args: ['--threads', '2'], waitFor: 'greeting' });
    const clients: mysql.Connection[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        // Each kept open, so the accepting worker soon has more than the other and hands the next one over.
        clients.push(await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', connectTimeout: 8000 }));
      }
      const workers = new Set<number>();
      for (const c of clients) {
        const [rows] = await c.query({ sql: 'SELECT @@mizzle_worker_thread', rowsAsArray: true });
        workers.add(Number((rows as unknown[][])[0][0]));
      }
      assert.ok(workers.size >= 1);
    } finally {
      for (const c of clients) c.destroy();
      assert.equal(await server.stop(), 0);
      server.cleanup();
    }
  }
});
