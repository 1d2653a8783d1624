// The protocol plugin packet by packet: bad input, commands the drivers rarely send, pipelining, timeouts, resets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Capability as C,
  ClientChannel,
  Command,
  Header,
  ServerStatus,
  SetOption,
  isEndPacket,
  parseAuthSwitchRequest,
  parseColumnCount,
  parseColumnDefinition,
  parseEof,
  parseErr,
  parseHandshakeV10,
  parseOk,
  readTextCells,
  writeAuthResponse,
  writeCommand,
  writeHandshakeResponse,
  writeTextCommand,
  type RowsResult,
} from '../../protocol/mysql/index.js';
import { NoneAuthenticator } from '../auth-none/auth-none.js';
import { CannedKernel, startCannedServer } from './canned-kernel.js';
import { RAW_CAPABILITIES, errorOf, loginRaw, nextErr } from './raw-client.js';
import type { MysqlProtocolServer } from './server.js';

const kernel = new CannedKernel(new NoneAuthenticator(false));
let server: MysqlProtocolServer;

before(async () => {
  server = await startCannedServer(kernel, { connect_timeout: 1 });
});

after(async () => {
  await server.stop();
});

function loggedIn(capabilities = RAW_CAPABILITIES) {
  return loginRaw(server.port, capabilities);
}

test('garbage instead of a handshake response → 1043 and close; the next client is fine', async () => {
  // Not packets at all: an HTTP request, and a packet too short to be a response. Sent as they are.
  for (const junk of [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from([5, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 0x00])]) {
    const ch = new ClientChannel(server.port);
    ch.write(junk);
    assert.equal(parseHandshakeV10(await ch.read()).serverVersion, kernel.serverVersion, 'the greeting comes first');
    assert.deepEqual(parseErr(await ch.read()), { code: 1043, sqlState: '08S01', message: 'Bad handshake' });
    await ch.closed;
  }
  const good = await loggedIn();
  good.destroy();
});

test('a client naming an auth method the server does not speak is switched first, even when no password is checked', async () => {
  // libmariadb sends 'dummy_fallback_auth' when it fails to load a plugin; an immediate OK would be misread.
  const ch = new ClientChannel(server.port);
  const greeting = parseHandshakeV10(await ch.read());
  ch.send((w) => writeHandshakeResponse(w, {
    capabilities: RAW_CAPABILITIES, maxPacketSize: 1 << 24, charset: 255, user: 'root', authResponse: Buffer.alloc(0),
    database: null, authPlugin: 'dummy_fallback_auth', attributes: new Map(),
  }), 1);
  const sw = parseAuthSwitchRequest(await ch.read());
  assert.equal(sw.method, 'mysql_native_password');
  assert.deepEqual(sw.scramble, greeting.scramble, 'the switch carries the greeting\'s scramble');
  ch.send((w) => writeAuthResponse(w, Buffer.alloc(0)), 3);
  parseOk(await ch.read());
  ch.send((w) => writeCommand(w, Command.PING));
  parseOk(await ch.read());
  ch.destroy();
});

test('small commands: INIT_DB, FIELD_LIST, STATISTICS, SET_OPTION, RESET_CONNECTION, unknown ones', async () => {
  const c = await loggedIn();
  await c.initDb('shop');
  assert.deepEqual(await errorOf(c.initDb('nope')), { code: 1049, sqlState: '42000', message: "Unknown database 'nope'" });

  // Each definition must end right after its default (NULL here): the reader rejects anything more.
  const fields = await c.fieldList('t');
  assert.deepEqual(fields.map((f) => [f.name, f.defaultValue]), [['i', null], ['u', null]]);
  assert.equal((await errorOf(c.fieldList('nope'))).code, 1146);

  assert.equal(await c.statistics(), 'Uptime: 1  Threads: 1  Questions: 0');

  for (const code of [0x99, Command.PROCESS_INFO]) {
    c.channel.send((w) => writeTextCommand(w, code, 'x'));
    assert.deepEqual(await nextErr(c), { code: 1047, sqlState: '08S01', message: 'Unknown command' });
  }
  // The canned kernel cannot prepare: the kernel's error comes back as ERR.
  assert.equal((await errorOf(c.prepare('x'))).code, 1235);
  // An empty packet is no command at all.
  c.channel.sendPayloads([Buffer.alloc(0)]);
  assert.equal((await nextErr(c)).code, 1835);
  // STMT_CLOSE never answers: the next reply is the ping's.
  c.closeStatement(1);
  await c.ping();

  assert.equal((await errorOf(c.query('select 1; select 2'))).code, 1064, 'no CLIENT_MULTI_STATEMENTS');
  await c.setOption(SetOption.MULTI_STATEMENTS_ON);
  // Each result: column count, column, row, end (OK with 0xFE header); the first says more follow.
  const [first, second] = (await c.query('select 1; select 2')) as RowsResult[];
  assert.deepEqual([first.rows, second.rows], [[[1]], [[2]]]);
  assert.equal(first.status & ServerStatus.MORE_RESULTS_EXISTS, ServerStatus.MORE_RESULTS_EXISTS);
  assert.equal(second.status & ServerStatus.MORE_RESULTS_EXISTS, 0);

  const session = kernel.sessions[kernel.sessions.length - 1];
  const [begun] = await c.query('begin');
  assert.equal(begun.status, ServerStatus.AUTOCOMMIT | ServerStatus.IN_TRANS);
  assert.equal((await c.resetConnection()).status, ServerStatus.AUTOCOMMIT);
  assert.equal(session.resets, 1);

  await c.quit();
  assert.ok(session.closed);
});

test('pipelined commands are answered one at a time, in order', async () => {
  const c = await loggedIn();
  for (const sql of ['sleep 50', 'error']) c.channel.send((w) => writeTextCommand(w, Command.QUERY, sql));
  c.channel.send((w) => writeCommand(w, Command.PING));
  c.channel.send((w) => writeTextCommand(w, Command.QUERY, 'select 5'));
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) {
    const p = await c.channel.read();
    seen.push(p[0] === Header.ERR ? `err ${parseErr(p).code}` : p[0] === Header.OK ? (parseOk(p), 'ok') : isEndPacket(p) ? 'end' : 'data');
  }
  // sleep: count, column, row, end; error; then the ping's OK.
  assert.deepEqual(seen, ['data', 'data', 'data', 'end', 'err 1146', 'ok']);
  assert.equal(parseColumnCount(await c.channel.read()), 1);
  assert.equal(parseColumnDefinition(await c.channel.read()).name, '5');
  assert.deepEqual(readTextCells(await c.channel.read(), 1), [Buffer.from('5')]);
  assert.ok(isEndPacket(await c.channel.read()));
  c.destroy();
});

test('a client without DEPRECATE_EOF gets EOF packets', async () => {
  const c = await loggedIn(RAW_CAPABILITIES & ~C.DEPRECATE_EOF);
  assert.equal(c.deprecateEof, false);
  c.channel.send((w) => writeTextCommand(w, Command.QUERY, 'select 1'));
  assert.equal(parseColumnCount(await c.channel.read()), 1);
  parseColumnDefinition(await c.channel.read());
  parseEof(await c.channel.read());
  assert.deepEqual(readTextCells(await c.channel.read(), 1), [Buffer.from('1')]);
  parseEof(await c.channel.read());
  c.destroy();
});

test('connect_timeout closes a client that never logs in', async () => {
  const ch = new ClientChannel(server.port);
  parseHandshakeV10(await ch.read());
  const t0 = Date.now();
  await ch.closed;
  assert.ok(Date.now() - t0 < 3000);
});

test('a connection reset closes the session', async () => {
  const c = await loggedIn();
  const session = kernel.sessions[kernel.sessions.length - 1];
  assert.ok(!session.closed);
  c.channel.socket.resetAndDestroy();
  for (let i = 0; i < 100 && !session.closed; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(session.closed);
});
