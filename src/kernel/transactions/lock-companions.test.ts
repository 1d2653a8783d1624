// Waits with companions (a session's other user-level locks, each its own owner) and the holder's session,
// in both lock tables: the one-thread LockManager and the SharedLockTable worker threads share.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../base/errors.js';
import { LockManager, type LockOwner, type RowLocks } from './lock-manager.js';
import { conflictOf } from '../../testing/lock-conflict.js';
import { SharedLockTable, lockTableBytes } from '../threads/shared-lock-table.js';

const sizes = { entries: 1 << 10, owners: 64 };
const TABLES: [string, () => RowLocks][] = [
  ['LockManager', () => new LockManager()],
  ['SharedLockTable', () => new SharedLockTable(new SharedArrayBuffer(lockTableBytes(sizes)), sizes)],
];

let nextId = 1;
const owner = (session?: number): LockOwner => ({ id: nextId++, waitingFor: undefined, session });

const isDeadlock = (e: unknown) => e instanceof SqlError && e.code === 1213;

for (const [name, make] of TABLES) {
  test(`${name}: a wait closing a cycle through a companion is a deadlock; without companions it is not seen`, async () => {
    const t = make();
    // Session 1 holds x, session 2 holds y, each with the owner of that name.
    const s1x = owner(1), s2y = owner(2);
    t.acquire(s1x, 'x', 'X');
    t.acquire(s2y, 'y', 'X');
    // Session 1 waits for y with a fresh owner; its companion s1x waits with it.
    const s1wait = owner(1);
    const first = t.wait(s1wait, conflictOf(() => t.acquire(s1wait, 'y', 'X')), 5000, undefined, [s1x]);
    await new Promise((r) => setTimeout(r, 20));
    // Session 2 asking for x closes the cycle: found only when its companion s2y stands for it.
    const s2wait = owner(2);
    await assert.rejects(t.wait(s2wait, conflictOf(() => t.acquire(s2wait, 'x', 'X')), 5000, undefined, [s2y]), isDeadlock);
    t.releaseAll(s2wait);
    // Without companions the same wait is not seen as a cycle: it would just time out.
    const blind = owner(2);
    await assert.rejects(t.wait(blind, conflictOf(() => t.acquire(blind, 'x', 'X')), 60), (e: unknown) => e instanceof SqlError && e.code === 1205);
    t.releaseAll(blind);
    t.releaseAll(s2y);
    await first;
    t.releaseAll(s1wait);
    // Once the wait is over the companion no longer counts as waiting: the reverse wait is no deadlock.
    t.acquire(s2y, 'y', 'X');
    const s2again = owner(2);
    const late = t.wait(s2again, conflictOf(() => t.acquire(s2again, 'x', 'X')), 5000, undefined, [s2y]);
    t.releaseAll(s1x);
    await late;
  });

  test(`${name}: the session of an exclusive holder, none for free keys`, () => {
    const t = make();
    const held = owner(42);
    assert.equal(t.exclusiveHolderSession('k'), undefined);
    t.acquire(held, 'k', 'X');
    assert.equal(t.exclusiveHolderSession('k'), 42);
    const txn = owner();
    t.acquire(txn, 'row', 'X');
    assert.equal(t.exclusiveHolderSession('row'), 0);
    t.releaseAll(held);
    assert.equal(t.exclusiveHolderSession('k'), undefined);
  });
}
