// Unit tests of the change log's kept size and its purge steps: by age, by size, below a hold, bounded, never the newest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, toBinary } from '@bufbuild/protobuf';
import { MemoryStore } from '../../plugins/storage-memory/memory-store.js';
import { appendTransaction, logKey } from './log-store.js';
import { logSummary, purgeStep, recordCountedBytes, sumBytes, type PurgeLimits } from './log-stats.js';
import { TransactionSchema } from './gen/mizzle/replication/v1/change_log_pb.js';

const T0 = 1_700_000_000_000;
const txn = (seq: bigint) => create(TransactionSchema, { id: { serverUuid: 'u', sequence: seq }, commitTimeMs: BigInt(T0 + Number(seq) * 1000), originServerUuid: 'u' });
const size = (seq: bigint) => toBinary(TransactionSchema, txn(seq)).length;

function logOf(n: number): MemoryStore {
  const store = new MemoryStore();
  for (let i = 0; i < n; i++) store.write((w) => appendTransaction(w, txn));
  return store;
}

const ALL: PurgeLimits = { below: 1n << 62n, maxTransactions: 1_000_000, maxBytes: 1 << 30, nowMs: T0 };
const sizeOf = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => size(BigInt(from + i))).reduce((a, b) => a + b, 0);

test('the summary counts what is kept as transactions are appended', () => {
  const store = logOf(10);
  const s = store.read((r) => logSummary(r));
  assert.deepEqual([s.first, s.last, s.transactions, s.bytes, s.oldestCommitMs], [1n, 10n, 10n, sizeOf(1, 10), T0 + 1000]);
  assert.deepEqual(new MemoryStore().read((r) => logSummary(r)), { first: 0n, last: 0n, transactions: 0n, bytes: 0, oldestCommitMs: undefined, stats: undefined });
});

test('purging by age, by size and below a hold; the newest always stays; a step is bounded', () => {
  const store = logOf(20);
  // Committed before T0 + 5.5 s: sequences 1..5.
  assert.deepEqual(store.write((w) => purgeStep(w, { ...ALL, committedBeforeMs: T0 + 5500, nowMs: T0 + 99 })), { transactions: 5, bytes: sizeOf(1, 5) });
  let s = store.read((r) => logSummary(r));
  assert.deepEqual([s.first, s.transactions, s.bytes, s.stats?.purgedTransactions, s.stats?.lastPurgeMs], [6n, 15n, sizeOf(6, 20), 5, T0 + 99]);
  // Over a size limit: the oldest go until the rest fits.
  const limit = sizeOf(11, 20);
  store.write((w) => purgeStep(w, { ...ALL, overBytes: limit }));
  s = store.read((r) => logSummary(r));
  assert.equal(s.first, 11n);
  assert.ok((s.bytes ?? 0) <= limit);
  // A hold stops it, whatever the limits say; so does the step bound.
  assert.equal(store.write((w) => purgeStep(w, { ...ALL, below: 13n })).transactions, 2);
  assert.equal(store.write((w) => purgeStep(w, { ...ALL, maxTransactions: 3 })).transactions, 3);
  assert.equal(store.read((r) => logSummary(r)).first, 16n);
  // Everything: all but the newest, from which the next sequence is allocated.
  store.write((w) => purgeStep(w, ALL));
  s = store.read((r) => logSummary(r));
  assert.deepEqual([s.first, s.last, s.transactions, s.bytes], [20n, 20n, 1n, size(20n)]);
  store.write((w) => appendTransaction(w, txn));
  assert.equal(store.read((r) => logSummary(r)).last, 21n);
});

test('a log written before its size was kept is counted once, and again when a purge races the count', () => {
  const store = new MemoryStore();
  // Entries put directly: no stats key, as a log from before retention.
  store.write((w) => {
    for (let i = 1n; i <= 10n; i++) w.put(logKey(i), Buffer.from(toBinary(TransactionSchema, txn(i))));
  });
  assert.equal(store.read((r) => logSummary(r)).bytes, undefined);
  store.write((w) => appendTransaction(w, txn));
  assert.equal(store.read((r) => logSummary(r)).bytes, undefined, 'appends do not count an uncounted log');
  const page = store.read((r) => sumBytes(r, 1n, 4));
  assert.deepEqual([page.next, page.done], [5n, false]);
  store.write((w) => purgeStep(w, { ...ALL, below: 2n }));
  assert.equal(store.write((w) => recordCountedBytes(w, 1n, page.next, page.bytes)), false, 'the first counted transaction is gone: count again');
  assert.equal(store.write((w) => recordCountedBytes(w, 2n, 2n, 0)), true);
  assert.equal(store.read((r) => logSummary(r)).bytes, sizeOf(2, 11));
});
