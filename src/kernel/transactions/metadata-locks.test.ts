// Metadata locks in both lock tables: a waiting exclusive request holds back new shared ones; and the names DDL locks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../base/errors.js';
import { parse } from '../../sql/parser/index.js';
import { conflictOf } from '../../testing/lock-conflict.js';
import { SharedLockTable, lockTableBytes } from '../threads/shared-lock-table.js';
import { LockManager, type LockOwner, type RowLocks } from './lock-manager.js';
import { ddlLockKeys, metadataKey } from './metadata-locks.js';

const sizes = { entries: 1 << 12, owners: 64 };
const tables: [string, () => RowLocks][] = [
  ['LockManager', () => new LockManager()],
  ['SharedLockTable', () => new SharedLockTable(new SharedArrayBuffer(lockTableBytes(sizes)), sizes)],
];
const owner = (id: number): LockOwner => ({ id, waitingFor: undefined });
const T = metadataKey('db', 't');

for (const [name, make] of tables) {
  test(`${name}: a waiting exclusive request queues ahead of new shared ones; holders re-enter; the emptied lock is kept for it`, async () => {
    const locks = make();
    const [reader, ddl, late] = [owner(1), owner(2), owner(3)];
    locks.acquire(reader, T, 'S');
    const conflict = conflictOf(() => locks.acquire(ddl, T, 'X'));
    assert.equal(conflict.exclusive, true);
    const ddlWaits = locks.wait(ddl, conflict, 5000);
    const blocked = conflictOf(() => locks.acquire(late, T, 'S'));
    assert.equal(blocked.exclusive, false);
    locks.acquire(reader, T, 'S');
    locks.releaseAll(reader);
    await ddlWaits;
    // The reader is gone: the late one still may not slip in before the exclusive request retries.
    conflictOf(() => locks.acquire(late, T, 'S'));
    locks.acquire(ddl, T, 'X');
    conflictOf(() => locks.acquire(late, T, 'S'));
    locks.releaseAll(ddl);
    locks.acquire(late, T, 'S');
    locks.releaseAll(late);
    assert.equal(locks.size, 0);
  });

  test(`${name}: an exclusive request that gives up (timeout) lets the shared ones it held back go on`, async () => {
    const locks = make();
    const [reader, ddl, late] = [owner(1), owner(2), owner(3)];
    locks.acquire(reader, T, 'S');
    await assert.rejects(locks.wait(ddl, conflictOf(() => locks.acquire(ddl, T, 'X')), 30), (e: unknown) => e instanceof SqlError && e.code === 1205);
    conflictOf(() => locks.acquire(late, T, 'S'));
    locks.releaseAll(ddl);
    locks.acquire(late, T, 'S');
    locks.releaseAll(reader);
    locks.releaseAll(late);
    assert.equal(locks.size, 0);
  });

  test(`${name}: row locks keep their order (an exclusive row lock request holds nothing back)`, async () => {
    const locks = make();
    const [a, b, c] = [owner(1), owner(2), owner(3)];
    locks.acquire(a, '1:row', 'S');
    const waits = locks.wait(b, conflictOf(() => locks.acquire(b, '1:row', 'X')), 5000);
    locks.acquire(c, '1:row', 'S');
    locks.releaseAll(a);
    locks.releaseAll(c);
    await waits;
    locks.acquire(b, '1:row', 'X');
    locks.releaseAll(b);
  });
}

test('the tables DDL locks: its own, both names of a rename, every dropped one, none for temporary tables or databases', () => {
  const scope = { database: 'db', tablesOf: (s: string) => (s === 'old' ? ['b', 'a'] : []), isTemporary: (_s: string, n: string) => n === 'tmp' };
  const keys = (sql: string) => ddlLockKeys(parse(sql), scope);
  assert.deepEqual(keys('ALTER TABLE t ADD COLUMN c INT'), [metadataKey('db', 't')]);
  assert.deepEqual(keys('ALTER TABLE t RENAME TO other.u'), [metadataKey('db', 't'), metadataKey('other', 'u')].sort());
  assert.deepEqual(keys('RENAME TABLE t TO u, x.v TO w'), [metadataKey('db', 't'), metadataKey('db', 'u'), metadataKey('x', 'v'), metadataKey('db', 'w')].sort());
  assert.deepEqual(keys('DROP TABLE t, tmp, t'), [metadataKey('db', 't')]);
  assert.deepEqual(keys('CREATE TABLE n (id INT)'), [metadataKey('db', 'n')]);
  assert.deepEqual(keys('TRUNCATE TABLE t'), [metadataKey('db', 't')]);
  assert.deepEqual(keys('CREATE INDEX i ON t (c)'), [metadataKey('db', 't')]);
  assert.deepEqual(keys('DROP DATABASE old'), [metadataKey('old', 'a'), metadataKey('old', 'b')]);
  assert.deepEqual(keys('CREATE DATABASE x'), []);
  assert.deepEqual(ddlLockKeys(parse('DROP TABLE t'), { ...scope, database: null }), []);
});
