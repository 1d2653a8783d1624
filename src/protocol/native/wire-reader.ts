// Reads little-endian fields of one native payload, bounds-checked: a short or impossible field is a NativeProtocolError.

/** A frame or payload that breaks the native protocol (what the peer sent cannot be read). */
export class NativeProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeProtocolError';
  }
}

export class WireReader {
  pos = 0;

  constructor(readonly buf: Buffer) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new NativeProtocolError(`payload too short: ${n} more bytes needed at offset ${this.pos}`);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++];
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
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
