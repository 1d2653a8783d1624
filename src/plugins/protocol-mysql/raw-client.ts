// Test support: packet-level access to the protocol plugin through the client end's channel, driver and codecs, for tests that send what drivers rarely do.
import assert from 'node:assert/strict';
import { SqlError } from '../../base/errors.js';
import {
  AuthMethod,
  Capability as C,
  ClientConnection,
  Collation,
  Header,
  PacketWriter,
  parseErr,
  type ErrPacket,
} from '../../protocol/mysql/index.js';

/** What the raw tests log in with: protocol 4.1, plugin auth and DEPRECATE_EOF, nothing else. */
export const RAW_CAPABILITIES = C.PROTOCOL_41 | C.SECURE_CONNECTION | C.PLUGIN_AUTH | C.DEPRECATE_EOF;

/** Logs in as root without a password (mysql_native_password) asking for exactly `capabilities`. */
export function loginRaw(port: number, capabilities = RAW_CAPABILITIES): Promise<ClientConnection> {
  return ClientConnection.connect({
    port,
    user: 'root',
    authMethod: AuthMethod.NATIVE,
    capabilities,
    charset: Collation.UTF8MB4_0900_AI_CI,
    maxPacketSize: 1 << 24,
  });
}

/** The ERR a command's promise rejects with. */
export async function errorOf(p: Promise<unknown>): Promise<ErrPacket> {
  const e = await p.then(
    () => assert.fail('expected an ERR reply'),
    (err: unknown) => err,
  );
  assert.ok(e instanceof SqlError, `an ERR reply, not ${String(e)}`);
  return { code: e.code, sqlState: e.sqlState, message: e.message };
}

/** Reads the next payload of `c`'s channel, which must be an ERR. */
export async function nextErr(c: ClientConnection): Promise<ErrPacket> {
  const p = await c.channel.read();
  assert.equal(p[0], Header.ERR, `expected ERR, got 0x${p[0].toString(16)}`);
  return parseErr(p);
}

/** The one payload `build` writes (to send it altered, e.g. cut short). */
export function payloadOf(build: (w: PacketWriter) => void): Buffer {
  const w = new PacketWriter();
  build(w);
  const bytes = w.take();
  assert.equal(bytes.readUIntLE(0, 3), bytes.length - 4, 'one packet');
  return bytes.subarray(4);
}
