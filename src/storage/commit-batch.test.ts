// A commit batch applies exactly what the write set's own applyTo writes, and numbers its change-log messages when applied.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../plugins/storage-memory/memory-store.js';
import type { KvStore } from './kv.js';
import { WriteSet } from './write-set.js';
import { CommitBatchWriter, applyCommitBatch } from './commit-batch.js';
import { COUNTER_AUTO_INCREMENT, counterKey, indexPrefix } from './key-layout.js';
import { appendEncoded, lastSequence, readEncoded } from './change-log/log-store.js';

function rowKey(table: number, id: number): Buffer {
  return Buffer.concat([indexPrefix(table, 0), Buffer.from([id >> 8, id & 0xff])]);
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

/** Every pair a store holds, as hex, in key order. */
function contents(s: KvStore): string[] {
  return s.read((r) => [...r.range({})].map((e) => `${e.key.toString('hex')}=${e.value.toString('hex')}`));
}

/** A store holding rows 0..9 of table 7 and its auto-increment counter at 50. */
function seeded(): KvStore {
  const s = new MemoryStore();
  s.write((w) => {
    for (let id = 0; id < 10; id++) w.put(rowKey(7, id), Buffer.from(`old ${id}`));
    w.put(counterKey(7, COUNTER_AUTO_INCREMENT), u64(50));
    w.put(counterKey(8, COUNTER_AUTO_INCREMENT), u64(5));
  });
  return s;
}

test('a commit batch writes what WriteSet.applyTo writes: puts, deletions, counters that only move forward', () => {
  const ws = new WriteSet();
  for (let id = 0; id < 4; id++) ws.set(rowKey(7, id), null);
  for (let id = 5; id < 2000; id++) ws.set(rowKey(7, id), Buffer.from(`new ${id}`));
  // Below the stored 50: kept at 50. Above the stored 5: moved to 9. A new counter: written.
  ws.set(counterKey(7, COUNTER_AUTO_INCREMENT), u64(40));
  ws.set(counterKey(8, COUNTER_AUTO_INCREMENT), u64(9));
  ws.set(counterKey(9, COUNTER_AUTO_INCREMENT), u64(3));

  const direct = seeded();
  direct.write((w) => ws.applyTo(w));
  const batched = seeded();
  const batch = new CommitBatchWriter();
  let steps = 0;
  for (const _ of ws.batchSteps(batch, 100)) steps++;
  assert.equal(batch.count, ws.size);
  // It yields between steps of 100 keys, so the caller can give the thread back.
  assert.equal(steps, Math.floor(ws.size / 100));
  batched.write((w) => applyCommitBatch(w, batch.take()));

  assert.deepEqual(contents(batched), contents(direct));
  const counter = (s: KvStore, table: number) => s.read((r) => r.get(counterKey(table, COUNTER_AUTO_INCREMENT))?.readBigUInt64BE());
  assert.equal(counter(batched, 7), 50n);
  assert.equal(counter(batched, 8), 9n);
  assert.equal(counter(batched, 9), 3n);
});

test('change-log messages in a batch take the next sequences when the batch is applied', () => {
  const s = new MemoryStore();
  s.write((w) => appendEncoded(w, 'uuid-a', Buffer.from([0x10, 0x01])));
  const batch = new CommitBatchWriter();
  batch.put(rowKey(7, 1).toString('latin1'), Buffer.from('row'));
  batch.logAppend('uuid-a', Buffer.from([0x10, 0x02]));
  batch.logAppend('uuid-a', Buffer.from([0x10, 0x03]));
  const chunks = batch.take();
  // Another write appends in between: the batch's messages follow it, whatever the order they were built in.
  s.write((w) => appendEncoded(w, 'uuid-a', Buffer.from([0x10, 0x04])));
  s.write((w) => applyCommitBatch(w, chunks));
  const log = s.read((r) => [...readEncoded(r)]);
  assert.deepEqual(log.map((e) => e.seq), [1n, 2n, 3n, 4n]);
  // Each stored message ends with the body it was given (after its id).
  assert.deepEqual(log.map((e) => e.bytes.subarray(-2).toString('hex')), ['1001', '1004', '1002', '1003']);
  assert.equal(s.read((r) => lastSequence(r)), 4n);
  assert.equal(s.read((r) => r.get(rowKey(7, 1))?.toString()), 'row');
});

test('entries bigger than a chunk, and many small ones, keep their order across chunks', () => {
  const s = new MemoryStore();
  const batch = new CommitBatchWriter();
  const big = Buffer.alloc(3 * 1024 * 1024, 7);
  for (let i = 0; i < 30_000; i++) batch.put(`k${String(i).padStart(5, '0')}`, Buffer.alloc(40, i % 256));
  batch.put('k00001', big);
  batch.del('k00002');
  const chunks = batch.take();
  assert.ok(chunks.length > 2, `${chunks.length} chunks`);
  s.write((w) => applyCommitBatch(w, chunks));
  assert.equal(s.read((r) => [...r.range({})].length), 29_999);
  assert.deepEqual(s.read((r) => r.get(Buffer.from('k00001'))), big);
  assert.deepEqual(s.read((r) => r.get(Buffer.from('k29999'))), Buffer.alloc(40, 29_999 % 256));
});

test('an unknown entry kind fails the write instead of being skipped', () => {
  const s = new MemoryStore();
  assert.throws(() => s.write((w) => applyCommitBatch(w, [{ buffer: new Uint8Array([9, 1, 0, 0, 0, 0x41, 0, 0, 0, 0]).buffer, length: 10 }])), /unknown entry kind 9/);
});
