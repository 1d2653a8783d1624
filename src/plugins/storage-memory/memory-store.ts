// A non-persistent KvStore: an ordered B+ tree over Buffer keys with an undo log for atomic writes.
import BTreeModule from 'sorted-btree';
import type { KvEntry, KvRange, KvReader, KvStore, KvWriter } from '../../storage/kv.js';

const BTree = BTreeModule.default;
type Tree = InstanceType<typeof BTree<Buffer, Buffer>>;

/** Per-entry overhead counted by sizeBytes (node slots, Buffer headers), a rough figure. */
const ENTRY_OVERHEAD = 64;

/** One undo record: the key and the value it had before the write (undefined: absent). */
interface Undo {
  key: Buffer;
  prev: Buffer | undefined;
}

/**
 * The memory engine's store. Writes go straight into the tree (so reads inside a
 * write see them) and record the previous value of every key they touch; a throw
 * replays that log backwards. A write inside a write joins it.
 */
export class MemoryStore implements KvStore {
  readonly persistent = false;
  private tree: Tree = new BTree<Buffer, Buffer>(undefined, Buffer.compare);
  /** Bumped on every change, so open range iterators know to re-seek. */
  version = 0;
  private bytes = 0;
  private undo: Undo[] | undefined;
  private closed = false;
  private readonly reader: KvReader;
  private readonly writer: KvWriter;

  constructor() {
    this.reader = {
      get: (key) => this.tree.get(key),
      range: (range) => this.range(range),
    };
    this.writer = {
      get: (key) => this.tree.get(key),
      range: (range) => this.range(range),
      put: (key, value) => this.put(key, value),
      del: (key) => this.del(key),
      delRange: (start, end) => this.delRange(start, end),
    };
  }

  read<T>(fn: (reader: KvReader) => T): T {
    this.checkOpen();
    return fn(this.reader);
  }

  write<T>(fn: (writer: KvWriter) => T): T {
    this.checkOpen();
    if (this.undo !== undefined) return fn(this.writer);
    const log: Undo[] = (this.undo = []);
    try {
      const result = fn(this.writer);
      this.undo = undefined;
      return result;
    } catch (e) {
      this.undo = undefined;
      for (let i = log.length - 1; i >= 0; i--) {
        const { key, prev } = log[i];
        if (prev === undefined) this.remove(key);
        else this.set(key, prev);
      }
      throw e;
    }
  }

  sizeBytes(): number {
    return this.bytes;
  }

  async close(): Promise<void> {
    this.tree.clear();
    this.bytes = 0;
    this.closed = true;
  }

  /** Number of keys, for tests and status. */
  get size(): number {
    return this.tree.size;
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('memory store is closed');
  }

  private requireWrite(): Undo[] {
    if (this.undo === undefined) throw new Error('memory store: write outside a write transaction');
    return this.undo;
  }

  private set(key: Buffer, value: Buffer): void {
    const prev = this.tree.get(key);
    if (prev !== undefined) this.bytes -= prev.length;
    else this.bytes += key.length + ENTRY_OVERHEAD;
    this.bytes += value.length;
    this.tree.set(key, value);
    this.version++;
  }

  private remove(key: Buffer): void {
    const prev = this.tree.get(key);
    if (prev === undefined) return;
    this.bytes -= key.length + prev.length + ENTRY_OVERHEAD;
    this.tree.delete(key);
    this.version++;
  }

  private put(key: Buffer, value: Buffer): void {
    const log = this.requireWrite();
    // Copy: callers may reuse their buffers after put returns.
    const k = Buffer.from(key);
    log.push({ key: k, prev: this.tree.get(k) });
    this.set(k, Buffer.from(value));
  }

  private del(key: Buffer): void {
    const log = this.requireWrite();
    const prev = this.tree.get(key);
    if (prev === undefined) return;
    log.push({ key: Buffer.from(key), prev });
    this.remove(key);
  }

  private delRange(start: Buffer, end: Buffer): void {
    const log = this.requireWrite();
    if (Buffer.compare(start, end) >= 0) return;
    const doomed = this.tree.getRange(start, end, false);
    if (doomed.length === 0) return;
    for (const [key, prev] of doomed) {
      log.push({ key, prev });
      this.bytes -= key.length + prev.length + ENTRY_OVERHEAD;
    }
    this.tree.deleteRange(start, end, false);
    this.version++;
  }

  private range(range: KvRange): Iterable<KvEntry> {
    return new MemoryRange(this, this.tree, range);
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A lazy range cursor. It walks the tree's own iterator while the store is
 * unchanged and re-seeks after the last key it returned when a write happened
 * in between (deleting the rows a scan visits is a common pattern).
 */
class MemoryRange implements Iterable<KvEntry>, Iterator<KvEntry> {
  private it: Iterator<[Buffer, Buffer]> | undefined;
  private seenVersion = -1;
  private last: Buffer | undefined;
  private finished = false;
  /** Set right after a forward re-seek, when the first entry may be the last one returned. */
  private resumed = false;

  constructor(private readonly store: MemoryStore, private readonly tree: Tree, private readonly r: KvRange) {}

  [Symbol.iterator](): Iterator<KvEntry> {
    return this;
  }

  next(): IteratorResult<KvEntry> {
    if (this.finished) return DONE;
    const { start, end, reverse } = this.r;
    if (this.it === undefined || this.seenVersion !== this.store.version) {
      if (reverse) {
        this.it = this.last !== undefined ? this.tree.entriesReversed(this.last, undefined, true)
          : end !== undefined ? this.tree.entriesReversed(end, undefined, true)
          : this.tree.entriesReversed();
      } else {
        this.it = this.tree.entries(this.last ?? start);
        this.resumed = this.last !== undefined;
      }
      this.seenVersion = this.store.version;
    }
    for (;;) {
      const step = this.it.next();
      if (step.done) return this.finish();
      const [key, value] = step.value;
      if (reverse) {
        if (start !== undefined && Buffer.compare(key, start) < 0) return this.finish();
      } else {
        if (this.resumed) {
          this.resumed = false;
          if (Buffer.compare(key, this.last!) <= 0) continue;
        }
        if (end !== undefined && Buffer.compare(key, end) >= 0) return this.finish();
      }
      this.last = key;
      return { done: false, value: { key, value } };
    }
  }

  return(): IteratorResult<KvEntry> {
    return this.finish();
  }

  private finish(): IteratorResult<KvEntry> {
    this.finished = true;
    this.it = undefined;
    return DONE;
  }
}
