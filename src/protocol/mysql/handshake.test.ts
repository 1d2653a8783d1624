// Tests of the connection-phase packets: the greeting, HandshakeResponse41 parsing, malformed responses, and each packet written by one end and read by the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateScramble } from './auth-methods.js';
import { payloadOf } from './codec-fixture.js';
import { Capability as C, Command, Sha2Status } from './constants.js';
import {
  parseAuthMoreData,
  parseAuthSwitchRequest,
  parseChangeUser,
  parseHandshakeResponse,
  parseHandshakeV10,
  writeAuthMoreData,
  writeAuthResponse,
  writeAuthSwitchRequest,
  writeChangeUser,
  writeHandshakeResponse,
  writeHandshakeV10,
  writeSslRequest,
  type ChangeUserRequest,
  type HandshakeResponse,
  type HandshakeV10,
} from './handshake.js';
import { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';

const scramble = Buffer.from('abcdefghijklmnopqrst');

test('Handshake v10 layout', () => {
  const w = new PacketWriter();
  writeHandshakeV10(w, { serverVersion: '8.0.36-x', connectionId: 77, scramble, capabilities: 0x01ffa7ff, charset: 255, status: 2, authPluginName: 'caching_sha2_password' });
  const out = w.take();
  assert.equal(out[3], 0, 'sequence id 0');
  const r = new PayloadReader(out.subarray(4));
  assert.equal(r.u8(), 10);
  assert.equal(r.nulString(), '8.0.36-x');
  assert.equal(r.u32(), 77);
  const part1 = r.bytes(8);
  assert.equal(r.u8(), 0);
  const capLow = r.u16();
  assert.equal(r.u8(), 255);
  assert.equal(r.u16(), 2);
  const capHigh = r.u16();
  assert.equal((capHigh << 16 | capLow) >>> 0, 0x01ffa7ff);
  assert.equal(r.u8(), 21);
  r.skip(10);
  const part2 = r.bytes(13);
  assert.deepEqual(Buffer.concat([part1, part2.subarray(0, 12)]), scramble);
  assert.equal(part2[12], 0);
  assert.equal(r.nulString(), 'caching_sha2_password');
  assert.ok(r.atEnd());
});

function response(caps: number, fields: (w: PacketWriter) => void): Buffer {
  const w = new PacketWriter();
  w.begin().u32(caps).u32(1 << 24).u8(45).zeros(23);
  fields(w);
  w.end();
  return w.take().subarray(4);
}

test('HandshakeResponse41 with lenenc auth data, database, plugin and attributes', () => {
  const caps = C.PROTOCOL_41 | C.SECURE_CONNECTION | C.PLUGIN_AUTH | C.PLUGIN_AUTH_LENENC_CLIENT_DATA | C.CONNECT_WITH_DB | C.CONNECT_ATTRS;
  const p = response(caps, (w) => {
    w.nulString('root').lenencBytes(Buffer.alloc(20, 7)).nulString('shop').nulString('mysql_native_password');
    const attrs = new PacketWriter();
    attrs.begin().lenencString('_client_name').lenencString('test').end();
    const a = attrs.take().subarray(4);
    w.lenencInt(a.length).bytes(a);
  });
  const r = parseHandshakeResponse(p);
  assert.ok(!('ssl' in r));
  if ('ssl' in r) return;
  assert.equal(r.user, 'root');
  assert.deepEqual(r.authResponse, Buffer.alloc(20, 7));
  assert.equal(r.database, 'shop');
  assert.equal(r.authPlugin, 'mysql_native_password');
  assert.equal(r.charset, 45);
  assert.equal(r.attributes.get('_client_name'), 'test');
});

test('1-byte auth length (SECURE_CONNECTION only), no database, no plugin', () => {
  const r = parseHandshakeResponse(response(C.PROTOCOL_41 | C.SECURE_CONNECTION, (w) => w.nulString('u').u8(0)));
  assert.ok(!('ssl' in r) && r.user === 'u' && r.authResponse.length === 0 && r.database === null && r.authPlugin === null);
});

test('SSLRequest is recognised; truncated or pre-4.1 responses are malformed', () => {
  const ssl = response(C.PROTOCOL_41 | C.SSL, () => undefined);
  assert.deepEqual(parseHandshakeResponse(ssl), { ssl: true, capabilities: C.PROTOCOL_41 | C.SSL });
  assert.throws(() => parseHandshakeResponse(Buffer.from([1, 2, 3])), MalformedPacketError);
  assert.throws(() => parseHandshakeResponse(response(C.SECURE_CONNECTION, (w) => w.nulString('u').u8(0))), MalformedPacketError);
  assert.throws(() => parseHandshakeResponse(response(C.PROTOCOL_41 | C.SECURE_CONNECTION, (w) => w.nulString('u').u8(20).zeros(3))), MalformedPacketError);
  assert.throws(() => parseHandshakeResponse(response(C.PROTOCOL_41, (w) => w.str('no-terminator'))), MalformedPacketError);
});

test('Handshake v10 round trip: version, id, the scramble without its NUL, 32-bit capabilities, charset, status, method', () => {
  for (const h of [
    { serverVersion: '8.0.36-mizzle', connectionId: 0xfffffffe, scramble: generateScramble(), capabilities: 0xfffff7ff, charset: 255, status: 2, authPluginName: 'caching_sha2_password' },
    { serverVersion: '', connectionId: 1, scramble: Buffer.from('abcdefghijklmnopqrst'), capabilities: C.PROTOCOL_41 | C.SECURE_CONNECTION | C.PLUGIN_AUTH, charset: 45, status: 0, authPluginName: 'mysql_native_password' },
  ] satisfies HandshakeV10[]) {
    assert.deepEqual(parseHandshakeV10(payloadOf((w) => writeHandshakeV10(w, h))), h);
  }
  assert.throws(() => parseHandshakeV10(Buffer.from([9, 0x35, 0])), MalformedPacketError);
});

const BASE_CAPS = C.PROTOCOL_41 | C.SECURE_CONNECTION;

function responseOf(over: Partial<HandshakeResponse>): HandshakeResponse {
  return { capabilities: BASE_CAPS, maxPacketSize: 1 << 24, charset: 255, user: 'root', authResponse: Buffer.alloc(0), database: null, authPlugin: null, attributes: new Map(), ...over };
}

test('HandshakeResponse41 round trip for each way of sending the auth data, with and without database, method, attributes', () => {
  const attributes = new Map([['_client_name', 'mizzle'], ['_pid', '42'], ['ключ', 'значение'], ['long', 'v'.repeat(300)]]);
  const cases: HandshakeResponse[] = [
    responseOf({}),
    responseOf({ authResponse: Buffer.alloc(20, 7) }),
    responseOf({ capabilities: BASE_CAPS | C.PLUGIN_AUTH_LENENC_CLIENT_DATA, authResponse: Buffer.alloc(300, 0) }),
    responseOf({ capabilities: C.PROTOCOL_41, authResponse: Buffer.from('no-nul-inside') }),
    responseOf({ capabilities: BASE_CAPS | C.CONNECT_WITH_DB | C.PLUGIN_AUTH, user: 'ünï', database: 'shop', authPlugin: 'caching_sha2_password', authResponse: Buffer.alloc(32, 9) }),
    responseOf({ capabilities: BASE_CAPS | C.CONNECT_WITH_DB | C.PLUGIN_AUTH | C.CONNECT_ATTRS | C.PLUGIN_AUTH_LENENC_CLIENT_DATA, database: 'db', authPlugin: 'mysql_native_password', attributes }),
    responseOf({ capabilities: BASE_CAPS | C.PLUGIN_AUTH | C.CONNECT_ATTRS, authPlugin: 'mysql_native_password', maxPacketSize: 0xffffffff, charset: 33 }),
  ];
  for (const r of cases) assert.deepEqual(parseHandshakeResponse(payloadOf((w) => writeHandshakeResponse(w, r))), r);
  // CONNECT_WITH_DB with no database sends an empty name, which reads back as none.
  const noDb = responseOf({ capabilities: BASE_CAPS | C.CONNECT_WITH_DB | C.PLUGIN_AUTH, authPlugin: 'mysql_native_password' });
  assert.deepEqual(parseHandshakeResponse(payloadOf((w) => writeHandshakeResponse(w, noDb))), noDb);
});

test('SSLRequest round trip', () => {
  assert.deepEqual(parseHandshakeResponse(payloadOf((w) => writeSslRequest(w, C.PROTOCOL_41, 1 << 24, 255))), { ssl: true, capabilities: C.PROTOCOL_41 | C.SSL });
});

test('COM_CHANGE_USER round trip, with and without charset and method', () => {
  const caps = BASE_CAPS | C.PLUGIN_AUTH;
  const cases: [ChangeUserRequest, number][] = [
    [{ user: 'alice', authResponse: Buffer.alloc(20, 1), database: 'shop', charset: 255, authPlugin: 'mysql_native_password' }, caps],
    [{ user: 'bob', authResponse: Buffer.alloc(0), database: null, charset: 45, authPlugin: null }, BASE_CAPS],
    [{ user: 'carol', authResponse: Buffer.alloc(32, 2), database: null, charset: null, authPlugin: null }, caps],
    [{ user: 'dave', authResponse: Buffer.from('x'), database: 'd', charset: 33, authPlugin: null }, C.PROTOCOL_41],
  ];
  for (const [req, c] of cases) {
    const p = payloadOf((w) => writeChangeUser(w, req, c));
    assert.equal(p[0], Command.CHANGE_USER);
    const r = new PayloadReader(p, 1);
    assert.deepEqual(parseChangeUser(r, c), req);
    assert.ok(r.atEnd());
  }
});

test('AuthSwitchRequest, AuthMoreData and the client\'s answers, round trip', () => {
  const scramble = generateScramble();
  for (const method of ['mysql_native_password', 'caching_sha2_password', 'mysql_clear_password']) {
    assert.deepEqual(parseAuthSwitchRequest(payloadOf((w) => writeAuthSwitchRequest(w, method, scramble))), { method, scramble });
  }
  for (const status of [Sha2Status.FAST_AUTH_SUCCESS, Sha2Status.PERFORM_FULL_AUTHENTICATION]) {
    assert.deepEqual([...parseAuthMoreData(payloadOf((w) => writeAuthMoreData(w, status)))], [status]);
  }
  assert.throws(() => parseAuthMoreData(Buffer.from([0, 3])), MalformedPacketError);
  assert.throws(() => parseAuthSwitchRequest(Buffer.from([1, 3])), MalformedPacketError);
  // The answer is the payload itself, whatever its bytes (empty, or with NULs).
  for (const token of [Buffer.alloc(0), Buffer.alloc(20, 0), Buffer.from('pw\0')]) assert.deepEqual(payloadOf((w) => writeAuthResponse(w, token)), token);
});
