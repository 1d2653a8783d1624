// The native protocol's messages, both directions: each payload written into a frame and read back from one.
import type { Value } from '../../base/value.js';
import type { ColumnTypeName } from '../mysql/column-type-name.js';
import { cellKindOf, COLUMN_TYPES, columnTypeCode, Flag, MessageType, REDIRECT_REASON_NAMES, type CellKind, type RedirectReasonName } from './constants.js';
import { cellPlan, readParam, type CellPlan, readRow, writeParam, writeRow, type NativeCell, type NativeParam } from './cells.js';
import { endFrame, startFrame } from './frame.js';
import { NativeProtocolError, WireReader } from './wire-reader.js';
import { WireWriter } from './wire-writer.js';

/** HELLO: who connects, and to which database. */
export interface Hello {
  user: string;
  password: string;
  database: string | null;
  /** Free text for the server log (library and version). */
  clientName: string;
}

/** SERVER_HELLO: the session is open. */
export interface ServerHello {
  connectionId: number;
  serverVersion: string;
  /** Largest frame the server accepts. */
  frameBytesMax: number;
  /** Requests a client may have in flight on this connection. */
  inFlightMax: number;
}

/** QUERY: exactly one statement, its parameters apart from the text. */
export interface QueryRequest {
  sql: string;
  params: Value[];
}

export interface OkReply {
  rowsAffected: bigint;
  lastInsertId: bigint;
  warnings: number;
  info: string;
}

export interface ErrorReply {
  code: number;
  sqlstate: string;
  message: string;
}

export interface RedirectReply {
  reason: RedirectReasonName;
  host: string;
  port: number;
  message: string;
}

export interface NativeColumn {
  name: string;
  type: ColumnTypeName;
  nullable: boolean;
}

/** A ROWS or ROW_CHUNK frame's content; `warnings` only in the last frame (no MORE flag). */
export interface RowsPart {
  columns?: NativeColumn[];
  rows: NativeCell[][];
  warnings?: number;
}

/** REPLICATE: follow the server's change log after `afterSequence`; `sourceUuid` (empty: any) is the server the position belongs to. */
export interface ReplicateRequest {
  sourceUuid: string;
  afterSequence: bigint;
  /**
   * The origin id (`uuid:sequence`) of the newest transaction the replica's own log holds. A
   * source that is not the replica's current one continues after that transaction, and refuses a
   * replica holding transactions it never had (absent: the replica has no log of its own yet).
   */
  history?: { uuid: string; sequence: bigint };
}

/** CHANGES: committed transactions as the server's change log holds them (encoded mizzle.replication.v1.Transaction messages). */
export interface ChangesFrame {
  serverUuid: string;
  /** The newest sequence the server had committed when it wrote the frame (for lag in transactions). */
  lastSequence: bigint;
  transactions: { sequence: bigint; bytes: Uint8Array }[];
}

function sealed(w: WireWriter, type: number, flags: number, requestId: number, body: (w: WireWriter) => void, shardKey?: Uint8Array): void {
  const at = startFrame(w, type, flags, requestId, shardKey);
  body(w);
  endFrame(w, at);
}

export function writeHello(w: WireWriter, requestId: number, h: Hello): void {
  sealed(w, MessageType.HELLO, 0, requestId, () => {
    w.text(h.user);
    w.text(h.password);
    w.u8(h.database === null ? 0 : 1);
    w.text(h.database ?? '');
    w.text(h.clientName);
  });
}

export function readHello(payload: Buffer): Hello {
  const r = new WireReader(payload);
  const user = r.text();
  const password = r.text();
  const hasDb = r.u8();
  const database = r.text();
  const clientName = r.text();
  r.end();
  return { user, password, database: hasDb === 0 ? null : database, clientName };
}

export function writeServerHello(w: WireWriter, requestId: number, flags: number, h: ServerHello): void {
  sealed(w, MessageType.SERVER_HELLO, flags, requestId, () => {
    w.u32(h.connectionId);
    w.text(h.serverVersion);
    w.u32(h.frameBytesMax);
    w.u16(h.inFlightMax);
  });
}

export function readServerHello(payload: Buffer): ServerHello {
  const r = new WireReader(payload);
  const h = { connectionId: r.u32(), serverVersion: r.text(), frameBytesMax: r.u32(), inFlightMax: r.u16() };
  r.end();
  return h;
}

/** Flags: READ_ONLY and PREPARED (see constants.ts); the shard key travels in the header. */
export function writeQuery(w: WireWriter, requestId: number, flags: number, sql: string, params: readonly NativeParam[] | undefined, shardKey?: Uint8Array): void {
  sealed(w, MessageType.QUERY, flags, requestId, () => {
    w.text(sql);
    const n = params?.length ?? 0;
    if (n > 0xffff) throw new NativeProtocolError(`at most 65535 parameters, not ${n}`);
    w.u16(n);
    for (let i = 0; i < n; i++) writeParam(w, params![i]);
  }, shardKey);
}

export function readQuery(payload: Buffer): QueryRequest {
  const r = new WireReader(payload);
  const sql = r.text();
  const n = r.u16();
  const params = new Array<Value>(n);
  for (let i = 0; i < n; i++) params[i] = readParam(r);
  r.end();
  return { sql, params };
}

export function writeOk(w: WireWriter, requestId: number, flags: number, ok: OkReply): void {
  sealed(w, MessageType.OK, flags, requestId, () => {
    w.u64(ok.rowsAffected);
    w.u64(ok.lastInsertId);
    w.u16(Math.min(ok.warnings, 0xffff));
    w.text(ok.info);
  });
}

export function readOk(payload: Buffer): OkReply {
  const r = new WireReader(payload);
  const ok = { rowsAffected: r.u64(), lastInsertId: r.u64(), warnings: r.u16(), info: r.text() };
  r.end();
  return ok;
}

export function writeError(w: WireWriter, requestId: number, flags: number, e: ErrorReply): void {
  sealed(w, MessageType.ERROR, flags, requestId, () => {
    w.u16(e.code);
    const state = Buffer.from(e.sqlstate.padEnd(5, '0').slice(0, 5), 'latin1');
    for (let i = 0; i < 5; i++) w.u8(state[i]);
    w.text(e.message);
  });
}

export function readError(payload: Buffer): ErrorReply {
  const r = new WireReader(payload);
  const code = r.u16();
  let sqlstate = '';
  for (let i = 0; i < 5; i++) sqlstate += String.fromCharCode(r.u8());
  const message = r.text();
  r.end();
  return { code, sqlstate, message };
}

const REASON_CODES: Readonly<Record<RedirectReasonName, number>> = { 'not-primary': 1, 'shard-moved': 2, 'read-only': 3, draining: 4 };

export function writeRedirect(w: WireWriter, requestId: number, flags: number, r: RedirectReply): void {
  sealed(w, MessageType.REDIRECT, flags, requestId, () => {
    w.u8(REASON_CODES[r.reason]);
    w.text(r.host);
    w.u16(r.port);
    w.text(r.message);
  });
}

export function readRedirect(payload: Buffer): RedirectReply {
  const r = new WireReader(payload);
  const code = r.u8();
  const reason = REDIRECT_REASON_NAMES[code];
  if (reason === undefined) throw new NativeProtocolError(`unknown redirect reason ${code}`);
  const out = { reason, host: r.text(), port: r.u16(), message: r.text() };
  r.end();
  return out;
}

/**
 * Writes one result set as a ROWS frame (the columns and the first rows) followed by
 * ROW_CHUNK frames, each cut after `rowsPerFrame` rows or `frameBytesTarget` payload
 * bytes. Every frame but the last has the MORE flag; the last carries the warning count.
 * A whole result is written with end(rows); a streamed one with rows(batch) as batches
 * arrive and end([]) after the statement finished.
 *
 * Frames are held until about frameBytesTarget bytes are ready (or the end), then go to
 * `out` together: a small result leaves in one write, and end() can turn the held last
 * frame into the final one instead of sending an empty frame after it.
 */
export class RowFrameWriter {
  private readonly plan: CellPlan;
  private headWritten = false;
  private w: WireWriter | undefined;
  /** Offset in `w` of the last frame written (marked MORE), -1 when `w` holds none. */
  private lastAt = -1;

  constructor(
    private readonly columns: readonly NativeColumn[],
    private readonly requestId: number,
    private readonly out: (bytes: Buffer) => void,
    private readonly rowsPerFrame: number,
    private readonly frameBytesTarget: number,
  ) {
    this.plan = cellPlan(columns.map((c) => c.type));
  }

  /** A batch of rows, in frames marked MORE. */
  rows(batch: readonly (readonly Value[])[], flags: number): void {
    if (batch.length > 0) this.emit(batch, flags, -1);
  }

  /** The last frame, with the rest of the rows (none for a streamed result) and the warning count; everything held goes out. */
  end(rest: readonly (readonly Value[])[], flags: number, warnings: number): void {
    const count = Math.max(0, Math.min(warnings, 0xffff));
    if (rest.length === 0 && this.w !== undefined && this.lastAt >= 0) {
      // The held last frame becomes the final one: MORE cleared, the warnings appended.
      this.w.patchU16(this.lastAt + 4, flags);
      this.w.u16(count);
      endFrame(this.w, this.lastAt);
    } else {
      this.emit(rest, flags, count);
    }
    this.flush();
  }

  /** Sends the frames held (all marked MORE unless end() wrote them): before an ERROR that ends a streamed result, so rows produced are not lost. */
  flush(): void {
    if (this.w !== undefined && this.w.pos > 0) this.out(this.w.finish());
    this.w = undefined;
    this.lastAt = -1;
  }

  /** `warnings` < 0: more frames follow. */
  private emit(rows: readonly (readonly Value[])[], flags: number, warnings: number): void {
    let i = 0;
    do {
      const w = (this.w ??= new WireWriter(512));
      const at = startFrame(w, this.headWritten ? MessageType.ROW_CHUNK : MessageType.ROWS, flags, this.requestId);
      if (!this.headWritten) {
        w.u16(this.columns.length);
        for (const c of this.columns) {
          w.text(c.name);
          w.u8(columnTypeCode(c.type));
          w.u8(c.nullable ? 1 : 0);
        }
        this.headWritten = true;
      }
      const countAt = w.pos;
      w.u32(0);
      const start = i;
      const payloadStart = w.pos;
      while (i < rows.length && i - start < this.rowsPerFrame && w.pos - payloadStart < this.frameBytesTarget) writeRow(w, rows[i++], this.plan);
      w.patchU32(countAt, i - start);
      const last = warnings >= 0 && i >= rows.length;
      if (last) w.u16(warnings);
      else w.patchU16(at + 4, flags | Flag.MORE);
      endFrame(w, at);
      this.lastAt = at;
      if (w.pos >= this.frameBytesTarget) this.flush();
    } while (i < rows.length);
  }
}

/** A whole result set as frames (see RowFrameWriter). */
export function writeRows(
  flush: (bytes: Buffer) => void,
  requestId: number,
  flags: number,
  columns: readonly NativeColumn[],
  rows: readonly (readonly Value[])[],
  warnings: number,
  rowsPerFrame: number,
  frameBytesTarget: number,
): void {
  new RowFrameWriter(columns, requestId, flush, rowsPerFrame, frameBytesTarget).end(rows, flags, warnings);
}

/** Reads a ROWS frame (with `columns` unset) or a ROW_CHUNK frame (with the columns the ROWS frame gave). */
export function readRows(payload: Buffer, flags: number, columns?: readonly NativeColumn[]): RowsPart & { columns: NativeColumn[] } {
  const r = new WireReader(payload);
  let cols: NativeColumn[];
  if (columns === undefined) {
    const n = r.u16();
    cols = [];
    for (let i = 0; i < n; i++) {
      const name = r.text();
      const code = r.u8();
      const type = COLUMN_TYPES[code];
      if (type === undefined) throw new NativeProtocolError(`unknown column type code ${code}`);
      cols.push({ name, type, nullable: r.u8() !== 0 });
    }
  } else {
    cols = columns as NativeColumn[];
  }
  const kinds: CellKind[] = cols.map((c) => cellKindOf(c.type));
  const count = r.u32();
  // Each row takes at least its NULL bitmap, or one byte when it has no columns: a count the payload cannot hold is refused before allocating.
  if (count > r.remaining) throw new NativeProtocolError(`a frame claims ${count} rows in ${r.remaining} bytes`);
  const rows: NativeCell[][] = new Array<NativeCell[]>(count);
  for (let i = 0; i < count; i++) rows[i] = readRow(r, kinds);
  const warnings = (flags & Flag.MORE) === 0 ? r.u16() : undefined;
  r.end();
  return { columns: cols, rows, warnings };
}

export function writeReplicate(w: WireWriter, requestId: number, r: ReplicateRequest): void {
  sealed(w, MessageType.REPLICATE, 0, requestId, () => {
    w.text(r.sourceUuid);
    w.u64(r.afterSequence);
    // Appended: an older source reads the first two fields only.
    if (r.history !== undefined) {
      w.text(r.history.uuid);
      w.u64(r.history.sequence);
    }
  });
}

export function readReplicate(payload: Buffer): ReplicateRequest {
  const r = new WireReader(payload);
  const out: ReplicateRequest = { sourceUuid: r.text(), afterSequence: r.u64() };
  if (r.remaining > 0) out.history = { uuid: r.text(), sequence: r.u64() };
  r.end();
  return out;
}

export function writeChanges(w: WireWriter, requestId: number, c: ChangesFrame): void {
  sealed(w, MessageType.CHANGES, Flag.MORE, requestId, () => {
    w.text(c.serverUuid);
    w.u64(c.lastSequence);
    w.u32(c.transactions.length);
    for (const t of c.transactions) {
      w.u64(t.sequence);
      w.bytes(t.bytes);
    }
  });
}

export function readChanges(payload: Buffer): ChangesFrame {
  const r = new WireReader(payload);
  const serverUuid = r.text();
  const lastSequence = r.u64();
  const n = r.u32();
  const transactions: ChangesFrame['transactions'] = [];
  for (let i = 0; i < n; i++) transactions.push({ sequence: r.u64(), bytes: r.bytes() });
  r.end();
  return { serverUuid, lastSequence, transactions };
}
