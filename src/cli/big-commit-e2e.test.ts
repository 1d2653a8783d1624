// A big transaction's commit is applied off the session thread (a commit batch on the LMDB store's
// commit thread): other sessions keep answering while it is written, see all of it or none of it,
// and under kill -9 an acknowledged big commit survives whole while an unacknowledged one is absent or whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;
const connect = (database = 'bc') => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database });

/** Rows changed by the big transaction: with its secondary index, far more keys than a batch needs (1024). */
const ROWS = 30000;

before(async () => {
  server = await startServerProcess();
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE bc');
  await c.query('CREATE TABLE bc.g (id INT PRIMARY KEY, n INT NOT NULL, k INT NOT NULL, KEY (n))');
  for (let from = 0; from < ROWS; from += 10000) {
    await c.query('INSERT INTO bc.g VALUES ' + Array.from({ length: 10000 }, (_, i) => `(${from + i}, 0, ${(from + i) % 97})`).join(','));
  }
  await c.end();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

test("point selects answer while a big transaction's COMMIT is written, and see all of it or none of it", async () => {
  const heavy = await connect();
  const light = await connect();
  await heavy.query('BEGIN');
  const [res] = (await heavy.query('UPDATE g SET n = n + 1')) as unknown as [{ affectedRows: number }];
  assert.equal(res.affectedRows, ROWS);
  let committed = false;
  const commit = heavy.query('COMMIT').then(() => { committed = true; });
  let during = 0;
  const counts = new Set<number>();
  for (let i = 0; !committed; i++) {
    const [[[n]]] = (await light.query({ sql: `SELECT n FROM g WHERE id = ${(i * 7919) % ROWS}`, rowsAsArray: true })) as unknown as [[[number]]];
    // Its answer came back before the COMMIT's: it was served while the commit was under way.
    if (!committed) during++;
    assert.ok(n === 0 || n === 1, `row seen with n = ${n}`);
    if (i % 8 === 0) {
      const [[[changed]]] = (await light.query({ sql: 'SELECT COUNT(*) FROM g WHERE n = 1', rowsAsArray: true })) as unknown as [[[number]]];
      counts.add(changed);
    }
  }
  await commit;
  const [[[after]]] = (await light.query({ sql: 'SELECT COUNT(*) FROM g WHERE n = 1', rowsAsArray: true })) as unknown as [[[number]]];
  assert.equal(after, ROWS);
  // Never a part of the transaction: before it, nothing; after it, every row.
  assert.deepEqual([...counts].filter((c) => c !== 0 && c !== ROWS), []);
  assert.ok(during >= 3, `only ${during} point selects were answered while the COMMIT ran`);
  // The index written by the batch agrees with the rows.
  const [[[viaIndex]]] = (await light.query({ sql: 'SELECT COUNT(*) FROM g FORCE INDEX (n) WHERE n = 1', rowsAsArray: true })) as unknown as [[[number]]];
  assert.equal(viaIndex, ROWS);
  await Promise.all([heavy.end(), light.end()]);
});

test('DDL after a big transaction commits it first, off the thread, and other sessions are answered meanwhile', async () => {
  const heavy = await connect();
  const light = await connect();
  const [[[before]]] = (await light.query({ sql: 'SELECT SUM(n) FROM g', rowsAsArray: true })) as unknown as [[[string]]];
  await heavy.query('BEGIN');
  await heavy.query('UPDATE g SET n = n + 1');
  let done = false;
  const ddl = heavy.query('CREATE TABLE after_big (id INT PRIMARY KEY)').then(() => { done = true; });
  let during = 0;
  while (!done) {
    await light.query({ sql: 'SELECT n FROM g WHERE id = 17', rowsAsArray: true });
    if (!done) during++;
  }
  await ddl;
  // The implicit commit kept every change, and the session is outside any transaction.
  const [[[after]]] = (await light.query({ sql: 'SELECT SUM(n) FROM g', rowsAsArray: true })) as unknown as [[[string]]];
  assert.equal(Number(after), Number(before) + ROWS);
  const [[[inTxn]]] = (await heavy.query({ sql: 'SELECT @@in_transaction', rowsAsArray: true })) as unknown as [[[number]]];
  assert.equal(inTxn, 0);
  await heavy.query('ROLLBACK');
  const [[[still]]] = (await light.query({ sql: 'SELECT SUM(n) FROM g', rowsAsArray: true })) as unknown as [[[string]]];
  assert.equal(Number(still), Number(before) + ROWS);
  assert.ok(during >= 1, 'no point select was answered while the implicit commit ran');
  await heavy.query('DROP TABLE after_big');
  await Promise.all([heavy.end(), light.end()]);
});

test('autocommit UPDATE, DELETE and INSERT ... SELECT of many rows commit whole, and a later statement sees them', async () => {
  const c = await connect();
  await c.query('CREATE TABLE copy (id INT PRIMARY KEY, n INT NOT NULL, KEY (n))');
  const [ins] = (await c.query('INSERT INTO copy SELECT id, 1 FROM g')) as unknown as [{ affectedRows: number }];
  assert.equal(ins.affectedRows, ROWS);
  await c.query('UPDATE copy SET n = n + 10 WHERE id % 2 = 0');
  const [del] = (await c.query('DELETE FROM copy WHERE id % 3 = 0')) as unknown as [{ affectedRows: number }];
  assert.equal(del.affectedRows, ROWS / 3);
  const [[[count, sum]]] = (await c.query({ sql: 'SELECT COUNT(*), SUM(n) FROM copy', rowsAsArray: true })) as unknown as [[[number, string]]];
  let expectCount = 0;
  let expectSum = 0;
  for (let id = 0; id < ROWS; id++) {
    if (id % 3 === 0) continue;
    expectCount++;
    expectSum += 1 + (id % 2 === 0 ? 10 : 0);
  }
  assert.deepEqual([count, Number(sum)], [expectCount, expectSum]);
  await c.query('DROP TABLE copy');
  await c.end();
});

test('kill -9 while big transactions commit: each acknowledged one is there whole, none is there in part', { timeout: 300_000 }, async () => {
  const KILLS = 3;
  const SOURCE = 2000;
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-bigcrash-'));
  let s = await startServerProcess({ datadir });
  const open = () => mysql.createConnection({ host: '127.0.0.1', port: s.port, user: 'root', database: 'crash' });
  try {
    const setup = await mysql.createConnection({ host: '127.0.0.1', port: s.port, user: 'root' });
    await setup.query('CREATE DATABASE crash');
    await setup.query('USE crash');
    await setup.query('CREATE TABLE src (id INT PRIMARY KEY)');
    await setup.query('INSERT INTO src VALUES ' + Array.from({ length: SOURCE }, (_, i) => `(${i})`).join(','));
    await setup.query('CREATE TABLE big (id INT PRIMARY KEY, batch INT NOT NULL, KEY (batch))');
    await setup.query('CREATE TABLE total (id INT PRIMARY KEY, n INT NOT NULL)');
    await setup.query('INSERT INTO total VALUES (1, 0)');
    await setup.end();
    const acked = new Set<number>();
    for (let round = 0; round < KILLS; round++) {
      const stop = { now: false };
      const writers = [0, 1].map(async (w) => {
        let c: mysql.Connection | undefined;
        try {
          c = await open();
          for (let seq = round * 10000 + w * 5000; !stop.now; seq++) {
            await c.query('BEGIN');
            await c.query(`INSERT INTO big SELECT ${seq} * ${SOURCE} + id, ${seq} FROM src`);
            await c.query('UPDATE total SET n = n + 1 WHERE id = 1');
            await c.query('COMMIT');
            acked.add(seq);
          }
        } catch {
          // Killed mid-flight: what was not acknowledged may or may not be there, but never in part.
        } finally {
          c?.destroy();
        }
      });
      // Killed once this round has acknowledged a big transaction, a little later each round: mid-way through others.
      const ackedBefore = acked.size;
      for (let waited = 0; acked.size === ackedBefore && waited < 120_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      assert.ok(acked.size > ackedBefore, `round ${round}: no big transaction was acknowledged`);
      await new Promise((r) => setTimeout(r, 50 + round * 150));
      await s.kill();
      stop.now = true;
      await Promise.all(writers);
      s = await startServerProcess({ datadir });
      const c = await open();
      const [groups] = (await c.query({ sql: 'SELECT batch, COUNT(*) FROM big GROUP BY batch', rowsAsArray: true })) as unknown as [[number, number][]];
      const [[[n]]] = (await c.query({ sql: 'SELECT n FROM total WHERE id = 1', rowsAsArray: true })) as unknown as [[[number]]];
      await c.end();
      const present = new Map(groups.map(([b, k]) => [b, k]));
      assert.deepEqual(groups.filter(([, k]) => k !== SOURCE), [], `round ${round}: a big transaction is there in part`);
      for (const seq of acked) assert.ok(present.has(seq), `round ${round}: acknowledged big transaction ${seq} is missing`);
      assert.equal(n, present.size, `round ${round}: the counter row disagrees with the big transactions there`);
    }
  } finally {
    await s.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});
