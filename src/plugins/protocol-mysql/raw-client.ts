// Test support: packet-level access to the protocol plugin through the client end's channel, driver and codecs, for tests that send what drivers rarely do.
import assert from 'node:assert/strict';
import { SqlError } from '../../base/errors.js';
import {
  AuthMethod,
  Capability as C,
  ClientConnection,
  Collation,
  Header,
  parseErr,
  type ErrPacket,
  type QueryResult,
  type RowsResult,
} from '../../protocol/mysql/index.js';

export { payloadOf } from '../../protocol/mysql/codec-fixture.js';

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

/** The result of a command that had exactly one. */
export function onlyResult(results: QueryResult[]): QueryResult {
  assert.equal(results.length, 1, 'one result');
  return results[0];
}

/** A result that must be a result set. */
export function rowsOf(r: QueryResult): RowsResult {
  assert.equal(r.kind, 'rows', 'a result set');
  return r as RowsResult;
}
