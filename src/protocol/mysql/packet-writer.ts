// Builds outgoing packets in one growable buffer: 4-byte headers, sequence ids, splitting at 16 MiB.
import { MAX_PACKET_PAYLOAD } from './constants.js';

const INITIAL_CAPACITY = 16 * 1024;
/** Below this many bytes, take() copies out (from Node's pool) and keeps its own buffer. */
const COPY_OUT_LIMIT = 4096;

/** How many bytes `lenencInt(n)` takes, for fields that announce the length of what follows them. */
export function lenencIntSize(n: number): number {
  return n < 0xfb ? 1 : n <= 0xffff ? 3 : n <= 0xffffff ? 4 : 9;
}

/**
 * Writes packets back to back: begin() reserves a header, field writers append the
 * payload, end() fills the header (and splits payloads of 0xFFFFFF bytes or more
 * into continuation packets, ending with an empty one on an exact multiple).
 * take() hands the finished bytes to the caller for one socket write.
 */
export class PacketWriter {
  private buf: Buffer;
  private pos = 0;
  /** Offset of the current packet's payload, or -1 between packets. */
  private start = -1;
  /** Sequence id of the next packet. */
  seq = 0;

  constructor(private readonly initialCapacity = INITIAL_CAPACITY) {
    this.buf = Buffer.allocUnsafe(initialCapacity);
  }

  /** Bytes buffered, finished packets and the one being built. */
  get length(): number {
    return this.pos;
  }

  /** Bytes of the current packet's payload so far. */
  get payloadLength(): number {
    return this.start < 0 ? 0 : this.pos - this.start;
  }

  private ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  begin(): this {
    if (this.start >= 0) throw new Error('PacketWriter.begin: previous packet not ended');
    this.ensure(4);
    this.pos += 4;
    this.start = this.pos;
    return this;
  }

  end(): void {
    const start = this.start;
    if (start < 0) throw new Error('PacketWriter.end: no packet begun');
    const len = this.pos - start;
    this.start = -1;
    if (len < MAX_PACKET_PAYLOAD) {
      this.header(start - 4, len);
      return;
    }
    // Split: k packets, the last holding the remainder (possibly empty).
    const k = Math.floor(len / MAX_PACKET_PAYLOAD) + 1;
    this.ensure(4 * (k - 1));
    const buf = this.buf;
    for (let i = k - 1; i >= 1; i--) {
      const src = start + i * MAX_PACKET_PAYLOAD;
      const n = i < k - 1 ? MAX_PACKET_PAYLOAD : len - i * MAX_PACKET_PAYLOAD;
      const dst = start + i * (MAX_PACKET_PAYLOAD + 4);
      if (n > 0) buf.copy(buf, dst, src, src + n);
    }
    for (let i = 0; i < k; i++) {
      const n = i < k - 1 ? MAX_PACKET_PAYLOAD : len - i * MAX_PACKET_PAYLOAD;
      this.header(start - 4 + i * (MAX_PACKET_PAYLOAD + 4), n);
    }
    this.pos += 4 * (k - 1);
  }

  private header(at: number, len: number): void {
    const b = this.buf;
    b[at] = len & 0xff;
    b[at + 1] = (len >>> 8) & 0xff;
    b[at + 2] = (len >>> 16) & 0xff;
    b[at + 3] = this.seq;
    this.seq = (this.seq + 1) & 0xff;
  }

  /** Drops the packet being built (after an error while encoding it). */
  abort(): void {
    if (this.start < 0) return;
    this.pos = this.start - 4;
    this.start = -1;
  }

  /** The finished packets, ready for one socket write; the writer is empty afterwards. */
  take(): Buffer {
    if (this.start >= 0) throw new Error('PacketWriter.take: packet not ended');
    const n = this.pos;
    this.pos = 0;
    if (n <= COPY_OUT_LIMIT) return Buffer.from(this.buf.subarray(0, n));
    const out = this.buf.subarray(0, n);
    this.buf = Buffer.allocUnsafe(this.initialCapacity);
    return out;
  }

  // ---------------------------------------------------------------- fields

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    const b = this.buf;
    b[this.pos] = v & 0xff;
    b[this.pos + 1] = (v >>> 8) & 0xff;
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    const b = this.buf;
    b[this.pos] = v & 0xff;
    b[this.pos + 1] = (v >>> 8) & 0xff;
    b[this.pos + 2] = (v >>> 16) & 0xff;
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  u64(v: number | bigint): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(typeof v === 'bigint' ? BigInt.asUintN(64, v) : BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  /** A signed or unsigned 64-bit integer, two's complement (a safe-integer number or a bigint). */
  i64(v: number | bigint): this {
    this.ensure(8);
    const b = this.buf;
    if (typeof v === 'bigint') {
      b.writeBigUInt64LE(BigInt.asUintN(64, v), this.pos);
    } else {
      const hi = Math.floor(v / 0x100000000);
      b.writeUInt32LE(v - hi * 0x100000000, this.pos);
      b.writeUInt32LE(hi >>> 0, this.pos + 4);
    }
    this.pos += 8;
    return this;
  }

  f32(v: number): this {
    this.ensure(4);
    this.buf.writeFloatLE(v, this.pos);
    this.pos += 4;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
    return this;
  }

  /** ORs `mask` into the byte already written at absolute offset `at` (an offset taken from `length`). */
  orByte(at: number, mask: number): void {
    this.buf[at] |= mask;
  }

  zeros(n: number): this {
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** A length-encoded integer (non-negative). */
  lenencInt(v: number | bigint): this {
    if (typeof v === 'bigint') {
      if (v < 0xfbn) return this.u8(Number(v));
      if (v <= 0xffffffffn) return this.lenencInt(Number(v));
      this.u8(0xfe);
      return this.u64(v);
    }
    if (v < 0xfb) return this.u8(v);
    if (v <= 0xffff) return this.u8(0xfc).u16(v);
    if (v <= 0xffffff) return this.u8(0xfd).u24(v);
    this.ensure(9);
    const b = this.buf;
    b[this.pos] = 0xfe;
    b.writeUInt32LE(v % 0x100000000, this.pos + 1);
    b.writeUInt32LE(Math.floor(v / 0x100000000), this.pos + 5);
    this.pos += 9;
    return this;
  }

  bytes(data: Buffer): this {
    this.ensure(data.length);
    data.copy(this.buf, this.pos);
    this.pos += data.length;
    return this;
  }

  /** A string without length or terminator (the rest of a packet). */
  str(s: string): this {
    this.ensure(s.length <= 4096 ? s.length * 3 : Buffer.byteLength(s, 'utf8'));
    this.pos += this.buf.write(s, this.pos, 'utf8');
    return this;
  }

  nulString(s: string): this {
    return this.str(s).u8(0);
  }

  lenencBytes(data: Buffer): this {
    return this.lenencInt(data.length).bytes(data);
  }

  /** A safe integer as length-encoded decimal text (a text-protocol integer value), without building a string. */
  lenencDecimal(v: number): this {
    this.ensure(22);
    const b = this.buf;
    let n = v < 0 ? -v : v;
    let digits = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
    const len = digits + (v < 0 ? 1 : 0);
    b[this.pos] = len;
    let at = this.pos + len;
    this.pos = at + 1;
    do {
      b[at--] = 0x30 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    if (v < 0) b[at] = 0x2d;
    return this;
  }

  /** A length-encoded UTF-8 string; short strings are written in one pass without measuring. */
  lenencString(s: string): this {
    const units = s.length;
    if (units <= 32) {
      // Short ASCII strings: a JS loop beats a native write call.
      this.ensure(1 + units * 3);
      const b = this.buf;
      const at = this.pos + 1;
      let i = 0;
      for (; i < units; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        b[at + i] = c;
      }
      if (i === units) {
        b[this.pos] = units;
        this.pos = at + units;
        return this;
      }
    }
    if (units <= 83) {
      // At most 3 bytes per UTF-16 unit, so 83 units fit a 1-byte length (< 251).
      this.ensure(1 + units * 3);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return this;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.lenencInt(n);
    this.ensure(n);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += n;
    return this;
  }
}
