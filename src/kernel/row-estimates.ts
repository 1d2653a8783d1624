// Cheap row counts for plan summaries: each table counted at most once per interval, and only up to a cap.
import type { StorageManager } from '../storage/storage-manager.js';
import type { TableDef } from '../storage/table-def.js';

/** How long a count stays in use before the table is counted again. */
export const ROW_COUNT_TTL_MS = 10_000;
/** Counting stops here: a table at least this big is "this big" for every limit an operator sets in practice. */
export const ROW_COUNT_CAP = 1_000_000;
/** Most tables remembered; past it the cache starts over. */
const MAX_CACHED = 10_000;

/**
 * Row counts of tables, for the planner's estimates. The storage layer keeps no
 * statistics, so a count walks the table's clustered keys; walking at most
 * ROW_COUNT_CAP keys once per ROW_COUNT_TTL_MS per table bounds the cost, at the
 * price of estimates up to that old. A table whose definition changed (ALTER
 * rebuilds it under a new id) is counted afresh.
 */
export class RowCountCache {
  private readonly counts = new Map<number, { def: TableDef; rows: number; at: number }>();

  constructor(private readonly storage: StorageManager, private readonly now: () => number = Date.now) {}

  rowCount(def: TableDef): number {
    const t = this.now();
    const hit = this.counts.get(def.id);
    if (hit && hit.def === def && t - hit.at < ROW_COUNT_TTL_MS) return hit.rows;
    const ts = this.storage.tableStore(def);
    const rows = this.storage.storeFor(def).read((r) => ts.count(r, ROW_COUNT_CAP));
    if (this.counts.size >= MAX_CACHED) this.counts.clear();
    this.counts.set(def.id, { def, rows, at: t });
    return rows;
  }
}
