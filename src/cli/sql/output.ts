// Buffered output for results: small writes gather into large ones, and a slow reader (a pipe into less) holds the rows back instead of memory.
import { once } from 'node:events';

/** Bytes gathered before they are written: large enough that a write per row is not paid, small enough to stream. */
const FLUSH_CHARS = 64 * 1024;

export class Output {
  private parts: string[] = [];
  private size = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  /** Adds `text`; returns a promise to await only when the buffer was written and the stream must drain. */
  write(text: string): Promise<void> | undefined {
    if (text === '') return undefined;
    this.parts.push(text);
    this.size += text.length;
    return this.size >= FLUSH_CHARS ? this.flush() : undefined;
  }

  async flush(): Promise<void> {
    if (this.size === 0) return;
    const text = this.parts.length === 1 ? this.parts[0]! : this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }
}
