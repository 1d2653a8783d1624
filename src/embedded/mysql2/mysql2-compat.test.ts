// The mysql2 drop-in answers as the real mysql2 driver does against a mizzle server: same rows, types, headers and errors, with no socket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import realMysql from 'mysql2/promise';
import realMysqlCallbacks from 'mysql2';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import * as embedded from './index.js';
import embeddedPromise from './promise.js';

let server: ServerProcess;
before(async () => {
  server = await startServerProcess();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

const SETUP = [
  'CREATE DATABASE IF NOT EXISTS shop',
  'USE shop',
  'CREATE TABLE item (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE, price DECIMAL(8,2), qty BIGINT, ratio DOUBLE, made DATE, at DATETIME(3), t TIME, doc JSON, raw VARBINARY(8), flag TINYINT(1))',
];

/** Statements whose full answers (results and field names/types) must match; `?` bound from the values. */
const SCRIPT: [string, unknown[]?][] = [
  ["INSERT INTO item (name, price, qty, ratio, made, at, t, doc, raw, flag) VALUES ('pen', 1.25, 9007199254740993, 0.5, '2024-05-06', '2024-05-06 07:08:09.123', '10:11:12', '{\"a\": [1, 2]}', X'0102', 1)"],
  ['INSERT INTO item (name, price) VALUES (?, ?), (?, ?)', ['ink', '9.99', "it's", null]],
  ['SELECT * FROM item ORDER BY id'],
  ['SELECT id, name FROM item WHERE price > ? ORDER BY id', [1]],
  ['UPDATE item SET qty = 5 WHERE id >= ?', [2]],
  ['UPDATE item SET qty = 5 WHERE id >= 2'],
  ['DELETE FROM item WHERE name = ?', ["it's"]],
  ['SELECT COUNT(*) AS n, SUM(price) AS total, NULL AS nothing FROM item'],
  ['SHOW TABLES'],
];

interface Runner {
  query(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
  execute(sql: string, values?: unknown[]): Promise<[unknown, unknown]>;
}

async function run(c: Runner, prepared: boolean): Promise<unknown[]> {
  const out: unknown[] = [];
  for (const [sql, values] of SCRIPT) {
    const [results, fields] = await (prepared && values ? c.execute(sql, values) : c.query(sql, values));
    const header = results !== null && typeof results === 'object' && !Array.isArray(results)
      ? Object.fromEntries(['fieldCount', 'affectedRows', 'insertId', 'info', 'warningStatus', 'changedRows'].map((k) => [k, (results as Record<string, unknown>)[k]]))
      : results;
    const shape = Array.isArray(fields) ? (fields as { name: string; columnType: number; flags: number }[]).map((f) => [f.name, f.columnType]) : fields;
    out.push([header, shape]);
  }
  return out;
}

for (const prepared of [false, true]) {
  test(`${prepared ? 'execute' : 'query'}: the drop-in gives what mysql2 gives over the wire`, async () => {
    const wire = await realMysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await wire.query('DROP DATABASE IF EXISTS shop');
    for (const sql of SETUP) await wire.query(sql);
    const local = await embeddedPromise.createConnection({ engine: 'memory' });
    for (const sql of SETUP) await local.query(sql);
    try {
      assert.deepEqual(await run(local, prepared), await run(wire as unknown as Runner, prepared));
    } finally {
      await wire.end();
      await local.end();
    }
  });
}

test('errors carry errno, the ER_ name, sqlState and sqlMessage as mysql2 sets them', async () => {
  const wire = await realMysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  const local = await embeddedPromise.createConnection({ engine: 'memory' });
  try {
    for (const c of [wire, local]) await c.query('CREATE DATABASE IF NOT EXISTS e; CREATE TABLE IF NOT EXISTS e.u (id INT PRIMARY KEY)'.split(';')[0]);
    for (const c of [wire, local]) await c.query('CREATE TABLE IF NOT EXISTS e.u (id INT PRIMARY KEY)');
    for (const c of [wire, local]) await c.query('INSERT IGNORE INTO e.u VALUES (1)');
    const errorOf = async (c: typeof local | typeof wire, sql: string) => {
      const e = await c.query(sql).then(() => null, (x: { errno: number; code: string; sqlState: string; sqlMessage: string }) => [x.errno, x.code, x.sqlState, x.sqlMessage]);
      assert.ok(e, `${sql} should fail`);
      return e;
    };
    for (const sql of ['INSERT INTO e.u VALUES (1)', 'SELECT * FROM e.nope', 'SELECT nope FROM e.u', 'SELEC 1']) {
      assert.deepEqual(await errorOf(local, sql), await errorOf(wire, sql), sql);
    }
  } finally {
    await wire.end();
    await local.end();
  }
});

test('callback API: a pool shares one instance, transactions, typeCast hooks, rowsAsArray and Query events', async () => {
  const pool = embedded.createPool({ engine: 'memory', connectionLimit: 2 });
  const q = (sql: string | embedded.ConnectionOptions, values?: unknown[]) =>
    new Promise<[unknown, unknown]>((resolve, reject) => pool.query(sql as string, values, (err, r, f) => (err ? reject(err) : resolve([r, f]))));
  try {
    await q('CREATE DATABASE app');
    await q('CREATE TABLE app.acct (id INT PRIMARY KEY, balance INT, at DATETIME)');
    await q('INSERT INTO app.acct VALUES ?', [[[1, 100, '2024-01-02 03:04:05'], [2, 0, null]]]);
    // A transaction on one lent connection; another connection does not see it before COMMIT.
    const conn = await new Promise<embedded.PoolConnection>((resolve, reject) => pool.getConnection((err, c) => (err || !c ? reject(err) : resolve(c))));
    await new Promise<void>((resolve, reject) => conn.beginTransaction((err: Error | null) => (err ? reject(err) : resolve())));
    await new Promise<void>((resolve, reject) => conn.query('UPDATE app.acct SET balance = balance - 10 WHERE id = 1', (err: Error | null) => (err ? reject(err) : resolve())));
    const [outside] = await q('SELECT balance FROM app.acct WHERE id = 1');
    assert.deepEqual(outside, [{ balance: 100 }]);
    await new Promise<void>((resolve, reject) => conn.commit((err: Error | null) => (err ? reject(err) : resolve())));
    conn.release();
    // drizzle-orm's hook: dates as their text; rowsAsArray.
    const [rows] = await q({ sql: 'SELECT id, balance, at FROM app.acct ORDER BY id', rowsAsArray: true, typeCast: (field: embedded.TypeCastField, next: () => unknown) => (field.type === 'DATETIME' ? field.string() : next()) } as never);
    assert.deepEqual(rows, [[1, 90, '2024-01-02 03:04:05'], [2, 0, null]]);
    // Without a hook a DATETIME is a Date in local time, as mysql2 gives it.
    const [dated] = await q('SELECT at FROM app.acct WHERE id = 1');
    assert.deepEqual(dated, [{ at: new Date(2024, 0, 2, 3, 4, 5) }]);
    // Query events.
    const seen: unknown[] = [];
    await new Promise<void>((resolve) => {
      pool.getConnection((_, c) => {
        c!.query('SELECT id FROM app.acct ORDER BY id').on('result', (r) => seen.push(r)).on('end', () => { c!.release(); resolve(); });
      });
    });
    assert.deepEqual(seen, [{ id: 1 }, { id: 2 }]);
  } finally {
    await new Promise<void>((resolve) => pool.end(() => resolve()));
  }
});

test('a pool on an open Mizzle instance sees its data, and ending the pool leaves the instance open', async () => {
  const { Mizzle } = await import('../index.js');
  const db = await Mizzle.open({ engine: 'memory' });
  try {
    await db.query('CREATE DATABASE s');
    await db.query('CREATE TABLE s.t (id INT PRIMARY KEY)');
    await db.query('INSERT INTO s.t VALUES (1), (2)');
    const pool = embeddedPromise.createPool({ db, database: 's' });
    const [rows] = await pool.query('SELECT COUNT(*) AS n FROM t');
    assert.deepEqual(rows, [{ n: 2 }]);
    const c = await pool.getConnection();
    await c.query('INSERT INTO t VALUES (3)');
    c.release();
    await pool.end();
    assert.deepEqual((await db.query('SELECT COUNT(*) FROM s.t')).rows, [[3]]);
  } finally {
    await db.close();
  }
});

test('query().stream(): rows as mysql2 streams them over the wire, filled while the statement runs and held back while the reader waits', async () => {
  const fill = 'INSERT INTO n (i, s) WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < 20000) SELECT i, CONCAT(\'r\', i) FROM c';
  const wire = realMysqlCallbacks.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  const local = embedded.createConnection({ engine: 'memory' });
  const both = [wire, local] as unknown as embedded.Connection[];
  const queryOn = (c: embedded.Connection, sql: string) => new Promise<void>((resolve, reject) => c.query(sql, (e: Error | null) => (e ? reject(e) : resolve())));
  for (const c of both) {
    for (const sql of ['SET cte_max_recursion_depth = 20000', 'DROP DATABASE IF EXISTS st', 'CREATE DATABASE st', 'USE st', 'CREATE TABLE n (i INT PRIMARY KEY, s VARCHAR(10))', fill]) await queryOn(c, sql);
  }
  const streamed = async (c: embedded.Connection, sql: string) => {
    const rows: unknown[] = [];
    let fields: { name: string }[] = [];
    const s = c.query(sql).stream({ highWaterMark: 8 });
    s.on('fields', (f: { name: string }[]) => (fields = f));
    for await (const r of s) rows.push(r);
    return { rows, fields: fields.map((f) => f.name) };
  };
  const sql = 'SELECT i, s FROM n WHERE i % 7 = 0 ORDER BY i';
  const [overWire, inProcess] = [await streamed(both[0]!, sql), await streamed(both[1]!, sql)];
  assert.equal(inProcess.rows.length, 2857);
  assert.deepEqual(inProcess, overWire);

  // A reader that stops holds the statement back: after 10 rows and a pause the 20,000-row query has not ended.
  const q = local.query('SELECT i, s FROM n ORDER BY i');
  let ended = false;
  q.on('end', () => (ended = true));
  const s = q.stream({ highWaterMark: 8 });
  const reader = s[Symbol.asyncIterator]();
  const first: unknown[] = [];
  while (first.length < 10) first.push((await reader.next()).value);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(ended, false, 'the statement waits for its reader');
  assert.ok(s.readableLength < 1000, `rows held for the reader stay bounded (${s.readableLength})`);
  assert.deepEqual(first[9], { i: 10, s: 'r10' });
  // Letting go of the stream destroys it: the statement runs out, and the connection takes the next one.
  await reader.return?.();
  const [rows] = await local.promise().query('SELECT COUNT(*) AS n FROM n');
  assert.deepEqual(rows, [{ n: 20000 }]);
  assert.equal(ended, true);
  // An error ends the stream with it.
  await assert.rejects(async () => {
    for await (const r of local.query('SELECT * FROM missing_table').stream()) void r;
  }, (e: unknown) => (e as { errno?: number }).errno === 1146);
  await new Promise<void>((r) => wire.end(() => r()));
  await new Promise<void>((r) => local.end(() => r()));
});
