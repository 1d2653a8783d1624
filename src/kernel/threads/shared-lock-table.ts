// Row locks every worker thread shares: a hash table in a SharedArrayBuffer behind one futex mutex, with waits and deadlock detection.
import { sqlError } from '../../base/errors.js';
import { LockConflict, isMetadataKey, type LockMode, type LockOwner, type RowLocks } from '../transactions/lock-manager.js';

/**
 * Sizes of the shared table. Entries are fixed: a transaction that would push the
 * table past `maxLocks` fails cleanly (as LockManager does at its own limit).
 */
export interface LockTableSizes {
  /** Hash slots (a power of two); at most three quarters of them are used. */
  entries: number;
  /** Transactions that may hold or wait for locks at once. */
  owners: number;
}

export const DEFAULT_LOCK_TABLE_SIZES: LockTableSizes = { entries: 1 << 19, owners: 1 << 14 };

// Header, in int32s.
const MUTEX = 0;
const LOCK_COUNT = 1;
const OWNER_HINT = 2;
/** Counts commits that changed locked keys; stamps say which commit last changed a key (by hash bucket). */
const COMMIT_SEQ = 3;
const HEADER_INTS = 4;

// One entry: two hash words, a state word, the exclusive holder (in S mode: a metadata lock's waiting
// exclusive request, which new shared requests queue behind), up to four listed shared holders.
const ENTRY_INTS = 8;
const E_HASH_A = 0;
const E_HASH_B = 1;
const E_STATE = 2;
const E_X_OWNER = 3;
const E_SHARED = 4;
const SHARED_LISTED = 4;
// State word: 0 empty; bits 0-1 mode (1 S, 2 X); bit 2 someone waits; bits 8+ number of shared holders.
const MODE_S = 1;
const MODE_X = 2;
const MODE_MASK = 3;
const HAS_WAITERS = 4;
const COUNT_SHIFT = 8;

// One owner slot: in use, its session (user-level locks), then the owner slots it waits for (0 ends the list).
const OWNER_INTS = 13;
const O_IN_USE = 0;
const O_SESSION = 1;
const O_WAITS = 2;
const WAITS_LISTED = OWNER_INTS - O_WAITS;

/** Wake counters, by key hash: a release bumps one and notifies whoever waits on it. */
const WAKE_SLOTS = 1024;
/** Commit stamps, by key hash (a power of two). */
const STAMP_SLOTS = 1 << 16;
/** Spins before a contended mutex sleeps. */
const SPINS = 64;

export function lockTableBytes(sizes: LockTableSizes): number {
  return (HEADER_INTS + sizes.entries * ENTRY_INTS + sizes.owners * OWNER_INTS + WAKE_SLOTS + STAMP_SLOTS) * 4;
}

/** What this thread knows of one owner's locks: its slot and each key it holds, by key. */
interface OwnerLocks {
  slot: number;
  held: Map<string, { a: number; b: number; mode: LockMode }>;
  /** Set by the first releaseSome: the commit number its keys were stamped with, so releaseAll stamps the rest alike. */
  commitSeq?: number;
  /** The key hash of the metadata lock its waiting exclusive request queues on (see wait), if any. */
  pendingA: number;
  pendingB: number;
  pending: boolean;
}

// The key's two hash words, left here by hashKey (no allocation per lock).
let hashA = 0;
let hashB = 0;

/** Two independent 32-bit hashes of a key: a false conflict needs both to collide. */
function hashKey(key: string): void {
  let a = 0x811c9dc5;
  let b = 0x9e3779b9 ^ key.length;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  hashA = a | 0;
  hashB = b | 0;
}

/**
 * The shared lock table. Keys are identified by a 64-bit hash (a collision makes two
 * rows share a lock: a needless wait, never a lost one). Each thread keeps which keys
 * its own owners hold, so re-entrant acquires never touch shared memory.
 */
export class SharedLockTable implements RowLocks {
  private readonly words: Int32Array;
  private readonly entryBase = HEADER_INTS;
  private readonly ownerBase: number;
  private readonly wakeBase: number;
  private readonly stampBase: number;
  /** The commit count when this thread's current reads began (see markReads). */
  private readsSince = 0;
  private readonly mask: number;
  private readonly maxLocks: number;
  private readonly owners = new Map<LockOwner, OwnerLocks>();

  constructor(buffer: SharedArrayBuffer, private readonly sizes: LockTableSizes) {
    if ((sizes.entries & (sizes.entries - 1)) !== 0) throw new Error('lock table entries must be a power of two');
    this.words = new Int32Array(buffer);
    this.ownerBase = HEADER_INTS + sizes.entries * ENTRY_INTS;
    this.wakeBase = this.ownerBase + sizes.owners * OWNER_INTS;
    this.stampBase = this.wakeBase + WAKE_SLOTS;
    this.mask = sizes.entries - 1;
    this.maxLocks = Math.floor(sizes.entries * 0.75);
  }

  /**
   * Called before this thread's reads are renewed: a lock granted later on a key whose stamp
   * is newer was changed by a commit these reads may not see (the statement then reruns).
   */
  markReads(): void {
    this.readsSince = Atomics.load(this.words, COMMIT_SEQ);
  }

  /** Whether a commit after markReads changed a key of this hash (counts wrap: compared by signed difference). */
  private changedSinceReads(a: number): boolean {
    return ((Atomics.load(this.words, this.stampIndex(a)) - this.readsSince) | 0) > 0;
  }

  private stampIndex(a: number): number {
    return this.stampBase + ((a >>> 0) & (STAMP_SLOTS - 1));
  }

  get size(): number {
    return Atomics.load(this.words, LOCK_COUNT);
  }

  acquire(owner: LockOwner, key: string, mode: LockMode): void {
    const mine = this.owners.get(owner);
    const prev = mine?.held.get(key);
    if (prev && (prev.mode === 'X' || mode === 'S')) return;
    hashKey(key);
    const a = hashA;
    const b = hashB;
    this.lock();
    try {
      const local = mine ?? this.register(owner);
      const w = this.words;
      const i = this.find(a, b);
      if (i < 0) {
        if (w[LOCK_COUNT] >= this.maxLocks) throw sqlError('OUTOFMEMORY', `Too many row locks (more than ${this.maxLocks}); commit more often`);
        this.insert(a, b, mode, local.slot);
        local.held.set(key, { a, b, mode });
        if (mode === 'X') local.pending = false;
        if (this.changedSinceReads(a)) throw new LockConflict(key, new Set<number>(), true);
        return;
      }
      const state = w[i + E_STATE];
      if (state >>> COUNT_SHIFT === 0) {
        // Kept for the exclusive request waiting on it (see releaseAll): that one takes it, everyone else waits behind.
        const queued = w[i + E_X_OWNER];
        if (mode === 'X' && queued === local.slot) {
          w[i + E_STATE] = MODE_X | (1 << COUNT_SHIFT) | (state & HAS_WAITERS);
          local.held.set(key, { a, b, mode });
          local.pending = false;
          if (this.changedSinceReads(a)) throw new LockConflict(key, new Set<number>(), true);
          return;
        }
        throw new LockConflict(key, new Set([queued]), false, mode === 'X');
      }
      if (prev) {
        // An upgrade from S: only when this owner is the only holder.
        if (state >>> COUNT_SHIFT === 1) {
          w[i + E_STATE] = MODE_X | (state & HAS_WAITERS);
          w[i + E_X_OWNER] = local.slot;
          for (let k = 0; k < SHARED_LISTED; k++) w[i + E_SHARED + k] = 0;
          prev.mode = 'X';
          local.pending = false;
          if (this.changedSinceReads(a)) throw new LockConflict(key, new Set<number>(), true);
          return;
        }
        throw new LockConflict(key, this.sharedHolders(i, local.slot), false, true);
      }
      if (mode === 'S' && (state & MODE_MASK) === MODE_S) {
        const queuedX = w[i + E_X_OWNER];
        if (queuedX !== 0 && queuedX !== local.slot) throw new LockConflict(key, new Set([queuedX]));
        w[i + E_STATE] = state + (1 << COUNT_SHIFT);
        for (let k = 0; k < SHARED_LISTED; k++) {
          if (w[i + E_SHARED + k] === 0) {
            w[i + E_SHARED + k] = local.slot;
            break;
          }
        }
        local.held.set(key, { a, b, mode });
        if (this.changedSinceReads(a)) throw new LockConflict(key, new Set<number>(), true);
        return;
      }
      throw new LockConflict(key, (state & MODE_MASK) === MODE_X ? new Set([w[i + E_X_OWNER]]) : this.sharedHolders(i, local.slot), false, mode === 'X');
    } finally {
      this.unlock();
    }
  }

  releaseAll(owner: LockOwner, committed = false): void {
    const local = this.owners.get(owner);
    if (!local) return;
    this.owners.delete(owner);
    const w = this.words;
    const wakes: number[] = [];
    this.lock();
    try {
      if (committed) {
        // Stamped before the locks go: whoever gets one next knows whether its reads predate this commit.
        const seq = local.commitSeq ?? Atomics.add(w, COMMIT_SEQ, 1) + 1;
        for (const h of local.held.values()) if (h.mode === 'X') Atomics.store(w, this.stampIndex(h.a), seq);
      }
      if (local.pending) this.dropPending(local, wakes);
      for (const { a, b } of local.held.values()) this.releaseEntry(local.slot, a, b, wakes);
      this.freeSlot(local.slot);
    } finally {
      this.unlock();
    }
    this.wake(wakes);
  }

  /**
   * For an owner whose transaction committed (RowLocks.releaseSome): releases up to `max` of its
   * locks, stamped as changed by its commit as releaseAll(owner, true) would; true once it holds none.
   */
  releaseSome(owner: LockOwner, max: number): boolean {
    const local = this.owners.get(owner);
    if (!local) return true;
    const w = this.words;
    const wakes: number[] = [];
    let n = 0;
    this.lock();
    try {
      local.commitSeq ??= Atomics.add(w, COMMIT_SEQ, 1) + 1;
      for (const [key, h] of local.held) {
        if (n++ === max) break;
        if (h.mode === 'X') Atomics.store(w, this.stampIndex(h.a), local.commitSeq);
        this.releaseEntry(local.slot, h.a, h.b, wakes);
        local.held.delete(key);
      }
      if (local.held.size === 0) {
        if (local.pending) this.dropPending(local, wakes);
        this.freeSlot(local.slot);
        this.owners.delete(owner);
      }
    } finally {
      this.unlock();
    }
    this.wake(wakes);
    return local.held.size === 0;
  }

  /** Drops `slot`'s hold on the entry of hash (a, b), noting its wake counter when someone waits. Mutex held. */
  private releaseEntry(slot: number, a: number, b: number, wakes: number[]): void {
    const w = this.words;
    const i = this.find(a, b);
    if (i < 0) return;
    const state = w[i + E_STATE];
    if (state & HAS_WAITERS) wakes.push(this.wakeIndex(a));
    if ((state & MODE_MASK) === MODE_X) {
      if (w[i + E_X_OWNER] === slot) this.remove(i);
      return;
    }
    const count = (state >>> COUNT_SHIFT) - 1;
    // A waiting exclusive request keeps the entry, so no shared request slips in before it retries.
    if (count <= 0 && w[i + E_X_OWNER] === 0) {
      this.remove(i);
      return;
    }
    w[i + E_STATE] = (state & ((1 << COUNT_SHIFT) - 1)) | (count << COUNT_SHIFT);
    for (let k = 0; k < SHARED_LISTED; k++) if (w[i + E_SHARED + k] === slot) w[i + E_SHARED + k] = 0;
  }

  /** Gives an owner slot back. Mutex held. */
  private freeSlot(slot: number): void {
    const o = this.ownerBase + slot * OWNER_INTS;
    this.words[o + O_IN_USE] = 0;
    this.words[o + O_WAITS] = 0;
  }

  /** Wakes whoever waits on these counters (after the mutex is released). */
  private wake(wakes: readonly number[]): void {
    for (const idx of wakes) {
      Atomics.add(this.words, idx, 1);
      Atomics.notify(this.words, idx);
    }
  }

  async wait(owner: LockOwner, conflict: LockConflict, timeoutMs: number, signal?: AbortSignal, companions: readonly LockOwner[] = []): Promise<void> {
    const blockers = conflict.blockers as ReadonlySet<number>;
    const w = this.words;
    hashKey(conflict.key);
    const a = hashA;
    const b = hashB;
    let wake: number;
    let seen: number;
    let slot: number;
    this.lock();
    try {
      const local = this.owners.get(owner) ?? this.register(owner);
      slot = local.slot;
      const selves = new Set([slot]);
      for (const c of companions) {
        const cs = this.owners.get(c)?.slot;
        if (cs !== undefined) selves.add(cs);
      }
      if (this.wouldDeadlock(selves, blockers)) throw sqlError('LOCK_DEADLOCK', 'Deadlock found when trying to get lock; try restarting transaction');
      const i = this.find(a, b);
      if (i < 0) return; // released meanwhile: the statement retries at once
      w[i + E_STATE] |= HAS_WAITERS;
      if (conflict.exclusive && (w[i + E_STATE] & MODE_MASK) === MODE_S && w[i + E_X_OWNER] === 0 && isMetadataKey(conflict.key)) {
        // Kept until the owner's locks are released (it gets the lock, or its statement ends).
        w[i + E_X_OWNER] = slot;
        local.pendingA = a;
        local.pendingB = b;
        local.pending = true;
      }
      for (const s of selves) {
        const o = this.ownerBase + s * OWNER_INTS;
        let k = 0;
        for (const t of blockers) {
          if (k >= WAITS_LISTED) break;
          w[o + O_WAITS + k++] = t;
        }
        if (k < WAITS_LISTED) w[o + O_WAITS + k] = 0;
      }
      wake = this.wakeIndex(a);
      seen = Atomics.load(w, wake);
    } finally {
      this.unlock();
    }
    try {
      await this.sleepUntilWoken(wake, seen, timeoutMs, signal);
    } finally {
      this.lock();
      w[this.ownerBase + slot * OWNER_INTS + O_WAITS] = 0;
      // Companions released meanwhile gave their slots back (maybe to another owner): only those still ours.
      for (const c of companions) {
        const cs = this.owners.get(c)?.slot;
        if (cs !== undefined) w[this.ownerBase + cs * OWNER_INTS + O_WAITS] = 0;
      }
      this.unlock();
    }
  }

  exclusiveHolderSession(key: string): number | undefined {
    hashKey(key);
    const a = hashA;
    const b = hashB;
    this.lock();
    try {
      const i = this.find(a, b);
      if (i < 0 || (this.words[i + E_STATE] & MODE_MASK) !== MODE_X) return undefined;
      return this.words[this.ownerBase + this.words[i + E_X_OWNER] * OWNER_INTS + O_SESSION] >>> 0;
    } finally {
      this.unlock();
    }
  }

  /** Waits for the wake counter to move (a release), the timeout (1205) or the abort signal (1317). */
  private async sleepUntilWoken(wake: number, seen: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    const interrupted = () => sqlError('QUERY_INTERRUPTED', 'Query execution was interrupted');
    if (signal?.aborted) throw interrupted();
    const r = Atomics.waitAsync(this.words, wake, seen, timeoutMs);
    if (!r.async) {
      if (r.value === 'timed-out') throw sqlError('LOCK_WAIT_TIMEOUT', 'Lock wait timeout exceeded; try restarting transaction');
      return;
    }
    // A pending Atomics.waitAsync does not keep the event loop alive; this timer does, for as long as the wait may last.
    const keepAlive = setTimeout(() => undefined, Math.min(timeoutMs + 1000, 2 ** 31 - 1));
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<'aborted'>((resolve) => {
      onAbort = () => resolve('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([r.value, aborted]);
      if (outcome === 'aborted') {
        // Nudge the pending wait so it does not hold the thread's event loop until its timeout.
        Atomics.notify(this.words, wake);
        throw interrupted();
      }
      if (outcome === 'timed-out') throw sqlError('LOCK_WAIT_TIMEOUT', 'Lock wait timeout exceeded; try restarting transaction');
    } finally {
      clearTimeout(keepAlive);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Whether `selves` waiting for `blockers` closes a cycle: some blocker waits, directly or through others, for one of `selves`. */
  private wouldDeadlock(selves: ReadonlySet<number>, blockers: ReadonlySet<number>): boolean {
    const w = this.words;
    const seen = new Set<number>();
    const stack = [...blockers];
    while (stack.length) {
      const t = stack.pop() as number;
      if (selves.has(t)) return true;
      if (seen.has(t) || t <= 0 || t >= this.sizes.owners) continue;
      seen.add(t);
      const o = this.ownerBase + t * OWNER_INTS;
      for (let k = 0; k < WAITS_LISTED; k++) {
        const u = w[o + O_WAITS + k];
        if (u === 0) break;
        stack.push(u);
      }
    }
    return false;
  }

  /** Gives `owner` a free slot (slot 0 is never used: 0 means none). Called with the mutex held. */
  private register(owner: LockOwner): OwnerLocks {
    const w = this.words;
    const n = this.sizes.owners;
    const start = w[OWNER_HINT];
    for (let step = 0; step < n; step++) {
      const slot = ((start + step) % (n - 1)) + 1;
      const o = this.ownerBase + slot * OWNER_INTS;
      if (w[o + O_IN_USE] === 0) {
        w[o + O_IN_USE] = 1;
        w[o + O_SESSION] = owner.session ?? 0;
        w[o + O_WAITS] = 0;
        w[OWNER_HINT] = slot;
        const local: OwnerLocks = { slot, held: new Map(), pendingA: 0, pendingB: 0, pending: false };
        this.owners.set(owner, local);
        return local;
      }
    }
    throw sqlError('OUTOFMEMORY', `Too many transactions holding row locks at once (more than ${n - 1})`);
  }

  /** An exclusive request that stopped waiting no longer holds back shared ones: they are woken. Mutex held. */
  private dropPending(local: OwnerLocks, wakes: number[]): void {
    local.pending = false;
    const w = this.words;
    const i = this.find(local.pendingA, local.pendingB);
    if (i < 0 || (w[i + E_STATE] & MODE_MASK) !== MODE_S || w[i + E_X_OWNER] !== local.slot) return;
    if (w[i + E_STATE] & HAS_WAITERS) wakes.push(this.wakeIndex(local.pendingA));
    if (w[i + E_STATE] >>> COUNT_SHIFT === 0) this.remove(i);
    else w[i + E_X_OWNER] = 0;
  }

  private sharedHolders(i: number, except: number): Set<number> {
    const out = new Set<number>();
    for (let k = 0; k < SHARED_LISTED; k++) {
      const s = this.words[i + E_SHARED + k];
      if (s !== 0 && s !== except) out.add(s);
    }
    return out;
  }

  private wakeIndex(a: number): number {
    return this.wakeBase + ((a >>> 0) % WAKE_SLOTS);
  }

  // ------------------------------------------------------------------ the hash table (mutex held)

  private home(a: number): number {
    return (a >>> 0) & this.mask;
  }

  /** The entry's word index, or -1. */
  private find(a: number, b: number): number {
    const w = this.words;
    for (let slot = this.home(a); ; slot = (slot + 1) & this.mask) {
      const i = this.entryBase + slot * ENTRY_INTS;
      if (w[i + E_STATE] === 0) return -1;
      if (w[i + E_HASH_A] === a && w[i + E_HASH_B] === b) return i;
    }
  }

  private insert(a: number, b: number, mode: LockMode, owner: number): void {
    const w = this.words;
    let slot = this.home(a);
    while (w[this.entryBase + slot * ENTRY_INTS + E_STATE] !== 0) slot = (slot + 1) & this.mask;
    const i = this.entryBase + slot * ENTRY_INTS;
    w[i + E_HASH_A] = a;
    w[i + E_HASH_B] = b;
    if (mode === 'X') {
      w[i + E_STATE] = MODE_X | (1 << COUNT_SHIFT);
      w[i + E_X_OWNER] = owner;
    } else {
      w[i + E_STATE] = MODE_S | (1 << COUNT_SHIFT);
      w[i + E_X_OWNER] = 0;
      w[i + E_SHARED] = owner;
    }
    w[LOCK_COUNT]++;
  }

  /** Deletes an entry, shifting later entries of its probe run back (linear probing needs no tombstones then). */
  private remove(i: number): void {
    const w = this.words;
    let hole = (i - this.entryBase) / ENTRY_INTS;
    for (let j = (hole + 1) & this.mask; ; j = (j + 1) & this.mask) {
      const jw = this.entryBase + j * ENTRY_INTS;
      if (w[jw + E_STATE] === 0) break;
      const k = this.home(w[jw + E_HASH_A]);
      // The entry at j stays when its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < k && k <= j : hole < k || k <= j;
      if (stays) continue;
      const hw = this.entryBase + hole * ENTRY_INTS;
      for (let x = 0; x < ENTRY_INTS; x++) w[hw + x] = w[jw + x];
      hole = j;
    }
    const hw = this.entryBase + hole * ENTRY_INTS;
    for (let x = 0; x < ENTRY_INTS; x++) w[hw + x] = 0;
    w[LOCK_COUNT]--;
  }

  // ------------------------------------------------------------------ the mutex (0 free, 1 held, 2 held with sleepers)

  private lock(): void {
    const w = this.words;
    let c = Atomics.compareExchange(w, MUTEX, 0, 1);
    if (c === 0) return;
    for (let spin = 0; spin < SPINS && c !== 0; spin++) c = Atomics.compareExchange(w, MUTEX, 0, 1);
    if (c === 0) return;
    if (c !== 2) c = Atomics.exchange(w, MUTEX, 2);
    while (c !== 0) {
      Atomics.wait(w, MUTEX, 2);
      c = Atomics.exchange(w, MUTEX, 2);
    }
  }

  private unlock(): void {
    const w = this.words;
    if (Atomics.sub(w, MUTEX, 1) !== 1) {
      Atomics.store(w, MUTEX, 0);
      Atomics.notify(w, MUTEX, 1);
    }
  }
}
