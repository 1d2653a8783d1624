// The audit log file's one writer: chains lines as it writes them, flushes within a bounded delay, survives write errors, reopens on SIGHUP.
import { closeSync, fstatSync, openSync, readSync, write } from 'node:fs';
import { chainedLine, chainFields, GENESIS_HASH, lineHash, REOPEN_EVENT, START_EVENT } from './chain-format.js';

/** Events are written at most this long after they happened. */
export const FLUSH_DELAY_MS = 50;
/** After a write error, the next attempt comes this much later. */
const RETRY_DELAY_MS = 1000;
/** The end of the file read on start to find the last line (lines are shorter: statement text is cut at 64 Ki characters). */
const TAIL_BYTES = 1024 * 1024;
/** Write errors are reported to the error log at most this often. */
const ERROR_REPORT_MS = 10_000;

export interface AuditWriterOptions {
  /** Events waiting for the disk, at most this many bytes; more are dropped, counted, and the gap is recorded in the file. */
  bufferBytes: number;
  onError: (msg: string, fields: Record<string, unknown>) => void;
  onInfo: (msg: string, fields: Record<string, unknown>) => void;
}

/** Where the chain stands: the last line's sequence number and hash. */
interface ChainHead {
  seq: number;
  hash: string;
}

/** Reads the last line of an existing file (its tail only): where the chain continues, and whether the file ends mid-line. */
function readHead(fd: number): { head: ChainHead; damaged: boolean } | undefined {
  const size = fstatSync(fd).size;
  if (size === 0) return undefined;
  const length = Math.min(size, TAIL_BYTES);
  const buf = Buffer.alloc(length);
  readSync(fd, buf, 0, length, size - length);
  const damaged = buf[length - 1] !== 0x0a;
  const end = damaged ? length : length - 1;
  const start = buf.lastIndexOf(0x0a, end - 1) + 1;
  if (start === 0 && length < size) throw new Error(`its last line is longer than ${TAIL_BYTES} bytes`);
  const last = buf.subarray(start, end);
  const fields = chainFields(last.toString('utf8'));
  if (typeof fields === 'string') {
    // A crash in the middle of a write: the chain goes on from the damaged line's bytes, and verification will name it.
    return { head: { seq: 0, hash: lineHash(last) }, damaged: true };
  }
  return { head: { seq: fields.seq, hash: lineHash(last) }, damaged };
}

export class AuditWriter {
  private fd: number;
  private head: ChainHead;
  /** Event bodies (JSON objects' text) not yet chained; chained as they are written, so a dropped one leaves no hole. */
  private pending: string[] = [];
  private pendingBytes = 0;
  /** Chained text whose write failed or was cut short: written first, from `outOffset`. */
  private out: Buffer | undefined;
  private outOffset = 0;
  private lost = 0;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private reopenRequested = false;
  private closed = false;
  private lastErrorReport = 0;
  /** Lines written (for status). */
  written = 0;

  /** Opens the file and finds where its chain stands (a path the server cannot write is a startup error, thrown as is). */
  constructor(readonly path: string, private readonly opts: AuditWriterOptions) {
    this.fd = openSync(path, 'a+', 0o640);
    const found = readHead(this.fd);
    this.head = found?.head ?? { seq: 0, hash: GENESIS_HASH };
    if (found?.damaged) {
      opts.onError('the audit log ends in a damaged line (a crash mid-write?); the chain goes on after it and verification will name it', { path });
      this.out = Buffer.from('\n');
    }
    this.enqueue(JSON.stringify({ time: new Date().toISOString(), event: START_EVENT, pid: process.pid, continues: found !== undefined }));
  }

  /** Queues one event (a JSON object's text); never blocks. */
  append(body: string): void {
    if (this.closed) return;
    this.enqueue(body);
  }

  private enqueue(body: string): void {
    if (this.pendingBytes + body.length > this.opts.bufferBytes) {
      this.lost++;
      this.reportError('audit events dropped: the buffer is full (the disk is slow or failing)', undefined);
      return;
    }
    this.pending.push(body);
    this.pendingBytes += body.length;
    this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  /** Closes and reopens the file by its path (logrotate moved it): the new file's first line links to the old file's last. */
  reopen(): Promise<void> {
    this.reopenRequested = true;
    return this.flushNow();
  }

  /** Writes everything queued now. */
  async flushNow(): Promise<void> {
    while (this.writing) await this.writing;
    this.flush();
    while (this.writing) await this.writing;
  }

  /** Writes what is queued, then closes the file; later events are ignored. */
  async close(): Promise<void> {
    await this.flushNow();
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.writing) {
      this.timer = setTimeout(() => this.flush(), FLUSH_DELAY_MS);
      return;
    }
    this.writing = this.writeAll().finally(() => {
      this.writing = undefined;
    });
  }

  private async writeAll(): Promise<void> {
    try {
      if (this.out) await this.writeOut();
      if (this.reopenRequested) this.reopenFile();
      if (this.pending.length === 0 && this.lost === 0) return;
      this.out = Buffer.from(this.chain(), 'utf8');
      this.outOffset = 0;
      await this.writeOut();
    } catch (e) {
      this.reportError('the audit log cannot be written; events are kept in memory (up to buffer_bytes) and retried', e);
      this.timer ??= setTimeout(() => this.flush(), RETRY_DELAY_MS);
    }
  }

  /** Chains the pending events into lines: seq and prev assigned here, in the order they came. */
  private chain(): string {
    const bodies = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    if (this.lost > 0) {
      bodies.unshift(JSON.stringify({ time: new Date().toISOString(), event: 'audit-events-lost', count: this.lost }));
      this.lost = 0;
    }
    let text = '';
    for (const body of bodies) {
      const line = chainedLine(this.head.seq + 1, this.head.hash, body);
      this.head = { seq: this.head.seq + 1, hash: lineHash(line) };
      text += line + '\n';
    }
    this.written += bodies.length;
    return text;
  }

  private async writeOut(): Promise<void> {
    const buf = this.out as Buffer;
    while (this.outOffset < buf.length) {
      this.outOffset += await new Promise<number>((resolve, reject) => {
        write(this.fd, buf, this.outOffset, buf.length - this.outOffset, null, (err, n) => (err ? reject(err) : resolve(n)));
      });
    }
    this.out = undefined;
    this.outOffset = 0;
  }

  private reopenFile(): void {
    this.reopenRequested = false;
    const fd = openSync(this.path, 'a', 0o640);
    const fresh = fstatSync(fd).size === 0;
    closeSync(this.fd);
    this.fd = fd;
    this.pending.unshift(JSON.stringify({ time: new Date().toISOString(), event: REOPEN_EVENT, new_file: fresh, continues_from: this.head.hash }));
    this.opts.onInfo('audit log reopened', { path: this.path, new_file: fresh });
  }

  private reportError(msg: string, e: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorReport < ERROR_REPORT_MS) return;
    this.lastErrorReport = now;
    this.opts.onError(msg, { path: this.path, error: e instanceof Error ? e.message : e === undefined ? undefined : String(e) });
  }
}
