// Packets of the prepared-statement commands, both ends: COM_STMT_PREPARE_OK with its definitions, and the COM_STMT_* requests.
import type { ResultColumn } from '../../base/result.js';
import { PARAM_UNSIGNED, writeBinaryParam, type BinaryParam } from './binary-params.js';
import { columnWire, writeColumnDefinition } from './column-definition.js';
import { Collation, ColumnFlag, Command, FieldType } from './constants.js';
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';
import { writeEof } from './responses.js';

/** COM_STMT_EXECUTE flags (cursor type). */
export const CursorType = {
  NO_CURSOR: 0x00,
  READ_ONLY: 0x01,
  FOR_UPDATE: 0x02,
  SCROLLABLE: 0x04,
  /** With CLIENT_QUERY_ATTRIBUTES: a parameter count follows the iteration count. */
  PARAMETER_COUNT_AVAILABLE: 0x08,
} as const;

/** MariaDB's statement id meaning "the statement prepared last on this connection". */
export const LAST_PREPARED_STATEMENT = 0xffffffff;

export interface PrepareOkFields {
  statementId: number;
  params: number;
  columns: readonly ResultColumn[];
  warnings: number;
  deprecateEof: boolean;
  textCharset: number;
  /** Status for the EOF packets after each definition group (without DEPRECATE_EOF). */
  status: number;
}

/**
 * COM_STMT_PREPARE_OK, then one definition per parameter (named '?', VAR_STRING,
 * binary, as MySQL describes parameters of unknown type) and one per result
 * column; each non-empty group ends with an EOF unless DEPRECATE_EOF.
 */
export function writePrepareOk(w: PacketWriter, f: PrepareOkFields): void {
  w.begin().u8(0).u32(f.statementId).u16(f.columns.length).u16(f.params).u8(0).u16(Math.min(f.warnings, 0xffff)).end();
  if (f.params > 0) {
    for (let i = 0; i < f.params; i++) writeParamDefinition(w);
    if (!f.deprecateEof) writeEof(w, 0, f.status);
  }
  if (f.columns.length > 0) {
    for (const c of f.columns) writeColumnDefinition(w, c, columnWire(c, f.textCharset));
    if (!f.deprecateEof) writeEof(w, 0, f.status);
  }
}

/** The head of COM_STMT_PREPARE_OK as the client end reads it; the definitions follow in their own packets. */
export interface PrepareOkHead {
  statementId: number;
  columnCount: number;
  paramCount: number;
  warnings: number;
}

export function parsePrepareOk(payload: Buffer): PrepareOkHead {
  const r = new PayloadReader(payload);
  if (r.u8() !== 0) throw new MalformedPacketError('not a COM_STMT_PREPARE_OK');
  const statementId = r.u32();
  const columnCount = r.u16();
  const paramCount = r.u16();
  r.skip(1);
  // The warning count is absent from the shortest form (servers before 4.1 sent 9 bytes).
  const warnings = r.remaining >= 2 ? r.u16() : 0;
  return { statementId, columnCount, paramCount, warnings };
}

/** The ColumnDefinition41 of one `?` placeholder. */
export function writeParamDefinition(w: PacketWriter): void {
  w.begin()
    .lenencString('def')
    .u8(0) // schema
    .u8(0) // table
    .u8(0) // org_table
    .lenencString('?')
    .u8(0) // org_name
    .u8(0x0c)
    .u16(Collation.BINARY)
    .u32(0)
    .u8(FieldType.VAR_STRING)
    .u16(ColumnFlag.BINARY)
    .u8(0)
    .u16(0)
    .end();
}

/** The fixed head of COM_STMT_EXECUTE; `reader` is left at the parameter block. */
export interface ExecuteHead {
  statementId: number;
  flags: number;
  reader: PayloadReader;
}

/** What the client end sends in a COM_STMT_EXECUTE. */
export interface ExecuteRequest {
  statementId: number;
  /** CursorType bits; 0 (no cursor) when absent. */
  flags?: number;
  params: readonly BinaryParam[];
  /** Send the parameter types (new-params-bound 1); false relies on the types of an earlier execute. Default true. */
  sendTypes?: boolean;
}

/**
 * COM_STMT_EXECUTE: id, flags, iteration count 1, then (with parameters) the NULL
 * bitmap, new-params-bound, the types when sent, and each value that is neither
 * NULL nor sent ahead as long data.
 */
export function writeExecute(w: PacketWriter, req: ExecuteRequest): void {
  const params = req.params;
  const n = params.length;
  w.begin().u8(Command.STMT_EXECUTE).u32(req.statementId).u8(req.flags ?? CursorType.NO_CURSOR).u32(1);
  if (n > 0) {
    const bitmapAt = w.length;
    w.zeros((n + 7) >> 3);
    for (let i = 0; i < n; i++) {
      if (params[i].value === null && !params[i].longData) w.orByte(bitmapAt + (i >> 3), 1 << (i & 7));
    }
    const sendTypes = req.sendTypes ?? true;
    w.u8(sendTypes ? 1 : 0);
    if (sendTypes) for (const p of params) w.u8(p.type).u8(p.unsigned ? PARAM_UNSIGNED : 0);
    for (const p of params) if (p.value !== null && !p.longData) writeBinaryParam(w, p.type, p.value);
  }
  w.end();
}

export function parseExecuteHead(payload: Buffer): ExecuteHead {
  const reader = new PayloadReader(payload, 1);
  const statementId = reader.u32();
  const flags = reader.u8();
  reader.u32(); // iteration count, always 1
  return { statementId, flags, reader };
}

/** COM_STMT_SEND_LONG_DATA: statement id, parameter index, a chunk of the value. */
export function writeSendLongData(w: PacketWriter, statementId: number, param: number, data: Buffer): void {
  w.begin().u8(Command.STMT_SEND_LONG_DATA).u32(statementId).u16(param).bytes(data).end();
}

export function parseSendLongData(payload: Buffer): { statementId: number; param: number; data: Buffer } {
  const r = new PayloadReader(payload, 1);
  const statementId = r.u32();
  const param = r.u16();
  return { statementId, param, data: r.restBytes() };
}

/** COM_STMT_FETCH: statement id and how many rows to send. */
export function writeFetch(w: PacketWriter, statementId: number, rows: number): void {
  w.begin().u8(Command.STMT_FETCH).u32(statementId).u32(rows).end();
}

export function parseFetch(payload: Buffer): { statementId: number; rows: number } {
  const r = new PayloadReader(payload, 1);
  const statementId = r.u32();
  return { statementId, rows: r.u32() };
}

/** COM_STMT_CLOSE and COM_STMT_RESET carry just the statement id. */
export function writeStatementCommand(w: PacketWriter, code: number, statementId: number): void {
  w.begin().u8(code).u32(statementId).end();
}

export function parseStatementId(payload: Buffer): number {
  return new PayloadReader(payload, 1).u32();
}
