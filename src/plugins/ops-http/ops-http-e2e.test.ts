// ops-http end to end, as an operator uses it: the real server with the plugin on, mysql2 clients, and HTTP probes and scrapes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { startServer } from '../../kernel/server.js';
import { silentLogger } from '../../kernel/logger.js';
import { SHIPPED_PLUGINS } from '../index.js';
import { parsePrometheusText } from './prometheus-text.js';

let server: ServerProcess;
let httpPort: number;

before(async () => {
  httpPort = await freePort();
  server = await startServerProcess({ args: ['--plugin-add', 'ops-http', `--ops-http.port=${httpPort}`] });
});

after(async () => {
  await server.stop();
  server.cleanup();
});

const url = (path: string) => `http://127.0.0.1:${httpPort}${path}`;

function connect(): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
}

async function scrape(): Promise<Map<string, number>> {
  const res = await fetch(url('/metrics'));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await res.text());
}

/** A sample's value, 0 when the series does not exist yet (Prometheus counters start when first touched). */
const value = (m: Map<string, number>, series: string) => m.get(series) ?? 0;

async function globalStatus(c: mysql.Connection): Promise<Map<string, number>> {
  const [rows] = await c.query('SHOW GLOBAL STATUS');
  return new Map((rows as mysql.RowDataPacket[]).map((r) => [String(r.Variable_name), Number(r.Value)]));
}

test('the startup log says where ops-http listens', () => {
  assert.match(server.log(), new RegExp(`listening: ops-http http://127\\.0\\.0\\.1:${httpPort}`));
});

test('/health and /ready answer 200 while the server runs; HEAD works; other paths 404, other methods 405', async () => {
  const health = await fetch(url('/health'));
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'up' });
  const ready = await fetch(url('/ready'));
  assert.equal(ready.status, 200);
  assert.deepEqual(await ready.json(), { status: 'ready' });
  const head = await fetch(url('/metrics'), { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(await head.text(), '');
  assert.equal((await fetch(url('/nope'))).status, 404);
  assert.equal((await fetch(url('/'))).status, 404);
  const post = await fetch(url('/metrics'), { method: 'POST', body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  // Query strings are ignored, as scrapers sometimes add them.
  assert.equal((await fetch(url('/health?verbose=1'))).status, 200);
});

test('/metrics is Prometheus text whose numbers move with statements, errors, commits and connections', async () => {
  const before = await scrape();
  for (const name of ['mizzle_connections_total', 'mizzle_connections_current', 'mizzle_received_bytes_total', 'mizzle_sent_bytes_total', 'mizzle_slow_queries_total',
    'mizzle_commits_total', 'mizzle_rollbacks_total', 'mizzle_storage_size_bytes', 'mizzle_uptime_seconds', 'mizzle_ready', 'process_cpu_user_seconds_total', 'nodejs_heap_size_used_bytes']) {
    assert.ok(before.has(name), `${name} is exposed`);
  }
  assert.equal(before.get('mizzle_ready'), 1);
  const c = await connect();
  try {
    await c.query('CREATE DATABASE m');
    await c.query('CREATE TABLE m.t (id INT PRIMARY KEY, v INT)');
    await c.query('BEGIN');
    await c.query('INSERT INTO m.t VALUES (1, 1), (2, 2)');
    await c.query('COMMIT');
    await c.query('INSERT INTO m.t VALUES (3, 3)');
    await c.query('SELECT * FROM m.t');
    await c.query('SELECT v FROM m.t WHERE id = 2');
    await assert.rejects(c.query('SELECT * FROM m.missing'), { errno: 1146 });
    await assert.rejects(c.query('SELEKT 1'), { errno: 1064 });
    const during = await scrape();
    assert.equal(value(during, 'mizzle_connections_current'), value(before, 'mizzle_connections_current') + 1);
    assert.equal(value(during, 'mizzle_connections_total'), value(before, 'mizzle_connections_total') + 1);
  } finally {
    await c.end();
  }
  const after = await scrape();
  const moved = (series: string) => value(after, series) - value(before, series);
  assert.equal(moved('mizzle_statements_total{kind="select"}'), 3, 'two SELECTs and the one that failed');
  assert.equal(moved('mizzle_statements_total{kind="insert"}'), 2);
  assert.equal(moved('mizzle_statements_total{kind="transaction"}'), 2);
  assert.equal(moved('mizzle_statements_total{kind="unknown"}'), 1);
  assert.equal(moved('mizzle_statement_errors_total{code="1146"}'), 1);
  assert.equal(moved('mizzle_statement_errors_total{code="1064"}'), 1);
  assert.equal(moved('mizzle_statement_duration_seconds_count{kind="select"}'), 3);
  // Histogram buckets are cumulative: the +Inf bucket holds every observation.
  assert.equal(value(after, 'mizzle_statement_duration_seconds_bucket{le="+Inf",kind="select"}'), value(after, 'mizzle_statement_duration_seconds_count{kind="select"}'));
  assert.ok(after.has('mizzle_statement_duration_seconds_bucket{le="0.0001",kind="select"}'));
  assert.ok(after.has('mizzle_statement_duration_seconds_bucket{le="10",kind="select"}'));
  assert.equal(moved('mizzle_commits_total'), 2, 'the explicit COMMIT and the autocommit INSERT');
  assert.equal(moved('mizzle_global_status{variable="Com_commit"}'), 1);
  assert.ok(moved('mizzle_received_bytes_total') > 0);
  assert.ok(moved('mizzle_sent_bytes_total') > 0);
  assert.equal(moved('mizzle_rows_affected_total'), 4, 'CREATE DATABASE reports 1 row, as in MySQL, and three rows inserted');
  assert.ok(value(after, 'mizzle_storage_size_bytes') > 0);
  assert.equal(value(after, 'mizzle_connections_current'), value(before, 'mizzle_connections_current'));
});

test('SHOW PLUGINS lists every shipped plugin in MySQL\'s shape; SHOW VARIABLES shows an active plugin\'s options', async () => {
  const c = await connect();
  try {
    const [rows, fields] = await c.query('SHOW PLUGINS');
    assert.deepEqual(fields.map((f) => f.name), ['Name', 'Status', 'Type', 'Library', 'License']);
    const byName = new Map((rows as mysql.RowDataPacket[]).map((r): [string, mysql.RowDataPacket] => [r.Name, r]));
    const status = (name: string) => byName.get(name)?.Status;
    assert.deepEqual([...byName.keys()].sort(), SHIPPED_PLUGINS.map((p) => p.manifest.name).sort());
    assert.equal(status('ops-http'), 'ACTIVE');
    assert.equal(byName.get('ops-http')?.Type, 'MONITORING');
    assert.equal(status('mysql'), 'ACTIVE');
    assert.equal(status('auth-file'), 'DISABLED');
    const [vars] = await c.query("SHOW VARIABLES LIKE 'ops_http%'");
    assert.deepEqual((vars as mysql.RowDataPacket[]).map((r) => [r.Variable_name, r.Value]), [['ops_http_bind', '127.0.0.1'], ['ops_http_port', String(httpPort)]]);
    const [viaSelect] = await c.query('SELECT @@ops_http_port AS p');
    assert.equal(Number((viaSelect as mysql.RowDataPacket[])[0].p), httpPort);
    await assert.rejects(c.query('SET GLOBAL ops_http_port = 1'), { errno: 1238 });
    const [plugins] = await c.query("SELECT PLUGIN_NAME, PLUGIN_STATUS, PLUGIN_TYPE FROM information_schema.PLUGINS WHERE PLUGIN_STATUS = 'ACTIVE' ORDER BY PLUGIN_NAME");
    assert.deepEqual((plugins as mysql.RowDataPacket[]).map((r) => r.PLUGIN_NAME), ['auth-none', 'lmdb', 'memory', 'mysql', 'ops-http']);
  } finally {
    await c.end();
  }
});

test('SHOW GLOBAL STATUS counters move: Questions, Com_select, Bytes_sent', async () => {
  const c = await connect();
  try {
    const s0 = await globalStatus(c);
    await c.query('SELECT 1');
    await c.query('SELECT 2');
    const s1 = await globalStatus(c);
    // Two SELECTs plus the SHOW GLOBAL STATUS that read s0.
    assert.equal((s1.get('Questions') ?? 0) - (s0.get('Questions') ?? 0), 3);
    assert.equal((s1.get('Com_select') ?? 0) - (s0.get('Com_select') ?? 0), 2);
    assert.ok((s1.get('Bytes_sent') ?? 0) > (s0.get('Bytes_sent') ?? 0));
    assert.ok((s1.get('Bytes_received') ?? 0) > (s0.get('Bytes_received') ?? 0));
    assert.ok((s1.get('Threads_connected') ?? 0) >= 1);
  } finally {
    await c.end();
  }
});

test('PROCESSLIST shows the other connection\'s running statement; KILL QUERY interrupts it; KILL ends a connection; an unknown id is 1094', async () => {
  const holder = await connect();
  const waiter = await connect();
  const admin = await connect();
  try {
    await holder.query('CREATE DATABASE k');
    await holder.query('CREATE TABLE k.t (id INT PRIMARY KEY, v INT)');
    await holder.query('INSERT INTO k.t VALUES (1, 0)');
    await holder.query('BEGIN');
    await holder.query('UPDATE k.t SET v = 1 WHERE id = 1');
    const [[{ id: waiterId }]] = (await waiter.query('SELECT CONNECTION_ID() AS id')) as [mysql.RowDataPacket[], unknown];
    // The waiter blocks on the holder's row lock: a statement that stays running while we look at it.
    const blocked = waiter.query('UPDATE k.t SET v = 2 WHERE id = 1');
    // Its 1317 may arrive before the KILL's own answer: settled into a value now, so it is never an unhandled rejection.
    const blockedOutcome = blocked.then(() => undefined, (e: unknown) => e);
    const statement = async () => {
      for (let i = 0; i < 100; i++) {
        const [rows] = await admin.query('SELECT ID, USER, COMMAND, INFO FROM information_schema.PROCESSLIST WHERE ID = ?', [waiterId]);
        const row = (rows as mysql.RowDataPacket[])[0];
        if (row?.COMMAND === 'Query') return row;
        await new Promise((r) => setTimeout(r, 20));
      }
      throw new Error('the waiter never showed as running');
    };
    const row = await statement();
    assert.equal(row.USER, 'root');
    assert.equal(row.INFO, 'UPDATE k.t SET v = 2 WHERE id = 1');
    const [shown] = await admin.query('SHOW FULL PROCESSLIST');
    assert.ok((shown as mysql.RowDataPacket[]).some((r) => Number(r.Id) === Number(waiterId) && r.Info === 'UPDATE k.t SET v = 2 WHERE id = 1'));
    const [joined] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST p JOIN information_schema.SCHEMATA s ON s.SCHEMA_NAME = \'k\' WHERE p.USER = \'root\'');
    assert.ok(Number((joined as mysql.RowDataPacket[])[0].n) >= 3);

    await admin.query(`KILL QUERY ${Number(waiterId)}`);
    assert.equal((await blockedOutcome as { errno?: number } | undefined)?.errno, 1317);
    // The connection survives KILL QUERY.
    const [again] = await waiter.query('SELECT 1 AS one');
    assert.equal((again as mysql.RowDataPacket[])[0].one, 1);

    await admin.query(`KILL ${Number(waiterId)}`);
    await assert.rejects(waiter.query('SELECT 1'), (e: NodeJS.ErrnoException & { fatal?: boolean }) => e.fatal === true || /closed|lost|killed/i.test(e.message));
    const [gone] = await admin.query('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?', [waiterId]);
    assert.equal(Number((gone as mysql.RowDataPacket[])[0].n), 0);
    await assert.rejects(admin.query('KILL 987654'), { errno: 1094 });
    await assert.rejects(admin.query('KILL QUERY 987654'), { errno: 1094 });
    await holder.query('ROLLBACK');
  } finally {
    await Promise.all([holder.end(), admin.end(), waiter.end().catch(() => undefined)]);
  }
});

test('information_schema answers the queries ORMs and GUI tools send', async () => {
  const c = await connect();
  try {
    await c.query('CREATE DATABASE shop');
    await c.query('CREATE TABLE shop.orders (id BIGINT AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(40) NOT NULL, total DECIMAL(10,2), KEY by_customer (customer))');
    await c.query('CREATE TABLE shop.items (order_id BIGINT NOT NULL, sku CHAR(8) NOT NULL, PRIMARY KEY (order_id, sku))');
    await c.query('USE shop');
    const [tables] = await c.query('SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME');
    assert.deepEqual((tables as mysql.RowDataPacket[]).map((r) => [r.TABLE_NAME, r.TABLE_TYPE]), [['items', 'BASE TABLE'], ['orders', 'BASE TABLE']]);
    // A prepared statement, as ORMs send it.
    const [cols] = await c.execute('SELECT COLUMN_NAME, DATA_TYPE, IS_NULLABLE, COLUMN_KEY, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION', ['shop', 'orders']);
    assert.deepEqual((cols as mysql.RowDataPacket[]).map((r) => [r.COLUMN_NAME, r.DATA_TYPE, r.IS_NULLABLE, r.COLUMN_KEY, r.EXTRA]), [
      ['id', 'bigint', 'NO', 'PRI', 'auto_increment'], ['customer', 'varchar', 'NO', 'MUL', ''], ['total', 'decimal', 'YES', '', ''],
    ]);
    const [stats] = await c.query("SELECT INDEX_NAME, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS cols FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'shop' AND TABLE_NAME = 'items' GROUP BY INDEX_NAME");
    assert.deepEqual((stats as mysql.RowDataPacket[]).map((r) => [r.INDEX_NAME, r.cols]), [['PRIMARY', 'order_id,sku']]);
    const [counts] = await c.query("SELECT t.TABLE_NAME, COUNT(col.COLUMN_NAME) AS n FROM information_schema.TABLES t LEFT JOIN information_schema.COLUMNS col ON col.TABLE_SCHEMA = t.TABLE_SCHEMA AND col.TABLE_NAME = t.TABLE_NAME WHERE t.TABLE_SCHEMA = 'shop' GROUP BY t.TABLE_NAME ORDER BY n DESC");
    assert.deepEqual((counts as mysql.RowDataPacket[]).map((r) => [r.TABLE_NAME, Number(r.n)]), [['orders', 3], ['items', 2]]);
    const [schemata] = await c.query("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME IN ('shop', 'information_schema') ORDER BY SCHEMA_NAME");
    assert.deepEqual((schemata as mysql.RowDataPacket[]).map((r) => r.SCHEMA_NAME), ['information_schema', 'shop']);

    await c.query('USE INFORMATION_SCHEMA');
    const [[db]] = (await c.query('SELECT DATABASE() AS d')) as [mysql.RowDataPacket[], unknown];
    assert.equal(db.d, 'information_schema');
    const [list] = await c.query('SHOW TABLES');
    const names = (list as mysql.RowDataPacket[]).map((r) => r.Tables_in_information_schema);
    for (const t of ['COLUMNS', 'PLUGINS', 'PROCESSLIST', 'SCHEMATA', 'STATISTICS', 'TABLES']) assert.ok(names.includes(t), t);
    const [lower] = await c.query("SELECT count(*) AS n FROM plugins WHERE plugin_name = 'ops-http'");
    assert.equal(Number((lower as mysql.RowDataPacket[])[0].n), 1);
    await assert.rejects(c.query('DELETE FROM plugins'), { errno: 1044, sqlState: '42000', message: "Access denied for user 'root'@'127.0.0.1' to database 'information_schema'" });
    await assert.rejects(c.query("INSERT INTO information_schema.SCHEMATA (SCHEMA_NAME) VALUES ('x')"), { errno: 1044 });
    await assert.rejects(c.query('CREATE TABLE information_schema.mine (a INT)'), { errno: 1044 });
    await assert.rejects(c.query('DROP DATABASE information_schema'), { errno: 1044 });
    await assert.rejects(c.query('SELECT * FROM information_schema.no_such_view'), { errno: 1109 });
  } finally {
    await c.end();
  }
});

test('/ready answers 503 while the server shuts down and drains clients; /health stays 200', async () => {
  // In-process, so the test can hold a row lock outside the MySQL listener and keep one client busy during shutdown.
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-ops-'));
  const [mysqlPort, opsPort] = [await freePort(), await freePort()];
  const running = await startServer({
    argv: ['--datadir', datadir, '--port', String(mysqlPort), '--plugin-add', 'ops-http', `--ops-http.port=${opsPort}`],
    env: {}, cwd: datadir, plugins: SHIPPED_PLUGINS, log: silentLogger,
  });
  const probe = (path: string) => fetch(`http://127.0.0.1:${opsPort}${path}`);
  try {
    assert.equal((await probe('/ready')).status, 200);
    const holder = running.kernel.openSession({ user: 'root', host: 'localhost', database: null });
    const run = (sql: string) => holder.execute(sql, false, () => undefined);
    await run('CREATE DATABASE s');
    await run('CREATE TABLE s.t (id INT PRIMARY KEY, v INT)');
    await run('INSERT INTO s.t VALUES (1, 0)');
    await run('BEGIN');
    await run('UPDATE s.t SET v = 1 WHERE id = 1');
    const client = await mysql.createConnection({ host: '127.0.0.1', port: mysqlPort, user: 'root' });
    const busy = client.query('UPDATE s.t SET v = 2 WHERE id = 1');
    await new Promise((r) => setTimeout(r, 100));
    const stopped = running.stop();
    const notReady = await probe('/ready');
    assert.equal(notReady.status, 503);
    assert.match(JSON.stringify(await notReady.json()), /shutting down/);
    assert.equal((await probe('/health')).status, 200);
    const metrics = parsePrometheusText(await (await probe('/metrics')).text());
    assert.equal(metrics.get('mizzle_ready'), 0);
    // Releasing the lock lets the busy client finish; then the listeners close.
    await run('ROLLBACK');
    await busy;
    await client.end().catch(() => undefined);
    await stopped;
    await assert.rejects(probe('/health'));
  } finally {
    await running.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('a port already in use stops startup with a message that says what to change', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-ops-'));
  try {
    const taken = await startServerProcess({ datadir, args: ['--plugin-add', 'ops-http', `--ops-http.port=${httpPort}`] }).catch((e: Error) => e);
    assert.ok(taken instanceof Error);
    assert.match(taken.message, /ops-http cannot listen on 127\.0\.0\.1:\d+: the address is in use; set ops-http\.bind \/ ops-http\.port/);
    const bad = await startServerProcess({ datadir, args: ['--plugin-add', 'ops-http', '--ops-http.port=70000'] }).catch((e: Error) => e);
    assert.ok(bad instanceof Error);
    assert.match(bad.message, /ops-http\.port must be a TCP port number/);
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});
