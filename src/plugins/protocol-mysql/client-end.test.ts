// The protocol's own client end (src/protocol/mysql/client-end.ts) against the protocol plugin and a canned kernel: logins, commands, results, pipelining.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../base/errors.js';
import { Decimal } from '../../base/value.js';
import type { AuthDecision, AuthRequest, Authenticator, StoredCredential } from '../../kernel/plugin.js';
import {
  AuthMethod,
  CLIENT_CAPABILITIES,
  Capability as C,
  ClientConnection,
  ColumnFlag,
  FieldType,
  ServerStatus,
  SetOption,
  nativeStage2,
  sha2Stage2,
  type ConnectOptions,
  type QueryResult,
} from '../../protocol/mysql/index.js';
import { freePort } from '../../testing/server-process.js';
import { NoneAuthenticator } from '../auth-none/auth-none.js';
import { CannedKernel, TYPED_COLUMNS, recordingLogger, startCannedServer } from './canned-kernel.js';
import { errorOf, onlyResult, rowsOf } from './raw-client.js';
import type { MysqlProtocolServer } from './server.js';

/** alice has both digests, bob only SHA1's, dora only SHA256's, eve no password; clara's password is checked in clear text. */
const USERS = new Map<string, StoredCredential>([
  ['alice', { nativeStage2: nativeStage2('wonderland'), sha256Stage2: sha2Stage2('wonderland') }],
  ['bob', { nativeStage2: nativeStage2('builder') }],
  ['dora', { sha256Stage2: sha2Stage2('dora-pw') }],
  ['eve', { nativeStage2: Buffer.alloc(0) }],
]);

class TableAuthenticator implements Authenticator {
  async authenticate(req: AuthRequest): Promise<AuthDecision> {
    if (req.user === 'clara') return { kind: 'verify-cleartext', check: async (pw) => pw === 'clear-pw' };
    const credential = USERS.get(req.user);
    return credential ? { kind: 'verify', credential } : { kind: 'deny', reason: 'no such user' };
  }
}

const noneKernel = new CannedKernel(new NoneAuthenticator(false));
const log = recordingLogger();
let none: MysqlProtocolServer;
let sha2First: MysqlProtocolServer;
let nativeFirst: MysqlProtocolServer;
let single: MysqlProtocolServer;

before(async () => {
  const tableKernel = new CannedKernel(new TableAuthenticator());
  none = await startCannedServer(noneKernel, {}, log);
  sha2First = await startCannedServer(tableKernel);
  nativeFirst = await startCannedServer(tableKernel, { default_auth: 'mysql_native_password' });
  single = await startCannedServer(new CannedKernel(new NoneAuthenticator(false)), { max_connections: 1 });
});

after(async () => {
  await Promise.all([none.stop(), sha2First.stop(), nativeFirst.stop(), single.stop()]);
});

function connect(server: MysqlProtocolServer, o: Partial<ConnectOptions> = {}): Promise<ClientConnection> {
  return ClientConnection.connect({ port: server.port, user: 'root', ...o });
}

async function one(c: ClientConnection, sql: string): Promise<QueryResult> {
  return onlyResult(await c.query(sql));
}

test('logins: the caching_sha2_password fast path, switches both ways, native directly, an empty password; the session is that user\'s', async () => {
  const cases: [MysqlProtocolServer, string, string, string | undefined][] = [
    [sha2First, 'alice', 'wonderland', undefined], // fast path: AuthMoreData 0x03, then OK
    [sha2First, 'bob', 'builder', undefined], // only SHA1 stage 2: switched to mysql_native_password
    [nativeFirst, 'alice', 'wonderland', undefined], // native directly
    [nativeFirst, 'dora', 'dora-pw', undefined], // only SHA256 stage 2: switched to caching_sha2_password
    [sha2First, 'alice', 'wonderland', AuthMethod.NATIVE], // the client's choice over the server's
    [sha2First, 'eve', '', undefined],
  ];
  for (const [server, user, password, authMethod] of cases) {
    const c = await connect(server, { user, password, authMethod });
    assert.deepEqual(rowsOf(await one(c, 'select user()')).rows, [[user]], `${user} via ${server === sha2First ? 'sha2' : 'native'} first`);
    assert.equal(c.greeting.serverVersion, '8.0.36-mizzle-test');
    assert.equal(c.greeting.authPluginName, server === sha2First ? AuthMethod.CACHING_SHA2 : AuthMethod.NATIVE);
    assert.equal(c.loginOk.status & ServerStatus.AUTOCOMMIT, ServerStatus.AUTOCOMMIT);
    await c.quit();
  }
});

test('refused logins reject with the server\'s ERR; clear text only when allowed', async () => {
  for (const server of [sha2First, nativeFirst]) {
    assert.deepEqual(await errorOf(connect(server, { user: 'alice', password: 'nope' })), {
      code: 1045, sqlState: '28000', message: "Access denied for user 'alice'@'127.0.0.1' (using password: YES)",
    });
    assert.equal((await errorOf(connect(server, { user: 'alice' }))).message, "Access denied for user 'alice'@'127.0.0.1' (using password: NO)");
    assert.equal((await errorOf(connect(server, { user: 'mallory', password: 'x' }))).code, 1045);
  }
  await assert.rejects(connect(sha2First, { user: 'clara', password: 'clear-pw' }), /mysql_clear_password.*not allowed/);
  const c = await connect(sha2First, { user: 'clara', password: 'clear-pw', allowClearText: true });
  assert.deepEqual(rowsOf(await one(c, 'select user()')).rows, [['clara']]);
  c.destroy();
  assert.equal((await errorOf(connect(sha2First, { user: 'clara', password: 'wrong', allowClearText: true }))).code, 1045);
});

test('a refused connection and a full server reject instead of hanging', async () => {
  await assert.rejects(ClientConnection.connect({ port: await freePort(), user: 'x' }), /ECONNREFUSED/);
  const tooMany = { code: 1040, sqlState: '08004', message: 'Too many connections' };
  const first = await connect(single, { user: 'app' });
  // Refused after login (the one connection past the limit is kept for an administrator)...
  assert.deepEqual(await errorOf(connect(single, { user: 'app' })), tooMany);
  const admin = await connect(single);
  // ...and before the handshake once that one is taken too.
  assert.deepEqual(await errorOf(connect(single)), tooMany);
  first.destroy();
  admin.destroy();
});

test('text result sets decode into the Values the kernel produced', async () => {
  for (const capabilities of [CLIENT_CAPABILITIES, CLIENT_CAPABILITIES & ~C.DEPRECATE_EOF]) {
    const c = await connect(none, { capabilities });
    assert.equal(c.deprecateEof, (capabilities & C.DEPRECATE_EOF) !== 0);
    const r = rowsOf(await one(c, 'select types'));
    assert.deepEqual(r.columns.map((col) => col.name), TYPED_COLUMNS.map((col) => col.name));
    assert.deepEqual(r.columns.map((col) => col.type), [
      FieldType.LONG, FieldType.LONG, FieldType.LONGLONG, FieldType.NEWDECIMAL, FieldType.DOUBLE, FieldType.VAR_STRING,
      FieldType.VAR_STRING, FieldType.DATETIME, FieldType.DATE, FieldType.LONG, FieldType.JSON,
    ]);
    assert.ok(r.columns.every((col) => col.schema === 'test' && col.table === 't'));
    assert.equal(r.columns[1].flags & ColumnFlag.UNSIGNED, ColumnFlag.UNSIGNED);
    assert.deepEqual(r.rows, [[
      -42, 4000000000, 9007199254740993n, Decimal.parse('12.500'), 0.25, 'héllo', Buffer.from([0, 255]),
      '2024-02-29 10:11:12', '2024-02-29', null, '{"a": 1}',
    ]]);
    assert.equal(r.status, ServerStatus.AUTOCOMMIT);
    c.destroy();
  }
});

test('OK results, ERR results that leave the connection usable, multi-statements with MORE_RESULTS_EXISTS', async () => {
  const c = await connect(none, { multiStatements: true });
  assert.deepEqual(await one(c, 'insert into t values (1)'), {
    kind: 'ok', affectedRows: 3, insertId: 42, status: ServerStatus.AUTOCOMMIT, warnings: 0, info: 'Records: 3  Duplicates: 0  Warnings: 0',
  });
  assert.deepEqual(await errorOf(c.query('error')), { code: 1146, sqlState: '42S02', message: "Table 'test.nope' doesn't exist" });
  assert.deepEqual(await errorOf(c.query('bug')), { code: 1105, sqlState: 'HY000', message: 'canned bug' });
  const [a, b, ok] = await c.query('select 1; select 2; begin');
  assert.deepEqual([rowsOf(a).rows, rowsOf(a).status & ServerStatus.MORE_RESULTS_EXISTS], [[[1]], ServerStatus.MORE_RESULTS_EXISTS]);
  assert.deepEqual([rowsOf(b).rows, rowsOf(b).status & ServerStatus.MORE_RESULTS_EXISTS], [[[2]], ServerStatus.MORE_RESULTS_EXISTS]);
  assert.equal(ok.kind, 'ok');
  assert.equal(ok.status, ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS);
  assert.equal(c.status, ok.status);
  c.destroy();
});

test('commands issued together are pipelined and answered in order', async () => {
  const c = await connect(none);
  const settled: string[] = [];
  const track = <T>(name: string, p: Promise<T>) => p.finally(() => settled.push(name));
  const [slept, failed, pong, five] = await Promise.allSettled([
    track('sleep', c.query('sleep 50')), track('error', c.query('error')), track('ping', c.ping()), track('five', c.query('select 5')),
  ]);
  assert.deepEqual(settled, ['sleep', 'error', 'ping', 'five']);
  assert.ok(slept.status === 'fulfilled' && rowsOf(slept.value[0]).rows[0][0] === 1);
  assert.ok(failed.status === 'rejected' && failed.reason instanceof SqlError && failed.reason.code === 1146);
  assert.ok(pong.status === 'fulfilled' && pong.value.kind === 'ok');
  assert.ok(five.status === 'fulfilled');
  assert.deepEqual(rowsOf(five.value[0]).rows, [[5]]);
  c.destroy();
});

test('a query and a row past 16 MiB travel in continuation packets both ways', async () => {
  const c = await connect(none);
  const text = 'é'.repeat(9 * 1024 * 1024);
  const r = rowsOf(await one(c, `echo ${text}`));
  assert.ok(r.rows[0][0] === text, 'the 18 MiB value came back whole');
  assert.equal(rowsOf(await one(c, 'select 7')).rows[0][0], 7, 'sequence ids still line up');
  c.destroy();
});

test('the small commands: INIT_DB, PING, STATISTICS, FIELD_LIST, SET_OPTION, RESET_CONNECTION, CHANGE_USER, QUIT', async () => {
  for (const capabilities of [CLIENT_CAPABILITIES, CLIENT_CAPABILITIES & ~C.DEPRECATE_EOF]) {
    const c = await connect(none, { capabilities, database: 'test' });
    const session = noneKernel.sessions[noneKernel.sessions.length - 1];
    assert.equal(session.database, 'test');
    assert.equal((await c.initDb('shop')).kind, 'ok');
    assert.equal(session.database, 'shop');
    assert.deepEqual(await errorOf(c.initDb('nope')), { code: 1049, sqlState: '42000', message: "Unknown database 'nope'" });
    assert.equal((await c.ping()).status, ServerStatus.AUTOCOMMIT);
    assert.equal(await c.statistics(), 'Uptime: 1  Threads: 1  Questions: 0');
    const fields = await c.fieldList('t');
    assert.deepEqual(fields.map((f) => [f.name, f.type, f.defaultValue]), [['i', FieldType.LONG, null], ['u', FieldType.LONG, null]]);
    assert.equal((await errorOf(c.fieldList('nope'))).code, 1146);
    assert.equal((await errorOf(c.query('select 1; select 2'))).code, 1064, 'no multi-statements yet');
    assert.equal((await c.setOption(SetOption.MULTI_STATEMENTS_ON)).status, ServerStatus.AUTOCOMMIT);
    assert.equal((await c.query('select 1; select 2')).length, 2);
    assert.equal((await errorOf(c.setOption(7))).code, 1047);
    await one(c, 'begin');
    assert.equal((await c.resetConnection()).status, ServerStatus.AUTOCOMMIT);
    assert.equal(session.resets, 1);
    assert.equal((await errorOf(c.prepare('select ?'))).code, 1235, 'the canned kernel cannot prepare');
    await c.changeUser({ user: 'someone', database: 'shop' });
    assert.deepEqual(rowsOf(await one(c, 'select user()')).rows, [['someone']]);
    assert.deepEqual(rowsOf(await one(c, 'select database()')).rows, [['shop']]);
    assert.ok(session.closed, 'the old session ended with the change');
    const changed = noneKernel.sessions[noneKernel.sessions.length - 1];
    await c.quit();
    assert.ok(changed.closed);
    await assert.rejects(c.ping(), /closed/);
  }
});

test('a malformed reply closes the connection rather than misreading what follows', async () => {
  const c = await connect(none);
  // A query sent behind the driver's back: its result set arrives where the ping's OK is expected.
  c.channel.sendPayloads([Buffer.from([0x03, ...Buffer.from('select 1')])]);
  await assert.rejects(c.ping(), /not an OK packet/);
  await c.channel.closed;
});

test('a command that cannot be encoded rejects without sending anything; the connection stays usable', async () => {
  const c = await connect(none);
  await assert.rejects(c.changeUser({ user: 'x', authMethod: 'no_such_method' }), /does not speak/);
  assert.equal((await c.ping()).kind, 'ok');
  assert.deepEqual(rowsOf(await one(c, 'select user()')).rows, [['root']]);
  c.destroy();
});
