// audit-file end to end: logins (good and bad, MySQL and HTTP), denials by authorization and by a filter, DDL and writes land in
// the chained file; `mizzle audit verify` passes it and names the line of an edit, a deletion, a swap or a cut; restart and
// SIGHUP rotation keep one chain; with two worker threads and concurrent clients every event arrives once.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { freePort, startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { NativeClientConnection } from '../../protocol/native/client-end.js';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', '..', 'cli', 'mizzle.js');
const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type Line = Record<string, unknown>;
const lines = (path: string): Line[] => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Line);
const verify = (...files: string[]) => spawnSync(process.execPath, [CLI, 'audit', 'verify', ...files], { encoding: 'utf8' });
const errno = (e: unknown): number | undefined => (e as { errno?: number }).errno;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until the audit log has a line `pred` accepts (writes reach the disk within ~50 ms). */
async function waitFor(path: string, pred: (l: Line) => boolean): Promise<Line[]> {
  for (let i = 0; i < 100; i++) {
    try {
      const all = lines(path);
      if (all.some(pred)) return all;
    } catch {
      // not written yet
    }
    await pause(30);
  }
  throw new Error(`no such line in ${path}:\n${readFileSync(path, 'utf8')}`);
}

function datadirWithUsers(): string {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-audit-'));
  dirs.push(datadir);
  const users = ['root', 'alice'].map((u) => execFileSync(process.execPath, [CLI, 'passwd', u], { input: `${u}-pw\n`, encoding: 'utf8' }).trim());
  writeFileSync(join(datadir, 'users'), `${users.join('\n')}\n`);
  writeFileSync(join(datadir, 'authz-rules.policy'), [
    'root  schema=.*  ALLOW', 'root  process=.*  ALLOW',
    'alice  table=app\\.secret  DENY', 'alice  schema=app  ALLOW', '.*  schema=information_schema  USAGE,SELECT  ALLOW', '',
  ].join('\n'));
  writeFileSync(join(datadir, 'query-rules.yaml'), 'rules:\n  - id: keep-rows\n    kind: [delete]\n    tables: [app.t]\n    action: deny\n');
  return datadir;
}

const PLUGINS = ['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file,authz-rules,filter-rules,audit-file,protocol-http,protocol-native'];

test('audit-file: logins, denials, DDL and writes are recorded; verify finds tampering; restart and SIGHUP rotation continue the chain', async () => {
  const datadir = datadirWithUsers();
  const httpPort = await freePort();
  const nativePort = await freePort();
  const ports = [`--protocol-http.port=${httpPort}`, `--protocol-native.port=${nativePort}`];
  const file = join(datadir, 'audit.log');
  let server: ServerProcess = await startServerProcess({ datadir, args: [...PLUGINS, ...ports, '--audit-file.events=connect,disconnect,failed-login,denied,ddl,write'] });
  try {
    const base = { host: '127.0.0.1', port: server.port };
    const root = await mysql.createConnection({ ...base, user: 'root', password: 'root-pw' });
    await root.query('CREATE DATABASE app');
    await root.query('CREATE TABLE app.t (id INT PRIMARY KEY)');
    await root.query('CREATE TABLE app.secret (id INT PRIMARY KEY)');
    await root.query('INSERT INTO app.t VALUES (1), (2)');
    await root.query('SELECT * FROM app.t');
    let filterCode: number | undefined;
    await assert.rejects(root.query('DELETE FROM app.t'), (e: unknown) => (filterCode = errno(e)) !== undefined);
    const alice = await mysql.createConnection({ ...base, user: 'alice', password: 'alice-pw', ssl: { rejectUnauthorized: false } });
    await assert.rejects(alice.query('SELECT * FROM app.secret'), (e: unknown) => errno(e) === 1142);
    await alice.end();
    await assert.rejects(mysql.createConnection({ ...base, user: 'alice', password: 'wrong' }), (e: unknown) => errno(e) === 1045);
    // The stock mariadb CLI, wrong password; and a bad password over HTTP Basic.
    assert.equal(spawnSync('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-umallory', '-pnope', '--skip-ssl', '-e', 'SELECT 1']).status, 1);
    const http = await fetch(`http://127.0.0.1:${httpPort}/v1/query`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('alice:bad').toString('base64')}` }, body: JSON.stringify({ sql: 'SELECT 1' }) });
    assert.equal(http.status, 401);
    // The native protocol: a good login and a bad one.
    const native = { host: '127.0.0.1', port: nativePort, user: 'alice', database: null };
    const good = await NativeClientConnection.connect({ ...native, password: 'alice-pw' });
    good.destroy();
    await assert.rejects(NativeClientConnection.connect({ ...native, password: 'bad' }));
    const all = await waitFor(file, (l) => l.event === 'failed-login' && l.protocol === 'native');
    const stmts = all.filter((l) => l.event === 'statement');
    assert.deepEqual(stmts.map((l) => [l.class, l.kind, l.user]), [
      ['ddl', 'createDatabase', 'root'], ['ddl', 'createTable', 'root'], ['ddl', 'createTable', 'root'], ['write', 'insert', 'root'],
      ['denied', 'delete', 'root'], ['denied', 'select', 'alice'],
    ]);
    assert.equal(stmts[3].rows_affected, 2);
    assert.equal(stmts[3].schema, null);
    assert.equal(stmts[4].blocked_by, 'filter-rules');
    assert.equal(stmts[4].error, filterCode);
    assert.equal(stmts[5].error, 1142);
    assert.equal(stmts[5].text, 'SELECT * FROM app.secret');
    const connects = all.filter((l) => l.event === 'connect');
    assert.deepEqual(connects.map((l) => [l.user, l.protocol, l.tls]), [['root', 'mysql', false], ['alice', 'mysql', true], ['alice', 'native', false]]);
    assert.equal(connects[0].connection_id, root.threadId);
    assert.ok(all.some((l) => l.event === 'disconnect' && l.user === 'alice'));
    const failed = all.filter((l) => l.event === 'failed-login').map((l) => [l.user, l.protocol, l.error]);
    assert.deepEqual(failed, [['alice', 'mysql', 1045], ['mallory', 'mysql', 1045], ['alice', 'http', 1045], ['alice', 'native', 1045]]);
    assert.equal(all[0].event, 'audit-start');
    assert.equal(all[0].seq, 1);
    assert.equal(all[0].prev, '0'.repeat(64));
    await root.end();
    await server.stop();

    // An untouched file verifies; tampering is found at the line it happened.
    const ok = verify(file);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^OK: \d+ lines in 1 file/);
    const text = readFileSync(file, 'utf8');
    const rows = text.split('\n').slice(0, -1);
    const copy = join(datadir, 'tampered.log');
    const check = (content: string, want: RegExp) => {
      writeFileSync(copy, content);
      const r = verify(copy);
      assert.equal(r.status, 1, `tampering passed: ${want}`);
      assert.match(r.stdout, want);
    };
    const edited = [...rows];
    edited[4] = edited[4].replace('"root"', '"ruut"');
    check(edited.join('\n') + '\n', /line 6 prev does not match the SHA-256 of line 5/);
    check([...rows.slice(0, 4), ...rows.slice(5)].join('\n') + '\n', /line 5 seq is 6, expected 5/);
    check([...rows.slice(0, 3), rows[4], rows[3], ...rows.slice(5)].join('\n') + '\n', /line 4 seq is 5, expected 4/);
    check(text.slice(0, text.length - 10), new RegExp(`line ${rows.length} is cut short`));
    check([...rows.slice(0, 2), '{"seq":3,"prev":"x"', ...rows.slice(2)].join('\n') + '\n', /line 3 has no valid prev|line 3 is not valid JSON/);

    // Restart: the chain goes on from the file's last line; passwords in statement text are masked.
    server = await startServerProcess({ datadir, args: [...PLUGINS, ...ports, '--audit-file.events=all'] });
    const again = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', password: 'root-pw' });
    await assert.rejects(again.query("CREATE USER 'bob'@'%' IDENTIFIED BY 'topsecret'"));
    await assert.rejects(again.query("SET PASSWORD = 'alsosecret'"));
    const after1 = await waitFor(file, (l) => typeof l.text === 'string' && l.text.startsWith('SET PASSWORD'));
    assert.ok(!readFileSync(file, 'utf8').includes('topsecret') && !readFileSync(file, 'utf8').includes('alsosecret'), 'a password reached the audit log');
    assert.ok(after1.some((l) => l.text === "CREATE USER 'bob'@'%' IDENTIFIED BY '***'"));
    const restart = after1[rows.length];
    assert.deepEqual([restart.event, restart.seq, restart.continues], ['audit-start', rows.length + 1, true]);
    assert.equal(verify(file).status, 0);

    // logrotate's move and SIGHUP: the new file starts with a reopen line linked to the old file's last.
    renameSync(file, `${file}.1`);
    server.child.kill('SIGHUP');
    await pause(300);
    await again.query('CREATE TABLE app.u (id INT PRIMARY KEY)');
    const fresh = await waitFor(file, (l) => l.kind === 'createTable');
    assert.deepEqual([fresh[0].event, fresh[0].new_file], ['audit-reopen', true]);
    await again.end();
    await server.stop();
    const pair = verify(`${file}.1`, file);
    assert.equal(pair.status, 0, pair.stdout);
    assert.match(pair.stdout, /in 2 file\(s\)/);
    assert.equal(verify(file).status, 0, 'the new file alone verifies, as a continuation');
    const reversed = verify(file, `${file}.1`);
    assert.equal(reversed.status, 1);
    // A line removed at the end of the old file breaks the link into the new one.
    const old = readFileSync(`${file}.1`, 'utf8').split('\n').slice(0, -2).join('\n') + '\n';
    writeFileSync(copy, old);
    const cut = verify(copy, file);
    assert.equal(cut.status, 1);
    assert.match(cut.stdout, /line 1 seq is \d+, expected \d+/);
  } finally {
    await server.stop();
  }
});

test('audit-file with two worker threads: concurrent clients on both workers, one chain, no event lost', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-audit-'));
  dirs.push(datadir);
  const file = join(datadir, 'audit.log');
  const server = await startServerProcess({ datadir, env: { MIZZLE_THREADS: '2' }, args: ['--plugin-add', 'audit-file', '--audit-file.events=connect,disconnect,write,ddl'] });
  const CLIENTS = 8;
  const INSERTS = 50;
  try {
    const setup = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await setup.query('CREATE DATABASE w');
    await setup.query('CREATE TABLE w.t (id INT PRIMARY KEY)');
    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'app' })));
    const [status] = await setup.query({ sql: "SHOW GLOBAL STATUS LIKE 'Worker\\_%\\_connections'", rowsAsArray: true });
    const perWorker = (status as unknown[][]).map((r) => Number(r[1]));
    assert.equal(perWorker.length, 2);
    assert.ok(perWorker.every((n) => n > 0), `both workers serve clients: ${perWorker.join(', ')}`);
    await Promise.all(clients.map(async (c, k) => {
      for (let i = 0; i < INSERTS; i++) await c.query(`INSERT INTO w.t VALUES (${k * 1000 + i})`);
    }));
    await Promise.all(clients.map((c) => c.end()));
    await setup.end();
  } finally {
    await server.stop();
  }
  const r = verify(file);
  assert.equal(r.status, 0, r.stdout);
  const all = lines(file);
  assert.equal(all.filter((l) => l.class === 'write').length, CLIENTS * INSERTS);
  assert.equal(all.filter((l) => l.event === 'connect').length, CLIENTS + 1);
  assert.equal(all.filter((l) => l.event === 'disconnect').length, CLIENTS + 1);
  assert.equal(all.filter((l) => l.class === 'ddl').length, 2);
  // Each session's own events keep their order: connect, its inserts, disconnect.
  for (const id of new Set(all.filter((l) => l.event === 'connect').map((l) => l.connection_id))) {
    const mine = all.filter((l) => l.connection_id === id).map((l) => l.event);
    assert.equal(mine[0], 'connect');
    assert.equal(mine[mine.length - 1], 'disconnect');
  }
});

test('audit-file on a full disk: the error log says so and statements go on (fail open)', async () => {
  const server = await startServerProcess({ args: ['--plugin-add', 'audit-file', '--audit-file.file=/dev/full', '--audit-file.events=all'] });
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    for (let i = 0; i < 20; i++) await c.query('SELECT 1');
    await c.end();
    for (let i = 0; i < 100 && !server.log().includes('audit log cannot be written'); i++) await pause(30);
    assert.match(server.log(), /audit-file: the audit log cannot be written.*ENOSPC/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
