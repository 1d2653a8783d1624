// DDL's bulk work done in slices ahead of its write, under markers, so it can give the thread back: a copying ALTER's new rows, a new index's entries.
import { performance } from 'node:perf_hooks';
import type { Row } from '../base/value.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { KvStore, KvWriter } from './kv.js';
import type { IndexDef, TableDef } from './table-def.js';
import { CAT_STAGED, catalogKey, catalogKindBounds, indexPrefix, tableBounds } from './key-layout.js';
import { keyAfter } from './key-codec.js';
import { TableStore } from './table-store.js';
import type { StorageManager } from './storage-manager.js';

/** A table id whose rows (or, with `index`, one index's entries) are to be deleted: a staged copy until its swap, or old rows. */
export interface Marked {
  id: number;
  engine: string;
  index?: number;
}

/** Work done ahead of a statement's write: `shape` (JSON) built from table `source`, under `marked` until the write takes it. */
export interface Staged {
  source: number;
  shape: string;
  marked: Marked;
}

/**
 * Thrown out of a statement's write while the storage layer stages work (StorageManager.stageRebuilds):
 * the write aborts, its caller runs `stage` (in slices, `between` before each: it gives the thread back
 * and throws to stop, e.g. KILL QUERY) and runs the statement again, whose write then takes the staged work.
 */
export abstract class StageRequest extends Error {
  abstract stage(storage: StorageManager, sliceMs: number, between: () => Promise<void>): Promise<Staged>;
}

/** A rebuild of `old` into `next` (ALTER TABLE by copy): see stageRebuild. */
export class RebuildToStage extends StageRequest {
  constructor(readonly old: TableDef, readonly next: Omit<TableDef, 'id'>, readonly transform: (row: Row) => Row) {
    super('a table rebuild to copy in slices');
  }

  stage(storage: StorageManager, sliceMs: number, between: () => Promise<void>): Promise<Staged> {
    return stageRebuild(storage, this, sliceMs, between);
  }
}

/** A new secondary index of `table` (ADD INDEX, CREATE INDEX): its entries are built in slices, marked until the write records the index. */
export class IndexToStage extends StageRequest {
  constructor(readonly table: TableDef, readonly index: IndexDef) {
    super('an index build in slices');
  }

  async stage(storage: StorageManager, sliceMs: number, between: () => Promise<void>): Promise<Staged> {
    const { table, index } = this;
    const marked: Marked = { id: table.id, engine: table.engine, index: index.id };
    // Before any entry: the slices' group commits follow it in order.
    await storage.primary.commit((w) => markForDrop(w, marked));
    const rows = storage.tableStore(table);
    const ix = rows.newIndex(index);
    const store = storage.storeFor(table);
    try {
      await commitInSlices(store, rows.firstKey, sliceMs, between, (w, at) => rows.buildIndexBatch(w, ix, at));
    } catch (e) {
      await dropStaged(storage, marked, sliceMs);
      throw e;
    }
    return { source: table.id, shape: JSON.stringify(index), marked };
  }
}

/** Rows per read of the old table: one slice writes several such batches. */
const BATCH_ROWS = 128;

/**
 * Copies every row of the request's table, passed through its transform, under a new table id,
 * one storage write per slice of about `sliceMs`; `between` runs before each slice (it gives the
 * thread back and throws to stop, e.g. KILL QUERY). The id is reserved and marked as staged
 * first, in its own commit, so a crash at any point leaves a marker that the next start follows
 * to delete the rows (discardStagedCopies), and the id is never handed out again. The old table
 * is read from one snapshot; the caller keeps it unchanged meanwhile (an exclusive metadata lock).
 * On any failure the copy is deleted before the error passes on.
 */
async function stageRebuild(storage: StorageManager, request: RebuildToStage, sliceMs: number, between: () => Promise<void>): Promise<Staged> {
  const { old, next, transform } = request;
  const marked: Marked = { id: 0, engine: next.engine };
  storage.primary.write((w) => {
    marked.id = storage.catalog.allocateTableId(w);
    markForDrop(w, marked);
  });
  const from = new TableStore(old, storage.catalog.counters);
  const to = new TableStore({ ...next, id: marked.id } as TableDef, storage.catalog.counters);
  const src = storage.storeFor(old);
  const dst = storage.storeFor(to.def);
  const snapshot = src.snapshot();
  try {
    await commitInSlices(dst, from.firstKey, sliceMs, between, (dw, at) => {
      const batch = from.batchFrom(snapshot.reader, at, BATCH_ROWS);
      for (const row of batch.rows) to.insert(dw, transform(row));
      if (batch.next === undefined) storage.catalog.setAutoIncrement(dw, marked.id, storage.catalog.peekAutoIncrement(snapshot.reader, old.id));
      return batch.next;
    });
  } catch (e) {
    await dropStaged(storage, marked, sliceMs);
    throw e;
  } finally {
    snapshot.release();
  }
  return { source: old.id, shape: JSON.stringify(next), marked };
}

/**
 * Deletes staged work that is not taken, in slices. A copy's rows, under an id never handed out
 * again, are deleted after the answer (a failure to delete leaves the marker, which the next start
 * follows); an index's entries are deleted before it, since the table's next index may take its id.
 */
export async function dropStaged(storage: StorageManager, marked: Marked, sliceMs: number): Promise<void> {
  const dropping = dropInSlices(storage, marked, sliceMs, () => nextTurn());
  if (marked.index !== undefined) await dropping;
  else void dropping.catch(() => undefined);
}

/** The keys a marker covers: a table id's whole range, or one index's entries. */
function markedBounds(marked: Marked): { start: Buffer; end: Buffer } {
  return marked.index === undefined ? tableBounds(marked.id) : { start: indexPrefix(marked.id, marked.index), end: indexPrefix(marked.id, marked.index + 1) };
}

function markerKey(marked: Marked): Buffer {
  return marked.index === undefined ? catalogKey(CAT_STAGED, marked.id) : catalogKey(CAT_STAGED, marked.id, marked.index);
}

/** Keys deleted between two looks at the clock. */
const DELETE_BATCH = 256;

/**
 * Deletes the rows under a marked table id (a discarded copy, or the old rows a swap left) one
 * group commit per slice, then the marker: a crash before that leaves the marker for the next start.
 */
export async function dropInSlices(storage: StorageManager, marked: Marked, sliceMs: number, between: () => Promise<void>): Promise<void> {
  const bounds = markedBounds(marked);
  const store = storage.knownStore(marked.engine);
  if (store !== undefined) {
    await commitInSlices(store, bounds.start, sliceMs, between, (w, at) => {
      const keys: Buffer[] = [];
      for (const e of w.range({ start: at, end: bounds.end })) {
        keys.push(Buffer.from(e.key));
        if (keys.length === DELETE_BATCH) break;
      }
      for (const k of keys) w.del(k);
      return keys.length === DELETE_BATCH ? keyAfter(keys[keys.length - 1]) : undefined;
    });
  }
  // A group commit too: no catalog change, and a later durable commit makes it durable (LMDB commits in order).
  await storage.primary.commit((w) => w.del(markerKey(marked)));
  if (marked.index === undefined) storage.catalog.counters.forget(marked.id);
}

/** Marks a table id whose rows are to be deleted (see dropInSlices), inside the write that makes them unreachable. */
export function markForDrop(w: KvWriter, marked: Marked): void {
  w.put(markerKey(marked), Buffer.from(marked.engine));
}

/**
 * Runs `step` from key `start` on until it returns undefined (each call takes a batch and returns
 * where the next starts), one group commit on `store` per slice of about `sliceMs`, `between` before
 * each: the slice's writes run on this thread, the flush off it (staged work need not be durable
 * before the write that takes it, which is).
 */
async function commitInSlices(store: KvStore, start: Buffer, sliceMs: number, between: () => Promise<void>, step: (w: KvWriter, at: Buffer) => Buffer | undefined): Promise<void> {
  let at: Buffer | undefined = start;
  while (at !== undefined) {
    await between();
    await storeIdle(store);
    await store.commit((w) => {
      const sliceStart = performance.now();
      do at = step(w, at as Buffer);
      while (at !== undefined && performance.now() - sliceStart < sliceMs);
    });
  }
}

/** A store's commit batches applied off the thread are done (a synchronous write would wait for them holding the thread). */
async function storeIdle(store: KvStore): Promise<void> {
  const settled = store.batchesSettled?.();
  if (settled !== undefined) await settled;
}

/** Deletes a marked table id's rows and its marker at once (the rows first: a crash in between leaves the marker to finish it). */
function discardMarked(storage: StorageManager, marked: Marked): void {
  const bounds = markedBounds(marked);
  const rows = storage.knownStore(marked.engine);
  if (rows !== undefined && rows !== storage.primary) rows.write((w) => w.delRange(bounds.start, bounds.end));
  storage.primary.write((w) => {
    if (rows === storage.primary) w.delRange(bounds.start, bounds.end);
    w.del(markerKey(marked));
  });
  if (marked.index === undefined) storage.catalog.counters.forget(marked.id);
}

/** At startup: deletes the rows of marked table ids (copies a crash stopped before their swap, old rows not yet dropped). Returns how many. */
export function discardStagedCopies(storage: StorageManager): number {
  // Keys are [u32 0][kind][u32 table id], then for an index [00][u32 index id] (catalogKey).
  const left = storage.primary.read((r) => [...r.range(catalogKindBounds(CAT_STAGED))].map((e): Marked => ({
    id: e.key.readUInt32BE(5),
    engine: Buffer.from(e.value).toString(),
    ...(e.key.length > 9 ? { index: e.key.readUInt32BE(10) } : {}),
  })));
  for (const marked of left) discardMarked(storage, marked);
  return left.length;
}
