// Results stream to the client as a query runs: a huge SELECT to a client that stops reading holds bounded memory, and KILL QUERY still ends it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;
const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'st' });

/** The server process's resident memory in megabytes (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'no VmRSS line');
  return Number(m[1]) / 1024;
}

/** The process-list row of connection `id`: [command, info]. */
async function processOf(other: mysql.Connection, id: number): Promise<[string, string | null] | undefined> {
  const [procs] = await other.query({ sql: 'SHOW PROCESSLIST', rowsAsArray: true });
  const row = (procs as unknown[][]).find((p) => Number(p[0]) === id);
  return row ? [String(row[4]), row[7] === null ? null : String(row[7])] : undefined;
}

/** Waits for the first megabyte of a result to arrive; fails if the query ends or nothing comes for 20 s. */
async function firstMegabyte(received: () => number, outcome: Promise<unknown>): Promise<void> {
  let ended: unknown;
  void outcome.then((o) => { ended = o ?? 'finished'; });
  const until = Date.now() + 20_000;
  while (received() < 1_000_000) {
    assert.equal(ended, undefined, `the query ended before streaming 1 MB: ${String(ended)}`);
    assert.ok(Date.now() < until, 'no megabyte of rows within 20 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}

before(async () => {
  server = await startServerProcess();
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', multipleStatements: true });
  await c.query('CREATE DATABASE st; USE st; CREATE TABLE d (n INT PRIMARY KEY); INSERT INTO d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
  // 10,000 rows of 1 KB: cross joins of it make results far bigger than memory.
  await c.query("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(1000)); INSERT INTO big SELECT a.n*1000+b.n*100+c.n*10+e.n, REPEAT('p', 1000) FROM d a, d b, d c, d e");
  await c.end();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

for (const mode of ['text', 'binary'] as const) {
  test(`a ${mode} result of about 100 GB to a client that stops reading keeps running in bounded memory; KILL QUERY ends it with 1317 after its rows`, async () => {
    const reader = await connect();
    const other = await connect();
    // No query_memory_limit stop either: rows that left for the client are not held.
    await reader.query('SET max_execution_time = 0');
    const [[[id]]] = (await reader.query({ sql: 'SELECT CONNECTION_ID()', rowsAsArray: true })) as unknown as [[[number]]];
    const socket = (reader as unknown as { connection: { stream: Socket } }).connection.stream;
    const sql = 'SELECT a.id, b.pad FROM big a, big b';
    let received = 0;
    const outcome = (mode === 'text' ? reader.query({ sql, rowsAsArray: true }) : reader.execute({ sql, rowsAsArray: true })).then(
      () => 'finished',
      (e: { errno?: number }) => e.errno,
    );
    socket.on('data', (chunk: Buffer) => { received += chunk.length; });
    // Let the first rows arrive, then stop reading: the server must wait for us, not buffer for us.
    await firstMegabyte(() => received, outcome);
    socket.pause();
    const rssBefore = rssMb(server.child.pid!);
    await new Promise((r) => setTimeout(r, 1500));
    const running = await processOf(other, id);
    assert.ok(running && running[0] !== 'Sleep' && running[1] === sql, `the query should still be running: ${JSON.stringify(running)}`);
    const grew = rssMb(server.child.pid!) - rssBefore;
    assert.ok(grew < 64, `the server grew ${grew.toFixed(0)} MB while the client read nothing`);
    await other.query(`KILL QUERY ${id}`);
    socket.resume();
    assert.equal(await outcome, 1317);
    // The session is still usable.
    const [rows] = await reader.query({ sql: 'SELECT COUNT(*) FROM d', rowsAsArray: true });
    assert.deepEqual(rows, [[10]]);
    await reader.end();
    await other.end();
  });
}

test('a streamed result is complete and in order, with warnings counted at its end', async () => {
  const c = await connect();
  const [rows] = await c.query({ sql: 'SELECT id, LENGTH(pad) FROM big WHERE id < 5000', rowsAsArray: true });
  const got = rows as [number, number][];
  assert.equal(got.length, 5000);
  assert.ok(got.every((r, i) => r[0] === i && r[1] === 1000));
  // A warning raised while rows were already going out still reaches the end packet.
  const [warned] = await c.query({ sql: "SELECT id, CAST(CONCAT(id, 'x') AS SIGNED) FROM big WHERE id < 1000", rowsAsArray: true });
  assert.equal((warned as unknown[]).length, 1000);
  const [w] = await c.query({ sql: 'SHOW COUNT(*) WARNINGS', rowsAsArray: true });
  assert.equal((w as number[][])[0][0], 1000);
  const [[[found]]] = (await c.query({ sql: 'SELECT FOUND_ROWS()', rowsAsArray: true })) as unknown as [[[number]]];
  assert.equal(found, 1000);
  await c.end();
});

test('an error after the first rows went out reaches the client as the result ends, and the session goes on', async () => {
  const c = await connect();
  await c.query('SET max_execution_time = 300');
  // Far more than 300 ms of rows: the deadline stops it midway with 3024.
  const err = await c.query({ sql: 'SELECT a.id, b.id FROM big a, big b', rowsAsArray: true }).then(() => null, (e: { errno?: number }) => e.errno);
  assert.equal(err, 3024);
  const [[[one]]] = (await c.query({ sql: 'SELECT 1', rowsAsArray: true })) as unknown as [[[number]]];
  assert.equal(one, 1);
  await c.end();
});

test('inside a transaction a big SELECT streams on the transaction snapshot too: others run beside it, KILL QUERY keeps the transaction', async () => {
  const reader = await connect();
  const other = await connect();
  await reader.query('SET max_execution_time = 0');
  const [[[id]]] = (await reader.query({ sql: 'SELECT CONNECTION_ID()', rowsAsArray: true })) as unknown as [[[number]]];
  await reader.query('BEGIN');
  // The transaction's own uncommitted row, and a snapshot taken before another session's insert.
  await reader.query("INSERT INTO big VALUES (20000, 'mine')");
  // The first consistent read takes the snapshot (as InnoDB's read view).
  await reader.query('SELECT COUNT(*) FROM d');
  await other.query("INSERT INTO big VALUES (20001, 'theirs')");
  const socket = (reader as unknown as { connection: { stream: Socket } }).connection.stream;
  let received = 0;
  socket.on('data', (chunk: Buffer) => { received += chunk.length; });
  const sql = 'SELECT a.id, b.pad FROM big a, big b';
  const outcome = reader.query({ sql, rowsAsArray: true }).then(() => 'finished', (e: { errno?: number }) => e.errno);
  await firstMegabyte(() => received, outcome);
  socket.pause();
  const rssBefore = rssMb(server.child.pid!);
  // The query waits for its client without holding the thread: another session's statements answer.
  const t0 = Date.now();
  const [[[n]]] = (await other.query({ sql: 'SELECT COUNT(*) FROM d', rowsAsArray: true })) as unknown as [[[number]]];
  assert.equal(n, 10);
  assert.ok(Date.now() - t0 < 1000, `a point query waited ${Date.now() - t0} ms beside the streaming one`);
  await new Promise((r) => setTimeout(r, 1000));
  const running = await processOf(other, id);
  assert.ok(running && running[1] === sql, `the query should still be running: ${JSON.stringify(running)}`);
  const grew = rssMb(server.child.pid!) - rssBefore;
  assert.ok(grew < 64, `the server grew ${grew.toFixed(0)} MB while the client read nothing`);
  await other.query(`KILL QUERY ${id}`);
  socket.resume();
  assert.equal(await outcome, 1317);
  // Still in the same transaction: its own row, not the other session's later commit.
  const [mine] = await reader.query({ sql: 'SELECT id FROM big WHERE id >= 20000 ORDER BY id', rowsAsArray: true });
  assert.deepEqual(mine, [[20000]]);
  await reader.query('ROLLBACK');
  const [after] = await reader.query({ sql: 'SELECT id FROM big WHERE id >= 20000 ORDER BY id', rowsAsArray: true });
  assert.deepEqual(after, [[20001]]);
  await other.query('DELETE FROM big WHERE id = 20001');
  await reader.end();
  await other.end();
});

test('under READ COMMITTED each streamed statement of a transaction reads a fresh snapshot', async () => {
  const a = await connect();
  const b = await connect();
  await a.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');
  await a.query('BEGIN');
  const count = async () => ((await a.query({ sql: 'SELECT COUNT(*) FROM big WHERE id >= 30000', rowsAsArray: true })) as unknown as [[[number]]])[0][0][0];
  assert.equal(await count(), 0);
  await b.query("INSERT INTO big VALUES (30000, 'rc')");
  assert.equal(await count(), 1);
  await a.query('COMMIT');
  await b.query('DELETE FROM big WHERE id = 30000');
  await a.end();
  await b.end();
});
