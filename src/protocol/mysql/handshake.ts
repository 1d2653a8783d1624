// Connection-phase packets: Handshake v10, HandshakeResponse41, AuthSwitchRequest/AuthMoreData, COM_CHANGE_USER.
import { Capability, Header } from './constants.js';
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';

export interface HandshakeV10 {
  serverVersion: string;
  connectionId: number;
  /** 20 bytes. */
  scramble: Buffer;
  capabilities: number;
  charset: number;
  status: number;
  authPluginName: string;
}

/** The server's greeting (Protocol::HandshakeV10). */
export function writeHandshakeV10(w: PacketWriter, h: HandshakeV10): void {
  w.begin()
    .u8(10)
    .nulString(h.serverVersion)
    .u32(h.connectionId)
    .bytes(h.scramble.subarray(0, 8))
    .u8(0)
    .u16(h.capabilities & 0xffff)
    .u8(h.charset & 0xff)
    .u16(h.status)
    .u16((h.capabilities >>> 16) & 0xffff)
    .u8(h.scramble.length + 1)
    .zeros(10)
    .bytes(h.scramble.subarray(8))
    .u8(0)
    .nulString(h.authPluginName)
    .end();
}

/** What a client says in Protocol::HandshakeResponse41. */
export interface HandshakeResponse {
  capabilities: number;
  maxPacketSize: number;
  charset: number;
  user: string;
  authResponse: Buffer;
  /** Set when CONNECT_WITH_DB was given with a non-empty name. */
  database: string | null;
  /** The auth method the response was computed for; null when the client lacks PLUGIN_AUTH. */
  authPlugin: string | null;
  attributes: Map<string, string>;
}

/** The short packet a client sends to ask for TLS before its real response. */
export interface SslRequest {
  ssl: true;
  capabilities: number;
}

/** At most this many connection attributes are kept (the rest are read and dropped). */
const MAX_ATTRIBUTES = 64;

/** Parses HandshakeResponse41 (or recognises an SSLRequest). Throws MalformedPacketError. */
export function parseHandshakeResponse(payload: Buffer): HandshakeResponse | SslRequest {
  const r = new PayloadReader(payload);
  const capabilities = r.u32();
  if ((capabilities & Capability.PROTOCOL_41) === 0) throw new MalformedPacketError('client does not speak protocol 4.1');
  const maxPacketSize = r.u32();
  const charset = r.u8();
  r.skip(23);
  if (r.atEnd() && (capabilities & Capability.SSL) !== 0) return { ssl: true, capabilities };
  const user = r.nulBytes().toString('utf8');
  let authResponse: Buffer;
  if (capabilities & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) {
    authResponse = r.lenencBytes() ?? Buffer.alloc(0);
  } else if (capabilities & Capability.SECURE_CONNECTION) {
    authResponse = r.bytes(r.u8());
  } else {
    authResponse = r.nulBytes();
  }
  let database: string | null = null;
  if (capabilities & Capability.CONNECT_WITH_DB && !r.atEnd()) {
    const db = r.nulString();
    database = db === '' ? null : db;
  }
  let authPlugin: string | null = null;
  if (capabilities & Capability.PLUGIN_AUTH && !r.atEnd()) authPlugin = r.nulString('latin1');
  const attributes = new Map<string, string>();
  if (capabilities & Capability.CONNECT_ATTRS && !r.atEnd()) readAttributes(r, attributes);
  return { capabilities, maxPacketSize, charset, user, authResponse, database, authPlugin, attributes };
}

function readAttributes(r: PayloadReader, into: Map<string, string>): void {
  const total = r.lenencInt() ?? 0;
  const stop = r.pos + total;
  if (stop > r.buf.length) throw new MalformedPacketError('connection attributes run past the packet');
  while (r.pos < stop) {
    const k = r.lenencString() ?? '';
    const v = r.lenencString() ?? '';
    if (into.size < MAX_ATTRIBUTES) into.set(k, v);
  }
}

/** COM_CHANGE_USER's fields (the command byte already consumed by `r`). */
export interface ChangeUserRequest {
  user: string;
  authResponse: Buffer;
  database: string | null;
  charset: number | null;
  authPlugin: string | null;
}

export function parseChangeUser(r: PayloadReader, capabilities: number): ChangeUserRequest {
  const user = r.nulBytes().toString('utf8');
  const authResponse = capabilities & Capability.SECURE_CONNECTION ? r.bytes(r.u8()) : r.nulBytes();
  const db = r.atEnd() ? '' : r.nulString();
  let charset: number | null = null;
  let authPlugin: string | null = null;
  if (r.remaining >= 2) {
    charset = r.u16();
    if (capabilities & Capability.PLUGIN_AUTH && !r.atEnd()) authPlugin = r.nulString('latin1');
  }
  // Connection attributes may follow; they are not needed after login.
  return { user, authResponse, database: db === '' ? null : db, charset, authPlugin };
}

/** AuthSwitchRequest: asks the client to answer `scramble` with another method. */
export function writeAuthSwitchRequest(w: PacketWriter, method: string, scramble: Buffer): void {
  w.begin().u8(Header.AUTH_SWITCH).nulString(method).bytes(scramble).u8(0).end();
}

/** AuthMoreData: one protocol-specific payload (caching_sha2_password's status byte). */
export function writeAuthMoreData(w: PacketWriter, data: number): void {
  w.begin().u8(Header.AUTH_MORE_DATA).u8(data).end();
}
