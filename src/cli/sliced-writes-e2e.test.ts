// Writes run in slices without lost updates: big UPDATEs that pause many times, beside single-row
// increments from other sessions, leave every row with exactly the increments made to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { assertKillQueryStops } from '../testing/kill-query-check.js';

let server: ServerProcess;
const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'sw' });

/** Rows of the table: an UPDATE of all of them pauses dozens of times (every 512 rows or 4 ms). */
const ROWS = 20000;
const BULK_SESSIONS = 2;
const BULK_ROUNDS = 3;
const POINT_SESSIONS = 3;
const POINT_UPDATES = 250;

/** Inserts ROWS rows, ids 0 up, in statements of 5000. */
async function fill(c: mysql.Connection, table: string, values: (id: number) => string): Promise<void> {
  for (let from = 0; from < ROWS; from += 5000) {
    await c.query(`INSERT INTO ${table} VALUES ` + Array.from({ length: 5000 }, (_, i) => values(from + i)).join(','));
  }
}

before(async () => {
  server = await startServerProcess();
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE sw');
  await c.query('CREATE TABLE sw.t (id INT PRIMARY KEY, n INT NOT NULL, k INT NOT NULL, KEY (k))');
  await fill(c, 'sw.t', (id) => `(${id}, 0, ${id % 10})`);
  await c.end();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

async function rowValues(c: mysql.Connection): Promise<number[]> {
  const [rows] = (await c.query({ sql: 'SELECT n FROM t ORDER BY id', rowsAsArray: true })) as unknown as [[number][]];
  return rows.map((r) => r[0]);
}

test('big UPDATEs in slices lose none of the single-row increments committed beside them', async () => {
  const check = await connect();
  const before = await rowValues(check);
  const expected = before.map((n) => n + BULK_SESSIONS * BULK_ROUNDS);
  let bulkRunning = BULK_SESSIONS;
  let pointsDuringBulk = 0;
  const bulk = Array.from({ length: BULK_SESSIONS }, async () => {
    const c = await connect();
    for (let r = 0; r < BULK_ROUNDS; r++) {
      const [res] = (await c.query('UPDATE t SET n = n + 1')) as unknown as [{ affectedRows: number }];
      assert.equal(res.affectedRows, ROWS);
    }
    bulkRunning--;
    await c.end();
  });
  // Single-row increments, some through the secondary index, some in explicit transactions of two rows.
  let seed = 12345;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % ROWS;
  const points = Array.from({ length: POINT_SESSIONS }, async (_, s) => {
    const c = await connect();
    for (let i = 0; i < POINT_UPDATES; i++) {
      const id = random();
      if (s === 2 && i % 2 === 0) {
        const other = (id + 7) % ROWS;
        await c.query('BEGIN');
        await c.query(`UPDATE t SET n = n + 1 WHERE id = ${Math.min(id, other)}`);
        await c.query(`UPDATE t SET n = n + 1 WHERE id = ${Math.max(id, other)}`);
        await c.query('COMMIT');
        expected[other]++;
      } else if (s === 1) {
        await c.query(`UPDATE t SET n = n + 1 WHERE k = ${id % 10} AND id = ${id}`);
      } else {
        await c.query(`UPDATE t SET n = n + 1 WHERE id = ${id}`);
      }
      expected[id]++;
      if (bulkRunning > 0) pointsDuringBulk++;
    }
    await c.end();
  });
  await Promise.all([...bulk, ...points]);
  const after = await rowValues(check);
  const wrong = after.map((n, id) => (n === expected[id] ? -1 : id)).filter((id) => id >= 0);
  assert.deepEqual(wrong.slice(0, 10).map((id) => ({ id, n: after[id], expected: expected[id] })), []);
  // The increments really ran while the big statements did, not after them.
  assert.ok(pointsDuringBulk > POINT_SESSIONS * 20, `only ${pointsDuringBulk} increments ran beside the big UPDATEs`);
  await check.end();
});

test('a DELETE in slices removes only rows that still match once locked', async () => {
  const c = await connect();
  const other = await connect();
  await c.query('CREATE TABLE d (id INT PRIMARY KEY, gone TINYINT NOT NULL)');
  await fill(c, 'd', (id) => `(${id}, 1)`);
  // While the DELETE pauses, another session keeps rows from the end of the table (which it reaches last).
  const deleting = c.query('DELETE FROM d WHERE gone = 1');
  const kept: number[] = [];
  for (let i = 0; i < 50; i++) {
    const id = ROWS - 1 - i * 13;
    const [res] = (await other.query(`UPDATE d SET gone = 0 WHERE id = ${id}`)) as unknown as [{ affectedRows: number }];
    if (res.affectedRows === 1) kept.push(id);
  }
  const [res] = (await deleting) as unknown as [{ affectedRows: number }];
  const [rows] = (await c.query({ sql: 'SELECT id FROM d ORDER BY id DESC', rowsAsArray: true })) as unknown as [[number][]];
  assert.deepEqual(rows.map((r) => r[0]), kept);
  assert.equal(res.affectedRows, ROWS - kept.length);
  assert.ok(kept.length > 0, 'no row was kept while the DELETE ran');
  await Promise.all([c.end(), other.end()]);
});

test('KILL QUERY stops a big UPDATE and an INSERT ... SELECT within the bound, leaving nothing of them', async () => {
  const c = await connect();
  const sum = async () => ((await c.query({ sql: 'SELECT SUM(n), COUNT(*) FROM t', rowsAsArray: true })) as unknown as [[[string, number]]])[0][0];
  const [n0, count0] = await sum();
  // SLEEP in the SET makes each row slow where the rows are changed: killed with changes buffered.
  await assertKillQueryStops(connect, 'UPDATE t SET n = n + 1 + SLEEP(0.001)');
  await assertKillQueryStops(connect, 'DELETE FROM t WHERE id >= SLEEP(0.001)');
  await c.query('CREATE TABLE copy (id INT PRIMARY KEY, n INT)');
  await assertKillQueryStops(connect, 'INSERT INTO copy SELECT a.id, COUNT(*) FROM t a JOIN t b ON a.k = b.k GROUP BY a.id');
  assert.deepEqual(await sum(), [n0, count0]);
  const [[[copied]]] = (await c.query({ sql: 'SELECT COUNT(*) FROM copy', rowsAsArray: true })) as unknown as [[[number]]];
  assert.equal(copied, 0);
  await c.end();
});

test('a big SELECT ... FOR UPDATE in slices hands out each row as it is once locked, and holds the locks', async () => {
  const reader = await connect();
  const writer = await connect();
  await reader.query('CREATE TABLE f (id INT PRIMARY KEY, n INT NOT NULL)');
  await fill(reader, 'f', (id) => `(${id}, 0)`);
  await reader.query('BEGIN');
  // SLEEP makes the scan slow (waited out at its pauses): meanwhile another session changes rows
  // near the end, which the scan reaches last, long after it began.
  const locking = reader.query({ sql: 'SELECT id, n FROM f WHERE n + SLEEP(0.0001) >= 0 FOR UPDATE', rowsAsArray: true });
  let selected = false;
  const changedFirst = new Set<number>();
  for (let i = 0; i < 30 && !selected; i++) {
    const id = ROWS - 1 - i * 17;
    await writer.query(`UPDATE f SET n = n + 1 WHERE id = ${id}`);
    changedFirst.add(id);
  }
  const [rows] = (await locking) as unknown as [[number, number][]];
  selected = true;
  assert.equal(rows.length, ROWS);
  const stale = rows.filter(([id, n]) => n !== (changedFirst.has(id) ? 1 : 0));
  assert.deepEqual(stale.slice(0, 5), []);
  assert.equal(changedFirst.size, 30);
  // The locks hold until COMMIT: a change waits for them, here until it times out.
  await writer.query('SET innodb_lock_wait_timeout = 1');
  await assert.rejects(writer.query('UPDATE f SET n = 5 WHERE id = 3'), (e) => (e as { errno?: number }).errno === 1205);
  await reader.query('COMMIT');
  await writer.query('UPDATE f SET n = 5 WHERE id = 3');
  await Promise.all([reader.end(), writer.end()]);
});

test('a big multi-table UPDATE in slices loses none of the increments committed beside it', async () => {
  const c = await connect();
  const other = await connect();
  await c.query('CREATE TABLE mt (id INT PRIMARY KEY, n INT NOT NULL)');
  await c.query('CREATE TABLE mk (id INT PRIMARY KEY, inc INT NOT NULL)');
  await fill(c, 'mt', (id) => `(${id}, 0)`);
  await fill(c, 'mk', (id) => `(${id}, 2)`);
  const expected = new Array<number>(ROWS).fill(4);
  let done = false;
  const bulk = (async () => {
    for (let r = 0; r < 2; r++) await c.query('UPDATE mt JOIN mk ON mt.id = mk.id SET mt.n = mt.n + mk.inc');
    done = true;
  })();
  let during = 0;
  for (let i = 0; !done || i < 20; i++) {
    const id = (i * 7919) % ROWS;
    await other.query(`UPDATE mt SET n = n + 1 WHERE id = ${id}`);
    expected[id]++;
    if (!done) during++;
  }
  await bulk;
  const [rows] = (await c.query({ sql: 'SELECT n FROM mt ORDER BY id', rowsAsArray: true })) as unknown as [[number][]];
  const wrong = rows.map(([n], id) => (n === expected[id] ? -1 : id)).filter((id) => id >= 0);
  assert.deepEqual(wrong.slice(0, 10).map((id) => ({ id, n: rows[id][0], expected: expected[id] })), []);
  assert.ok(during > 5, `only ${during} increments ran beside the multi-table UPDATEs`);
  await Promise.all([c.end(), other.end()]);
});
