// Reads fields of one packet payload: fixed and length-encoded integers, strings; bounds-checked.
import { ByteReader } from '../../base/byte-reader.js';

/** Thrown when a payload ends early or holds an impossible value. */
export class MalformedPacketError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedPacketError';
  }
}

/** A cursor over one payload. Methods throw MalformedPacketError instead of reading past the end. */
export class PayloadReader extends ByteReader {
  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  protected tooShort(n: number): Error {
    return new MalformedPacketError(`packet too short: needed ${n} more bytes at offset ${this.pos}`);
  }

  u24(): number {
    this.need(3);
    const b = this.buf;
    const p = this.pos;
    this.pos += 3;
    return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /**
   * A length-encoded integer as a number. Returns null for the 0xFB NULL marker;
   * 8-byte values beyond 2^53 are rejected (no length or count can be that big).
   */
  lenencInt(): number | null {
    const first = this.u8();
    if (first < 0xfb) return first;
    switch (first) {
      case 0xfb:
        return null;
      case 0xfc:
        return this.u16();
      case 0xfd:
        return this.u24();
      case 0xfe: {
        this.need(8);
        const lo = this.buf.readUInt32LE(this.pos);
        const hi = this.buf.readUInt32LE(this.pos + 4);
        this.pos += 8;
        if (hi > 0x1fffff) throw new MalformedPacketError('length-encoded integer out of range');
        return hi * 0x100000000 + lo;
      }
      default:
        throw new MalformedPacketError(`invalid length-encoded integer prefix 0x${first.toString(16)}`);
    }
  }

  /** Bytes up to (not including) the next NUL; the NUL is consumed. A missing NUL is malformed. */
  nulBytes(): Buffer {
    const end = this.buf.indexOf(0, this.pos);
    if (end < 0) throw new MalformedPacketError('unterminated string');
    const out = this.buf.subarray(this.pos, end);
    this.pos = end + 1;
    return out;
  }

  /** A NUL-terminated string; at the very end of the payload a missing NUL is tolerated (old clients). */
  nulString(encoding: BufferEncoding = 'utf8'): string {
    const end = this.buf.indexOf(0, this.pos);
    const stop = end < 0 ? this.buf.length : end;
    const s = this.buf.toString(encoding, this.pos, stop);
    this.pos = end < 0 ? stop : end + 1;
    return s;
  }

  bytes(n: number): Buffer {
    this.need(n);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Length-encoded bytes; null for the NULL marker. */
  lenencBytes(): Buffer | null {
    const n = this.lenencInt();
    return n === null ? null : this.bytes(n);
  }

  lenencString(encoding: BufferEncoding = 'utf8'): string | null {
    const n = this.lenencInt();
    if (n === null) return null;
    this.need(n);
    const s = this.buf.toString(encoding, this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** The rest of the payload. */
  restBytes(): Buffer {
    const out = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return out;
  }

  restString(encoding: BufferEncoding = 'utf8'): string {
    const s = this.buf.toString(encoding, this.pos);
    this.pos = this.buf.length;
    return s;
  }
}
