// The generic response packets: OK, ERR, EOF, and the end-of-result-set marker.
import { Header } from './constants.js';
import type { PacketWriter } from './packet-writer.js';

/** MySQL never sends error messages longer than this many bytes (MYSQL_ERRMSG_SIZE). */
const ERRMSG_MAX_BYTES = 512;

export interface OkFields {
  affectedRows: number | bigint;
  insertId: number | bigint;
  status: number;
  warnings: number;
  info?: string;
}

/**
 * OK_Packet (PROTOCOL_41); `header` 0xFE makes it the DEPRECATE_EOF end of a result
 * set. The info text is length-encoded, as MySQL servers send it whether or not
 * SESSION_TRACK was negotiated (libmysql and libmariadb read it so); it is left
 * out when empty. No session-state changes are reported yet.
 */
export function writeOk(w: PacketWriter, f: OkFields, header: number = Header.OK): void {
  w.begin().u8(header).lenencInt(f.affectedRows).lenencInt(f.insertId).u16(f.status).u16(Math.min(f.warnings, 0xffff));
  if (f.info) w.lenencString(f.info);
  w.end();
}

/** ERR_Packet with SQLSTATE marker. */
export function writeErr(w: PacketWriter, code: number, sqlState: string, message: string): void {
  w.begin().u8(Header.ERR).u16(code).u8(0x23 /* '#' */).str(sqlState.padEnd(5, '0').slice(0, 5));
  w.str(truncateUtf8(message, ERRMSG_MAX_BYTES));
  w.end();
}

/** The classic EOF_Packet (clients without DEPRECATE_EOF). */
export function writeEof(w: PacketWriter, warnings: number, status: number): void {
  w.begin().u8(Header.EOF).u16(Math.min(warnings, 0xffff)).u16(status).end();
}

/** Ends a result set or a column list: EOF, or an OK with 0xFE header under DEPRECATE_EOF. */
export function writeEnd(w: PacketWriter, deprecateEof: boolean, warnings: number, status: number): void {
  if (deprecateEof) writeOk(w, { affectedRows: 0, insertId: 0, status, warnings }, Header.EOF);
  else writeEof(w, warnings, status);
}

/** Cuts a string to at most `max` UTF-8 bytes without splitting a character. */
export function truncateUtf8(s: string, max: number): string {
  if (s.length * 3 <= max || Buffer.byteLength(s, 'utf8') <= max) return s;
  const b = Buffer.from(s, 'utf8');
  let end = max;
  while (end > 0 && (b[end] & 0xc0) === 0x80) end--;
  return b.toString('utf8', 0, end);
}
