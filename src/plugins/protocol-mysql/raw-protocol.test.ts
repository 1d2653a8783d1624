// The protocol plugin byte by byte: bad input, commands the drivers rarely send, pipelining, timeouts, resets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Capability as C, Command, PacketWriter, PayloadReader, ServerStatus } from '../../protocol/mysql/index.js';
import { NoneAuthenticator } from '../auth-none/auth-none.js';
import { CannedKernel, startCannedServer } from './canned-kernel.js';
import { RawClient, cmd, errOf, okStatus } from './raw-client.js';
import type { MysqlProtocolServer } from './server.js';

const kernel = new CannedKernel(new NoneAuthenticator(false));
let server: MysqlProtocolServer;

before(async () => {
  server = await startCannedServer(kernel, { connect_timeout: 1 });
});

after(async () => {
  await server.stop();
});

async function loggedIn(): Promise<RawClient> {
  const c = new RawClient(server.port);
  const ok = await c.login();
  assert.equal(ok[0], 0x00);
  return c;
}

test('garbage instead of a handshake response → 1043 and close; the next client is fine', async () => {
  for (const junk of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from([5, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 0x00])]) {
    const c = new RawClient(server.port);
    c.socket.write(junk);
    assert.equal((await c.read())[0], 10, 'the greeting comes first');
    assert.deepEqual(errOf(await c.read()), { code: 1043, state: '08S01', message: 'Bad handshake' });
    await c.closed;
  }
  const good = await loggedIn();
  good.socket.destroy();
});

test('a client naming an auth method the server does not speak is switched first, even when no password is checked', async () => {
  // libmariadb sends 'dummy_fallback_auth' when it fails to load a plugin; an immediate OK would be misread.
  const c = new RawClient(server.port);
  await c.read();
  const w = new PacketWriter();
  w.seq = 1;
  w.begin().u32(C.PROTOCOL_41 | C.SECURE_CONNECTION | C.PLUGIN_AUTH | C.DEPRECATE_EOF).u32(1 << 24).u8(255).zeros(23)
    .nulString('root').u8(0).nulString('dummy_fallback_auth').end();
  c.socket.write(w.take());
  const sw = await c.read();
  assert.equal(sw[0], 0xfe);
  assert.equal(new PayloadReader(sw, 1).nulString(), 'mysql_native_password');
  c.send([Buffer.alloc(0)], 3);
  assert.equal((await c.read())[0], 0x00);
  c.send([cmd(Command.PING)]);
  assert.equal((await c.read())[0], 0x00);
  c.socket.destroy();
});

test('small commands: INIT_DB, FIELD_LIST, STATISTICS, SET_OPTION, RESET_CONNECTION, unknown ones', async () => {
  const c = await loggedIn();
  c.send([cmd(Command.INIT_DB, 'shop')]);
  assert.equal((await c.read())[0], 0x00);
  c.send([cmd(Command.INIT_DB, 'nope')]);
  assert.deepEqual(errOf(await c.read()), { code: 1049, state: '42000', message: "Unknown database 'nope'" });

  c.send([cmd(Command.FIELD_LIST, Buffer.from('t\0'))]);
  for (const name of ['i', 'u']) {
    const r = new PayloadReader(await c.read());
    for (let i = 0; i < 4; i++) r.lenencString();
    assert.equal(r.lenencString(), name);
    r.lenencString();
    r.skip(13);
    assert.equal(r.lenencInt(), null, 'default value field: NULL');
    assert.ok(r.atEnd());
  }
  assert.equal((await c.read())[0], 0xfe, 'end of the field list');
  c.send([cmd(Command.FIELD_LIST, Buffer.from('nope\0'))]);
  assert.equal(errOf(await c.read()).code, 1146);

  c.send([cmd(Command.STATISTICS)]);
  assert.equal((await c.read()).toString(), 'Uptime: 1  Threads: 1  Questions: 0');

  for (const code of [0x99, Command.PROCESS_INFO]) {
    c.send([cmd(code, 'x')]);
    assert.deepEqual(errOf(await c.read()), { code: 1047, state: '08S01', message: 'Unknown command' });
  }
  // The canned kernel cannot prepare: the kernel's error comes back as ERR.
  c.send([cmd(Command.STMT_PREPARE, 'x')]);
  assert.equal(errOf(await c.read()).code, 1235);
  c.send([Buffer.alloc(0)]);
  assert.equal(errOf(await c.read()).code, 1835);
  // STMT_CLOSE never answers: the next reply is the ping's.
  c.send([cmd(Command.STMT_CLOSE, Buffer.from([1, 0, 0, 0])), cmd(Command.PING)]);
  assert.equal((await c.read())[0], 0x00);

  c.send([cmd(Command.QUERY, 'select 1; select 2')]);
  assert.equal(errOf(await c.read()).code, 1064, 'no CLIENT_MULTI_STATEMENTS');
  c.send([cmd(Command.SET_OPTION, Buffer.from([0, 0]))]);
  assert.equal((await c.read())[0], 0xfe);
  c.send([cmd(Command.QUERY, 'select 1; select 2')]);
  const packets: Buffer[] = [];
  // Each result: column count, column, row, end (OK with 0xFE header).
  for (let i = 0; i < 8; i++) packets.push(await c.read());
  assert.equal(packets[3][0], 0xfe);
  assert.equal(okStatus(packets[3]) & ServerStatus.MORE_RESULTS_EXISTS, ServerStatus.MORE_RESULTS_EXISTS);
  assert.equal(okStatus(packets[7]) & ServerStatus.MORE_RESULTS_EXISTS, 0);

  const session = kernel.sessions[kernel.sessions.length - 1];
  c.send([cmd(Command.QUERY, 'begin')]);
  assert.equal(okStatus(await c.read()), ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS);
  c.send([cmd(Command.RESET_CONNECTION)]);
  assert.equal(okStatus(await c.read()), ServerStatus.AUTOCOMMIT);
  assert.equal(session.resets, 1);

  c.send([cmd(Command.QUIT)]);
  await c.closed;
  assert.ok(session.closed);
});

test('pipelined commands are answered one at a time, in order', async () => {
  const c = await loggedIn();
  c.send([cmd(Command.QUERY, 'sleep 50'), cmd(Command.QUERY, 'error'), cmd(Command.PING), cmd(Command.QUERY, 'select 5')]);
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) {
    const p = await c.read();
    seen.push(p[0] === 0xff ? `err ${p.readUInt16LE(1)}` : p[0] === 0 ? 'ok' : p[0] === 0xfe ? 'end' : 'data');
  }
  // sleep: count, column, row, end; error; then the ping's OK.
  assert.deepEqual(seen, ['data', 'data', 'data', 'end', 'err 1146', 'ok']);
  const five: string[] = [];
  for (let i = 0; i < 4; i++) five.push((await c.read()).toString('latin1'));
  assert.equal(five[2], '\x015');
  c.socket.destroy();
});

test('a client without DEPRECATE_EOF gets EOF packets', async () => {
  const c = new RawClient(server.port);
  await c.login(C.PROTOCOL_41 | C.SECURE_CONNECTION | C.PLUGIN_AUTH);
  c.send([cmd(Command.QUERY, 'select 1')]);
  const p = [await c.read(), await c.read(), await c.read(), await c.read(), await c.read()];
  assert.deepEqual([p[0][0], p[2].length, p[2][0], p[4].length, p[4][0]], [1, 5, 0xfe, 5, 0xfe]);
  assert.equal(p[3].toString('latin1'), '\x011');
  c.socket.destroy();
});

test('connect_timeout closes a client that never logs in', async () => {
  const c = new RawClient(server.port);
  await c.read();
  const t0 = Date.now();
  await c.closed;
  assert.ok(Date.now() - t0 < 3000);
});

test('a connection reset closes the session', async () => {
  const c = await loggedIn();
  const session = kernel.sessions[kernel.sessions.length - 1];
  assert.ok(!session.closed);
  c.socket.resetAndDestroy();
  for (let i = 0; i < 100 && !session.closed; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(session.closed);
});
