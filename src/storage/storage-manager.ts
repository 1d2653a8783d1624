// Owns the open storage engines, the catalog (in the default engine's store) and the per-table row stores.
import { sqlError } from '../base/errors.js';
import type { Row } from '../base/value.js';
import type { KvStore, KvWriter } from './kv.js';
import type { IndexDef, TableDef } from './table-def.js';
import { Catalog, type CatalogBoard } from './catalog.js';
import { Counters, type CounterCells } from './counters.js';
import { CAT_STAGED, catalogKey, indexPrefix, tableBounds } from './key-layout.js';
import { IndexToStage, markForDrop, RebuildToStage, type Marked, type Staged } from './staged-rebuild.js';
import { TableStore } from './table-store.js';

/** Most TableStores kept compiled at once; past it the cache starts over (they are cheap to rebuild). */
const MAX_TABLE_STORES = 10_000;

/** What the kernel hands over once the storage plugins have opened their stores. */
export interface StorageManagerOptions {
  /** Open stores by engine name (case-insensitive). */
  engines: ReadonlyMap<string, KvStore> | Readonly<Record<string, KvStore>>;
  /** The engine whose store holds the catalog and tables created without ENGINE=. */
  defaultEngine: string;
  /** When several threads share the stores: where the live counters are, and how catalog changes are announced. */
  shared?: { counters: CounterCells; board: CatalogBoard };
}

/**
 * The storage layer's front door for the executor: which store holds a table,
 * the catalog, and a compiled TableStore per table. Writes that change the
 * catalog must run on `primary` (= catalog.store) so the catalog's cache
 * follows commits and aborts.
 */
export class StorageManager {
  readonly catalog: Catalog;
  readonly defaultEngine: string;
  private readonly engines = new Map<string, KvStore>();
  private readonly tableStores = new Map<number, TableStore>();
  /**
   * Set around a statement that may do its bulk work in slices: a rebuild of a stored table or an
   * index build then throws a StageRequest instead of working inside the statement's write.
   */
  stageRebuilds = false;
  /** Work a StageRequest staged, for the statement's next run to take (rebuildTable, buildIndex). */
  staged: Staged | undefined;
  /** The old table a staged swap left marked, its rows for the statement to drop in slices (dropInSlices). */
  retired: Marked | undefined;

  private constructor(opts: StorageManagerOptions) {
    const entries = opts.engines instanceof Map ? [...opts.engines] : Object.entries(opts.engines);
    for (const [name, store] of entries) this.engines.set(name.toLowerCase(), store);
    this.defaultEngine = opts.defaultEngine.toLowerCase();
    const primary = this.engines.get(this.defaultEngine);
    if (primary === undefined) throw new Error(`storage: default engine '${opts.defaultEngine}' is not open`);
    this.catalog = Catalog.open(primary, (t, w) => this.dropRows(t, w), new Counters(opts.shared?.counters));
    if (opts.shared) this.catalog.attachBoard(opts.shared.board);
    // From now on the default engine is reached through the catalog's tracked wrapper.
    this.engines.set(this.defaultEngine, this.catalog.store);
  }

  /** Loads the catalog from the default engine's store. */
  static open(opts: StorageManagerOptions): StorageManager {
    return new StorageManager(opts);
  }

  /** The default engine's store (wrapped so catalog changes follow its commits). */
  get primary(): KvStore {
    return this.catalog.store;
  }

  /** Names of the open engines, lower-case. */
  engineNames(): string[] {
    return [...this.engines.keys()];
  }

  /** The canonical name of an open engine (case-insensitive), or undefined. */
  resolveEngine(name: string): string | undefined {
    const lower = name.toLowerCase();
    return this.engines.has(lower) ? lower : undefined;
  }

  /** An engine's store; 1286 for an engine that is not loaded. */
  store(engine: string): KvStore {
    const s = this.engines.get(engine.toLowerCase());
    if (s === undefined) throw sqlError('UNKNOWN_STORAGE_ENGINE', `Unknown storage engine '${engine}'`);
    return s;
  }

  /** An open engine's store, or undefined. */
  knownStore(engine: string): KvStore | undefined {
    return this.engines.get(engine.toLowerCase());
  }

  /** The store holding a table's rows. */
  storeFor(table: TableDef): KvStore {
    return this.store(table.engine);
  }

  /** The compiled row store of a table (cached until its definition changes). */
  tableStore(table: TableDef): TableStore {
    const hit = this.tableStores.get(table.id);
    if (hit !== undefined && hit.def === table) return hit;
    if (this.tableStores.size >= MAX_TABLE_STORES) this.tableStores.clear();
    const ts = new TableStore(table, this.catalog.counters);
    this.tableStores.set(table.id, ts);
    return ts;
  }

  /**
   * ALTER TABLE by copy: writes every row of `old`, passed through `transform`,
   * under a new table id with definition `next`, carries the auto-increment
   * counter over, then swaps the catalog entry and drops the old rows. `w` is a
   * write on `primary`. When the table lives in another engine, its rows are
   * copied in that engine's own transaction (committed first; an abort later
   * leaves only unreachable rows under the unused id).
   */
  rebuildTable(w: KvWriter, old: TableDef, next: Omit<TableDef, 'id'>, transform: (row: Row) => Row): TableDef {
    const staged = this.staged;
    if (staged !== undefined && staged.marked.index === undefined && staged.source === old.id && staged.shape === JSON.stringify(next)) {
      // The rows are already there (see staged-rebuild): the swap and the marker's removal commit together.
      this.staged = undefined;
      w.del(catalogKey(CAT_STAGED, staged.marked.id));
      // The old rows stay, marked, for the statement to delete in slices after its write.
      const retired = { id: old.id, engine: old.engine };
      markForDrop(w, retired);
      this.retired = retired;
      this.tableStores.delete(old.id);
      return this.catalog.replaceTable(w, old.id, { ...next, id: staged.marked.id } as TableDef, false);
    }
    if (this.stageRebuilds && !old.temporary) throw new RebuildToStage(old, next, transform);
    const def = { ...next, id: this.catalog.allocateTableId(w) } as TableDef;
    const from = new TableStore(old, this.catalog.counters);
    const to = new TableStore(def, this.catalog.counters);
    const src = this.storeFor(old);
    const dst = this.storeFor(def);
    dst.write((dw) =>
      src.read((sr) => {
        this.catalog.setAutoIncrement(dw, def.id, this.catalog.peekAutoIncrement(sr, old.id));
        from.forEachBatch(sr, (rows) => {
          for (const row of rows) to.insert(dw, transform(row));
        });
      }),
    );
    this.tableStores.delete(old.id);
    return this.catalog.replaceTable(w, old.id, def);
  }

  /**
   * Writes a new secondary index's entries (then the caller records it in the catalog); `w` is a
   * write on `primary`, `rows` one on the table's store. An index staged for it (staged-rebuild)
   * is already built: its marker goes, in the same write as the catalog change.
   */
  buildIndex(w: KvWriter, rows: KvWriter, table: TableDef, index: IndexDef): void {
    const staged = this.staged;
    if (staged !== undefined && staged.marked.index === index.id && staged.source === table.id) {
      this.staged = undefined;
      w.del(catalogKey(CAT_STAGED, table.id, index.id));
      if (staged.shape === JSON.stringify(index)) return;
      // Entries staged for another index under this id: they go before this one is built.
      rows.delRange(indexPrefix(table.id, index.id), indexPrefix(table.id, index.id + 1));
    }
    if (this.stageRebuilds && !table.temporary) throw new IndexToStage(table, index);
    this.tableStore(table).addIndex(rows, index);
  }

  /** Deletes a dropped table's rows (and counters) in whichever engine holds them. */
  private dropRows(table: TableDef, catalogWriter: KvWriter): void {
    this.tableStores.delete(table.id);
    const b = tableBounds(table.id);
    const store = this.engines.get(table.engine.toLowerCase());
    if (store === undefined) return; // engine not loaded: its rows are unreachable anyway
    if (store === this.catalog.store) catalogWriter.delRange(b.start, b.end);
    else store.write((w) => w.delRange(b.start, b.end));
  }

  /** Closes every engine's store. */
  async close(): Promise<void> {
    const seen = new Set<KvStore>();
    for (const s of this.engines.values()) {
      if (seen.has(s)) continue;
      seen.add(s);
      await s.close();
    }
  }
}
