// Reassembles incoming bytes into packet payloads: 4-byte headers, 16 MiB continuations, a size bound.
import { MAX_PACKET_PAYLOAD } from './constants.js';

/** Receives what the framer found: a complete payload, or a fatal framing error. */
export interface FramerSink {
  /** `seq` is the sequence id of the last physical packet of the payload. */
  onPayload(payload: Buffer, seq: number): void;
  /** The declared size passed `maxPayload`; no more payloads follow. */
  onOversize(declared: number): void;
}

/**
 * Incremental packet decoder. Small packets inside one chunk are handed out as
 * zero-copy views of that chunk; a packet spanning chunks is copied once into a
 * buffer of its exact size; continuation packets are joined once at the end.
 * After an oversize packet it ignores all further input.
 */
export class PacketFramer {
  private readonly header = Buffer.alloc(4);
  private headerFill = 0;
  /** Body of a packet that spans chunks, and how much of it has arrived. */
  private body: Buffer | null = null;
  private bodyFill = 0;
  private bodySeq = 0;
  /** Earlier 0xFFFFFF-byte parts of the payload being joined. */
  private parts: Buffer[] = [];
  private partsLength = 0;
  private failed = false;
  /** Set by `halt`: the bytes after the packet that asked for it, which belong to another layer (TLS). */
  private rest: Buffer | null = null;

  constructor(private readonly sink: FramerSink, public maxPayload: number) {}

  /**
   * Stops framing after the payload being delivered (call it from `onPayload`): the bytes
   * that follow it are not packets but the start of a TLS handshake, kept for `takeRest`.
   */
  halt(): void {
    if (this.rest === null) this.rest = Buffer.alloc(0);
  }

  /** The bytes after a halt (a copy), and nothing more will be framed. */
  takeRest(): Buffer {
    const r = this.rest ?? Buffer.alloc(0);
    this.rest = Buffer.alloc(0);
    return r;
  }

  /** Whether a packet has begun and not ended (part of a header, a body or a 16 MiB run): the peer owes the rest. */
  get midPacket(): boolean {
    return !this.failed && (this.headerFill > 0 || this.body !== null || this.parts.length > 0);
  }

  push(chunk: Buffer): void {
    if (this.rest !== null) {
      this.rest = Buffer.concat([this.rest, chunk]);
      return;
    }
    let off = 0;
    const end = chunk.length;
    while (off < end && !this.failed) {
      if (this.rest !== null) {
        this.rest = Buffer.from(chunk.subarray(off));
        return;
      }
      if (this.body !== null) {
        const n = Math.min(end - off, this.body.length - this.bodyFill);
        chunk.copy(this.body, this.bodyFill, off, off + n);
        this.bodyFill += n;
        off += n;
        if (this.bodyFill === this.body.length) {
          const b = this.body;
          this.body = null;
          this.packet(b, this.bodySeq);
        }
        continue;
      }
      let len: number;
      let seq: number;
      if (this.headerFill === 0 && end - off >= 4) {
        len = chunk[off] | (chunk[off + 1] << 8) | (chunk[off + 2] << 16);
        seq = chunk[off + 3];
        off += 4;
      } else {
        const n = Math.min(end - off, 4 - this.headerFill);
        chunk.copy(this.header, this.headerFill, off, off + n);
        this.headerFill += n;
        off += n;
        if (this.headerFill < 4) return;
        this.headerFill = 0;
        const h = this.header;
        len = h[0] | (h[1] << 8) | (h[2] << 16);
        seq = h[3];
      }
      if (this.partsLength + len > this.maxPayload) {
        this.failed = true;
        this.parts = [];
        this.sink.onOversize(this.partsLength + len);
        return;
      }
      if (end - off >= len) {
        const b = chunk.subarray(off, off + len);
        off += len;
        this.packet(b, seq);
      } else {
        this.body = Buffer.allocUnsafe(len);
        this.bodyFill = 0;
        this.bodySeq = seq;
      }
    }
  }

  private packet(b: Buffer, seq: number): void {
    if (b.length === MAX_PACKET_PAYLOAD) {
      this.parts.push(b);
      this.partsLength += b.length;
      return;
    }
    if (this.parts.length === 0) {
      this.sink.onPayload(b, seq);
      return;
    }
    this.parts.push(b);
    const whole = Buffer.concat(this.parts, this.partsLength + b.length);
    this.parts = [];
    this.partsLength = 0;
    this.sink.onPayload(whole, seq);
  }
}
