// A stream's parts handed from whatever produces them (a statement running in-process, a socket being read) to an async reader.
import type { StreamPart } from './transport.js';

/**
 * Parts in order from a producer to one reader. The producer asks backlog() after pushing and
 * waits on the promise it gets while `ahead` parts are unread, so a slow reader holds the
 * producer back instead of letting parts pile up. A failure ends the stream after the parts
 * already pushed, thrown as `asError` makes it.
 */
export class StreamPartQueue {
  private readonly parts: StreamPart[] = [];
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;
  private finished = false;
  private failure: unknown;

  constructor(private readonly asError: (e: unknown) => Error, private readonly ahead = 4) {}

  /** Adds a part; once the stream has ended (its reader gone, or failed) parts are dropped. */
  push(part: StreamPart): void {
    if (this.finished) return;
    this.parts.push(part);
    this.wakeReader?.();
  }

  /** While the reader is `ahead` parts behind: a promise that settles when it has caught up; otherwise null. */
  backlog(): Promise<void> | null {
    if (this.finished || this.parts.length < this.ahead) return null;
    return new Promise((resolve) => {
      this.wakeWriter = resolve;
    });
  }

  get ended(): boolean {
    return this.finished;
  }

  end(failure?: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.failure = failure;
    this.wakeReader?.();
    // A producer waiting on a reader that will never come back is let go.
    this.wakeWriter?.();
  }

  async *read(): AsyncGenerator<StreamPart> {
    for (;;) {
      const part = this.parts.shift();
      if (part !== undefined) {
        if (this.parts.length < this.ahead) this.wakeWriter?.();
        yield part;
        continue;
      }
      if (this.finished) {
        if (this.failure !== undefined) throw this.asError(this.failure);
        return;
      }
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
      this.wakeReader = undefined;
    }
  }
}
