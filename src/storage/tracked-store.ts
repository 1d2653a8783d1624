// A KvStore wrapper that tells its owner when an outermost write commits or aborts (to keep in-memory caches true).
import type { KvImage, KvReader, KvSnapshot, KvStore, KvWriter } from './kv.js';
import type { BatchChunk } from './commit-batch.js';

/** Called around each outermost write transaction. */
export interface WriteListener {
  /** The write committed: changes made during it are now durable. */
  committed(): void;
  /** The write threw and was rolled back: undo in-memory changes made during it. */
  aborted(): void;
}

/**
 * Delegates to an engine's store and reports the outcome of every outermost
 * `write`. Nested writes join the outer one, as the engines do.
 */
export class TrackedStore implements KvStore {
  private depth = 0;
  /** The inner store's image capability, when it has one. */
  readonly image?: () => KvImage;
  /** The inner store's off-thread commit, when it has one (row commits only, as `commit`). */
  readonly commitBatch?: (chunks: readonly BatchChunk[]) => Promise<void>;

  constructor(readonly inner: KvStore, private readonly listener: WriteListener) {
    if (inner.image !== undefined) this.image = inner.image.bind(inner);
    if (inner.commitBatch !== undefined) this.commitBatch = inner.commitBatch.bind(inner);
    if (inner.batchesSettled !== undefined) this.batchesSettled = inner.batchesSettled.bind(inner);
  }

  readonly batchesSettled?: () => Promise<void> | undefined;

  get persistent(): boolean {
    return this.inner.persistent;
  }

  /** True while a write through this wrapper is running. */
  get inWrite(): boolean {
    return this.depth > 0;
  }

  read<T>(fn: (reader: KvReader) => T): T {
    return this.inner.read(fn);
  }

  write<T>(fn: (writer: KvWriter) => T): T {
    if (this.depth > 0) return this.inner.write(fn);
    this.depth = 1;
    let ok = false;
    try {
      const result = this.inner.write(fn);
      ok = true;
      return result;
    } finally {
      this.depth = 0;
      if (ok) this.listener.committed();
      else this.listener.aborted();
    }
  }

  /** Row commits only: catalog changes go through `write`, so the cache listener is not involved. */
  commit(fn: (writer: KvWriter) => void): Promise<void> {
    return this.inner.commit(fn);
  }

  snapshot(): KvSnapshot {
    return this.inner.snapshot();
  }

  refresh(): void {
    this.inner.refresh?.();
  }

  sizeBytes(): number {
    return this.inner.sizeBytes();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
