// protocol-native end to end against a real server: HELLO and auth, one statement per request, bound parameters, typed rows, errors, pipelining, REDIRECT, streaming.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqlError } from '../../base/errors.js';
import { connect, type Client } from '../../client/index.js';
import { Flag } from '../../protocol/native/constants.js';
import type { NativeClientConnection, NativeReply } from '../../protocol/native/client-end.js';
import { passwdLine } from '../auth-file/password-hash.js';
import { startNativeProtocolServer, type NativeProtocolServer } from '../../testing/native-protocol-server.js';

let h: NativeProtocolServer;
let mysqlClient: Client;

before(async () => {
  h = await startNativeProtocolServer();
  mysqlClient = connect(`mysql://root@127.0.0.1:${h.server.port}/`);
  await mysqlClient.query('CREATE DATABASE nat');
});

after(async () => {
  await mysqlClient.close();
  await h.stop();
});

function rowsOf(r: NativeReply): unknown[][] {
  assert.equal(r.kind, 'rows', JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
  return r.kind === 'rows' ? r.rows : [];
}

async function sqlErrorOf(p: Promise<unknown>): Promise<SqlError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof SqlError, `expected a SqlError, got ${String(e)}`);
  return e;
}

test('HELLO opens a session: the server hello carries the connection id the session reports', async () => {
  const c = await h.connect({ database: 'nat' });
  try {
    assert.ok(c.hello.connectionId > 0);
    assert.match(c.hello.serverVersion, /mizzle/);
    assert.deepEqual(rowsOf(await c.request('SELECT CONNECTION_ID(), DATABASE(), CURRENT_USER()')), [[c.hello.connectionId, 'nat', 'root@127.0.0.1']]);
    assert.ok((c.lastFlags & Flag.AUTOCOMMIT) !== 0);
  } finally {
    c.destroy();
  }
  const e = await sqlErrorOf(h.connect({ database: 'no_such_db' }));
  assert.equal(e.code, 1049);
});

test('with auth-file: a wrong password or an unknown user is 1045; the right password gets in as that user', async (t) => {
  const users = join(h.server.datadir, 'native-users');
  writeFileSync(users, passwdLine('ann', 's3cret') + '\n');
  const a = await startNativeProtocolServer(['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file', `--auth-file.users_file=${users}`]);
  t.after(() => a.stop());
  for (const [user, password] of [['ann', 'wrong'], ['ann', ''], ['nobody', 's3cret']]) {
    const e = await sqlErrorOf(a.connect({ user, password }));
    assert.equal(e.code, 1045, `${user}/${password}`);
    assert.equal(e.sqlState, '28000');
  }
  const c = await a.connect({ user: 'ann', password: 's3cret' });
  assert.deepEqual(rowsOf(await c.request('SELECT CURRENT_USER()')), [['ann@127.0.0.1']]);
  c.destroy();
});

test('exactly one statement per request: two are 1064 and neither runs', async () => {
  const c = await h.connect({ database: 'nat' });
  try {
    await c.request('CREATE TABLE one (id INT PRIMARY KEY)');
    for (const sql of ['INSERT INTO one VALUES (1); INSERT INTO one VALUES (2)', 'INSERT INTO one VALUES (3); DROP TABLE one', 'SELECT 1; DELETE FROM one']) {
      const e = await sqlErrorOf(c.request(sql));
      assert.equal(e.code, 1064, sql);
    }
    assert.deepEqual(rowsOf(await c.request('SELECT COUNT(*) FROM one')), [[0]]);
  } finally {
    c.destroy();
  }
});

test('parameters are bound, never spliced into the text', async () => {
  const c = await h.connect({ database: 'nat' });
  try {
    await c.request('CREATE TABLE secrets (id INT PRIMARY KEY, s VARCHAR(40))');
    await c.request('INSERT INTO secrets VALUES (?, ?), (?, ?)', [1, 'a', 2, 'b']);
    const evil = "x' OR '1'='1";
    assert.deepEqual(rowsOf(await c.request('SELECT id FROM secrets WHERE s = ?', [evil])), []);
    assert.deepEqual(rowsOf(await c.request('SELECT ?, ?', ['1; DROP TABLE secrets', evil])), [['1; DROP TABLE secrets', evil]]);
    assert.deepEqual(rowsOf(await c.request('SELECT COUNT(*) FROM secrets')), [[2]]);
    // A wrong number of parameters is the prepared statement's 1210.
    assert.equal((await sqlErrorOf(c.request('SELECT ?, ?', [1]))).code, 1210);
  } finally {
    c.destroy();
  }
});

test('a statement with parameters kept by the connection runs in the current database, also after USE', async () => {
  const c = await h.connect({ database: 'nat' });
  try {
    await c.request('CREATE DATABASE IF NOT EXISTS nat_other');
    await c.request('CREATE TABLE same_name (id INT PRIMARY KEY, v VARCHAR(10))');
    await c.request('CREATE TABLE nat_other.same_name (id INT PRIMARY KEY, v VARCHAR(10))');
    await c.request("INSERT INTO same_name VALUES (1, 'here')");
    await c.request("INSERT INTO nat_other.same_name VALUES (1, 'there')");
    const sql = 'SELECT v FROM same_name WHERE id = ?';
    for (let round = 0; round < 2; round++) {
      assert.deepEqual(rowsOf(await c.request(sql, [1])), [['here']]);
      await c.request('USE nat_other');
      assert.deepEqual(rowsOf(await c.request(sql, [1])), [['there']]);
      await c.request('USE nat');
    }
  } finally {
    c.destroy();
  }
});

test('typed results: exact integers, DECIMAL as text, DATETIME in ISO form, bytes, NULL, and OK counts', async () => {
  const c = await h.connect({ database: 'nat' });
  try {
    await c.request('CREATE TABLE typed (id BIGINT PRIMARY KEY AUTO_INCREMENT, u BIGINT UNSIGNED, d DECIMAL(30,10), f DOUBLE, dt DATETIME(3), b VARBINARY(4), s VARCHAR(10))');
    const ins = await c.request('INSERT INTO typed (u, d, f, dt, b, s) VALUES (?, ?, ?, ?, ?, ?), (NULL, NULL, NULL, NULL, NULL, NULL)', [18446744073709551615n, '12345678901234567890.0123456789', 0.1, '2024-02-29 23:59:59.123', new Uint8Array([0, 255]), 'héllo']);
    assert.equal(ins.kind, 'ok');
    if (ins.kind === 'ok') {
      assert.equal(ins.ok.rowsAffected, 2n);
      assert.equal(ins.ok.lastInsertId, 1n);
    }
    const r = await c.request('SELECT * FROM typed ORDER BY id');
    assert.equal(r.kind, 'rows');
    if (r.kind !== 'rows') return;
    assert.deepEqual(r.columns.map((x) => [x.name, x.type]), [['id', 'bigint'], ['u', 'bigint'], ['d', 'decimal'], ['f', 'double'], ['dt', 'datetime'], ['b', 'varbinary'], ['s', 'varchar']]);
    assert.equal(r.columns[0].nullable, false);
    assert.deepEqual(r.rows, [
      [1, 18446744073709551615n, '12345678901234567890.0123456789', 0.1, '2024-02-29T23:59:59.123', new Uint8Array([0, 255]), 'héllo'],
      [2, null, null, null, null, null, null],
    ]);
  } finally {
    c.destroy();
  }
});

test('errors carry the MySQL code and SQLSTATE, and the connection goes on', async () => {
  const c = await h.connect({ database: 'nat' });
  try {
    await c.request('CREATE TABLE uniq (id INT PRIMARY KEY)');
    await c.request('INSERT INTO uniq VALUES (1)');
    const cases: [string, number, string][] = [
      ['SELECT * FROM nowhere', 1146, '42S02'],
      ['SELEC 1', 1064, '42000'],
      ['INSERT INTO uniq VALUES (1)', 1062, '23000'],
      ['SELECT nope FROM uniq', 1054, '42S22'],
      ['', 1065, '42000'],
    ];
    for (const [sql, code, state] of cases) {
      const e = await sqlErrorOf(c.request(sql));
      assert.deepEqual([e.code, e.sqlState], [code, state], sql);
    }
    assert.deepEqual(rowsOf(await c.request('SELECT 1')), [[1]]);
  } finally {
    c.destroy();
  }
});

test('pipelining: many requests in flight on one connection, each reply matched to its request id, errors among them', async () => {
  const c = await h.connect({ database: 'nat' });
  try {
    const sent = Array.from({ length: 40 }, (_, i) => (i % 7 === 3 ? c.request('SELECT * FROM nowhere_' + i).then(() => 'ok', (e: SqlError) => e.code) : c.request('SELECT ?, REPEAT(?, ?)', [i, 'x', i])));
    assert.ok(c.inFlight > 1, 'requests were in flight together');
    const got = await Promise.all(sent);
    got.forEach((g, i) => {
      if (i % 7 === 3) assert.equal(g, 1146);
      else assert.deepEqual(rowsOf(g as NativeReply), [[i, 'x'.repeat(i)]]);
    });
    // Pipelined requests share the session: a transaction opened by one is seen by the next.
    await c.request('CREATE TABLE pl (n INT PRIMARY KEY)');
    const [begin, ins, seen, rb, after] = await Promise.all([
      c.request('BEGIN'), c.request('INSERT INTO pl VALUES (1)'), c.request('SELECT COUNT(*) FROM pl'), c.request('ROLLBACK'), c.request('SELECT COUNT(*) FROM pl'),
    ]);
    assert.ok((begin.flags & Flag.IN_TRANSACTION) !== 0);
    assert.ok((ins.flags & Flag.IN_TRANSACTION) !== 0);
    assert.deepEqual(rowsOf(seen), [[1]]);
    assert.equal(rb.flags & Flag.IN_TRANSACTION, 0);
    assert.deepEqual(rowsOf(after), [[0]]);
  } finally {
    c.destroy();
  }
});

test('read-only: writes are REDIRECTed to redirect_to (or refused 1290 without one), reads run here', async (t) => {
  const ro = await startNativeProtocolServer(['--protocol-native.read_only=true', '--protocol-native.redirect_to=10.1.2.3:4407']);
  t.after(() => ro.stop());
  const c = await ro.connect();
  const r = await c.request('CREATE DATABASE x');
  assert.deepEqual(r.kind === 'redirect' ? r.redirect : r, { reason: 'read-only', host: '10.1.2.3', port: 4407, message: r.kind === 'redirect' ? r.redirect.message : '' });
  assert.deepEqual(rowsOf(await c.request('SELECT 2')), [[2]]);
  assert.deepEqual(rowsOf(await c.request("SELECT COUNT(*) FROM information_schema.schemata WHERE schema_name = 'x'")), [[0]]);
  c.destroy();
  // The server's read_only global does the same; without a target it is MySQL's 1290.
  const plain = await h.connect();
  try {
    await plain.request('SET GLOBAL read_only = 1');
    const e = await sqlErrorOf(plain.request('CREATE DATABASE y'));
    assert.equal(e.code, 1290);
  } finally {
    await plain.request('SET GLOBAL read_only = 0');
    plain.destroy();
  }
});

test('draining: on shutdown, open connections are REDIRECTed (draining) to redirect_to, new ones refused', async () => {
  const d = await startNativeProtocolServer(['--protocol-native.redirect_to=127.0.0.1:4999', '--protocol-native.drain_ms=1500']);
  const c = await d.connect();
  assert.deepEqual(rowsOf(await c.request('SELECT 1')), [[1]]);
  const stopped = d.stop();
  await new Promise((r) => setTimeout(r, 300));
  const r = await c.request('SELECT 1');
  assert.equal(r.kind, 'redirect');
  if (r.kind === 'redirect') assert.deepEqual([r.redirect.reason, r.redirect.host, r.redirect.port], ['draining', '127.0.0.1', 4999]);
  await stopped;
  c.destroy();
});

/** The server process's resident memory in megabytes (Linux). */
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  assert.ok(m, 'no VmRSS line');
  return Number(m[1]) / 1024;
}

test('a large result streams in frames; a client that stops reading holds the server back in bounded memory; KILL QUERY ends it with 1317', async () => {
  const c = await h.connect({ database: 'nat' });
  const other = await h.connect();
  try {
    await c.request('CREATE TABLE d (n INT PRIMARY KEY)');
    await c.request('INSERT INTO d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
    await c.request("CREATE TABLE big (id INT PRIMARY KEY, pad VARCHAR(1000)) AS SELECT a.n*1000+b.n*100+x.n*10+e.n AS id, REPEAT('p', 1000) AS pad FROM d a, d b, d x, d e");
    // A whole 10 MB result arrives intact, in many frames.
    let parts = 0;
    let count = 0;
    const whole = await c.request('SELECT id, pad FROM big ORDER BY id', undefined, { onRows: (_c, rows) => { parts++; count += rows.length; } });
    assert.equal(whole.kind, 'rows');
    assert.equal(count, 10_000);
    assert.ok(parts > 10, `${parts} parts`);
    await c.request('SET max_execution_time = 0');
    // About 100 GB: far more than memory; the client stops reading after a few MB.
    let received = 0;
    const huge = c.request('SELECT a.id, b.pad FROM big a, big b', undefined, { onRows: (_c, rows) => { received += rows.length; } }).then(() => 'finished', (e: SqlError) => e.code);
    while (received < 5000) await new Promise((r) => setTimeout(r, 20));
    c.pause();
    const before = rssMb(h.server.child.pid!);
    await new Promise((r) => setTimeout(r, 1500));
    const after = rssMb(h.server.child.pid!);
    assert.ok(after - before < 100, `server memory grew from ${before} to ${after} MB while the client read nothing`);
    const procs = rowsOf(await other.request('SHOW PROCESSLIST'));
    const mine = procs.find((p) => Number(p[0]) === c.hello.connectionId);
    assert.ok(mine && String(mine[7]).includes('big a'), 'the statement is still running, waiting for the client');
    await other.request(`KILL QUERY ${c.hello.connectionId}`);
    c.resume();
    assert.equal(await huge, 1317);
    assert.deepEqual(rowsOf(await c.request('SELECT 3')), [[3]]);
  } finally {
    c.destroy();
    other.destroy();
  }
});
