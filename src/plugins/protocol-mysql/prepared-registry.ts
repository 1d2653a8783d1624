// A connection's prepared statements: remembered parameter types, long data, result plans and open cursors.
import { SqlError, sqlError } from '../../base/errors.js';
import type { KernelSession, PreparedStatementInfo } from '../../kernel/plugin.js';
import type { ResultColumn } from '../../base/result.js';
import { LAST_PREPARED_STATEMENT, binaryRowPlan, planFits, type BinaryRowPlan } from '../../protocol/mysql/index.js';
import type { Row } from '../../base/value.js';

/** A result kept for COM_STMT_FETCH (rows already materialized by the kernel; only a reference is held). */
export interface OpenCursor {
  columns: readonly ResultColumn[];
  rows: readonly Row[];
  plan: BinaryRowPlan;
  next: number;
}

/** Per-statement protocol state; the statement itself lives in the kernel session. */
export class PreparedStatement {
  /** Types of the last execute that sent them (2 bytes per parameter), reused when an execute sends none. */
  types: Uint8Array | null = null;
  /** COM_STMT_SEND_LONG_DATA chunks per parameter, until the next execute or reset. */
  private longChunks: (Buffer[] | undefined)[] | null = null;
  private longBytes: number[] | null = null;
  /** An error found while receiving long data, reported by the next execute (MySQL's behaviour). */
  longDataError: SqlError | null = null;
  /** Row encoders of the last result layout. */
  private plan: BinaryRowPlan | null = null;
  cursor: OpenCursor | null = null;

  constructor(readonly id: number, readonly paramCount: number, readonly columns: readonly ResultColumn[]) {}

  /** Appends a long-data chunk, refusing to hold more than `maxBytes` for one parameter. */
  addLongData(param: number, data: Buffer, maxBytes: number): void {
    if (this.longDataError) return;
    if (param >= this.paramCount) {
      this.longDataError = sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to mysqld_stmt_send_long_data');
      this.clearLongData(false);
      return;
    }
    this.longChunks ??= new Array<Buffer[] | undefined>(this.paramCount);
    this.longBytes ??= new Array<number>(this.paramCount).fill(0);
    const total = this.longBytes[param] + data.length;
    if (total > maxBytes) {
      this.longDataError = sqlError(
        'NET_PACKET_TOO_LARGE',
        "Parameter of prepared statement which is set through mysql_send_long_data() is longer than 'max_allowed_packet' bytes",
      );
      this.clearLongData(false);
      return;
    }
    this.longBytes[param] = total;
    (this.longChunks[param] ??= []).push(Buffer.from(data));
  }

  /** The long data per parameter, joined; null when none was sent. */
  longData(): (Buffer | undefined)[] | null {
    const chunks = this.longChunks;
    if (chunks === null) return null;
    const out = new Array<Buffer | undefined>(this.paramCount);
    for (let i = 0; i < this.paramCount; i++) {
      const c = chunks[i];
      if (c !== undefined) out[i] = c.length === 1 ? c[0] : Buffer.concat(c);
    }
    return out;
  }

  clearLongData(clearError = true): void {
    this.longChunks = null;
    this.longBytes = null;
    if (clearError) this.longDataError = null;
  }

  /** The row plan for a result with these columns, reusing the previous one when the layout is unchanged. */
  planFor(columns: readonly ResultColumn[]): BinaryRowPlan {
    const p = this.plan;
    if (p !== null && planFits(p, columns)) return p;
    const fresh = binaryRowPlan(columns);
    this.plan = fresh;
    return fresh;
  }
}

/** The statements of one connection, by id. The kernel bounds their number (max_prepared_stmt_count). */
export class PreparedRegistry {
  private readonly byId = new Map<number, PreparedStatement>();
  /** The id COM_STMT_EXECUTE's MariaDB id -1 stands for; 0 after a failed prepare. */
  private last = 0;

  get size(): number {
    return this.byId.size;
  }

  add(info: PreparedStatementInfo): PreparedStatement {
    const s = new PreparedStatement(info.id, info.paramCount, info.columns);
    this.byId.set(info.id, s);
    this.last = info.id;
    return s;
  }

  prepareFailed(): void {
    this.last = 0;
  }

  /** The statement, or 1243 naming the command (e.g. 'mysqld_stmt_execute'). */
  get(id: number, command: string): PreparedStatement {
    const key = id === LAST_PREPARED_STATEMENT ? this.last : id;
    const s = this.byId.get(key);
    if (!s) throw sqlError('UNKNOWN_STMT_HANDLER', `Unknown prepared statement handler (${id}) given to ${command}`);
    return s;
  }

  find(id: number): PreparedStatement | undefined {
    return this.byId.get(id === LAST_PREPARED_STATEMENT ? this.last : id);
  }

  remove(id: number, session: KernelSession | null): void {
    const key = id === LAST_PREPARED_STATEMENT ? this.last : id;
    if (!this.byId.delete(key)) return;
    session?.closePrepared(key);
  }

  /** Forgets every statement, closing each in the session when one is given (disconnect, reset, change user). */
  clear(session: KernelSession | null): void {
    if (session) for (const id of this.byId.keys()) session.closePrepared(id);
    this.byId.clear();
    this.last = 0;
  }
}
