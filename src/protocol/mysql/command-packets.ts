// Command-phase requests without a codec of their own (COM_QUERY, COM_INIT_DB, COM_FIELD_LIST, COM_SET_OPTION, bare commands) and the COM_STATISTICS reply, both ends.
import { decodeKeepingBytes } from '../../base/raw-bytes-text.js';
import { Command, Header } from './constants.js';
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';

/** A command that is its byte alone: COM_PING, COM_QUIT, COM_STATISTICS, COM_RESET_CONNECTION, ... */
export function writeCommand(w: PacketWriter, code: number): void {
  w.begin().u8(code).end();
}

/** A command whose argument is the rest of the packet as text: COM_QUERY, COM_INIT_DB, COM_STMT_PREPARE. */
export function writeTextCommand(w: PacketWriter, code: number, text: string): void {
  w.begin().u8(code).str(text).end();
}

/** The text argument of a command written by writeTextCommand; bytes that are not UTF-8 (binary values in literals) are kept. */
export function parseTextCommand(payload: Buffer): string {
  return decodeKeepingBytes(payload, 1);
}

/** COM_FIELD_LIST: the table NUL-terminated, then an optional LIKE wildcard to the end. */
export function writeFieldList(w: PacketWriter, table: string, wildcard = ''): void {
  w.begin().u8(Command.FIELD_LIST).nulString(table).str(wildcard).end();
}

export function parseFieldList(payload: Buffer): { table: string; wildcard: string } {
  const r = new PayloadReader(payload, 1);
  const table = r.nulString();
  return { table, wildcard: r.restString() };
}

/** COM_SET_OPTION's options. */
export const SetOption = {
  MULTI_STATEMENTS_ON: 0,
  MULTI_STATEMENTS_OFF: 1,
} as const;

export function writeSetOption(w: PacketWriter, option: number): void {
  w.begin().u8(Command.SET_OPTION).u16(option).end();
}

export function parseSetOption(payload: Buffer): number {
  return new PayloadReader(payload, 1).u16();
}

/** COM_PROCESS_KILL (deprecated, still sent by PHP's mysqli::kill): the connection id, 4 bytes. */
export function writeProcessKill(w: PacketWriter, connectionId: number): void {
  w.begin().u8(Command.PROCESS_KILL).u32(connectionId).end();
}

export function parseProcessKill(payload: Buffer): number {
  return new PayloadReader(payload, 1).u32();
}

/** The reply to COM_STATISTICS: human-readable text filling the packet, with no header byte. */
export function writeStatisticsReply(w: PacketWriter, text: string): void {
  w.begin().str(text).end();
}

/** Reads a COM_STATISTICS reply; an ERR in its place is the caller's to recognise first. */
export function parseStatisticsReply(payload: Buffer): string {
  if (payload.length > 0 && payload[0] === Header.ERR) throw new MalformedPacketError('an ERR packet, not statistics');
  return payload.toString('utf8');
}
