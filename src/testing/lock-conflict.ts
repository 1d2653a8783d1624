// For lock-table tests: the LockConflict an acquire throws, failing the test when it is granted instead.
import assert from 'node:assert/strict';
import { LockConflict } from '../kernel/transactions/lock-manager.js';

export function conflictOf(acquire: () => void): LockConflict {
  try {
    acquire();
  } catch (e) {
    if (e instanceof LockConflict) return e;
    throw e;
  }
  assert.fail('expected a lock conflict');
}
