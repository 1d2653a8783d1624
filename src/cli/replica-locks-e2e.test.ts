// A replica with worker threads: its applier (in the main thread) and the workers' sessions share row locks — waits, 1205 and 1213 across them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { passesEventually } from '../testing/assertions.js';

/** How long a change may take to reach the replica (loopback, a loaded machine). */
const ARRIVAL_MS = 15_000;
/** How long the test watches the replica to see that the applier does not get past a held lock. */
const HELD_MS = 1500;

interface Node {
  server: ServerProcess;
  nativePort: number;
}

async function startNode(datadir: string, args: string[] = []): Promise<Node> {
  const nativePort = await freePort();
  const server = await startServerProcess({ datadir, args: ['--plugin-add', 'protocol-native', `--protocol-native.port=${nativePort}`, ...args] });
  return { server, nativePort };
}

function connect(node: Node): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: node.server.port, user: 'root' });
}

async function sql(node: Node, text: string): Promise<mysql.RowDataPacket[]> {
  const c = await connect(node);
  try {
    const [rows] = await c.query(text);
    return rows as mysql.RowDataPacket[];
  } finally {
    await c.end();
  }
}

async function values(node: Node): Promise<Record<number, number>> {
  const rows = await sql(node, 'SELECT id, v FROM shop.t ORDER BY id');
  return Object.fromEntries(rows.map((r) => [Number(r.id), Number(r.v)]));
}

async function errorCode(p: Promise<unknown>): Promise<number | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { errno?: number }).errno;
  }
}

test('a replica with --threads 2: the applier waits for a worker session\'s row lock, a worker waits for the applier\'s (1205), a cycle between them is a deadlock (1213)', { timeout: 120_000 }, async () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'mizzle-primary-')), mkdtempSync(join(tmpdir(), 'mizzle-replica-'))];
  const primary = await startNode(dirs[0]);
  let replica: Node | undefined;
  const held: mysql.Connection[] = [];
  try {
    await sql(primary, 'CREATE DATABASE shop');
    await sql(primary, 'CREATE TABLE shop.t (id INT PRIMARY KEY, v INT)');
    await sql(primary, 'INSERT INTO shop.t VALUES (1, 10), (2, 20)');
    await sql(primary, 'CREATE TABLE shop.u (id INT PRIMARY KEY, v INT, w INT)');
    await sql(primary, 'INSERT INTO shop.u VALUES (1, 1, 1)');
    replica = await startNode(dirs[1], ['--threads', '2', '--replica-of', `mizzle://root@127.0.0.1:${primary.nativePort}`]);
    const r = replica;
    await passesEventually(async () => assert.deepEqual(await values(r), { 1: 10, 2: 20 }), ARRIVAL_MS);
    assert.equal(Number((await sql(r, 'SELECT @@mizzle_threads AS n'))[0].n), 2, 'the replica runs worker threads');

    // A worker session locks row 1; the primary changes it: the applier waits until the lock goes.
    const a = await connect(r);
    held.push(a);
    await a.query('BEGIN');
    await a.query('SELECT v FROM shop.t WHERE id = 1 FOR UPDATE');
    await sql(primary, 'UPDATE shop.t SET v = 11 WHERE id = 1');
    await new Promise((resolve) => setTimeout(resolve, HELD_MS));
    assert.deepEqual(await values(r), { 1: 10, 2: 20 }, 'the applier did not change a row a worker session holds locked');
    await a.query('COMMIT');
    await passesEventually(async () => assert.deepEqual(await values(r), { 1: 11, 2: 20 }), ARRIVAL_MS);

    // Again, with a source transaction that changes row 2 and then row 1: the applier holds row 2 while it waits for row 1.
    await a.query('BEGIN');
    await a.query('SELECT v FROM shop.t WHERE id = 1 FOR UPDATE');
    const p = await connect(primary);
    try {
      await p.query('BEGIN');
      await p.query('UPDATE shop.t SET v = 21 WHERE id = 2');
      await p.query('UPDATE shop.t SET v = 12 WHERE id = 1');
      await p.query('COMMIT');
    } finally {
      await p.end();
    }
    // Another worker session waits for the applier's lock on row 2, and times out.
    const b = await connect(r);
    held.push(b);
    await passesEventually(async () => {
      await b.query('SET SESSION innodb_lock_wait_timeout = 1');
      await b.query('BEGIN');
      try {
        assert.equal(await errorCode(b.query('SELECT v FROM shop.t WHERE id = 2 FOR UPDATE')), 1205, 'a worker session waits for the applier\'s row lock');
      } finally {
        await b.query('ROLLBACK');
      }
    }, ARRIVAL_MS);
    // The session holding row 1 now asks for row 2: it and the applier wait for each other.
    assert.equal(await errorCode(a.query('SELECT v FROM shop.t WHERE id = 2 FOR UPDATE')), 1213, 'a cycle through the applier is a deadlock');
    await a.query('ROLLBACK');
    await passesEventually(async () => assert.deepEqual(await values(r), { 1: 12, 2: 21 }), ARRIVAL_MS);
    const s = (await sql(r, 'SHOW REPLICA STATUS'))[0];
    assert.equal(s.Last_Error, '', 'the applier went on after the deadlock');

    // A worker session that may write changes another column of a row the applier waits for: once the
    // lock is the applier's it reads that commit, so both changes stay (no lost update from an older read).
    await a.query('SET GLOBAL super_read_only = 0');
    await a.query('SET GLOBAL read_only = 0');
    await a.query('BEGIN');
    await a.query('SELECT v FROM shop.u WHERE id = 1 FOR UPDATE');
    await sql(primary, 'UPDATE shop.u SET v = 2 WHERE id = 1');
    await new Promise((resolve) => setTimeout(resolve, HELD_MS));
    await a.query('UPDATE shop.u SET w = 5 WHERE id = 1');
    await a.query('COMMIT');
    await passesEventually(async () => assert.deepEqual(await sql(r, 'SELECT v, w FROM shop.u'), [{ v: 2, w: 5 }]), ARRIVAL_MS);
  } finally {
    for (const c of held) await c.end().catch(() => undefined);
    await replica?.server.stop();
    await primary.server.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
