// A transaction's writes to one store as one flat buffer, built in slices on the session's thread and applied in one write transaction wherever the store applies it (see KvStore.commitBatch).
import type { KvWriter } from './kv.js';
import { appendEncoded } from './change-log/log-store.js';

/** What one entry of a batch does. */
const enum Op {
  Put = 0,
  Delete = 1,
  /** A per-table counter: written only when above the value stored (see WriteSet.applyTo). */
  PutMax = 2,
  /** A change-log message without its id: appended as the next sequence, the key being the server's uuid. */
  LogAppend = 3,
}

/** Bytes per chunk: entries go into chunks of this size (a bigger entry gets one of its own), so no growing buffer is ever copied. */
const CHUNK_BYTES = 1024 * 1024;

/** Part of a batch: the first `length` bytes of `buffer`, an ArrayBuffer of its own, so it can be handed to another thread without a copy. */
export interface BatchChunk {
  buffer: ArrayBuffer;
  length: number;
}

/**
 * Builds a batch: `[op u8][key length u32][key][value length u32][value]` per entry (no value for
 * a deletion), in chunks; an entry never spans two chunks.
 */
export class CommitBatchWriter {
  private readonly done: BatchChunk[] = [];
  private bytes = Buffer.alloc(0);
  private at = 0;
  /** Entries written. */
  count = 0;

  private room(n: number): void {
    if (this.at + n <= this.bytes.length) return;
    if (this.at > 0) this.done.push({ buffer: this.bytes.buffer as ArrayBuffer, length: this.at });
    this.bytes = Buffer.from(new ArrayBuffer(Math.max(CHUNK_BYTES, n)));
    this.at = 0;
  }

  /** Appends an entry whose key is a latin1 string (one char per byte, as the write sets hold keys). */
  private entry(op: Op, key: string, value: Uint8Array | null): void {
    this.room(9 + key.length + (value?.length ?? 0));
    const b = this.bytes;
    b[this.at] = op;
    b.writeUInt32LE(key.length, this.at + 1);
    this.at += 5;
    this.at += b.write(key, this.at, 'latin1');
    if (value !== null) {
      b.writeUInt32LE(value.length, this.at);
      b.set(value, this.at + 4);
      this.at += 4 + value.length;
    }
    this.count++;
  }

  put(key: string, value: Uint8Array): void {
    this.entry(Op.Put, key, value);
  }

  del(key: string): void {
    this.entry(Op.Delete, key, null);
  }

  putMax(key: string, value: Uint8Array): void {
    this.entry(Op.PutMax, key, value);
  }

  /** A change-log message encoded without its id (log-store's encodeWithoutId), appended at apply time under `serverUuid`. */
  logAppend(serverUuid: string, withoutId: Uint8Array): void {
    this.entry(Op.LogAppend, Buffer.from(serverUuid, 'utf8').toString('latin1'), withoutId);
  }

  /** The finished batch, its chunks in order; the writer is empty afterwards. */
  take(): BatchChunk[] {
    if (this.at > 0) this.done.push({ buffer: this.bytes.buffer as ArrayBuffer, length: this.at });
    const chunks = this.done.splice(0);
    this.bytes = Buffer.alloc(0);
    this.at = 0;
    return chunks;
  }
}

/** Applies a batch built by CommitBatchWriter inside the write `w`, chunk by chunk, in its order. */
export function applyCommitBatch(w: KvWriter, chunks: readonly BatchChunk[]): void {
  for (const c of chunks) applyChunk(w, Buffer.from(c.buffer, 0, c.length));
}

function applyChunk(w: KvWriter, batch: Buffer): void {
  let at = 0;
  while (at < batch.length) {
    const op = batch[at] as Op;
    const keyLength = batch.readUInt32LE(at + 1);
    const key = batch.subarray(at + 5, at + 5 + keyLength);
    at += 5 + keyLength;
    if (op === Op.Delete) {
      w.del(key);
      continue;
    }
    const valueLength = batch.readUInt32LE(at);
    const value = batch.subarray(at + 4, at + 4 + valueLength);
    at += 4 + valueLength;
    if (op === Op.Put) w.put(key, value);
    else if (op === Op.PutMax) {
      const current = w.get(key);
      if (current === undefined || Buffer.compare(value, current) > 0) w.put(key, value);
    } else if (op === Op.LogAppend) appendEncoded(w, key.toString('utf8'), value);
    else throw new Error(`commit batch: unknown entry kind ${String(op)}`);
  }
}
