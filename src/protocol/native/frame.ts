// Native frames: the 16-byte header (magic, version, type, flags, request id, shard key and payload lengths) written and read back, with bounds.
import { HEADER_BYTES, MAGIC_0, MAGIC_1, PROTOCOL_VERSION, SHARD_KEY_BYTES_MAX } from './constants.js';
import { NativeProtocolError } from './wire-reader.js';
import type { WireWriter } from './wire-writer.js';

/** One frame as read: its header fields and its payload (a view into the received bytes). */
export interface Frame {
  type: number;
  flags: number;
  requestId: number;
  /** Empty when the header carried none. */
  shardKey: Buffer;
  payload: Buffer;
}

/** What is wrong with a frame the reader refused; after any of these the stream cannot be read further. */
export type FrameFault = 'magic' | 'version' | 'size' | 'shard-key';

export class FrameError extends NativeProtocolError {
  constructor(readonly fault: FrameFault, message: string, readonly requestId: number) {
    super(message);
    this.name = 'FrameError';
  }
}

/**
 * Starts a frame in `w`: the header with a zero payload length and the shard key.
 * Write the payload next, then call endFrame with the returned offset.
 */
export function startFrame(w: WireWriter, type: number, flags: number, requestId: number, shardKey?: Uint8Array): number {
  const key = shardKey ?? EMPTY;
  if (key.length > SHARD_KEY_BYTES_MAX) throw new NativeProtocolError(`a shard key is at most ${SHARD_KEY_BYTES_MAX} bytes, not ${key.length}`);
  const at = w.pos;
  w.u8(MAGIC_0);
  w.u8(MAGIC_1);
  w.u8(PROTOCOL_VERSION);
  w.u8(type);
  w.u16(flags);
  w.u32(requestId >>> 0);
  w.u16(key.length);
  w.u32(0);
  for (let i = 0; i < key.length; i++) w.u8(key[i]);
  return at;
}

/** Writes the payload length of the frame started at `at`; returns the frame's whole size in bytes. */
export function endFrame(w: WireWriter, at: number): number {
  const keyBytes = readU16(w, at + 10);
  const payloadBytes = w.pos - at - HEADER_BYTES - keyBytes;
  w.patchU32(at + 12, payloadBytes);
  return w.pos - at;
}

function readU16(w: WireWriter, at: number): number {
  const b = w.finish();
  return b[at] | (b[at + 1] << 8);
}

const EMPTY = Buffer.alloc(0);

/**
 * Cuts a byte stream into frames. Refuses, by throwing a FrameError, a header with
 * the wrong magic or version, a shard key over the bound, or a frame larger than
 * `frameBytesMax`, as soon as the header arrived: nothing of such a frame is buffered.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  private total = 0;

  constructor(private readonly frameBytesMax: number) {}

  /** Bytes received and not yet part of a whole frame (a truncated frame's part). */
  get buffered(): number {
    return this.total;
  }

  /** Adds received bytes and returns every frame they complete. */
  push(chunk: Buffer): Frame[] {
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.total += chunk.length;
    }
    const frames: Frame[] = [];
    for (;;) {
      const f = this.next();
      if (f === undefined) return frames;
      frames.push(f);
    }
  }

  private head(n: number): Buffer {
    if (this.chunks[0].length < n) this.chunks = [Buffer.concat(this.chunks, this.total)];
    return this.chunks[0];
  }

  private next(): Frame | undefined {
    if (this.total < HEADER_BYTES) {
      // Even a short prefix can already be refused: bad magic or version need not wait for the rest.
      if (this.total >= 3) this.check(this.head(3), 0);
      return undefined;
    }
    const h = this.head(HEADER_BYTES);
    const requestId = h.readUInt32LE(6);
    this.check(h, requestId);
    const keyBytes = h.readUInt16LE(10);
    if (keyBytes > SHARD_KEY_BYTES_MAX) throw new FrameError('shard-key', `The shard key is ${keyBytes} bytes; at most ${SHARD_KEY_BYTES_MAX} are allowed`, requestId);
    const size = HEADER_BYTES + keyBytes + h.readUInt32LE(12);
    if (size > this.frameBytesMax) throw new FrameError('size', `The frame is ${size} bytes, more than the ${this.frameBytesMax} allowed`, requestId);
    if (this.total < size) return undefined;
    const all = this.head(size);
    const frame: Frame = {
      type: all[3],
      flags: all.readUInt16LE(4),
      requestId,
      shardKey: keyBytes === 0 ? EMPTY : all.subarray(HEADER_BYTES, HEADER_BYTES + keyBytes),
      payload: all.subarray(HEADER_BYTES + keyBytes, size),
    };
    if (all.length === size) this.chunks.shift();
    else this.chunks[0] = all.subarray(size);
    this.total -= size;
    return frame;
  }

  private check(h: Buffer, requestId: number): void {
    if (h[0] !== MAGIC_0 || h[1] !== MAGIC_1) throw new FrameError('magic', 'Not a mizzle native frame (wrong magic bytes)', requestId);
    if (h[2] !== PROTOCOL_VERSION) throw new FrameError('version', `Native protocol version ${h[2]} is not supported; this end speaks version ${PROTOCOL_VERSION}`, requestId);
  }
}
