// A non-persistent KvStore: an ordered B+ tree over binary keys with an undo log for atomic writes.
import { BTree } from '../../storage/sorted-tree.js';
import type { KvEntry, KvImage, KvRange, KvReader, KvSnapshot, KvStore, KvWriter } from '../../storage/kv.js';

/**
 * Keys are held as latin1 strings (one char per byte): JS string order is then
 * exactly Buffer.compare order, and comparing strings in JS is several times
 * cheaper than calling Buffer.compare. Each tree value is the KvEntry itself, so
 * range scans hand entries out without allocating.
 */
type Tree = InstanceType<typeof BTree<string, KvEntry>>;

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function k(key: Buffer): string {
  return key.toString('latin1');
}

/** The memory engine's image: a copy-on-write clone of its tree, shared by every store started from it. */
class MemoryImage implements KvImage {
  readonly engine = 'memory';
  constructor(readonly tree: Tree, readonly bytes: number) {}

  get size(): number {
    return this.tree.size;
  }
}

/** Per-entry overhead counted by sizeBytes (node slots, Buffer headers), a rough figure. */
const ENTRY_OVERHEAD = 64;

/** One undo record: the key and the value it had before the write (undefined: absent). */
interface Undo {
  key: string;
  prev: KvEntry | undefined;
}

/**
 * The memory engine's store. Writes go straight into the tree (so reads inside a
 * write see them) and record the previous value of every key they touch; a throw
 * replays that log backwards. A write inside a write joins it.
 */
export class MemoryStore implements KvStore {
  readonly persistent = false;
  private tree: Tree = new BTree<string, KvEntry>(undefined, compareKeys);
  /** Bumped on every change, so open range iterators know to re-seek. */
  version = 0;
  private bytes = 0;
  private undo: Undo[] | undefined;
  private closed = false;
  private readonly reader: KvReader;
  private readonly writer: KvWriter;

  constructor() {
    this.reader = {
      get: (key) => this.tree.get(k(key))?.value,
      peek: (key) => this.tree.get(k(key))?.value,
      range: (range) => this.range(range),
    };
    this.writer = {
      get: (key) => this.tree.get(k(key))?.value,
      peek: (key) => this.tree.get(k(key))?.value,
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

  async commit(fn: (writer: KvWriter) => void): Promise<void> {
    this.write(fn);
  }

  /** A copy-on-write clone of the tree: O(1) now, nodes are copied only when the live tree changes them. */
  snapshot(): KvSnapshot {
    this.checkOpen();
    const tree = this.tree.clone();
    const frozen = { version: 0 };
    return {
      reader: {
        get: (key) => tree.get(k(key))?.value,
        peek: (key) => tree.get(k(key))?.value,
        range: (range) => new MemoryRange(frozen, tree, range.start && k(range.start), range.end && k(range.end), range.reverse === true),
      },
      release: () => undefined,
    };
  }

  sizeBytes(): number {
    return this.bytes;
  }

  /** O(1): the tree is cloned copy-on-write, as snapshot() does; entries are never changed in place. */
  image(): KvImage {
    this.checkOpen();
    if (this.undo !== undefined) throw new Error('memory store: image taken inside a write');
    return new MemoryImage(this.tree.clone(), this.bytes);
  }

  adopt(image: KvImage): void {
    this.checkOpen();
    if (!(image instanceof MemoryImage)) throw new Error(`memory store: cannot adopt an image of engine '${image.engine}'`);
    if (this.tree.size > 0) throw new Error('memory store: adopt needs an empty store');
    // Cloned again: every store started from one image changes its own copy.
    this.tree = image.tree.clone();
    this.bytes = image.bytes;
    this.version++;
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

  private set(key: string, entry: KvEntry, prev = this.tree.get(key)): void {
    if (prev !== undefined) this.bytes -= prev.value.length;
    else this.bytes += entry.key.length + ENTRY_OVERHEAD;
    this.bytes += entry.value.length;
    this.tree.set(key, entry);
    this.version++;
  }

  private remove(key: string): void {
    const prev = this.tree.get(key);
    if (prev === undefined) return;
    this.bytes -= prev.key.length + prev.value.length + ENTRY_OVERHEAD;
    this.tree.delete(key);
    this.version++;
  }

  private put(key: Buffer, value: Buffer): void {
    const log = this.requireWrite();
    const s = k(key);
    const prev = this.tree.get(s);
    log.push({ key: s, prev });
    // Copy: callers may reuse their buffers after put returns.
    this.set(s, { key: Buffer.from(key), value: Buffer.from(value) }, prev);
  }

  private del(key: Buffer): void {
    const log = this.requireWrite();
    const s = k(key);
    const prev = this.tree.get(s);
    if (prev === undefined) return;
    log.push({ key: s, prev });
    this.remove(s);
  }

  private delRange(start: Buffer, end: Buffer): void {
    const log = this.requireWrite();
    if (Buffer.compare(start, end) >= 0) return;
    const lo = k(start);
    const hi = k(end);
    const doomed = this.tree.getRange(lo, hi, false);
    if (doomed.length === 0) return;
    for (const [key, prev] of doomed) {
      log.push({ key, prev });
      this.bytes -= prev.key.length + prev.value.length + ENTRY_OVERHEAD;
    }
    this.tree.deleteRange(lo, hi, false);
    this.version++;
  }

  private range(range: KvRange): Iterable<KvEntry> {
    return new MemoryRange(this, this.tree, range.start && k(range.start), range.end && k(range.end), range.reverse === true);
  }
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * A lazy range cursor. It walks the tree's own iterator while the store is
 * unchanged and re-seeks after the last key it returned when a write happened
 * in between (deleting the rows a scan visits is a common pattern).
 */
class MemoryRange implements Iterable<KvEntry>, Iterator<KvEntry> {
  private it: Iterator<[string, KvEntry]> | undefined;
  private seenVersion = -1;
  private last: string | undefined;
  private finished = false;
  /** Set right after a forward re-seek, when the first entry may be the last one returned. */
  private resumed = false;

  constructor(
    private readonly store: { readonly version: number },
    private readonly tree: Tree,
    private readonly start: string | undefined,
    private readonly end: string | undefined,
    private readonly reverse: boolean,
  ) {}

  [Symbol.iterator](): Iterator<KvEntry> {
    return this;
  }

  next(): IteratorResult<KvEntry> {
    if (this.finished) return DONE;
    const { start, end, reverse } = this;
    if (this.it === undefined || this.seenVersion !== this.store.version) {
      if (reverse) {
        const from = this.last ?? end;
        this.it = from !== undefined ? this.tree.entriesReversed(from, undefined, true) : this.tree.entriesReversed();
      } else {
        this.it = this.tree.entries(this.last ?? start);
        this.resumed = this.last !== undefined;
      }
      this.seenVersion = this.store.version;
    }
    for (;;) {
      const step = this.it.next();
      if (step.done) return this.finish();
      const key = step.value[0];
      if (reverse) {
        if (start !== undefined && key < start) return this.finish();
      } else {
        if (this.resumed) {
          this.resumed = false;
          if (this.last !== undefined && key <= this.last) continue;
        }
        if (end !== undefined && key >= end) return this.finish();
      }
      this.last = key;
      return { done: false, value: step.value[1] };
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
