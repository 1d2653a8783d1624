// Where the change log lives in a store: one encoded Transaction per key [u32 0]['L'][u64 sequence], in commit order.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import type { KvReader, KvWriter } from '../kv.js';
import { CAT_LOG, catalogKindBounds } from '../key-layout.js';
import { countAppended } from './log-stats.js';
import { TransactionSchema, type Transaction } from './gen/mizzle/replication/v1/change_log_pb.js';

const PREFIX_BYTES = 5;
const LOG_BOUNDS = catalogKindBounds(CAT_LOG);

/** The key of the transaction with sequence `seq`; big-endian, so key order is commit order. */
export function logKey(seq: bigint): Buffer {
  const b = Buffer.allocUnsafe(PREFIX_BYTES + 8);
  b.writeUInt32BE(0, 0);
  b[4] = CAT_LOG;
  b.writeBigUInt64BE(seq, PREFIX_BYTES);
  return b;
}

/** The sequence of a log key. */
export function sequenceOf(key: Buffer): bigint {
  return key.readBigUInt64BE(PREFIX_BYTES);
}

/** The last sequence written (0n: none yet). Read in the write transaction, so every thread sharing the store agrees. */
export function lastSequence(r: KvReader): bigint {
  for (const e of r.range({ start: LOG_BOUNDS.start, end: LOG_BOUNDS.end, reverse: true })) return sequenceOf(e.key);
  return 0n;
}

/**
 * Appends one transaction inside the write `w` that also applies its rows: the sequence is the
 * last one plus one, allocated here so concurrent writers (worker threads, group commits) never
 * collide and a crash can never leave a gap or a logged change without its rows.
 */
export function appendTransaction(w: KvWriter, build: (seq: bigint) => Transaction): Transaction {
  const seq = lastSequence(w) + 1n;
  const txn = build(seq);
  const bytes = Buffer.from(toBinary(TransactionSchema, txn));
  w.put(logKey(seq), bytes);
  countAppended(w, seq, bytes.length);
  return txn;
}

/**
 * `appendTransaction` for a message encoded in parts: `header` (no changes) at the sequence it
 * gets, followed by `parts`, each the encoding of a Transaction holding only changes. Protobuf
 * merges concatenated encodings, appending repeated fields: this is one message with all the changes.
 */
export function appendTransactionParts(w: KvWriter, header: (seq: bigint) => Transaction, parts: readonly Uint8Array[]): void {
  const seq = lastSequence(w) + 1n;
  const bytes = Buffer.concat([toBinary(TransactionSchema, header(seq)), ...parts]);
  w.put(logKey(seq), bytes);
  countAppended(w, seq, bytes.length);
}

/** The stored bytes of each transaction from sequence `from` on, copied (the engine may reuse its buffers). */
export function* readEncoded(r: KvReader, from = 1n): Generator<{ seq: bigint; bytes: Buffer }> {
  for (const e of r.range({ start: logKey(from < 1n ? 1n : from), end: LOG_BOUNDS.end })) {
    yield { seq: sequenceOf(e.key), bytes: Buffer.from(e.value) };
  }
}

/** Each transaction from sequence `from` on, decoded. */
export function* readTransactions(r: KvReader, from = 1n): Generator<Transaction> {
  for (const { bytes } of readEncoded(r, from)) yield decodeTransaction(bytes);
}

export function decodeTransaction(bytes: Uint8Array): Transaction {
  return fromBinary(TransactionSchema, bytes);
}

/** A protobuf varint length prefix, so a stream of messages can be split again (the usual "delimited" framing). */
export function lengthPrefix(size: number): Buffer {
  const out: number[] = [];
  let n = size;
  while (n >= 0x80) {
    out.push((n & 0x7f) | 0x80);
    n = Math.floor(n / 0x80);
  }
  out.push(n);
  return Buffer.from(out);
}

/** Splits a length-delimited stream back into messages (for tests and tools); throws on a truncated one. */
export function* splitDelimited(data: Buffer): Generator<Buffer> {
  let at = 0;
  while (at < data.length) {
    let size = 0;
    let shift = 1;
    for (;;) {
      if (at >= data.length) throw new RangeError('truncated length prefix');
      const b = data[at++];
      size += (b & 0x7f) * shift;
      if (b < 0x80) break;
      shift *= 0x80;
    }
    if (at + size > data.length) throw new RangeError('truncated message');
    yield data.subarray(at, at + size);
    at += size;
  }
}
