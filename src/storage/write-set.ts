// A transaction's pending writes for one store, and reader/writer views that overlay them on a base reader.
import { BTree } from './sorted-tree.js';
import type { KvEntry, KvRange, KvReader, KvWriter } from './kv.js';
import { INDEX_PREFIX_BYTES, META_INDEX_ID } from './key-layout.js';
import type { CommitBatchWriter } from './commit-batch.js';


/** Keys as latin1 strings: one char per byte, so string order is byte order. */
const str = (b: Buffer): string => b.toString('latin1');
const buf = (s: string): Buffer => Buffer.from(s, 'latin1');
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** A pending value; null marks a deletion. */
type Pending = Buffer | null;
type Tree = InstanceType<typeof BTree<string, Pending>>;

/** Most pending keys one transaction may hold; past it the statement fails with a clear error (bounded memory). */
export const WRITE_SET_KEYS_MAX = 2_000_000;

/** Whether a key is a per-table counter (merged by maximum at commit, never rolled back below a committed value). */
function isCounterKey(key: Buffer): boolean {
  return key.length > INDEX_PREFIX_BYTES && key.readUInt16BE(4) === META_INDEX_ID;
}

/** isCounterKey for a key held as a latin1 string. */
function isCounterString(k: string): boolean {
  return k.length > INDEX_PREFIX_BYTES && k.charCodeAt(4) * 256 + k.charCodeAt(5) === META_INDEX_ID;
}

/**
 * Pending writes of one transaction to one store, with an undo log so a failed
 * statement can be rolled back to where it started.
 */
export class WriteSet {
  private tree: Tree = new BTree<string, Pending>(undefined, cmp);
  private undo: { key: string; prev: Pending | undefined }[] = [];

  get size(): number {
    return this.tree.size;
  }

  get(key: Buffer): Pending | undefined {
    return this.tree.get(str(key));
  }

  set(key: Buffer, value: Pending): void {
    const k = str(key);
    if (this.tree.size >= WRITE_SET_KEYS_MAX && !this.tree.has(k)) {
      throw new RangeError(`transaction too large: more than ${WRITE_SET_KEYS_MAX} changed keys`);
    }
    this.undo.push({ key: k, prev: this.tree.get(k) });
    this.tree.set(k, value);
  }

  /** Entries in [start, end) in key order (or reverse), deletions included. */
  *entries(range: KvRange): Generator<[string, Pending]> {
    const lo = range.start ? str(range.start) : undefined;
    const hi = range.end ? str(range.end) : undefined;
    if (range.reverse) {
      const it = hi !== undefined ? this.tree.entriesReversed(hi, undefined, true) : this.tree.entriesReversed();
      for (const [k, v] of it) {
        if (hi !== undefined && k >= hi) continue;
        if (lo !== undefined && k < lo) return;
        yield [k, v];
      }
    } else {
      for (const [k, v] of this.tree.entries(lo)) {
        if (hi !== undefined && k >= hi) return;
        yield [k, v];
      }
    }
  }

  /** A mark to roll back to. */
  savepoint(): number {
    return this.undo.length;
  }

  rollbackTo(mark: number): void {
    while (this.undo.length > mark) {
      const { key, prev } = this.undo.pop() as { key: string; prev: Pending | undefined };
      if (prev === undefined) this.tree.delete(key);
      else this.tree.set(key, prev);
    }
  }

  /** Writes everything to a store's write transaction; counters only move forward. */
  applyTo(w: KvWriter): void {
    for (const [k, v] of this.tree.entries()) {
      const key = buf(k);
      if (v === null) w.del(key);
      else if (isCounterKey(key)) {
        const current = w.get(key);
        if (current === undefined || Buffer.compare(v, current) > 0) w.put(key, v);
      } else w.put(key, v);
    }
  }

  /**
   * What applyTo writes, as entries of a commit batch, yielding after every `every` keys: a big
   * transaction's batch is built in slices, and the write that applies it does no encoding.
   * Nothing may change the set until the steps end.
   */
  *batchSteps(out: CommitBatchWriter, every: number): Generator<void> {
    let n = 0;
    for (const [k, v] of this.tree.entries()) {
      if (v === null) out.del(k);
      else if (isCounterString(k)) out.putMax(k, v);
      else out.put(k, v);
      if (++n % every === 0) yield;
    }
  }

  clear(): void {
    this.tree = new BTree<string, Pending>(undefined, cmp);
    this.undo = [];
  }
}

/** The next base entry, copied: it may be held while pending entries are yielded, and the engine may reuse its buffers meanwhile. */
function nextBase(it: Iterator<KvEntry>): KvEntry | undefined {
  const x = it.next();
  return x.done ? undefined : { key: Buffer.from(x.value.key), value: Buffer.from(x.value.value) };
}

/** Merges a base range with pending entries: pending wins on equal keys, deletions hide base entries. */
function* merged(base: KvReader, ws: WriteSet, range: KvRange): Generator<KvEntry> {
  const a = base.range(range)[Symbol.iterator]();
  const b = ws.entries(range);
  const dir = range.reverse ? -1 : 1;
  let x = nextBase(a);
  let y = b.next();
  let xk = x === undefined ? '' : str(x.key);
  while (x !== undefined || !y.done) {
    if (y.done || (x !== undefined && cmp(xk, y.value[0]) * dir < 0)) {
      yield x as KvEntry;
      x = nextBase(a);
      if (x !== undefined) xk = str(x.key);
      continue;
    }
    const [k, v] = y.value;
    if (x !== undefined && xk === k) {
      x = nextBase(a);
      if (x !== undefined) xk = str(x.key);
    }
    if (v !== null) yield { key: buf(k), value: v };
    y = b.next();
  }
}

/** A reader that sees `base` with the pending writes on top. */
export function overlayReader(base: KvReader, ws: WriteSet): KvReader {
  return {
    get: (key) => {
      const p = ws.get(key);
      return p === undefined ? base.get(key) : p === null ? undefined : p;
    },
    peek: (key) => {
      const p = ws.get(key);
      return p === undefined ? base.peek(key) : p === null ? undefined : p;
    },
    range: (range) => (ws.size === 0 ? base.range(range) : { [Symbol.iterator]: () => merged(base, ws, range) }),
  };
}

/**
 * A writer that buffers into `ws` and reads `base` through it. `onRowWrite` is told
 * about every changed key first (row locks); `lock` takes logical locks for unique values.
 */
export function overlayWriter(base: KvReader, ws: WriteSet, onRowWrite: (key: Buffer) => void, lock: (key: Buffer) => void): KvWriter {
  const reader = overlayReader(base, ws);
  return {
    get: reader.get,
    peek: reader.peek,
    range: reader.range,
    put: (key, value) => {
      onRowWrite(key);
      ws.set(Buffer.from(key), Buffer.from(value));
    },
    del: (key) => {
      onRowWrite(key);
      ws.set(Buffer.from(key), null);
    },
    delRange: (start, end) => {
      const doomed: Buffer[] = [];
      for (const e of reader.range({ start, end })) doomed.push(Buffer.from(e.key));
      for (const key of doomed) {
        onRowWrite(key);
        ws.set(key, null);
      }
    },
    lock,
    lockRow: onRowWrite,
  };
}
