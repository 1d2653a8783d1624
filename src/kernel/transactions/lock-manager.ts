// Row and unique-value locks between transactions: grants, conflicts, waits with timeout, deadlock detection.
import { sqlError } from '../../base/errors.js';

/** Who holds and waits for locks: a transaction, identified by object. */
export interface LockOwner {
  readonly id: number;
  /** The owners this one is waiting for (set while it waits), for deadlock detection. */
  waitingFor: Set<LockOwner> | undefined;
  /** The connection id of the session owning a user-level lock (IS_USED_LOCK); transactions have none. */
  readonly session?: number;
}

export type LockMode = 'S' | 'X';

interface LockEntry {
  mode: LockMode;
  holders: Set<LockOwner>;
  /** A metadata lock's exclusive request that waits: new shared requests queue behind it (MySQL's priority for DDL). */
  pending: LockOwner | undefined;
  /** Resolvers of statements waiting for this lock to change. */
  waiters: Set<() => void>;
}

/**
 * Thrown (synchronously, from inside a statement) when a lock is held by
 * another transaction. The session rolls the statement back, waits for the
 * lock with `LockManager.wait`, and runs the statement again.
 */
export class LockConflict extends Error {
  /**
   * `blockers` are the holders in the table that threw: owners in this thread's LockManager,
   * or owner slots of the shared table (workers); only that table reads them.
   */
  constructor(
    readonly key: string,
    readonly blockers: ReadonlySet<LockOwner> | ReadonlySet<number>,
    /**
     * Set when the lock was granted but another thread committed a change to its key after
     * this statement's reads began: nothing to wait for, the statement runs again on fresh reads.
     */
    readonly stale = false,
    /** Set when the request was exclusive: a metadata lock's waiter then queues ahead of new shared requests (see LockManager.wait). */
    readonly exclusive = false,
  ) {
    super('lock conflict');
  }
}

/** Row and unique-value locks as transactions and sessions use them, whichever table holds them. */
export interface RowLocks {
  /** Grants the lock or throws LockConflict (synchronously, from inside a statement). */
  acquire(owner: LockOwner, key: string, mode: LockMode): void;
  /**
   * Releases every lock of `owner` and wakes the statements waiting on them; `committed` when
   * its changes were just made durable (a shared table notes which keys changed).
   */
  releaseAll(owner: LockOwner, committed?: boolean): void;
  /**
   * Optional: releases up to `max` of `owner`'s locks (and wakes their waiters); true once it holds
   * none. Lets a big transaction that has committed give its locks back in slices before releaseAll.
   */
  releaseSome?(owner: LockOwner, max: number): boolean;
  /**
   * Waits until the conflicting lock changes hands; 1205 on timeout, 1213 on deadlock, 1317 when aborted.
   * `companions` stand for the same waiter (a session's other user-level locks, each its own owner): while
   * `owner` waits they count as waiting too, and a cycle back to any of them is a deadlock.
   */
  wait(owner: LockOwner, conflict: LockConflict, timeoutMs: number, signal?: AbortSignal, companions?: readonly LockOwner[]): Promise<void>;
  /** The `session` of the owner holding `key` exclusively (0 when it has none), or undefined when the key is free or shared. */
  exclusiveHolderSession(key: string): number | undefined;
  /** Locks held now, for status counters and tests. */
  readonly size: number;
}

/**
 * Metadata locks (one per table name) live in the same tables as row locks, under keys no row or
 * user-level lock has: waits, timeouts, KILL and deadlock detection cover them too.
 */
export const METADATA_KEY_PREFIX = '\u0000mdl\u0000';

export function isMetadataKey(key: string): boolean {
  return key.startsWith(METADATA_KEY_PREFIX);
}

/** Most locks the server tracks at once; a transaction past it fails cleanly instead of exhausting memory. */
export const LOCKS_MAX = 5_000_000;

/**
 * Locks keyed by strings (store-qualified row keys and unique values). Shared
 * locks are compatible with each other; exclusive ones with nothing but the
 * same owner. Locks are held until the owner's transaction ends (strict 2PL).
 */
export class LockManager implements RowLocks {
  private readonly locks = new Map<string, LockEntry>();
  private readonly held = new Map<LockOwner, Set<string>>();
  /** The metadata key each owner's waiting exclusive request queues on (see wait). */
  private readonly pendingOf = new Map<LockOwner, string>();

  /** Grants the lock or throws LockConflict; re-entrant, and upgrades S to X when the owner is the only holder. */
  acquire(owner: LockOwner, key: string, mode: LockMode): void {
    let e = this.locks.get(key);
    if (!e) {
      if (this.locks.size >= LOCKS_MAX) throw sqlError('OUTOFMEMORY', `Too many row locks (more than ${LOCKS_MAX}); commit more often`);
      e = { mode, holders: new Set([owner]), waiters: new Set(), pending: undefined };
      this.locks.set(key, e);
      this.remember(owner, key);
      return;
    }
    if (e.holders.size === 0) {
      // Kept for the exclusive request waiting on it (see release): that one takes it, everyone else waits behind.
      const queued = e.pending as LockOwner;
      if (mode === 'X' && queued === owner) {
        e.mode = 'X';
        e.pending = undefined;
        e.holders.add(owner);
        this.remember(owner, key);
        return;
      }
      throw new LockConflict(key, new Set([queued]), false, mode === 'X');
    }
    if (e.holders.has(owner)) {
      if (mode === 'X' && e.mode === 'S') {
        if (e.holders.size > 1) throw new LockConflict(key, without(e.holders, owner), false, true);
        e.mode = 'X';
        if (e.pending === owner) e.pending = undefined;
      }
      return;
    }
    if (mode === 'S' && e.mode === 'S') {
      if (e.pending !== undefined && e.pending !== owner) throw new LockConflict(key, new Set([e.pending]));
      e.holders.add(owner);
      this.remember(owner, key);
      return;
    }
    throw new LockConflict(key, new Set(e.holders), false, mode === 'X');
  }

  private remember(owner: LockOwner, key: string): void {
    let s = this.held.get(owner);
    if (!s) this.held.set(owner, (s = new Set()));
    s.add(key);
  }

  /** Releases every lock of `owner` and wakes the statements waiting on them. */
  releaseAll(owner: LockOwner): void {
    this.dropPending(owner);
    const keys = this.held.get(owner);
    if (!keys) return;
    this.held.delete(owner);
    for (const key of keys) this.release(owner, key);
  }

  releaseSome(owner: LockOwner, max: number): boolean {
    const keys = this.held.get(owner);
    if (!keys) return true;
    let n = 0;
    for (const key of keys) {
      if (n++ === max) return false;
      keys.delete(key);
      this.release(owner, key);
    }
    this.held.delete(owner);
    return true;
  }

  /** An exclusive request that stopped waiting no longer holds back shared ones: they are woken. */
  private dropPending(owner: LockOwner): void {
    const key = this.pendingOf.get(owner);
    if (key === undefined) return;
    this.pendingOf.delete(owner);
    const e = this.locks.get(key);
    if (e === undefined || e.pending !== owner) return;
    e.pending = undefined;
    if (e.holders.size === 0) this.locks.delete(key);
    for (const wake of e.waiters) wake();
    e.waiters.clear();
  }

  private release(owner: LockOwner, key: string): void {
    const e = this.locks.get(key);
    if (!e) return;
    e.holders.delete(owner);
    // A waiting exclusive request keeps the entry, so no shared request slips in before it retries.
    if (e.holders.size === 0 && e.pending === undefined) this.locks.delete(key);
    for (const wake of e.waiters) wake();
    e.waiters.clear();
  }

  /**
   * Whether making `owner` wait for `blockers` closes a cycle in the wait-for
   * graph (a deadlock): some blocker is, directly or through others, waiting for `owner`.
   */
  wouldDeadlock(owner: LockOwner, blockers: ReadonlySet<LockOwner>, companions: readonly LockOwner[] = []): boolean {
    const seen = new Set<LockOwner>();
    const stack = [...blockers];
    while (stack.length) {
      const t = stack.pop() as LockOwner;
      if (t === owner || companions.includes(t)) return true;
      if (seen.has(t)) continue;
      seen.add(t);
      if (t.waitingFor) for (const u of t.waitingFor) stack.push(u);
    }
    return false;
  }

  /**
   * Waits until the lock `key` changes hands (then the statement retries), up to
   * `timeoutMs`; rejects with 1205 on timeout and 1213 when waiting would deadlock.
   */
  async wait(owner: LockOwner, conflict: LockConflict, timeoutMs: number, signal?: AbortSignal, companions: readonly LockOwner[] = []): Promise<void> {
    const blockers = conflict.blockers as ReadonlySet<LockOwner>;
    if (this.wouldDeadlock(owner, blockers, companions)) {
      throw sqlError('LOCK_DEADLOCK', 'Deadlock found when trying to get lock; try restarting transaction');
    }
    const e = this.locks.get(conflict.key);
    if (!e) return; // released meanwhile
    if (conflict.exclusive && e.mode === 'S' && e.pending === undefined && isMetadataKey(conflict.key)) {
      // Kept until the owner's locks are released (it gets the lock, or its statement ends).
      e.pending = owner;
      this.pendingOf.set(owner, conflict.key);
    }
    owner.waitingFor = new Set(blockers);
    for (const c of companions) c.waitingFor = owner.waitingFor;
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          e.waiters.delete(wake);
          signal?.removeEventListener('abort', onAbort);
          reject(sqlError('LOCK_WAIT_TIMEOUT', 'Lock wait timeout exceeded; try restarting transaction'));
        }, timeoutMs);
        const onAbort = () => {
          clearTimeout(timer);
          e.waiters.delete(wake);
          reject(sqlError('QUERY_INTERRUPTED', 'Query execution was interrupted'));
        };
        const wake = () => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        e.waiters.add(wake);
      });
    } finally {
      owner.waitingFor = undefined;
      for (const c of companions) c.waitingFor = undefined;
    }
  }

  exclusiveHolderSession(key: string): number | undefined {
    const e = this.locks.get(key);
    if (!e || e.mode !== 'X') return undefined;
    for (const h of e.holders) return h.session ?? 0;
    return undefined;
  }

  /** Number of locks held, for status counters and tests. */
  get size(): number {
    return this.locks.size;
  }
}

function without<T>(s: Set<T>, x: T): Set<T> {
  const out = new Set(s);
  out.delete(x);
  return out;
}
