// The same SQL over every transport of the client library: the SQL behaviour files, and typed values compared result for result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect, MizzleError, type Client } from './index.js';
import { ClientBackend } from '../testing/slt/client-backend.js';
import { runSlt } from '../testing/slt/main.js';
import { startHttpProtocolServer, type HttpProtocolServer } from '../testing/http-protocol-server.js';
import { freePort } from '../testing/server-process.js';

const SQL_FILES = join(fileURLToPath(import.meta.url), '..', '..', '..', 'test', 'sql');

let h: HttpProtocolServer;
let urls: Record<Transport, (db?: string) => string>;

const TRANSPORTS = ['mysql', 'http', 'mizzle'] as const;
type Transport = (typeof TRANSPORTS)[number];

before(async () => {
  const nativePort = await freePort();
  h = await startHttpProtocolServer(['--plugin-add', 'protocol-native', `--protocol-native.port=${nativePort}`]);
  urls = {
    mysql: (db) => `mysql://root@127.0.0.1:${h.server.port}/${db ?? ''}`,
    http: (db) => `${h.url()}/${db === undefined ? '' : `?database=${db}`}`,
    mizzle: (db) => `mizzle://root@127.0.0.1:${nativePort}/${db ?? ''}`,
  };
});

after(() => h.stop());

for (const transport of TRANSPORTS) {
  test(`the SQL behaviour files pass through the client library over ${transport}://`, async () => {
    const backend = new ClientBackend(urls[transport]);
    const lines: string[] = [];
    try {
      const reports = await runSlt([SQL_FILES], backend, (l) => lines.push(l));
      const passed = reports.reduce((s, r) => s + r.passed, 0);
      const failed = reports.reduce((s, r) => s + r.failed, 0);
      assert.ok(passed > 50, `only ${passed} records ran`);
      assert.equal(failed, 0, lines.join('\n'));
    } finally {
      await backend.close();
    }
  });
}

/** Statements whose whole results (columns, typed rows, counts) must be identical on every transport. */
const CHECKS: { sql: string; params?: (string | number | bigint | boolean | null | Uint8Array)[]; prepared?: boolean }[] = [
  { sql: 'CREATE TABLE v (id BIGINT PRIMARY KEY AUTO_INCREMENT, i INT, u BIGINT UNSIGNED, d DECIMAL(30,10), f DOUBLE, s VARCHAR(20), t TEXT, b VARBINARY(8), bl BLOB, dt DATETIME(3), ts TIMESTAMP, da DATE, tm TIME, y YEAR, e ENUM(\'a\',\'b\'), j JSON)' },
  {
    sql: 'INSERT INTO v (i, u, d, f, s, t, b, bl, dt, ts, da, tm, y, e, j) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    params: [-7, 18446744073709551615n, '12345678901234567890.0123456789', 0.1, 'héllo', 'long text', new Uint8Array([0, 255]), new Uint8Array([1, 2, 3]), '2024-02-29 23:59:59.123', '2025-01-01 00:00:00', '1999-12-31', '-12:30:00', 2024, 'b', '{"k": [1, 2]}'],
  },
  { sql: "INSERT INTO v (i, s) VALUES (NULL, 'second'), (3, NULL)" },
  { sql: 'SELECT * FROM v ORDER BY id' },
  { sql: 'SELECT * FROM v WHERE id = ?', params: [1] },
  { sql: 'SELECT id, s FROM v WHERE s = ?', params: ['second'], prepared: true },
  { sql: 'SELECT 9223372036854775807 AS big, -9223372036854775808 AS small, 2.5 AS dec1, 1e300 AS dbl, NULL AS n, true AS yes' },
  { sql: 'SELECT COUNT(*) AS c, SUM(i) AS s, AVG(f) AS a FROM v' },
  { sql: "UPDATE v SET s = concat(s, '!') WHERE id > ?", params: [1] },
  { sql: 'DELETE FROM v WHERE id = 3' },
  { sql: 'SELECT id, s FROM v ORDER BY id' },
];

test('typed results are identical over mysql://, http:// and mizzle://, statement by statement', async () => {
  const seen: Record<string, unknown[]> = {};
  for (const transport of TRANSPORTS) {
    const admin = connect(urls[transport]());
    await admin.query('DROP DATABASE IF EXISTS same');
    await admin.query('CREATE DATABASE same');
    await admin.close();
    const c: Client = connect(urls[transport]('same'));
    const results: unknown[] = [];
    for (const check of CHECKS) results.push(check.prepared ? await c.execute(check.sql, check.params) : await c.query(check.sql, check.params));
    for (const bad of ['SELECT * FROM nowhere', 'SELEC 1', 'INSERT INTO v (id) VALUES (1)', 'SELECT 1; SELECT 2']) {
      const e = await c.query(bad).then(() => undefined, (x: unknown) => x);
      assert.ok(e instanceof MizzleError, bad);
      results.push({ code: e.code, sqlstate: e.sqlstate, kind: e.kind });
    }
    seen[transport] = results;
    await c.close();
  }
  assert.deepStrictEqual(seen.http, seen.mysql);
  assert.deepStrictEqual(seen.mizzle, seen.mysql);
  // And the values are the documented types.
  const row = (seen.mysql[3] as { rows: unknown[][] }).rows[0];
  assert.deepStrictEqual(row.slice(1, 9), [-7, 18446744073709551615n, '12345678901234567890.0123456789', 0.1, 'héllo', 'long text', new Uint8Array([0, 255]), new Uint8Array([1, 2, 3])]);
  assert.equal(row[9], '2024-02-29T23:59:59.123');
});

test('a pool runs calls side by side, transactions stay on their session, and close ends the client', async () => {
  for (const transport of TRANSPORTS) {
    const c = connect(urls[transport](), { poolSize: 2 });
    const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => c.query('SELECT ? AS n', [i])));
    assert.deepEqual(answers.map((a) => a.rows[0][0]), [0, 1, 2, 3, 4, 5]);
    const inside = await c.transaction(async (tx) => {
      await tx.query('SET @x = 5');
      return (await tx.query('SELECT @x AS x')).rows[0][0];
    });
    assert.equal(inside, 5, `${transport}: the transaction's statements share one session`);
    await c.close();
    await assert.rejects(c.query('SELECT 1'), (e: unknown) => e instanceof MizzleError && e.kind === 'usage');
  }
});

test('an unreachable server is a connection error', async () => {
  for (const url of ['mysql://root@127.0.0.1:1/', 'http://127.0.0.1:1/', 'mizzle://root@127.0.0.1:1/']) {
    const c = connect(url, { timeoutMs: 5000 });
    await assert.rejects(c.query('SELECT 1'), (e: unknown) => e instanceof MizzleError && e.kind === 'connection' && e.code === 2003, url);
    await c.close();
  }
});

test('a call signal that serves call after call collects no listeners on any transport (fetch never removes its own)', async () => {
  const { callSignal } = await import('./call-signal.js');
  const { EventEmitter } = await import('node:events');
  for (const transport of TRANSPORTS) {
    const c = connect(urls[transport](), { poolSize: 1 });
    try {
      for (let i = 0; i < 50; i++) await c.query('SELECT ?', [i]);
      await c.execute('SELECT ?', [1]);
      for await (const row of c.stream('SELECT 1')) assert.deepEqual(row, [1]);
    } finally {
      await c.close();
    }
    // The slot the calls used is the next one handed out; every call took its listeners off it.
    const next = callSignal({}, 60_000);
    assert.equal(EventEmitter.getEventListeners(next.signal!, 'abort').length, 0, transport);
    next.done();
  }
});
