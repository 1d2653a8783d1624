// The progress line of a long import on stderr (statements, statements/s, bytes read, elapsed), shown only when stderr is a terminal.

export interface ProgressOptions {
  /** The input's size when known (a file on stdin), for a percentage. */
  totalBytes?: number;
  /** Milliseconds, monotonic; injectable for tests. */
  now?: () => number;
  intervalMs?: number;
}

function megabytes(n: number): string {
  return `${(n / 1_048_576).toFixed(1)} MB`;
}

export class Progress {
  private statements = 0;
  private bytes = 0;
  private readonly started: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private shown = false;

  constructor(private readonly tty: { write(s: string): boolean }, private readonly o: ProgressOptions = {}) {
    this.now = o.now ?? (() => performance.now());
    this.started = this.now();
  }

  start(): void {
    this.timer = setInterval(() => this.render(), this.o.intervalMs ?? 250);
    this.timer.unref();
  }

  read(bytes: number): void {
    this.bytes += bytes;
  }

  statement(): void {
    this.statements++;
  }

  /** The line as it is shown now. */
  line(): string {
    const s = (this.now() - this.started) / 1000;
    const rate = s > 0 ? Math.round(this.statements / s) : 0;
    const total = this.o.totalBytes;
    const read = total ? `${megabytes(this.bytes)} of ${megabytes(total)} (${Math.floor((100 * this.bytes) / total)}%)` : `${megabytes(this.bytes)} read`;
    return `${this.statements.toLocaleString('en-US')} statements (${rate.toLocaleString('en-US')}/s), ${read}, ${s.toFixed(1)} s`;
  }

  private render(): void {
    this.shown = true;
    this.tty.write(`\r\x1b[K${this.line()}`);
  }

  /** Hides the line (before an error is printed, and at the end). */
  clear(): void {
    if (this.shown) this.tty.write('\r\x1b[K');
    this.shown = false;
  }

  stop(): void {
    clearInterval(this.timer);
    this.clear();
  }
}
