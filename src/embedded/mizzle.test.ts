// Embedded mizzle end to end: the client API on in-process sessions, on both engines, with MySQL's errors, isolation, streaming and cancellation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort } from '../testing/server-process.js';
import { Mizzle, MizzleError } from './index.js';

for (const engine of ['memory', 'lmdb'] as const) {
  test(`${engine}: DDL, typed rows, parameters, prepared statements and MySQL errors`, async () => {
    const db = await Mizzle.open({ engine });
    try {
      await db.query('CREATE DATABASE app');
      await db.query('CREATE TABLE app.item (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL, price DECIMAL(8,2), made DATETIME, raw VARBINARY(4))');
      const ins = await db.query('INSERT INTO app.item (name, price, made, raw) VALUES (?, ?, ?, ?), (?, NULL, NULL, NULL)', ['pen', '1.25', '2024-05-06 07:08:09', new Uint8Array([1, 2]), 'ink']);
      assert.equal(ins.rowsAffected, 2);
      assert.equal(ins.lastInsertId, 1);
      const r = await db.execute('SELECT id, name, price, made, raw FROM app.item WHERE id >= ? ORDER BY id', [1]);
      assert.deepEqual(r.columns.map((c) => [c.name, c.type]), [['id', 'bigint'], ['name', 'varchar'], ['price', 'decimal'], ['made', 'datetime'], ['raw', 'varbinary']]);
      assert.deepEqual(r.rows, [[1, 'pen', '1.25', '2024-05-06T07:08:09', new Uint8Array([1, 2])], [2, 'ink', null, null, null]]);
      await assert.rejects(db.query('SELECT * FROM app.nope'), (e: unknown) => e instanceof MizzleError && e.code === 1146 && e.sqlstate === '42S02');
      await assert.rejects(db.query('INSERT INTO app.item (id, name) VALUES (1, ?)', ['dup']), (e: unknown) => e instanceof MizzleError && e.code === 1062);
      // One statement per call, as over the wire.
      await assert.rejects(db.query('SELECT 1; SELECT 2'), (e: unknown) => e instanceof MizzleError && e.code === 1064);
      const w = await db.query("SELECT CAST('12x' AS SIGNED) AS n");
      assert.deepEqual(w.rows, [[12]]);
      assert.equal(w.warnings, 1);
    } finally {
      await db.close();
    }
  });
}

test('transactions: commit, rollback on a thrown error, and the same isolation as over the wire', async () => {
  const db = await Mizzle.open({ engine: 'memory' });
  try {
    await db.query('CREATE DATABASE bank');
    await db.query('CREATE TABLE bank.acct (id INT PRIMARY KEY, balance INT NOT NULL)');
    await db.query('INSERT INTO bank.acct VALUES (1, 100), (2, 0)');
    await db.transaction(async (tx) => {
      await tx.query('UPDATE bank.acct SET balance = balance - 30 WHERE id = 1');
      // Another session does not see the uncommitted change.
      assert.deepEqual((await db.query('SELECT balance FROM bank.acct WHERE id = 1')).rows, [[100]]);
      await tx.query('UPDATE bank.acct SET balance = balance + 30 WHERE id = 2');
    });
    await assert.rejects(db.transaction(async (tx) => {
      await tx.query('UPDATE bank.acct SET balance = 0 WHERE id = 1');
      throw new Error('changed my mind');
    }), /changed my mind/);
    assert.deepEqual((await db.query('SELECT id, balance FROM bank.acct ORDER BY id')).rows, [[1, 70], [2, 30]]);
  } finally {
    await db.close();
  }
});

test('a big result streams: the reader gets rows as they come, and stopping early ends the statement', async () => {
  const db = await Mizzle.open({ engine: 'memory', poolSize: 1 });
  try {
    await db.query('CREATE DATABASE s');
    await db.query('CREATE TABLE s.d (n INT PRIMARY KEY)');
    await db.query('INSERT INTO s.d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
    const stream = db.stream('SELECT a.n * 1000 + b.n * 100 + c.n * 10 + e.n AS v FROM s.d a, s.d b, s.d c, s.d e');
    let n = 0;
    for await (const row of stream) {
      assert.equal(typeof row[0], 'number');
      if (++n === 1500) break;
    }
    assert.deepEqual(stream.columns?.map((c) => c.name), ['v']);
    // The only session of the pool is free again and answers.
    assert.deepEqual((await db.query('SELECT COUNT(*) FROM s.d')).rows, [[10]]);
    // A whole streamed result is complete.
    let all = 0;
    for await (const _ of db.stream('SELECT a.n FROM s.d a, s.d b, s.d c')) all++;
    assert.equal(all, 1000);
  } finally {
    await db.close();
  }
});

test('cancelling a call is KILL QUERY: the statement stops with 1317 and the session stays usable', async () => {
  const db = await Mizzle.open({ engine: 'memory', poolSize: 1 });
  try {
    const started = Date.now();
    await assert.rejects(db.query('SELECT SLEEP(20)', [], { signal: AbortSignal.timeout(200) }));
    assert.ok(Date.now() - started < 5000, `cancel took ${Date.now() - started} ms`);
    assert.deepEqual((await db.query('SELECT 1 + 1')).rows, [[2]]);
  } finally {
    await db.close();
  }
});

test('a datadir given keeps its data across close and open; a temporary one is removed at close', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-embedded-test-'));
  try {
    const first = await Mizzle.open({ datadir: dir });
    await first.query('CREATE DATABASE keep');
    await first.query('CREATE TABLE keep.t (id INT PRIMARY KEY)');
    await first.query('INSERT INTO keep.t VALUES (7)');
    await first.close();
    const again = await Mizzle.open({ datadir: dir, database: 'keep' });
    assert.deepEqual((await again.query('SELECT id FROM t')).rows, [[7]]);
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const temp = await Mizzle.open({ engine: 'memory' });
  const [[path]] = (await temp.query('SELECT @@datadir')).rows as [[string]];
  await temp.close();
  assert.ok(!existsSync(path), `${path} should be gone`);
});

test('listen: the embedded instance also serves the MySQL protocol, sharing its data with the in-process API', async () => {
  const port = await freePort();
  const db = await Mizzle.open({ engine: 'memory', listen: { port } });
  try {
    await db.query('CREATE DATABASE shared');
    await db.query('CREATE TABLE shared.t (id INT PRIMARY KEY, who VARCHAR(10))');
    await db.query("INSERT INTO shared.t VALUES (1, 'embedded')");
    const wire = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'shared' });
    await wire.query("INSERT INTO shared.t VALUES (2, 'wire')");
    const [rows] = await wire.query({ sql: 'SELECT id, who FROM t ORDER BY id', rowsAsArray: true });
    assert.deepEqual(rows, [[1, 'embedded'], [2, 'wire']]);
    await wire.end();
    assert.deepEqual((await db.query('SELECT COUNT(*) FROM shared.t')).rows, [[2]]);
  } finally {
    await db.close();
  }
  // Closed, the port is free again.
  await assert.rejects(mysql.createConnection({ host: '127.0.0.1', port, user: 'root' }));
});

for (const engine of ['memory', 'lmdb'] as const) {
  test(`${engine}: a snapshot of a seeded fixture opens as independent copies, AUTO_INCREMENT and constraints included`, async () => {
    const seed = await Mizzle.open({ engine });
    await seed.query('CREATE DATABASE fx');
    await seed.query('CREATE TABLE fx.parent (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(10))');
    await seed.query('CREATE TABLE fx.child (id INT PRIMARY KEY, pid INT, FOREIGN KEY (pid) REFERENCES fx.parent (id))');
    await seed.query("INSERT INTO fx.parent (name) VALUES ('a'), ('b'), ('c')");
    await seed.query('INSERT INTO fx.child VALUES (1, 1)');
    const snap = seed.snapshot();
    await seed.query("INSERT INTO fx.parent (name) VALUES ('after')");
    await seed.close();
    assert.ok(snap.pairs > 0);

    const [one, two] = await Promise.all([Mizzle.open({ engine, from: snap }), Mizzle.open({ engine, from: snap })]);
    try {
      // Each copy has the rows as they were at the snapshot, and continues AUTO_INCREMENT from there.
      assert.deepEqual((await one.query('SELECT id, name FROM fx.parent ORDER BY id')).rows, [[1, 'a'], [2, 'b'], [3, 'c']]);
      assert.equal((await one.query("INSERT INTO fx.parent (name) VALUES ('d')")).lastInsertId, 4);
      await one.query('DELETE FROM fx.child');
      // The other copy is untouched by the first one's changes.
      assert.deepEqual((await two.query('SELECT COUNT(*) FROM fx.parent')).rows, [[3]]);
      assert.deepEqual((await two.query('SELECT COUNT(*) FROM fx.child')).rows, [[1]]);
      await assert.rejects(two.query('INSERT INTO fx.child VALUES (2, 99)'), (e: unknown) => e instanceof MizzleError && e.code === 1452);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
}

test('a snapshot does not open into a datadir that already holds data', async () => {
  const seed = await Mizzle.open({ engine: 'lmdb' });
  await seed.query('CREATE DATABASE x');
  const snap = seed.snapshot();
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-embedded-test-'));
  try {
    const other = await Mizzle.open({ datadir: dir });
    await other.query('CREATE DATABASE y');
    await other.close();
    await assert.rejects(Mizzle.open({ datadir: dir, from: snap }), /already holds data/);
  } finally {
    await seed.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
