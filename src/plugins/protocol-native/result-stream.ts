// The native protocol's row sink: a streaming query's rows go out as ROWS / ROW_CHUNK frames while it runs.
import type { ResultColumn, RowSink } from '../../base/result.js';
import type { Row } from '../../base/value.js';
import { describeColumn } from '../../protocol/mysql/describe-column.js';
import { ROW_FRAME_BYTES_TARGET, ROWS_PER_FRAME_MAX } from '../../protocol/native/constants.js';
import { RowFrameWriter, type NativeColumn } from '../../protocol/native/messages.js';

/** What a row stream needs from its connection. */
export interface RowStreamHost {
  /** The header flags of the session now (transaction state). */
  statusFlags(): number;
  write(bytes: Buffer): void;
  /** While the client is behind: a promise for when it caught up (or is gone); otherwise null. */
  backlog(): Promise<void> | null;
}

/** Result columns as the native wire types them. */
export function nativeColumns(columns: readonly ResultColumn[]): NativeColumn[] {
  return columns.map(describeColumn);
}

/** A result's frames for one request: made when the result begins (streamed) or when a whole result is answered. */
export function rowFrames(host: RowStreamHost, requestId: number, columns: readonly ResultColumn[]): RowFrameWriter {
  return new RowFrameWriter(nativeColumns(columns), requestId, (bytes) => host.write(bytes), ROWS_PER_FRAME_MAX, ROW_FRAME_BYTES_TARGET);
}

/** The sink of one request: rows leave in frames marked MORE; end() writes the last frame after the statement finished. */
export class NativeRowStream implements RowSink {
  private frames: RowFrameWriter | undefined;

  constructor(private readonly host: RowStreamHost, private readonly requestId: number) {}

  /** Whether any frame of the result went out (a failure must then still be reported for this request, after them). */
  get started(): boolean {
    return this.frames !== undefined;
  }

  begin(columns: readonly ResultColumn[]): void {
    this.frames = rowFrames(this.host, this.requestId, columns);
  }

  rows(batch: readonly Row[]): void {
    if (this.frames === undefined) throw new Error('rows streamed before the result head');
    this.frames.rows(batch, this.host.statusFlags());
  }

  backlog(): Promise<void> | null {
    return this.host.backlog();
  }

  /** Sends the rows held, before the ERROR of a statement that failed after rows (KILL QUERY, a time limit). */
  flush(): void {
    this.frames?.flush();
  }

  /** The last frame, with the warning count and the session's flags, once the statement answered 'streamed'. */
  end(warnings: number, flags: number): void {
    if (this.frames === undefined) throw new Error('a streamed result ended before it began');
    this.frames.end([], flags, warnings);
  }
}
