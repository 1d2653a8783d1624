// A bounds-checked cursor over the little-endian fields of one buffer: what each wire protocol's reader builds on.

/**
 * Reads fixed-size fields and moves on. A field that would run past the end throws the error
 * the protocol names for it (`tooShort`), never reads beyond the buffer.
 */
export abstract class ByteReader {
  pos: number;

  constructor(readonly buf: Buffer, start = 0) {
    this.pos = start;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  /** The protocol's error for a field of `n` bytes that the buffer no longer holds at `pos`. */
  protected abstract tooShort(n: number): Error;

  protected need(n: number): void {
    if (this.pos + n > this.buf.length) throw this.tooShort(n);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.buf[this.pos] | (this.buf[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
}
