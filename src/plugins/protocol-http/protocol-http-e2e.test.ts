// protocol-http end to end: the real server, driven with curl and with the client library over http://.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { connect, MizzleError, type Client } from '../../client/index.js';
import { startHttpProtocolServer, type HttpProtocolServer } from '../../testing/http-protocol-server.js';

const run = promisify(execFile);
const IDLE_MS = 600;

let h: HttpProtocolServer;
let client: Client;

before(async () => {
  h = await startHttpProtocolServer([
    '--protocol-http.max_rows=1000',
    `--protocol-http.session_idle_timeout_ms=${IDLE_MS}`,
    '--protocol-http.max_sessions=3',
    '--protocol-http.statement_timeout_ms=800',
  ]);
  client = connect(`${h.url()}/?database=shop`);
  const setup = connect(h.url());
  await setup.query('CREATE DATABASE shop');
  await setup.query('CREATE TABLE shop.item (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(20,2), made DATETIME, photo BLOB)');
  await setup.close();
});

after(async () => {
  await client.close();
  await h.stop();
});

/** curl with a JSON body; returns the HTTP status and the body text. */
async function curl(path: string, body: string, ...extra: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', ['-sS', '-X', 'POST', '-H', 'Content-Type: application/json', ...extra, '--data-binary', body, '-w', '\n%{http_code}', h.url(path)]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

test('the startup log says where protocol-http listens', () => {
  assert.match(h.server.log(), new RegExp(`listening: protocol-http http://127\\.0\\.0\\.1:${h.httpPort}`));
});

test('curl: insert with bound parameters and read back; types survive JSON', async () => {
  const ins = await curl('/v1/query', JSON.stringify({
    sql: 'INSERT INTO item (name, price, made, photo) VALUES (?, ?, ?, ?)',
    params: ["it's; DROP TABLE item --", '12345678901234567.89', '2024-02-29 13:14:15', { base64: 'AAH/' }],
    database: 'shop',
  }));
  assert.equal(ins.status, 200, ins.body);
  const ok = JSON.parse(ins.body) as { rowsAffected: number; lastInsertId: number };
  assert.equal(ok.rowsAffected, 1);
  const sel = await curl('/v1/query', JSON.stringify({ sql: 'SELECT id, name, price, made, photo FROM shop.item WHERE id = ?', params: [ok.lastInsertId] }));
  assert.equal(sel.status, 200, sel.body);
  assert.deepEqual(JSON.parse(sel.body), {
    columns: [
      { name: 'id', type: 'bigint', nullable: false },
      { name: 'name', type: 'varchar', nullable: false },
      { name: 'price', type: 'decimal', nullable: true },
      { name: 'made', type: 'datetime', nullable: true },
      { name: 'photo', type: 'blob', nullable: true },
    ],
    rows: [[String(ok.lastInsertId), "it's; DROP TABLE item --", '12345678901234567.89', '2024-02-29T13:14:15', 'AAH/']],
    rowsAffected: 0,
    lastInsertId: 0,
    warnings: 0,
  });
});

test('curl: errors carry the MySQL code and SQLSTATE with a status that means it', async () => {
  const cases: [string, number, number][] = [
    [JSON.stringify({ sql: 'SELEC 1' }), 400, 1064],
    [JSON.stringify({ sql: 'SELECT 1', database: 'nowhere' }), 404, 1049],
    [JSON.stringify({ sql: 'SELECT * FROM shop.nothing' }), 400, 1146],
    [JSON.stringify({ sql: 'SELECT 1; SELECT 2' }), 400, 1064],
    ['{"sql": ', 400, 1835],
  ];
  for (const [body, status, code] of cases) {
    const r = await curl('/v1/query', body);
    assert.equal(r.status, status, body);
    const e = (JSON.parse(r.body) as { error: { code: number; sqlstate: string; message: string } }).error;
    assert.equal(e.code, code, body);
    assert.match(e.sqlstate, /^[0-9A-Z]{5}$/);
    assert.ok(e.message.length > 0);
  }
});

test('curl: NDJSON streams columns, rows in chunks, and an end line', async () => {
  const r = await curl('/v1/query', JSON.stringify({ sql: 'SELECT name FROM shop.item' }), '-H', 'Accept: application/x-ndjson');
  assert.equal(r.status, 200);
  const lines = r.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines[0], { columns: [{ name: 'name', type: 'varchar', nullable: false }] });
  assert.ok('rows' in lines[1]);
  assert.deepEqual(lines[lines.length - 1], { done: true, rowsAffected: 0, lastInsertId: 0, warnings: 0 });
});

test('curl: an interactive transaction across requests, by its token', async () => {
  const begin = await curl('/v1/query', JSON.stringify({ sql: 'BEGIN', database: 'shop' }));
  const token = (JSON.parse(begin.body) as { session: string }).session;
  assert.match(token, /^\d+\.[A-Za-z0-9_-]{43}$/);
  const ins = await curl('/v1/query', JSON.stringify({ sql: "INSERT INTO item (name) VALUES ('pending')", session: token }));
  assert.equal((JSON.parse(ins.body) as { session: string }).session, token);
  const outside = await curl('/v1/query', JSON.stringify({ sql: "SELECT count(*) FROM shop.item WHERE name = 'pending'" }));
  assert.deepEqual((JSON.parse(outside.body) as { rows: unknown[] }).rows, [['0']]);
  const rb = await curl('/v1/query', JSON.stringify({ sql: 'ROLLBACK', session: token }));
  assert.equal((JSON.parse(rb.body) as { session?: string }).session, undefined, 'the token ends with the transaction');
  const after = await curl('/v1/query', JSON.stringify({ sql: 'SELECT 1', session: token }));
  assert.equal(after.status, 404);
});

test('batch: all or nothing with transaction, in order without', async () => {
  const failed = await h.post('/v1/batch', { statements: ["INSERT INTO item (name) VALUES ('b1')", { sql: 'INSERT INTO item (id, name) VALUES (?, ?)', params: [1, 'dup'] }], transaction: true, database: 'shop' });
  assert.equal(failed.status, 400);
  assert.deepEqual((failed.json as { error: { code: number; index: number } }).error.index, 1);
  const none = await client.query("SELECT count(*) FROM item WHERE name = 'b1'");
  assert.deepEqual(none.rows, [[0]]);
  const ok = await h.post('/v1/batch', { statements: ["INSERT INTO item (name) VALUES ('b2')", "SELECT name FROM item WHERE name = 'b2'"], database: 'shop' });
  assert.equal(ok.status, 200);
  const results = (ok.json as { results: { rows: unknown[][]; rowsAffected: number }[] }).results;
  assert.equal(results[0].rowsAffected, 1);
  assert.deepEqual(results[1].rows, [['b2']]);
});

test('client over http: query, execute, stream past max_rows, and typed errors', async () => {
  await client.transaction(async (tx) => {
    // Doubles the table each time: past max_rows (1000) whatever it held.
    for (let i = 0; i < 10; i++) await tx.query("INSERT INTO item (name) SELECT concat('bulk', id) FROM item");
  });
  const count = Number((await client.query('SELECT count(*) FROM item')).rows[0][0]);
  assert.ok(count > 1000, `${count} rows`);
  await assert.rejects(client.query('SELECT * FROM item'), (e: unknown) => e instanceof MizzleError && e.status === 413 && /max_rows/.test(e.message));
  let streamed = 0;
  const stream = client.stream('SELECT id, name FROM item');
  for await (const row of stream) {
    assert.equal(typeof row[0], 'number');
    streamed++;
  }
  assert.equal(streamed, count);
  assert.deepEqual(stream.columns?.map((c) => c.name), ['id', 'name']);
  const e = await client.execute('SELECT ? * 2 AS x', [21]);
  assert.deepEqual(e.rows, [[42]]);
  await assert.rejects(client.query('SELECT nope FROM item'), (x: unknown) => x instanceof MizzleError && x.code === 1054 && x.sqlstate === '42S22' && x.kind === 'server');
});

test('client over http: a transaction that throws is rolled back; one that returns is committed', async () => {
  await assert.rejects(client.transaction(async (tx) => {
    await tx.query("INSERT INTO item (name) VALUES ('never')");
    throw new Error('changed my mind');
  }), /changed my mind/);
  assert.deepEqual((await client.query("SELECT count(*) FROM item WHERE name = 'never'")).rows, [[0]]);
  const id = await client.transaction(async (tx) => (await tx.query("INSERT INTO item (name) VALUES ('kept')")).lastInsertId);
  assert.deepEqual((await client.query('SELECT name FROM item WHERE id = ?', [id])).rows, [['kept']]);
});

test('limits: statement time (504, 3024), open sessions (429), idle sessions rolled back and refused', async () => {
  const slow = await h.post('/v1/query', { sql: 'SELECT SLEEP(3)' });
  assert.equal(slow.status, 504);
  assert.equal((slow.json as { error: { code: number } }).error.code, 3024);
  for (let i = 0; i < 3; i++) assert.equal((await h.post('/v1/query', { sql: 'BEGIN' })).status, 200);
  const fourth = await h.post('/v1/query', { sql: 'BEGIN' });
  assert.equal(fourth.status, 429);
  assert.equal((fourth.json as { error: { code: number } }).error.code, 1040);
  await new Promise((r) => setTimeout(r, IDLE_MS * 2.5));
  const status = await fetch(h.url('/v1/status'));
  const counters = (await status.json()) as Record<string, number>;
  assert.equal(counters.Http_sessions_open, 0);
  assert.ok(counters.Http_sessions_expired >= 3);
  assert.ok(counters.Http_limit_refused >= 1);
  assert.equal((await h.post('/v1/query', { sql: 'BEGIN' })).status, 200, 'room again once idle sessions expired');
});

test('client over http: a timeout and an abort end the call with a typed error; the client goes on', async () => {
  await assert.rejects(client.query('SELECT SLEEP(0.6)', undefined, { timeoutMs: 100 }), (e: unknown) => e instanceof MizzleError && e.kind === 'timeout');
  const ctl = new AbortController();
  const pending = client.query('SELECT SLEEP(0.6)', undefined, { signal: ctl.signal });
  setTimeout(() => ctl.abort(), 50);
  await assert.rejects(pending, (e: unknown) => e instanceof MizzleError && e.kind === 'aborted' && e.code === 1317);
  assert.deepEqual((await client.query('SELECT 1 AS one')).rows, [[1]]);
});

test('keep: a session kept outside a transaction holds its state until keep is false', async () => {
  const first = await h.post('/v1/query', { sql: 'SET @greeting = ?', params: ['hi'], keep: true });
  const token = (first.json as { session: string }).session;
  assert.ok(token);
  const read = await h.post('/v1/query', { sql: 'SELECT @greeting AS g', session: token });
  assert.deepEqual((read.json as { rows: unknown[][]; session: string }).rows, [['hi']]);
  assert.equal((read.json as { session: string }).session, token);
  const last = await h.post('/v1/query', { sql: 'SELECT 1', session: token, keep: false });
  assert.equal((last.json as { session?: string }).session, undefined);
  assert.equal((await h.post('/v1/query', { sql: 'SELECT 1', session: token })).status, 404);
});
