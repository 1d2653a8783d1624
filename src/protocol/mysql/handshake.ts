// Connection-phase packets, both ends: Handshake v10, HandshakeResponse41/SSLRequest, AuthSwitchRequest/AuthMoreData, auth responses, COM_CHANGE_USER.
import { Capability, Command, Header } from './constants.js';
import { lenencIntSize, type PacketWriter } from './packet-writer.js';
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

/** Bytes of the scramble sent in the greeting's first part. */
const SCRAMBLE_PART1 = 8;
/** The greeting's second scramble part is at least this long (12 bytes and a NUL in MySQL's). */
const SCRAMBLE_PART2_MIN = 13;

/** Reads the server's greeting (Protocol::HandshakeV10); the scramble comes back without its terminating NUL. */
export function parseHandshakeV10(payload: Buffer): HandshakeV10 {
  const r = new PayloadReader(payload);
  const version = r.u8();
  if (version !== 10) throw new MalformedPacketError(`unsupported handshake protocol version ${version}`);
  const serverVersion = r.nulBytes().toString('utf8');
  const connectionId = r.u32();
  const part1 = r.bytes(SCRAMBLE_PART1);
  r.skip(1);
  let capabilities = r.u16();
  let charset = 0;
  let status = 0;
  let scramble: Buffer = Buffer.from(part1);
  let authPluginName = '';
  if (!r.atEnd()) {
    charset = r.u8();
    status = r.u16();
    capabilities = (capabilities | (r.u16() << 16)) >>> 0;
    const authDataLength = r.u8();
    r.skip(10);
    if (capabilities & Capability.SECURE_CONNECTION) {
      const part2 = r.bytes(Math.max(SCRAMBLE_PART2_MIN, authDataLength - SCRAMBLE_PART1));
      // The length counts the NUL that ends the scramble; without a length, the NUL ends it.
      const end = authDataLength > SCRAMBLE_PART1 ? authDataLength - SCRAMBLE_PART1 - 1 : part2.indexOf(0);
      scramble = Buffer.concat([part1, part2.subarray(0, end < 0 ? part2.length : end)]);
    }
    if (capabilities & Capability.PLUGIN_AUTH) authPluginName = r.nulString('latin1');
  }
  return { serverVersion, connectionId, scramble, capabilities, charset, status, authPluginName };
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

/**
 * Writes HandshakeResponse41 for `r.capabilities`: the auth response length-encoded,
 * 1-byte-length or NUL-terminated as they allow, the database with CONNECT_WITH_DB
 * (empty when null), the method with PLUGIN_AUTH, the attributes with CONNECT_ATTRS.
 */
export function writeHandshakeResponse(w: PacketWriter, r: HandshakeResponse): void {
  const caps = r.capabilities;
  w.begin().u32(caps).u32(r.maxPacketSize).u8(r.charset).zeros(23).nulString(r.user);
  if (caps & Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA) w.lenencBytes(r.authResponse);
  else if (caps & Capability.SECURE_CONNECTION) w.u8(r.authResponse.length).bytes(r.authResponse);
  else w.bytes(r.authResponse).u8(0);
  if (caps & Capability.CONNECT_WITH_DB) w.nulString(r.database ?? '');
  if (caps & Capability.PLUGIN_AUTH) w.nulString(r.authPlugin ?? '');
  if (caps & Capability.CONNECT_ATTRS) writeAttributes(w, r.attributes);
  w.end();
}

/** The attribute block: its byte length, then length-encoded keys and values. */
function writeAttributes(w: PacketWriter, attributes: ReadonlyMap<string, string>): void {
  let total = 0;
  for (const [k, v] of attributes) {
    const kb = Buffer.byteLength(k, 'utf8');
    const vb = Buffer.byteLength(v, 'utf8');
    total += lenencIntSize(kb) + kb + lenencIntSize(vb) + vb;
  }
  w.lenencInt(total);
  for (const [k, v] of attributes) w.lenencString(k).lenencString(v);
}

/** The SSLRequest a client sends instead of its response when it wants TLS first. */
export function writeSslRequest(w: PacketWriter, capabilities: number, maxPacketSize: number, charset: number): void {
  w.begin().u32(capabilities | Capability.SSL).u32(maxPacketSize).u8(charset).zeros(23).end();
}

/** Bytes of an SSLRequest: capabilities, max packet size, charset and 23 reserved bytes. */
const SSL_REQUEST_LENGTH = 32;

/** Whether a client's first payload is an SSLRequest (the short response with CLIENT_SSL), without parsing the rest. */
export function isSslRequest(payload: Buffer): boolean {
  return payload.length === SSL_REQUEST_LENGTH && (payload.readUInt32LE(0) & Capability.SSL) !== 0 && (payload.readUInt32LE(0) & Capability.PROTOCOL_41) !== 0;
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

/** Writes COM_CHANGE_USER for the session's `capabilities`; the charset and method are sent when `charset` is not null. */
export function writeChangeUser(w: PacketWriter, req: ChangeUserRequest, capabilities: number): void {
  w.begin().u8(Command.CHANGE_USER).nulString(req.user);
  if (capabilities & Capability.SECURE_CONNECTION) w.u8(req.authResponse.length).bytes(req.authResponse);
  else w.bytes(req.authResponse).u8(0);
  w.nulString(req.database ?? '');
  if (req.charset !== null) {
    w.u16(req.charset);
    if (capabilities & Capability.PLUGIN_AUTH) w.nulString(req.authPlugin ?? '');
  }
  w.end();
}

/** AuthSwitchRequest: asks the client to answer `scramble` with another method. */
export function writeAuthSwitchRequest(w: PacketWriter, method: string, scramble: Buffer): void {
  w.begin().u8(Header.AUTH_SWITCH).nulString(method).bytes(scramble).u8(0).end();
}

/** What an AuthSwitchRequest asks for: the method, and the scramble without its terminating NUL. */
export interface AuthSwitchRequest {
  method: string;
  scramble: Buffer;
}

export function parseAuthSwitchRequest(payload: Buffer): AuthSwitchRequest {
  const r = new PayloadReader(payload);
  if (r.u8() !== Header.AUTH_SWITCH) throw new MalformedPacketError('not an AuthSwitchRequest');
  const method = r.nulString('latin1');
  const data = r.restBytes();
  const scramble = data.length > 0 && data[data.length - 1] === 0 ? data.subarray(0, data.length - 1) : data;
  return { method, scramble: Buffer.from(scramble) };
}

/** AuthMoreData: one protocol-specific payload (caching_sha2_password's status byte). */
export function writeAuthMoreData(w: PacketWriter, data: number): void {
  w.begin().u8(Header.AUTH_MORE_DATA).u8(data).end();
}

/** AuthMoreData carrying bytes (caching_sha2_password's RSA public key in PEM). */
export function writeAuthMoreDataBytes(w: PacketWriter, data: Buffer): void {
  w.begin().u8(Header.AUTH_MORE_DATA).bytes(data).end();
}

/** The data of an AuthMoreData packet (for caching_sha2_password, a status byte first). */
export function parseAuthMoreData(payload: Buffer): Buffer {
  if (payload.length === 0 || payload[0] !== Header.AUTH_MORE_DATA) throw new MalformedPacketError('not an AuthMoreData packet');
  return payload.subarray(1);
}

/** The client's answer to an AuthSwitchRequest or AuthMoreData: the method's bytes, nothing else (the server reads the whole payload). */
export function writeAuthResponse(w: PacketWriter, data: Buffer): void {
  w.begin().bytes(data).end();
}
