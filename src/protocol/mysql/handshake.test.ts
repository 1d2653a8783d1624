// Tests of the connection-phase packets: the greeting, HandshakeResponse41 parsing, malformed responses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Capability as C } from './constants.js';
import { parseHandshakeResponse, writeHandshakeV10 } from './handshake.js';
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
