// What the change log holds (first and last sequence, bytes, oldest commit) and the bounded deletes that purge its oldest transactions.
import type { KvReader, KvWriter } from '../kv.js';
import { CAT_LOG, CAT_LOG_STATS, catalogKey, catalogKindBounds } from '../key-layout.js';
import { decodeTransaction, lastSequence, logKey, sequenceOf } from './log-store.js';

const STATS_KEY = catalogKey(CAT_LOG_STATS);
const LOG_BOUNDS = catalogKindBounds(CAT_LOG);

/**
 * Kept beside the log and moved in the writes that append or purge, so every thread reads the
 * same numbers without scanning. `bytes` is absent in a log written before it was kept (the
 * retention task counts it once, see `countedBytes`).
 */
export interface LogStats {
  bytes: number | undefined;
  /** Transactions and bytes purged since the log began, and when the last purge was (ms; 0: never). */
  purgedTransactions: number;
  purgedBytes: number;
  lastPurgeMs: number;
}

export function readLogStats(r: KvReader): LogStats | undefined {
  const v = r.get(STATS_KEY);
  if (v === undefined) return undefined;
  const o = JSON.parse(Buffer.from(v).toString('utf8')) as { bytes?: number; purged_transactions: number; purged_bytes: number; last_purge_ms: number };
  return { bytes: o.bytes, purgedTransactions: o.purged_transactions, purgedBytes: o.purged_bytes, lastPurgeMs: o.last_purge_ms };
}

function writeLogStats(w: KvWriter, s: LogStats): void {
  w.put(STATS_KEY, Buffer.from(JSON.stringify({ bytes: s.bytes, purged_transactions: s.purgedTransactions, purged_bytes: s.purgedBytes, last_purge_ms: s.lastPurgeMs })));
}

const FRESH: LogStats = { bytes: 0, purgedTransactions: 0, purgedBytes: 0, lastPurgeMs: 0 };

/** An append of `size` bytes as sequence `seq`: a log that starts now is counted from its first transaction. */
export function countAppended(w: KvWriter, seq: bigint, size: number): void {
  const s = readLogStats(w) ?? (seq === 1n ? { ...FRESH } : undefined);
  if (s === undefined || s.bytes === undefined) return;
  s.bytes += size;
  writeLogStats(w, s);
}

/** The oldest transaction kept, or undefined for an empty log. */
export function firstEntry(r: KvReader): { seq: bigint; bytes: Buffer } | undefined {
  for (const e of r.range({ start: LOG_BOUNDS.start, end: LOG_BOUNDS.end })) return { seq: sequenceOf(e.key), bytes: Buffer.from(e.value) };
  return undefined;
}

/** What SHOW BINARY LOGS and the status show. Sequences are gap-free, so the count is last - first + 1. */
export interface LogSummary {
  /** 0n for both when the log is empty. */
  first: bigint;
  last: bigint;
  transactions: bigint;
  bytes: number | undefined;
  /** Commit time of the oldest transaction kept (ms), undefined for an empty log. */
  oldestCommitMs: number | undefined;
  stats: LogStats | undefined;
}

export function logSummary(r: KvReader): LogSummary {
  const first = firstEntry(r);
  const stats = readLogStats(r);
  if (first === undefined) return { first: 0n, last: 0n, transactions: 0n, bytes: stats?.bytes ?? 0, oldestCommitMs: undefined, stats };
  const last = lastSequence(r);
  return { first: first.seq, last, transactions: last - first.seq + 1n, bytes: stats?.bytes, oldestCommitMs: Number(decodeTransaction(first.bytes).commitTimeMs), stats };
}

/** Which of the oldest transactions one purge step removes. */
export interface PurgeLimits {
  /** Only sequences below this one (a replica's hold, a PURGE TO target). */
  below: bigint;
  /** Only transactions committed before this time (ms); undefined: any age. */
  committedBeforeMs?: number;
  /** Only while the log holds more bytes than this; undefined: any size. */
  overBytes?: number;
  /** At most this many transactions and about this many bytes per step: one step is one short write. */
  maxTransactions: number;
  maxBytes: number;
  nowMs: number;
}

/**
 * Deletes, in the write `w`, the oldest transactions the limits allow, stopping at the first one
 * they keep. The newest transaction always stays: the next sequence is allocated from it.
 */
export function purgeStep(w: KvWriter, limits: PurgeLimits): { transactions: number; bytes: number } {
  const stats = readLogStats(w);
  const last = lastSequence(w);
  let bytesKept = stats?.bytes;
  let transactions = 0;
  let bytes = 0;
  const doomed: Buffer[] = [];
  // Without an age or size limit (PURGE ... TO) everything below `below` goes.
  const anyLimit = limits.committedBeforeMs !== undefined || limits.overBytes !== undefined;
  for (const e of w.range({ start: LOG_BOUNDS.start, end: LOG_BOUNDS.end })) {
    const seq = sequenceOf(e.key);
    if (seq >= last || seq >= limits.below) break;
    if (transactions >= limits.maxTransactions || bytes >= limits.maxBytes) break;
    if (anyLimit) {
      const overSize = limits.overBytes !== undefined && bytesKept !== undefined && bytesKept > limits.overBytes;
      if (!overSize && !(limits.committedBeforeMs !== undefined && olderThan(e.value, limits.committedBeforeMs))) break;
    }
    doomed.push(Buffer.from(e.key));
    transactions++;
    bytes += e.value.length;
    if (bytesKept !== undefined) bytesKept -= e.value.length;
  }
  if (transactions === 0) return { transactions, bytes };
  for (const k of doomed) w.del(k);
  const s = stats ?? { bytes: undefined, purgedTransactions: 0, purgedBytes: 0, lastPurgeMs: 0 };
  writeLogStats(w, { bytes: bytesKept, purgedTransactions: s.purgedTransactions + transactions, purgedBytes: s.purgedBytes + bytes, lastPurgeMs: limits.nowMs });
  return { transactions, bytes };
}

function olderThan(encoded: Uint8Array, ms: number): boolean {
  return Number(decodeTransaction(encoded).commitTimeMs) < ms;
}

/** Bytes of the transactions from `from` on, at most `max` of them: a page of the one-time count of an old log. */
export function sumBytes(r: KvReader, from: bigint, max: number): { next: bigint; bytes: number; done: boolean } {
  let bytes = 0;
  let n = 0;
  let next = from;
  for (const e of r.range({ start: logKey(from < 1n ? 1n : from), end: LOG_BOUNDS.end })) {
    if (n >= max) return { next, bytes, done: false };
    bytes += e.value.length;
    next = sequenceOf(e.key) + 1n;
    n++;
  }
  return { next, bytes, done: true };
}

/**
 * Records the size of a log written before it was kept: `bytes` counted up to `next` in earlier
 * reads, the rest here. False when something purged in between (the count starts again).
 */
export function recordCountedBytes(w: KvWriter, firstCounted: bigint, next: bigint, bytes: number): boolean {
  const stats = readLogStats(w);
  if (stats?.bytes !== undefined) return true;
  const first = firstEntry(w);
  if (first !== undefined && first.seq !== firstCounted) return false;
  const rest = sumBytes(w, next, Number.MAX_SAFE_INTEGER);
  writeLogStats(w, { ...(stats ?? FRESH), bytes: bytes + rest.bytes });
  return true;
}
