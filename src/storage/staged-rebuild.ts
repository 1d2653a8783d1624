// A copying ALTER's new rows, written in slices under a table id no catalog entry names yet, so the copy can give the thread back.
import { performance } from 'node:perf_hooks';
import type { Row } from '../base/value.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { KvStore, KvWriter } from './kv.js';
import type { TableDef } from './table-def.js';
import { CAT_STAGED, catalogKey, catalogKindBounds, tableBounds } from './key-layout.js';
import { TableStore } from './table-store.js';
import type { StorageManager } from './storage-manager.js';

/**
 * Thrown out of a rebuild while the storage layer stages copies (see StorageManager.stageRebuilds):
 * the statement's write aborts, its caller copies the rows with `stageRebuild` and runs the
 * statement again, whose rebuild then swaps the staged copy in.
 */
export class RebuildToStage extends Error {
  constructor(readonly old: TableDef, readonly next: Omit<TableDef, 'id'>, readonly transform: (row: Row) => Row) {
    super('a table rebuild to copy in slices');
  }
}

/** Rows copied for `next` (as JSON, to recognise the same rebuild) from table `oldId` under the reserved table id `id`. */
export interface StagedRebuild {
  oldId: number;
  next: string;
  id: number;
  engine: string;
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
export async function stageRebuild(storage: StorageManager, request: RebuildToStage, sliceMs: number, between: () => Promise<void>): Promise<StagedRebuild> {
  const { old, next, transform } = request;
  const staged: StagedRebuild = { oldId: old.id, next: JSON.stringify(next), id: 0, engine: next.engine };
  storage.primary.write((w) => {
    staged.id = storage.catalog.allocateTableId(w);
    markForDrop(w, staged);
  });
  const from = new TableStore(old, storage.catalog.counters);
  const to = new TableStore({ ...next, id: staged.id } as TableDef, storage.catalog.counters);
  const src = storage.storeFor(old);
  const dst = storage.storeFor(to.def);
  const snapshot = src.snapshot();
  try {
    let at: Buffer | undefined = from.firstKey;
    while (at !== undefined) {
      await between();
      await storeIdle(dst);
      // A group commit: the slice's writes run on this thread, the flush off it (the copy need not be durable until its swap).
      await dst.commit((dw) => {
        const sliceStart = performance.now();
        do {
          const batch = from.batchFrom(snapshot.reader, at as Buffer, BATCH_ROWS);
          for (const row of batch.rows) to.insert(dw, transform(row));
          at = batch.next;
        } while (at !== undefined && performance.now() - sliceStart < sliceMs);
        if (at === undefined) storage.catalog.setAutoIncrement(dw, staged.id, storage.catalog.peekAutoIncrement(snapshot.reader, old.id));
      });
    }
  } catch (e) {
    // Not waited for: the error answers at once; the marker covers a crash meanwhile.
    void dropInSlices(storage, staged, sliceMs, () => nextTurn()).catch(() => undefined);
    throw e;
  } finally {
    snapshot.release();
  }
  return staged;
}

/** Keys deleted between two looks at the clock. */
const DELETE_BATCH = 256;

/**
 * Deletes the rows under a marked table id (a discarded copy, or the old rows a swap left) one
 * group commit per slice, then the marker: a crash before that leaves the marker for the next start.
 */
export async function dropInSlices(storage: StorageManager, marked: Pick<StagedRebuild, 'id' | 'engine'>, sliceMs: number, between: () => Promise<void>): Promise<void> {
  const bounds = tableBounds(marked.id);
  const store = storage.knownStore(marked.engine);
  let at: Buffer | undefined = store === undefined ? undefined : bounds.start;
  while (store !== undefined && at !== undefined) {
    await between();
    await storeIdle(store);
    await store.commit((w) => {
      const sliceStart = performance.now();
      do {
        const keys: Buffer[] = [];
        for (const e of w.range({ start: at as Buffer, end: bounds.end })) {
          keys.push(Buffer.from(e.key));
          if (keys.length === DELETE_BATCH) break;
        }
        for (const k of keys) w.del(k);
        at = keys.length === DELETE_BATCH ? Buffer.concat([keys[keys.length - 1], Buffer.from([0])]) : undefined;
      } while (at !== undefined && performance.now() - sliceStart < sliceMs);
    });
  }
  storage.primary.write((w) => w.del(catalogKey(CAT_STAGED, marked.id)));
  storage.catalog.counters.forget(marked.id);
}

/** Marks a table id whose rows are to be deleted (see dropInSlices), inside the write that makes them unreachable. */
export function markForDrop(w: KvWriter, marked: Pick<StagedRebuild, 'id' | 'engine'>): void {
  w.put(catalogKey(CAT_STAGED, marked.id), Buffer.from(marked.engine));
}

/** A store's commit batches applied off the thread are done (a synchronous write would wait for them holding the thread). */
async function storeIdle(store: KvStore): Promise<void> {
  const settled = store.batchesSettled?.();
  if (settled !== undefined) await settled;
}

/** Deletes a marked table id's rows and its marker at once (the rows first: a crash in between leaves the marker to finish it). */
function discardMarked(storage: StorageManager, marked: Pick<StagedRebuild, 'id' | 'engine'>): void {
  const bounds = tableBounds(marked.id);
  const rows = storage.knownStore(marked.engine);
  if (rows !== undefined && rows !== storage.primary) rows.write((w) => w.delRange(bounds.start, bounds.end));
  storage.primary.write((w) => {
    if (rows === storage.primary) w.delRange(bounds.start, bounds.end);
    w.del(catalogKey(CAT_STAGED, marked.id));
  });
  storage.catalog.counters.forget(marked.id);
}

/** At startup: deletes the rows of marked table ids (copies a crash stopped before their swap, old rows not yet dropped). Returns how many. */
export function discardStagedCopies(storage: StorageManager): number {
  const left = storage.primary.read((r) => [...r.range(catalogKindBounds(CAT_STAGED))].map((e) => ({
    id: e.key.readUInt32BE(e.key.length - 4),
    engine: Buffer.from(e.value).toString(),
  })));
  for (const marked of left) discardMarked(storage, marked);
  return left.length;
}
