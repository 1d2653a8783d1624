// The shared lock table in one thread: grants, conflicts, upgrades, waits, deadlocks, commit stamps, and its hash table under churn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../base/errors.js';
import type { LockOwner } from '../transactions/lock-manager.js';
import { conflictOf } from '../../testing/lock-conflict.js';
import { SharedLockTable, lockTableBytes } from './shared-lock-table.js';

const sizes = { entries: 1 << 12, owners: 64 };
const table = () => new SharedLockTable(new SharedArrayBuffer(lockTableBytes(sizes)), sizes);
const owner = (id: number): LockOwner => ({ id, waitingFor: undefined });

test('exclusive locks conflict, shared ones do not, re-entry is free, an upgrade needs the only holder', () => {
  const t = table();
  const [a, b, c] = [owner(1), owner(2), owner(3)];
  t.acquire(a, 'k1', 'X');
  t.acquire(a, 'k1', 'X');
  assert.equal(t.size, 1);
  assert.equal(conflictOf(() => t.acquire(b, 'k1', 'S')).stale, false);
  t.acquire(b, 'k2', 'S');
  t.acquire(c, 'k2', 'S');
  conflictOf(() => t.acquire(b, 'k2', 'X'));
  t.releaseAll(c);
  t.acquire(b, 'k2', 'X');
  conflictOf(() => t.acquire(c, 'k2', 'S'));
  t.releaseAll(a);
  t.releaseAll(b);
  assert.equal(t.size, 0);
  t.acquire(c, 'k1', 'X');
});

test('a wait ends when the holder releases; waiting the other way round is a deadlock (1213); a timeout is 1205', async () => {
  const t = table();
  const [a, b] = [owner(1), owner(2)];
  t.acquire(a, 'r1', 'X');
  t.acquire(b, 'r2', 'X');
  const aWaits = t.wait(a, conflictOf(() => t.acquire(a, 'r2', 'X')), 5000);
  await new Promise((r) => setTimeout(r, 20));
  await assert.rejects(t.wait(b, conflictOf(() => t.acquire(b, 'r1', 'X')), 5000), (e: unknown) => e instanceof SqlError && e.code === 1213);
  t.releaseAll(b);
  await aWaits;
  t.acquire(a, 'r2', 'X');
  const c = owner(3);
  await assert.rejects(t.wait(c, conflictOf(() => t.acquire(c, 'r1', 'X')), 50), (e: unknown) => e instanceof SqlError && e.code === 1205);
  const abort = new AbortController();
  const killed = t.wait(c, conflictOf(() => t.acquire(c, 'r1', 'X')), 5000, abort.signal);
  abort.abort();
  await assert.rejects(killed, (e: unknown) => e instanceof SqlError && e.code === 1317);
});

test('a lock granted on a key committed to after the reads began is stale; re-entry is not', () => {
  const t = table();
  const [a, b] = [owner(1), owner(2)];
  t.markReads();
  t.acquire(a, 'row', 'X');
  t.releaseAll(a, true);
  const stale = conflictOf(() => t.acquire(b, 'row', 'X'));
  assert.equal(stale.stale, true);
  t.acquire(b, 'row', 'X');
  t.releaseAll(b);
  t.markReads();
  t.acquire(b, 'row', 'X');
});

test('the hash table keeps every lock through inserts and removals (probe runs shift back correctly)', () => {
  const t = table();
  const owners = Array.from({ length: 10 }, (_, i) => owner(i + 1));
  for (let k = 0; k < 2000; k++) t.acquire(owners[k % 10], `key-${k}`, 'X');
  assert.equal(t.size, 2000);
  for (let i = 0; i < 10; i += 2) t.releaseAll(owners[i]);
  assert.equal(t.size, 1000);
  const other = owner(99);
  for (let k = 0; k < 2000; k++) {
    const held = (k % 10) % 2 === 1;
    if (held) conflictOf(() => t.acquire(other, `key-${k}`, 'X'));
    else t.acquire(other, `key-${k}`, 'X');
  }
});

test('releaseSome gives a committed owner\'s locks back a few at a time, wakes their waiters, and marks its changes for stale reads', async () => {
  const t = table();
  const [a, b, c] = [owner(1), owner(2), owner(3)];
  for (let i = 0; i < 10; i++) t.acquire(a, `k${i}`, 'X');
  t.acquire(a, 'shared', 'S');
  t.acquire(c, 'shared', 'S');
  t.markReads();
  const waits = [...Array(11).keys()].map((i) => {
    const key = i < 10 ? `k${i}` : 'shared';
    return t.wait(b, conflictOf(() => t.acquire(b, key, 'X')), 5000).then(() => key);
  });
  const woken = new Set<string>();
  for (const w of waits) void w.then((key) => woken.add(key));
  assert.equal(t.releaseSome(a, 4), false);
  assert.equal(t.size, 7);
  await new Promise((r) => setTimeout(r, 50));
  assert.ok(woken.size >= 1, 'the waiters of the released keys are woken');
  assert.equal(t.releaseSome(a, 4), false);
  assert.equal(t.releaseSome(a, 4), true);
  assert.equal(t.size, 1, 'the shared lock stays with its other holder');
  conflictOf(() => t.acquire(b, 'shared', 'X'));
  t.releaseAll(a, true);
  // Released before releaseAll, the keys still count as changed by the commit: reads from before it are stale.
  assert.equal(conflictOf(() => t.acquire(b, 'k0', 'X')).stale, true);
  t.acquire(b, 'k0', 'X');
  t.releaseAll(c);
  t.acquire(b, 'shared', 'X');
  await Promise.all(waits.slice(0, 10));
  t.releaseAll(b);
  assert.equal(t.size, 0);
  // The owner's slot was given back: a fresh owner gets locks as usual.
  t.markReads();
  t.acquire(a, 'k0', 'X');
  t.releaseAll(a);
});
