// User-level locks (GET_LOCK, RELEASE_LOCK, ...) of one session, kept in the server's row-lock table so every thread sees them.
import { LockConflict, type LockOwner, type RowLocks } from '../transactions/lock-manager.js';
import type { UserLocks } from '../../sql/analyzer/eval-context.js';

/** Owners of user-level locks get ids apart from transactions' (which count up from 1). */
let lastUserLockOwnerId = 2 ** 40;

const keyOf = (lname: string): string => `\u0000user-lock\u0000${lname}`;

/**
 * Thrown when GET_LOCK meets a lock another session holds and may wait: the statement is undone,
 * its driver waits for the lock with `owner` (up to `timeoutMs`, negative: no limit), then runs it again.
 * `held` are the owners of the session's other locks: they wait with it, so a cycle of sessions each
 * waiting for a lock another holds is found (3058), as MySQL's metadata-lock graph finds it.
 */
export class UserLockConflict extends LockConflict {
  constructor(conflict: LockConflict, readonly owner: LockOwner, readonly held: readonly LockOwner[], readonly timeoutMs: number, readonly expire: () => void) {
    super(conflict.key, conflict.blockers);
  }
}

/**
 * A session's user-level locks. Each held name has its own lock owner, so RELEASE_LOCK frees
 * one name with the table's releaseAll; a grant count makes GET_LOCK re-entrant, as in MySQL 5.7+.
 */
export class SessionUserLocks implements UserLocks {
  private readonly held = new Map<string, { owner: LockOwner; count: number }>();
  /** The name whose wait just timed out: the statement's next attempt answers 0 for it. */
  private expired: string | undefined;

  /** `session` is the connection id IS_USED_LOCK reports for this session's locks. */
  constructor(private readonly locks: Pick<RowLocks, 'acquire' | 'releaseAll' | 'exclusiveHolderSession'>, private readonly session: number) {}

  private newOwner(): LockOwner {
    return { id: ++lastUserLockOwnerId, waitingFor: undefined, session: this.session };
  }

  get(name: string, timeoutMs: number): number {
    const lname = name.toLowerCase();
    const mine = this.held.get(lname);
    if (mine) {
      mine.count++;
      return 1;
    }
    if (this.expired === lname) {
      this.expired = undefined;
      return 0;
    }
    const owner = this.newOwner();
    try {
      this.locks.acquire(owner, keyOf(lname), 'X');
    } catch (e) {
      if (!(e instanceof LockConflict)) throw e;
      this.locks.releaseAll(owner);
      if (timeoutMs === 0) return 0;
      const held = [...this.held.values()].map((h) => h.owner);
      throw new UserLockConflict(e, owner, held, timeoutMs, () => { this.expired = lname; });
    }
    this.held.set(lname, { owner, count: 1 });
    return 1;
  }

  release(name: string): number | null {
    const lname = name.toLowerCase();
    const mine = this.held.get(lname);
    if (!mine) return this.isFree(name) ? null : 0;
    if (--mine.count === 0) {
      this.held.delete(lname);
      this.locks.releaseAll(mine.owner);
    }
    return 1;
  }

  releaseAll(): number {
    let n = 0;
    for (const { owner, count } of this.held.values()) {
      n += count;
      this.locks.releaseAll(owner);
    }
    this.held.clear();
    return n;
  }

  usedBy(name: string): number | null {
    const lname = name.toLowerCase();
    if (this.held.has(lname)) return this.session;
    return this.locks.exclusiveHolderSession(keyOf(lname)) ?? null;
  }

  isFree(name: string): number {
    const lname = name.toLowerCase();
    if (this.held.has(lname)) return 0;
    // The table answers only by granting: take the lock and give it straight back.
    const probe = this.newOwner();
    try {
      this.locks.acquire(probe, keyOf(lname), 'X');
      return 1;
    } catch (e) {
      if (!(e instanceof LockConflict)) throw e;
      return 0;
    } finally {
      this.locks.releaseAll(probe);
    }
  }
}
