// filter-safe end to end: a real server with the plugin on, driven over the wire by mysql2 as an application would.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { refused } from '../../testing/assertions.js';

type Rows = mysql.RowDataPacket[];

function connect(server: ServerProcess, user: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user, database: 'shop' });
}

async function status(c: mysql.Connection): Promise<Record<string, number>> {
  const [rows] = (await c.query("SHOW GLOBAL STATUS LIKE 'Filter_safe%'")) as [Rows, unknown];
  return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
}


async function seed(c: mysql.Connection, table: string, rows: number, columns: string): Promise<void> {
  await c.query(`CREATE TABLE ${table} (${columns})`);
  for (let start = 1; start <= rows; start += 1000) {
    const values: string[] = [];
    for (let i = start; i < Math.min(start + 1000, rows + 1); i++) values.push(`(${i}, ${i % 7}, ${i})`);
    await c.query(`INSERT INTO ${table} VALUES ${values.join(',')}`);
  }
}

test('filter-safe refuses unbounded writes, full scans and big joins with MySQL errors; exempt users pass; counters show it', async () => {
  const server = await startServerProcess({
    args: ['--plugin-add=filter-safe', '--filter-safe.max_rows_examined=100', '--filter-safe.max_join_size=5000', '--filter-safe.exempt_users=admin,dba'],
  });
  try {
    const setup = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'admin' });
    await setup.query('CREATE DATABASE shop');
    await setup.query('USE shop');
    await seed(setup, 'orders', 500, 'id INT PRIMARY KEY, status INT, amount INT, KEY k_status (status)');
    await seed(setup, 'a', 90, 'id INT PRIMARY KEY, x INT, y INT');
    await seed(setup, 'b', 90, 'id INT PRIMARY KEY, x INT, y INT');

    const app = await connect(server, 'app');
    // 1175, MySQL's message word for word.
    const safeMode = 'You are using safe update mode and you tried to update a table without a WHERE that uses a KEY column. To disable safe mode, toggle the option in Preferences -> SQL Editor and reconnect.';
    await refused(app.query('UPDATE orders SET amount = 0'), 1175, 'HY000', safeMode);
    await refused(app.query('DELETE FROM orders'), 1175, 'HY000', safeMode);
    await refused(app.query('DELETE FROM orders WHERE amount > 10'), 1175, 'HY000', safeMode);
    // Prepared statements go through the same filter.
    await refused(app.execute('DELETE FROM orders WHERE amount = ?', [3]), 1175, 'HY000');
    const [del] = (await app.query('DELETE FROM orders WHERE id = 500')) as [mysql.ResultSetHeader, unknown];
    assert.equal(del.affectedRows, 1);
    const [upd] = (await app.query('UPDATE orders SET amount = 0 WHERE status = 3')) as [mysql.ResultSetHeader, unknown];
    assert.ok(upd.affectedRows > 0);
    await app.query('UPDATE orders SET amount = 1 LIMIT 1');

    // A full scan of more than max_rows_examined rows: 1104.
    await refused(app.query('SELECT * FROM orders'), 1104, '42000', /max_rows_examined \(100\) rows of table 'shop\.orders' without using an index/);
    await refused(app.query('SELECT COUNT(*) FROM orders WHERE amount = 3'), 1104, '42000');
    const [few] = (await app.query('SELECT * FROM orders WHERE id BETWEEN 1 AND 50')) as [Rows, unknown];
    assert.equal(few.length, 50);
    const [limited] = (await app.query('SELECT * FROM orders LIMIT 10')) as [Rows, unknown];
    assert.equal(limited.length, 10);
    const [small] = (await app.query('SELECT COUNT(*) AS n FROM a')) as [Rows, unknown];
    assert.equal(Number(small[0].n), 90);

    // A join whose estimated rows exceed max_join_size: 1104 with MySQL's text.
    await refused(app.query('SELECT COUNT(*) FROM a, b'), 1104, '42000',
      'The SELECT would examine more than MAX_JOIN_SIZE rows; check your WHERE and use SET SQL_BIG_SELECTS=1 or SET MAX_JOIN_SIZE=# if the SELECT is okay');
    const [joined] = (await app.query('SELECT COUNT(*) AS n FROM a JOIN b ON b.id = a.id')) as [Rows, unknown];
    assert.equal(Number(joined[0].n), 90);

    // Exempt users are not limited.
    const dba = await connect(server, 'dba');
    const [all] = (await dba.query('SELECT COUNT(*) AS n FROM a, b')) as [Rows, unknown];
    assert.equal(Number(all[0].n), 8100);
    await dba.query('UPDATE orders SET amount = amount + 1');

    // The refusal is kept for SHOW WARNINGS like any error.
    await refused(app.query('DELETE FROM a'), 1175, 'HY000');
    const [warnings] = (await app.query('SHOW WARNINGS')) as [Rows, unknown];
    assert.equal(warnings[0].Code, 1175);

    const counters = await status(app);
    assert.equal(counters.Filter_safe_blocked_safe_updates, 5);
    assert.equal(counters.Filter_safe_blocked_full_scan, 2);
    assert.equal(counters.Filter_safe_blocked_join_size, 1);
    assert.equal(counters.Filter_safe_blocked, 8);
    assert.ok(counters.Filter_safe_exempted >= 2);
    const [vars] = (await app.query("SHOW VARIABLES LIKE 'filter_safe%'")) as [Rows, unknown];
    assert.deepEqual(Object.fromEntries(vars.map((r) => [r.Variable_name, String(r.Value)])).filter_safe_max_join_size, '5000');
    assert.match(server.log(), /filter-safe: statement refused/);
    await Promise.all([setup.end(), app.end(), dba.end()]);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('filter-safe stops statements past max_execution_time with 3024; exempt users run to the end', async () => {
  const server = await startServerProcess({ args: ['--plugin-add=filter-safe', '--filter-safe.max_execution_time=150', '--filter-safe.exempt_users=admin'] });
  try {
    const admin = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'admin' });
    await admin.query('CREATE DATABASE shop');
    await admin.query('USE shop');
    await seed(admin, 'big', 3000, 'id INT PRIMARY KEY, grp INT, v INT');
    // A correlated subquery reads the table once per outer row: millions of rows.
    const slow = 'SELECT COUNT(*) AS n FROM big o WHERE EXISTS (SELECT 1 FROM big i WHERE i.v = o.v + 100000)';
    const app = await connect(server, 'app');
    const t0 = Date.now();
    await refused(app.query(slow), 3024, 'HY000', 'Query execution was interrupted, maximum statement execution time exceeded');
    assert.ok(Date.now() - t0 < 5000, 'stopped near its deadline');
    // Writes are bounded too (MySQL's own max_execution_time covers only SELECT).
    await refused(app.query('UPDATE big SET v = v + 1 WHERE id > 0 AND EXISTS (SELECT 1 FROM big i WHERE i.v = big.v + 100000)'), 3024, 'HY000');
    const [[unchanged]] = (await app.query('SELECT SUM(v) AS s FROM big WHERE id > 0')) as [Rows, unknown];
    assert.equal(Number(unchanged.s), 3000 * 3001 / 2, 'the stopped UPDATE changed nothing');
    // The session still works afterwards.
    const [[one]] = (await app.query('SELECT 1 AS x')) as [Rows, unknown];
    assert.equal(one.x, 1);
    const t1 = Date.now();
    const [[done]] = (await admin.query('SELECT COUNT(*) AS n FROM big o WHERE EXISTS (SELECT 1 FROM big i WHERE i.v = o.v + 100000) AND o.id <= 600')) as [Rows, unknown];
    assert.equal(Number(done.n), 0);
    assert.ok(Date.now() - t1 > 150, `the exempt statement ran past the limit (${Date.now() - t1} ms)`);
    const counters = await status(app);
    assert.equal(counters.Filter_safe_timeouts, 2);
    assert.equal(counters.Filter_safe_blocked, 0);
    await Promise.all([admin.end(), app.end()]);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('the kernel honours sql_safe_updates=1 without any filter, as MySQL does', async () => {
  const server = await startServerProcess();
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await c.query('CREATE DATABASE shop');
    await c.query('USE shop');
    await seed(c, 't', 20, 'id INT PRIMARY KEY, k INT, v INT, KEY k_k (k)');
    await c.query('UPDATE t SET v = 0');
    await c.query('SET sql_safe_updates = 1');
    await refused(c.query('UPDATE t SET v = 1'), 1175, 'HY000', /^You are using safe update mode/);
    await refused(c.query('DELETE FROM t WHERE v = 0'), 1175, 'HY000');
    await refused(c.execute('DELETE FROM t WHERE v = ?', [0]), 1175, 'HY000');
    await c.query('UPDATE t SET v = 1 WHERE id = 1');
    await c.query('UPDATE t SET v = 1 WHERE k = 2');
    await c.query('DELETE FROM t WHERE v = 0 LIMIT 1');
    await c.query('SET sql_safe_updates = 0');
    const [r] = (await c.query('DELETE FROM t')) as [mysql.ResultSetHeader, unknown];
    assert.equal(r.affectedRows, 19);
    await c.end();
  } finally {
    await server.stop();
    server.cleanup();
  }
});
