// The native protocol's numbers: magic, version, message types, header flags, redirect reasons, column type codes and default bounds.
import type { ColumnTypeName } from '../mysql/column-type-name.js';

/** 'M' 'Z': the first two bytes of every frame. */
export const MAGIC_0 = 0x4d;
export const MAGIC_1 = 0x5a;
/** The one version this code speaks. */
export const PROTOCOL_VERSION = 1;

/** Bytes of the fixed header before the shard key. */
export const HEADER_BYTES = 16;
/** Longest shard key a header may carry. */
export const SHARD_KEY_BYTES_MAX = 256;
/** The frame size both ends accept unless told otherwise (header, shard key and payload). */
export const DEFAULT_FRAME_BYTES_MAX = 16 * 1024 * 1024;
/** Rows in one ROWS / ROW_CHUNK frame at most, so a big result streams in pieces. */
export const ROWS_PER_FRAME_MAX = 1000;
/** Payload bytes after which a ROWS / ROW_CHUNK frame is cut even before ROWS_PER_FRAME_MAX rows. */
export const ROW_FRAME_BYTES_TARGET = 256 * 1024;

/** Message types: client to server below 0x80, server to client from 0x80. */
export const MessageType = {
  HELLO: 0x01,
  QUERY: 0x02,
  REPLICATE: 0x03,
  SERVER_HELLO: 0x81,
  OK: 0x82,
  ERROR: 0x83,
  ROWS: 0x84,
  ROW_CHUNK: 0x85,
  REDIRECT: 0x86,
  CHANGES: 0x87,
} as const;
export type MessageTypeCode = (typeof MessageType)[keyof typeof MessageType];

/** Header flag bits. The low byte is set by clients, the high byte by the server. */
export const Flag = {
  /** Client: the statement only reads; a read-only server may run it (it still checks). */
  READ_ONLY: 0x0001,
  /** Client: run through a prepared statement even without parameters. */
  PREPARED: 0x0002,
  /** Server: the session has a transaction open after this reply. */
  IN_TRANSACTION: 0x0100,
  /** Server: the session is in autocommit mode. */
  AUTOCOMMIT: 0x0200,
  /** Server: another ROW_CHUNK frame of the same request follows. */
  MORE: 0x0400,
} as const;

/** Transactions in one CHANGES frame at most, and the payload bytes after which a frame is cut (one bigger transaction still goes whole). */
export const CHANGES_PER_FRAME_MAX = 500;
export const CHANGES_FRAME_BYTES_TARGET = 256 * 1024;

/** Why a server sends the client elsewhere. */
export const RedirectReason = {
  NOT_PRIMARY: 1,
  SHARD_MOVED: 2,
  READ_ONLY: 3,
  DRAINING: 4,
} as const;
export type RedirectReasonName = 'not-primary' | 'shard-moved' | 'read-only' | 'draining';
export const REDIRECT_REASON_NAMES: Readonly<Record<number, RedirectReasonName>> = {
  1: 'not-primary',
  2: 'shard-moved',
  3: 'read-only',
  4: 'draining',
};

/** Column type codes: the position in this list is the byte on the wire (append only). */
export const COLUMN_TYPES: readonly ColumnTypeName[] = [
  'null', 'tinyint', 'smallint', 'mediumint', 'int', 'bigint', 'decimal', 'float', 'double',
  'char', 'varchar', 'text', 'enum', 'set', 'json', 'binary', 'varbinary', 'blob', 'bit',
  'date', 'datetime', 'timestamp', 'time', 'year',
];

const TYPE_CODES: ReadonlyMap<ColumnTypeName, number> = new Map(COLUMN_TYPES.map((t, i) => [t, i]));

export function columnTypeCode(t: ColumnTypeName): number {
  const c = TYPE_CODES.get(t);
  if (c === undefined) throw new Error(`no native type code for ${t}`);
  return c;
}

/** How a cell of each type is written: see docs/protocol.md, "Cells". */
export type CellKind = 'integer' | 'double' | 'bytes' | 'text';

export function cellKindOf(t: ColumnTypeName): CellKind {
  switch (t) {
    case 'tinyint':
    case 'smallint':
    case 'mediumint':
    case 'int':
    case 'bigint':
    case 'year':
      return 'integer';
    case 'float':
    case 'double':
      return 'double';
    case 'binary':
    case 'varbinary':
    case 'blob':
    case 'bit':
      return 'bytes';
    default:
      return 'text';
  }
}
