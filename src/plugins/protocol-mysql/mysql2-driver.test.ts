// The protocol plugin end to end through the real mysql2 driver (and the mariadb CLI), against a canned kernel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { silentLogger } from '../../kernel/logger.js';
import { nativeStage2, sha2Stage2 } from '../../protocol/mysql/auth-methods.js';
import { FileAuthenticator } from '../auth-file/auth-file.js';
import { hashPassword } from '../auth-file/password-hash.js';
import { NoneAuthenticator } from '../auth-none/auth-none.js';
import { CannedKernel, recordingLogger, startCannedServer } from './canned-kernel.js';
import type { MysqlProtocolServer } from './server.js';

interface MysqlErr {
  errno: number;
  sqlState: string;
  message: string;
}

const noneKernel = new CannedKernel(new NoneAuthenticator(false));
const log = recordingLogger();
let none: MysqlProtocolServer;
let fileSha2: MysqlProtocolServer;
let fileNative: MysqlProtocolServer;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mizzle-proto-'));
  // alice: salted line with both digests; bob: MySQL's '*' hash only; dora: only the sha256 digest; eve: no password.
  const doraHash = hashPassword('dora-pw').replace(/\$[0-9a-f]{40}\$/, '$$$$');
  writeFileSync(join(dir, 'users'), [
    '# test users',
    `alice:${hashPassword('wonderland')}`,
    `bob:*${nativeStage2('builder').toString('hex').toUpperCase()}`,
    `dora:${doraHash}`,
    'eve:',
    '',
  ].join('\n'));
  assert.ok(doraHash.endsWith('$' + sha2Stage2('dora-pw').toString('hex')) && doraHash.includes('$$'));
  const fileKernel = new CannedKernel(new FileAuthenticator(join(dir, 'users'), silentLogger));
  none = await startCannedServer(noneKernel, {}, log);
  fileSha2 = await startCannedServer(fileKernel);
  fileNative = await startCannedServer(fileKernel, { default_auth: 'mysql_native_password' });
});

after(async () => {
  await Promise.all([none.stop(), fileSha2.stop(), fileNative.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

function connect(server: MysqlProtocolServer, opts: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ...opts });
}

async function rejectsWith(p: Promise<unknown>, errno: number, message?: RegExp): Promise<void> {
  await assert.rejects(p, (e: MysqlErr) => {
    assert.equal(e.errno, errno, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('auth-none: no password, and any password, from loopback', async () => {
  for (const password of [undefined, 'whatever']) {
    const c = await connect(none, { password });
    const [rows] = await c.query('select 1');
    assert.deepEqual(rows, [{ 1: 1 }]);
    await c.end();
  }
});

test('auth-file: caching_sha2_password fast path, native after a switch, and the reverse switch', async () => {
  const cases: [MysqlProtocolServer, string, string][] = [
    [fileSha2, 'alice', 'wonderland'], // fast path
    [fileSha2, 'bob', 'builder'], // only SHA1 stage 2: switched to mysql_native_password
    [fileNative, 'alice', 'wonderland'], // native directly
    [fileNative, 'dora', 'dora-pw'], // only SHA256 stage 2: switched to caching_sha2_password
    [fileSha2, 'eve', ''], // empty password
  ];
  for (const [server, user, password] of cases) {
    const c = await connect(server, { user, password });
    const [[row]] = (await c.query('select user()')) as [mysql.RowDataPacket[], unknown];
    assert.equal(row['user()'], user, `${user} logged in`);
    await c.end();
  }
});

test('auth-file: wrong password, unknown user, missing password → 1045', async () => {
  for (const server of [fileSha2, fileNative]) {
    await rejectsWith(connect(server, { user: 'alice', password: 'nope' }), 1045, /^Access denied for user 'alice'@'127\.0\.0\.1' \(using password: YES\)$/);
    await rejectsWith(connect(server, { user: 'bob', password: 'wonderland' }), 1045);
    await rejectsWith(connect(server, { user: 'mallory', password: 'x' }), 1045, /using password: YES/);
    await rejectsWith(connect(server, { user: 'alice' }), 1045, /using password: NO/);
    await rejectsWith(connect(server, { user: 'eve', password: 'something' }), 1045);
  }
});

test('rows of several types, converted by mysql2', async () => {
  const c = await connect(none, { supportBigNumbers: true, dateStrings: true });
  const [rows, fields] = (await c.query('select types')) as [mysql.RowDataPacket[], mysql.FieldPacket[]];
  assert.deepEqual({ ...rows[0] }, {
    i: -42, u: 4000000000, big: '9007199254740993', d: '12.500', f: 0.25, s: 'héllo', b: Buffer.from([0, 255]),
    dt: '2024-02-29 10:11:12', day: '2024-02-29', n: null, j: { a: 1 },
  });
  assert.deepEqual(fields.map((f) => [f.name, f.columnType, f.columnLength]), [
    ['i', 3, 11], ['u', 3, 10], ['big', 8, 20], ['d', 246, 12], ['f', 5, 22], ['s', 253, 80], ['b', 253, 8],
    ['dt', 12, 19], ['day', 10, 10], ['n', 3, 11], ['j', 245, 4294967295],
  ]);
  assert.equal(fields[0].table, 't');
  assert.equal(fields[0].db, 'test');
  await c.end();
  const c2 = await connect(none);
  const [[r2]] = (await c2.query('select types')) as [mysql.RowDataPacket[], unknown];
  assert.deepEqual(r2.dt, new Date(2024, 1, 29, 10, 11, 12));
  assert.equal(r2.big, 9007199254740992, 'without supportBigNumbers mysql2 makes a lossy number');
  await c2.end();
});

test('OK packets: affected rows, insert id, info', async () => {
  const c = await connect(none);
  const [res] = (await c.query('insert into t values (1),(2),(3)')) as [mysql.ResultSetHeader, unknown];
  assert.equal(res.affectedRows, 3);
  assert.equal(res.insertId, 42);
  assert.equal(res.info, 'Records: 3  Duplicates: 0  Warnings: 0');
  await c.end();
});

test('multi-statements: refused without the flag, several results with it', async () => {
  const c = await connect(none);
  await rejectsWith(c.query('select 1; select 2'), 1064);
  await c.end();
  const m = await connect(none, { multipleStatements: true });
  const [results] = (await m.query('select 1; insert x; select 2')) as unknown as [unknown[], unknown];
  assert.equal(results.length, 3);
  assert.deepEqual(results[0], [{ 1: 1 }]);
  assert.equal((results[1] as mysql.ResultSetHeader).affectedRows, 3);
  assert.deepEqual(results[2], [{ 2: 2 }]);
  // An error part-way: the earlier results were sent, then the error.
  await rejectsWith(m.query('select 1; error; select 2'), 1146);
  const [[after]] = (await m.query('select 3')) as [mysql.RowDataPacket[], unknown];
  assert.equal(after['3'], 3);
  await m.end();
});

test('errors: SqlError as sent, a bug as 1105 (logged), and the connection stays usable', async () => {
  const c = await connect(none);
  await assert.rejects(c.query('error'), (e: MysqlErr) => e.errno === 1146 && e.sqlState === '42S02' && e.message === "Table 'test.nope' doesn't exist");
  await rejectsWith(c.query('bug'), 1105, /canned bug/);
  assert.ok(log.lines.some((l) => l.level === 'error' && String(l.fields?.error).includes('canned bug')));
  await c.ping();
  const [rows] = await c.query('select 7');
  assert.deepEqual(rows, [{ 7: 7 }]);
  await c.end();
});

test('database at connect, unknown database → 1049, changeUser, reset', async () => {
  const c = await connect(none, { database: 'shop' });
  const [[row]] = (await c.query('select database()')) as [mysql.RowDataPacket[], unknown];
  assert.equal(row['database()'], 'shop');
  await c.end();
  await rejectsWith(connect(none, { database: 'nope' }), 1049, /^Unknown database 'nope'$/);

  const f = await connect(fileSha2, { user: 'alice', password: 'wonderland' });
  await f.changeUser({ user: 'bob', password: 'builder', database: 'test' });
  const [[who]] = (await f.query('select user()')) as [mysql.RowDataPacket[], unknown];
  assert.equal(who['user()'], 'bob');
  await f.changeUser({ user: 'alice', password: 'wonderland' });
  const [[again]] = (await f.query('select user()')) as [mysql.RowDataPacket[], unknown];
  assert.equal(again['user()'], 'alice');
  await rejectsWith(f.changeUser({ user: 'alice', password: 'bad' }), 1045);
  await f.end().catch(() => undefined);

  const r = await connect(none);
  await r.query('begin');
  await (r as unknown as { connection: { reset(cb: (e: unknown) => void): void } }).connection.reset(() => undefined);
  await r.ping();
  await r.end();
});

test('a query and a result bigger than 16 MiB', async () => {
  const c = await connect(none);
  const filler = 'x'.repeat(17 * 1024 * 1024);
  const big = `select length /* ${filler} */`;
  const [[row]] = (await c.query(big)) as [mysql.RowDataPacket[], unknown];
  assert.equal(Number(row.len), big.length);
  const [[echo]] = (await c.query('echo ' + filler + 'é')) as [mysql.RowDataPacket[], unknown];
  assert.equal(echo.echo.length, filler.length + 1);
  assert.ok(echo.echo.endsWith('xé'));
  await c.end();
});

test('a packet beyond max_allowed_packet → 1153 and close; others unaffected', async () => {
  const kernel = new CannedKernel(new NoneAuthenticator(false));
  kernel.maxAllowedPacket = 1024 * 1024;
  const s = await startCannedServer(kernel);
  const c = await connect(s);
  const other = await connect(s);
  await rejectsWith(c.query(`select length /* ${'y'.repeat(2 * 1024 * 1024)} */`), 1153, /max_allowed_packet/);
  await assert.rejects(c.query('select 1'));
  const [rows] = await other.query('select 1');
  assert.deepEqual(rows, [{ 1: 1 }]);
  await other.end();
  c.destroy();
  await s.stop();
});

test('max_connections: the next client gets 1040, but for one administrator; a slot frees when one leaves', async () => {
  const kernel = new CannedKernel(new NoneAuthenticator(false));
  const s = await startCannedServer(kernel, { max_connections: 2 });
  const app = { user: 'app' };
  const a = await connect(s, app);
  const b = await connect(s, app);
  await rejectsWith(connect(s, app), 1040, /^Too many connections$/);
  // The canned kernel's administrator is root: one connection past the limit is theirs, and only one.
  const admin = await connect(s);
  await admin.ping();
  await rejectsWith(connect(s), 1040, /^Too many connections$/);
  await Promise.all([a.end(), admin.end()]);
  for (let i = 0; i < 50 && s.connectionCount >= 2; i++) await new Promise((r) => setTimeout(r, 10));
  const c = await connect(s, app);
  await c.ping();
  await Promise.all([b.end(), c.end()]);
  await s.stop();
});

test('stop(): a running statement finishes, idle connections close, stop resolves', async () => {
  const kernel = new CannedKernel(new NoneAuthenticator(false));
  const s = await startCannedServer(kernel);
  const busy = await connect(s);
  const idle = await connect(s);
  idle.on('error', () => undefined);
  busy.on('error', () => undefined);
  const running = busy.query('sleep 300');
  await new Promise((r) => setTimeout(r, 50));
  await s.stop();
  const [rows] = (await running) as [mysql.RowDataPacket[], unknown];
  assert.deepEqual(rows, [{ slept: 1 }]);
  assert.equal(s.connectionCount, 0);
  assert.equal(kernel.openSessions().length, 0);
  busy.destroy();
  idle.destroy();
});

test('mariadb CLI: select 1, use (COM_INIT_DB)', { skip: spawnSync('mariadb', ['--version']).status !== 0 ? 'mariadb CLI not installed' : false }, async () => {
  // Asynchronously: the server runs in this process.
  const run = async (sql: string) => (await promisify(execFile)('mariadb', ['-h127.0.0.1', `-P${none.port}`, '-uroot', '--skip-ssl', '-e', sql], { encoding: 'utf8', timeout: 10000 })).stdout;
  assert.equal(await run('select 1'), '1\n1\n');
  assert.equal(await run('use shop; select database()'), 'database()\nshop\n');
  await assert.rejects(run('use nope'), /Unknown database 'nope'/);
});
