// An append-only file of JSON lines that never keeps a torn last line: what kill -9 cut mid-write is cut off when it is opened again.
import { closeSync, existsSync, fstatSync, openSync, readSync, ftruncateSync, fsyncSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

/** Bytes read backwards at a time while looking for the last newline of a torn file. */
const TAIL_CHUNK = 64 * 1024;

/**
 * Cuts `path` back to its last complete line (one ending in '\n'); returns the bytes removed.
 * A line is only ever acknowledged after it was written whole and synced, so what this removes was
 * never acknowledged and comes again.
 */
export function cutTornTail(path: string): number {
  if (!existsSync(path)) return 0;
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    let end = size;
    const buf = Buffer.allocUnsafe(TAIL_CHUNK);
    while (end > 0) {
      const start = Math.max(0, end - TAIL_CHUNK);
      const n = readSync(fd, buf, 0, end - start, start);
      const nl = buf.subarray(0, n).lastIndexOf(0x0a);
      if (nl >= 0) {
        end = start + nl + 1;
        break;
      }
      end = start;
    }
    if (end === size) return 0;
    ftruncateSync(fd, end);
    fsyncSync(fd);
    return size - end;
  } finally {
    closeSync(fd);
  }
}

/** The file a batch of lines is appended to and synced, reopened on request (after logrotate moved it). */
export class NdjsonFile {
  private handle: FileHandle | undefined;
  private reopenWanted = false;

  constructor(readonly path: string, private readonly sync: boolean) {}

  /** Appends the lines (each without its newline) in one write, then syncs to disk when `sync`. */
  async append(lines: readonly string[]): Promise<void> {
    if (this.reopenWanted) await this.closeHandle();
    if (this.handle === undefined) {
      cutTornTail(this.path);
      this.handle = await open(this.path, 'a');
    }
    this.reopenWanted = false;
    const text = lines.join('\n') + '\n';
    try {
      await this.handle.write(text);
      if (this.sync) await this.handle.sync();
    } catch (e) {
      // A failed write may have left part of the batch: the next attempt reopens and cuts it off first.
      await this.closeHandle();
      throw e;
    }
  }

  /** SIGHUP: the next batch goes to a file opened anew at the path. */
  reopen(): void {
    this.reopenWanted = true;
  }

  async close(): Promise<void> {
    await this.closeHandle();
  }

  private async closeHandle(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    await h?.close().catch(() => undefined);
  }
}
