// An append-only log file written in the background: a bounded in-memory buffer, rotation by size, reopen on demand.
import { close, closeSync, fstat, fstatSync, open, openSync, rename, write } from 'node:fs';
import { promisify } from 'node:util';
import { DropCounter } from '../shared/statement-record.js';

const openAsync = promisify(open);
const closeAsync = promisify(close);
const fstatAsync = promisify(fstat);
const renameAsync = promisify(rename);
const writeAsync = (fd: number, buf: Buffer) => new Promise<number>((resolve, reject) => write(fd, buf, 0, buf.length, null, (err, n) => (err ? reject(err) : resolve(n))));

/** How many bytes one write system call takes at most; larger backlogs go in several writes. */
const WRITE_CHUNK_BYTES = 1 << 20;

export interface AppendLogOptions {
  /** Rotate before the file would grow past this many bytes (0: never). */
  maxSizeBytes: number;
  /** Rotated files kept: path.1 (newest) ... path.N. 0 starts the file afresh instead. */
  keep: number;
  /** Lines waiting to be written, at most this many bytes; more are dropped and counted. */
  bufferBytes: number;
  /** Told about write errors (rate-limited by the caller's logger use) and drops. */
  onError: (msg: string, fields: Record<string, unknown>) => void;
}

export class AppendLog {
  private pending: string[] = [];
  private pendingBytes = 0;
  private fd: number | undefined;
  private size = 0;
  private working: Promise<void> | undefined;
  private reopenRequested = false;
  private closed = false;
  private lastErrorReport = 0;
  /** After a failed open, lines are dropped without trying again until then. */
  private retryOpenAt = 0;
  readonly drops: DropCounter;
  /** Lines written so far (for tests and status). */
  written = 0;

  /** Opens the file at once, so a path the server cannot write is a startup error (thrown as is). */
  constructor(readonly path: string, private readonly opts: AppendLogOptions) {
    this.fd = openSync(path, 'a', 0o640);
    this.size = fstatSync(this.fd).size;
    this.drops = new DropCounter((dropped, total) => opts.onError('log lines dropped (buffer full or file not writable)', { path, dropped, total }));
  }

  /** Queues one line (without its newline); never blocks, drops when the buffer is full. */
  append(line: string): void {
    if (this.closed) return;
    const text = line + '\n';
    const bytes = Buffer.byteLength(text);
    if (this.pendingBytes + bytes > this.opts.bufferBytes) {
      this.drops.drop();
      return;
    }
    this.pending.push(text);
    this.pendingBytes += bytes;
    this.kick();
  }

  /** Closes and reopens the file by its path (after logrotate renamed it); takes effect before the next write. */
  reopen(): Promise<void> {
    this.reopenRequested = true;
    this.retryOpenAt = 0;
    this.kick();
    return this.idle();
  }

  /** Resolves when everything queued so far is written (or dropped). */
  async idle(): Promise<void> {
    while (this.working) await this.working;
  }

  /** Writes what is queued, then closes the file. Later lines are ignored. */
  async close(): Promise<void> {
    await this.idle();
    this.closed = true;
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      closeSync(fd);
    }
  }

  private kick(): void {
    if (this.working) return;
    this.working = this.drain()
      .catch((e: unknown) => this.reportError('log file writer failed', e))
      .finally(() => {
        this.working = undefined;
        if ((this.pending.length > 0 && this.fd !== undefined) || this.reopenRequested) this.kick();
      });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.reopenRequested) {
        this.reopenRequested = false;
        await this.closeFile();
        await this.openFile();
      }
      if (this.pending.length === 0) return;
      if (this.fd === undefined) await this.openFile();
      if (this.fd === undefined) {
        // Not writable right now: drop the backlog rather than grow; the next line tries again.
        this.drops.drop(this.pending.length);
        this.pending = [];
        this.pendingBytes = 0;
        return;
      }
      const max = this.opts.maxSizeBytes;
      const room = max > 0 ? max - this.size : Infinity;
      let take = 0;
      let bytes = 0;
      while (take < this.pending.length) {
        const b = Buffer.byteLength(this.pending[take]!);
        // A line longer than the whole limit goes alone into a fresh file.
        if (bytes + b > room && !(take === 0 && this.size === 0)) break;
        if (bytes + b > WRITE_CHUNK_BYTES && take > 0) break;
        bytes += b;
        take++;
      }
      if (take === 0) {
        await this.rotate();
        continue;
      }
      const lines = this.pending.splice(0, take);
      this.pendingBytes -= bytes;
      try {
        await writeAsync(this.fd, Buffer.from(lines.join('')));
        this.size += bytes;
        this.written += take;
      } catch (e) {
        this.drops.drop(take);
        this.reportError('cannot write the log file', e);
        await this.closeFile();
      }
    }
  }

  /** path → path.1 → path.2 ... → path.keep (the oldest is overwritten), then a new empty path. */
  private async rotate(): Promise<void> {
    await this.closeFile();
    const { keep } = this.opts;
    try {
      for (let i = keep - 1; i >= 1; i--) {
        await renameAsync(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
        });
      }
      if (keep > 0) await renameAsync(this.path, `${this.path}.1`);
    } catch (e) {
      this.reportError('cannot rotate the log file', e);
      await this.openFile('a');
      // Keep appending and try again after another max_size_bytes, rather than retrying in a loop.
      this.size = 0;
      return;
    }
    await this.openFile(keep === 0 ? 'w' : 'a');
  }

  private async openFile(flags = 'a'): Promise<void> {
    if (Date.now() < this.retryOpenAt) return;
    try {
      this.fd = await openAsync(this.path, flags, 0o640);
      this.size = (await fstatAsync(this.fd)).size;
    } catch (e) {
      this.fd = undefined;
      this.retryOpenAt = Date.now() + 1000;
      this.reportError('cannot open the log file', e);
    }
  }

  private async closeFile(): Promise<void> {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    await closeAsync(fd).catch(() => undefined);
  }

  /** At most one error line every 10 s: a full disk must not flood the error log. */
  private reportError(msg: string, e: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorReport < 10_000) return;
    this.lastErrorReport = now;
    this.opts.onError(msg, { path: this.path, error: e instanceof Error ? e.message : String(e) });
  }
}
