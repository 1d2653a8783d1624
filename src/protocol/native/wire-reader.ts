// Reads little-endian fields of one native payload, bounds-checked: a short or impossible field is a NativeProtocolError.
import { ByteReader } from '../../base/byte-reader.js';

/** A frame or payload that breaks the native protocol (what the peer sent cannot be read). */
export class NativeProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeProtocolError';
  }
}

export class WireReader extends ByteReader {
  protected tooShort(n: number): Error {
    return new NativeProtocolError(`payload too short: ${n} more bytes needed at offset ${this.pos}`);
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  /** u32 length, then that many bytes (a view into the payload). */
  bytes(): Buffer {
    const n = this.u32();
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  text(): string {
    const n = this.u32();
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** Fails unless the whole payload was read: trailing bytes mean the two ends disagree. */
  end(): void {
    if (this.pos !== this.buf.length) throw new NativeProtocolError(`${this.buf.length - this.pos} unexpected bytes at the end of the payload`);
  }
}
