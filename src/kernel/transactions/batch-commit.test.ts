// A transaction's big write set commits through the store's commitBatch (built in slices), a small one through commit; both write the same.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore } from '../../plugins/storage-memory/memory-store.js';
import { applyCommitBatch, type BatchChunk } from '../../storage/commit-batch.js';
import { indexPrefix } from '../../storage/key-layout.js';
import type { KvWriter } from '../../storage/kv.js';
import { LockManager } from './lock-manager.js';
import { BATCH_COMMIT_KEYS, Transaction } from './transaction.js';

/** A memory store that also takes commit batches, applying them a turn later, and counts how each commit came. */
class BatchingStore extends MemoryStore {
  batches = 0;
  commits = 0;
  override commit(fn: (w: KvWriter) => void): Promise<void> {
    this.commits++;
    return super.commit(fn);
  }
  async commitBatch(chunks: readonly BatchChunk[]): Promise<void> {
    this.batches++;
    await new Promise((r) => setImmediate(r));
    this.write((w) => applyCommitBatch(w, chunks));
  }
}

function rowKey(id: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(id);
  return Buffer.concat([indexPrefix(5, 0), b]);
}

async function commitRows(store: BatchingStore, locks: LockManager, rows: number): Promise<void> {
  const txn = new Transaction(locks, { explicit: true, readOnly: false, isolation: 'REPEATABLE-READ', storeIds: new Map([[store, 0]]) });
  store.read((latest) => {
    const writer = txn.writer(store, latest);
    for (let id = 0; id < rows; id++) writer.put(rowKey(id), Buffer.from(`row ${id}`));
  });
  assert.equal(locks.size, rows, 'every written row is locked');
  await txn.commit();
}

test('a write set of BATCH_COMMIT_KEYS keys or more commits as a batch; its locks are all given back', async () => {
  const store = new BatchingStore();
  const locks = new LockManager();
  await commitRows(store, locks, BATCH_COMMIT_KEYS * 5);
  assert.deepEqual([store.batches, store.commits], [1, 0]);
  assert.equal(locks.size, 0);
  assert.equal(store.read((r) => [...r.range({})].length), BATCH_COMMIT_KEYS * 5);
  assert.equal(store.read((r) => r.get(rowKey(BATCH_COMMIT_KEYS * 5 - 1))?.toString()), `row ${BATCH_COMMIT_KEYS * 5 - 1}`);
});

test('a smaller write set commits in the thread, as before', async () => {
  const store = new BatchingStore();
  const locks = new LockManager();
  await commitRows(store, locks, BATCH_COMMIT_KEYS - 1);
  assert.deepEqual([store.batches, store.commits], [0, 1]);
  assert.equal(locks.size, 0);
  assert.equal(store.read((r) => [...r.range({})].length), BATCH_COMMIT_KEYS - 1);
});

test('LockManager.releaseSome gives locks back a few at a time and wakes their waiters', () => {
  const locks = new LockManager();
  const owner = { id: 1, waitingFor: undefined };
  for (let i = 0; i < 10; i++) locks.acquire(owner, `k${i}`, 'X');
  assert.equal(locks.releaseSome(owner, 4), false);
  assert.equal(locks.size, 6);
  assert.equal(locks.releaseSome(owner, 4), false);
  assert.equal(locks.releaseSome(owner, 4), true);
  assert.equal(locks.size, 0);
  // Another owner can take what was released.
  locks.acquire({ id: 2, waitingFor: undefined }, 'k0', 'X');
});

test('a commit is in flight from its start, while its batch is still being built, until it ended (DDL waits for these)', async () => {
  const store = new BatchingStore();
  const locks = new LockManager();
  const inFlight = new Set<Promise<void>>();
  const txn = new Transaction(locks, { explicit: true, readOnly: false, isolation: 'REPEATABLE-READ', storeIds: new Map([[store, 0]]), inFlight });
  store.read((latest) => {
    const writer = txn.writer(store, latest);
    for (let id = 0; id < BATCH_COMMIT_KEYS * 40; id++) writer.put(rowKey(id), Buffer.from(`row ${id}`));
  });
  const committing = txn.commit();
  assert.equal(inFlight.size, 1, 'registered before any of the batch was built or sent');
  assert.equal(store.batches, 0);
  const [waited] = [...inFlight];
  await waited;
  await committing;
  assert.equal(store.batches, 1);
  assert.equal(inFlight.size, 0, 'gone once ended');
  // A transaction that wrote nothing is never in flight.
  const empty = new Transaction(locks, { explicit: true, readOnly: false, isolation: 'REPEATABLE-READ', storeIds: new Map([[store, 0]]), inFlight });
  const none = empty.commit();
  assert.equal(inFlight.size, 0);
  await none;
});
