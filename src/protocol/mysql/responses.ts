// The generic response packets: OK, ERR, EOF, and the end-of-result-set marker; written by the server, read by the client end.
import { Header, MAX_PACKET_PAYLOAD, ServerStatus } from './constants.js';
import { lenencIntSize, type PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';

/** MySQL never sends error messages longer than this many bytes (MYSQL_ERRMSG_SIZE). */
const ERRMSG_MAX_BYTES = 512;

/** One entry of an OK packet's session-state block: a SESSION_TRACK_* type and its type-specific data. */
export interface SessionStateChange {
  type: number;
  data: Buffer;
}

export interface OkFields {
  affectedRows: number | bigint;
  insertId: number | bigint;
  status: number;
  warnings: number;
  info?: string;
  /** Session-state changes (CLIENT_SESSION_TRACK); when given, SERVER_SESSION_STATE_CHANGED is set. */
  sessionState?: readonly SessionStateChange[];
}

/** An OK packet as the client end reads it. */
export interface OkPacket {
  affectedRows: number | bigint;
  insertId: number | bigint;
  status: number;
  warnings: number;
  /** '' when the server sent none. */
  info: string;
  /** Present when the status has SERVER_SESSION_STATE_CHANGED. */
  sessionState?: SessionStateChange[];
}

/**
 * OK_Packet (PROTOCOL_41); `header` 0xFE makes it the DEPRECATE_EOF end of a result
 * set. The info text is length-encoded, as MySQL servers send it whether or not
 * SESSION_TRACK was negotiated (libmysql and libmariadb read it so); it is left
 * out when empty unless session state follows it.
 */
export function writeOk(w: PacketWriter, f: OkFields, header: number = Header.OK): void {
  const state = f.sessionState;
  const status = state === undefined ? f.status : f.status | ServerStatus.SESSION_STATE_CHANGED;
  w.begin().u8(header).lenencInt(f.affectedRows).lenencInt(f.insertId).u16(status).u16(Math.min(f.warnings, 0xffff));
  if (state !== undefined) {
    w.lenencString(f.info ?? '');
    writeSessionState(w, state);
  } else if (f.info) {
    w.lenencString(f.info);
  }
  w.end();
}

/** The session-state block: its length, then each change as type and length-encoded data. */
function writeSessionState(w: PacketWriter, changes: readonly SessionStateChange[]): void {
  let total = 0;
  for (const c of changes) total += 1 + lenencIntSize(c.data.length) + c.data.length;
  w.lenencInt(total);
  for (const c of changes) w.u8(c.type).lenencBytes(c.data);
}

/** A length-encoded integer as a number or, past 2^53, a bigint (affected rows and insert ids may be that big). */
function readCount(r: PayloadReader): number | bigint {
  if (r.buf[r.pos] === 0xfe && r.remaining >= 9) {
    r.skip(1);
    const v = r.u64();
    return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
  }
  const n = r.lenencInt();
  if (n === null) throw new MalformedPacketError('NULL where a count belongs');
  return n;
}

/**
 * Reads an OK packet with the given header (0xFE for the DEPRECATE_EOF end of a result
 * set, as writeOk's). The info is read as a length-encoded string, as servers write it.
 */
export function parseOk(payload: Buffer, header: number = Header.OK): OkPacket {
  const r = new PayloadReader(payload);
  const first = r.u8();
  if (first !== header) throw new MalformedPacketError(`not an OK packet (header 0x${first.toString(16)})`);
  const affectedRows = readCount(r);
  const insertId = readCount(r);
  const status = r.u16();
  const warnings = r.u16();
  const info = r.atEnd() ? '' : r.lenencString() ?? '';
  const ok: OkPacket = { affectedRows, insertId, status, warnings, info };
  if ((status & ServerStatus.SESSION_STATE_CHANGED) !== 0 && !r.atEnd()) {
    const block = new PayloadReader(r.lenencBytes() ?? Buffer.alloc(0));
    const changes: SessionStateChange[] = [];
    while (!block.atEnd()) {
      const type = block.u8();
      changes.push({ type, data: Buffer.from(block.lenencBytes() ?? Buffer.alloc(0)) });
    }
    ok.sessionState = changes;
  }
  return ok;
}

/** ERR_Packet with SQLSTATE marker. */
export function writeErr(w: PacketWriter, code: number, sqlState: string, message: string): void {
  w.begin().u8(Header.ERR).u16(code).u8(0x23 /* '#' */).str(sqlState.padEnd(5, '0').slice(0, 5));
  w.str(truncateUtf8(message, ERRMSG_MAX_BYTES));
  w.end();
}

/** An ERR packet as the client end reads it. */
export interface ErrPacket {
  code: number;
  sqlState: string;
  message: string;
}

/** SQLSTATE of an ERR packet that carries none (sent before the protocol version is agreed). */
const GENERAL_SQLSTATE = 'HY000';

/** Reads an ERR packet; one without the '#' SQLSTATE marker gets HY000. */
export function parseErr(payload: Buffer): ErrPacket {
  const r = new PayloadReader(payload);
  if (r.u8() !== Header.ERR) throw new MalformedPacketError('not an ERR packet');
  const code = r.u16();
  let sqlState = GENERAL_SQLSTATE;
  if (r.remaining >= 6 && payload[r.pos] === 0x23) {
    r.skip(1);
    sqlState = r.bytes(5).toString('latin1');
  }
  return { code, sqlState, message: r.restString() };
}

/** The classic EOF_Packet (clients without DEPRECATE_EOF). */
export function writeEof(w: PacketWriter, warnings: number, status: number): void {
  w.begin().u8(Header.EOF).u16(Math.min(warnings, 0xffff)).u16(status).end();
}

/** Warnings and status of an end marker: an EOF packet or the OK that replaces it. */
export interface EndFields {
  warnings: number;
  status: number;
}

/** Reads a classic EOF packet: 0xFE, warnings, status, exactly five bytes. */
export function parseEof(payload: Buffer): EndFields {
  if (payload.length !== 5 || payload[0] !== Header.EOF) throw new MalformedPacketError('not an EOF packet');
  return { warnings: payload.readUInt16LE(1), status: payload.readUInt16LE(3) };
}

/** Ends a result set or a column list: EOF, or an OK with 0xFE header under DEPRECATE_EOF. */
export function writeEnd(w: PacketWriter, deprecateEof: boolean, warnings: number, status: number): void {
  if (deprecateEof) writeOk(w, { affectedRows: 0, insertId: 0, status, warnings }, Header.EOF);
  else writeEof(w, warnings, status);
}

/**
 * Whether a packet inside a result set is its end marker rather than a row: 0xFE
 * first and shorter than a row starting with 0xFE could be (such a row's first
 * value is at least 2^24 bytes, so its payload fills a whole packet).
 */
export function isEndPacket(payload: Buffer): boolean {
  return payload.length > 0 && payload[0] === Header.EOF && payload.length < MAX_PACKET_PAYLOAD;
}

/** Reads an end marker as writeEnd wrote it for the given DEPRECATE_EOF setting. */
export function parseEnd(payload: Buffer, deprecateEof: boolean): EndFields {
  if (!deprecateEof) return parseEof(payload);
  const ok = parseOk(payload, Header.EOF);
  return { warnings: ok.warnings, status: ok.status };
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  if (s.length * 3 <= max || Buffer.byteLength(s, 'utf8') <= max) return s;
  const b = Buffer.from(s, 'utf8');
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.toString('utf8', 0, end);
}
