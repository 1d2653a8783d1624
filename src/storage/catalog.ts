// The catalog: schemas, tables and views persisted in the primary store, served from an in-memory cache.
import { sqlError } from '../base/errors.js';
import type { KvReader, KvStore, KvWriter } from './kv.js';
import type { SchemaDef, TableDef, ViewDef } from './table-def.js';
import { CAT_META, CAT_SCHEMA, CAT_TABLE, CAT_VIEW, MAX_TABLE_ID, catalogKey, catalogKindBounds, tableBounds } from './key-layout.js';
import { TrackedStore } from './tracked-store.js';
import { Counters } from './counters.js';

/** Version of the catalog's on-disk layout, checked at open. */
export const CATALOG_FORMAT_VERSION = 1;

interface CatalogMeta {
  version: number;
  nextTableId: number;
  /** Moves on with every committed catalog change (absent in catalogs written before it existed). */
  generation?: number;
}

/**
 * Where threads sharing one store tell each other the catalog's generation: a thread
 * whose cache is older than the board's reloads it (see Catalog.refresh).
 */
export interface CatalogBoard {
  read(): number;
  publish(generation: number): void;
}

interface SchemaEntry {
  def: SchemaDef;
  tables: Map<string, TableDef>;
  views: Map<string, ViewDef>;
}

/** Deletes a dropped table's rows; the storage manager routes it to the table's own engine. */
export type DropRows = (table: TableDef, catalogWriter: KvWriter) => void;

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** A private, frozen copy: callers can neither change the cache through what they passed nor what they got. */
function snapshot<T>(o: T): T {
  return deepFreeze(structuredClone(o));
}

function json(o: unknown): Buffer {
  return Buffer.from(JSON.stringify(o), 'utf8');
}

function parse<T>(b: Buffer): T {
  return JSON.parse(b.toString('utf8')) as T;
}

/**
 * Schema, table and view definitions. Lookups never touch the store; every
 * change takes the writer of a write on `catalog.store` (the primary store,
 * wrapped) so it joins the statement's transaction, and is undone in the cache
 * if that write aborts. Names are case-sensitive (lower_case_table_names=0).
 * Definitions handed out are frozen.
 */
export class Catalog {
  /** The primary store; catalog changes must happen inside a write on it. */
  readonly store: TrackedStore;
  private readonly schemas = new Map<string, SchemaEntry>();
  private readonly byId = new Map<number, TableDef>();
  private meta: CatalogMeta = { version: CATALOG_FORMAT_VERSION, nextTableId: 1 };
  private undo: (() => void)[] = [];
  /** Set once the running write checked the cache against the stored generation and bumped it. */
  private generationTaken = false;
  private board: CatalogBoard | undefined;
  /** Auto-increment and row-id counters; they live in each table's own store. */
  readonly counters: Counters;

  private constructor(primary: KvStore, private readonly dropRows: DropRows, counters: Counters) {
    this.counters = counters;
    this.store = new TrackedStore(primary, {
      committed: () => {
        this.undo = [];
        if (this.generationTaken) this.board?.publish(this.generation);
        this.generationTaken = false;
      },
      aborted: () => {
        for (let i = this.undo.length - 1; i >= 0; i--) this.undo[i]();
        this.undo = [];
        this.generationTaken = false;
      },
    });
  }

  /** The cache's generation: it changes with every catalog change, made here or loaded from another thread's. */
  get generation(): number {
    return this.meta.generation ?? 0;
  }

  /** Shares the catalog with other threads through `board` (worker threads); alone, nothing is needed. */
  attachBoard(board: CatalogBoard): void {
    this.board = board;
  }

  /** Reloads the cache when another thread changed the catalog since it was loaded (a statement's first step). */
  refresh(): void {
    if (this.board !== undefined && this.board.read() !== this.generation && !this.store.inWrite) this.store.read((r) => this.reload(r));
  }

  /**
   * Inside a write on the primary store (which excludes every other writer): makes the cache
   * what the store holds, so a statement's catalog decisions see every other thread's changes.
   */
  syncInWrite(w: KvWriter): void {
    if (this.board === undefined || this.generationTaken) return;
    const stored = w.get(catalogKey(CAT_META));
    if ((stored === undefined ? 0 : parse<CatalogMeta>(stored).generation ?? 0) !== this.generation) this.reload(w);
  }

  private reload(r: KvReader): void {
    this.schemas.clear();
    this.byId.clear();
    this.meta = { version: CATALOG_FORMAT_VERSION, nextTableId: 1 };
    this.load(r);
  }

  /**
   * Loads the catalog from `primary`. `dropRows` deletes a dropped table's rows
   * (default: a delRange in the primary store, for tables of the primary engine).
   */
  static open(primary: KvStore, dropRows?: DropRows, counters: Counters = new Counters()): Catalog {
    const c = new Catalog(primary, dropRows ?? ((t, w) => {
      const b = tableBounds(t.id);
      w.delRange(b.start, b.end);
    }), counters);
    primary.read((r) => c.load(r));
    return c;
  }

  private load(r: KvReader): void {
    const meta = r.get(catalogKey(CAT_META));
    if (meta !== undefined) {
      this.meta = parse<CatalogMeta>(meta);
      if (this.meta.version !== CATALOG_FORMAT_VERSION) throw new Error(`storage: catalog format ${this.meta.version} is not supported (expected ${CATALOG_FORMAT_VERSION})`);
    }
    for (const e of r.range(catalogKindBounds(CAT_SCHEMA))) {
      const def = deepFreeze(parse<SchemaDef>(e.value));
      this.schemas.set(def.name, { def, tables: new Map(), views: new Map() });
    }
    for (const e of r.range(catalogKindBounds(CAT_TABLE))) {
      const def = deepFreeze(parse<TableDef>(e.value));
      const s = this.schemas.get(def.schema);
      if (s === undefined) throw new Error(`storage: catalog has table ${def.schema}.${def.name} without its schema`);
      s.tables.set(def.name, def);
      this.byId.set(def.id, def);
    }
    for (const e of r.range(catalogKindBounds(CAT_VIEW))) {
      const def = deepFreeze(parse<ViewDef>(e.value));
      const s = this.schemas.get(def.schema);
      if (s === undefined) throw new Error(`storage: catalog has view ${def.schema}.${def.name} without its schema`);
      s.views.set(def.name, def);
    }
  }

  /**
   * Every change starts here. The first one of a write checks the cache against the
   * stored generation (another thread may have changed the catalog: then the cache
   * reloads from the write's own, latest, view) and moves the generation on.
   */
  private requireWrite(w: KvWriter): void {
    if (!this.store.inWrite) throw new Error('storage: catalog changes must run inside catalog.store.write()');
    if (this.generationTaken) return;
    const stored = w.get(catalogKey(CAT_META));
    const storedGeneration = stored === undefined ? 0 : parse<CatalogMeta>(stored).generation ?? 0;
    if (storedGeneration !== this.generation) this.reload(w);
    const old = this.meta;
    this.meta = { ...old, generation: storedGeneration + 1 };
    w.put(catalogKey(CAT_META), json(this.meta));
    this.generationTaken = true;
    this.undo.push(() => (this.meta = old));
  }

  private schemaOrThrow(name: string): SchemaEntry {
    const s = this.schemas.get(name);
    if (s === undefined) throw sqlError('BAD_DB', `Unknown database '${name}'`);
    return s;
  }

  // ------------------------------------------------------------------ schemas

  listSchemas(): SchemaDef[] {
    return [...this.schemas.values()].map((s) => s.def).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  getSchema(name: string): SchemaDef | undefined {
    return this.schemas.get(name)?.def;
  }

  /** Creates a schema; 1007 if it exists. */
  createSchema(w: KvWriter, def: SchemaDef): SchemaDef {
    this.requireWrite(w);
    if (this.schemas.has(def.name)) throw sqlError('DB_CREATE_EXISTS', `Can't create database '${def.name}'; database exists`);
    const frozen = snapshot(def);
    w.put(catalogKey(CAT_SCHEMA, def.name), json(frozen));
    this.schemas.set(def.name, { def: frozen, tables: new Map(), views: new Map() });
    this.undo.push(() => this.schemas.delete(def.name));
    return frozen;
  }

  /** Changes a schema's charset/collation (ALTER DATABASE). */
  alterSchema(w: KvWriter, def: SchemaDef): SchemaDef {
    this.requireWrite(w);
    const s = this.schemaOrThrow(def.name);
    const old = s.def;
    const frozen = snapshot(def);
    w.put(catalogKey(CAT_SCHEMA, def.name), json(frozen));
    s.def = frozen;
    this.undo.push(() => (s.def = old));
    return frozen;
  }

  /** Drops a schema with its tables (and their rows) and views; 1008 if missing. Returns what was dropped. */
  dropSchema(w: KvWriter, name: string): { tables: TableDef[]; views: ViewDef[] } {
    this.requireWrite(w);
    const s = this.schemas.get(name);
    if (s === undefined) throw sqlError('DB_DROP_EXISTS', `Can't drop database '${name}'; database doesn't exist`);
    const tables = [...s.tables.values()];
    const views = [...s.views.values()];
    for (const t of tables) this.dropTable(w, name, t.name);
    for (const v of views) this.dropView(w, name, v.name);
    w.del(catalogKey(CAT_SCHEMA, name));
    this.schemas.delete(name);
    this.undo.push(() => this.schemas.set(name, s));
    return { tables, views };
  }

  // ------------------------------------------------------------------ tables

  listTables(schema: string): TableDef[] {
    const s = this.schemas.get(schema);
    return s === undefined ? [] : [...s.tables.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  getTable(schema: string, name: string): TableDef | undefined {
    return this.schemas.get(schema)?.tables.get(name);
  }

  getTableById(id: number): TableDef | undefined {
    return this.byId.get(id);
  }

  /** Hands out a new table id (never reused, even after DROP). */
  allocateTableId(w: KvWriter): number {
    this.requireWrite(w);
    const id = this.meta.nextTableId;
    if (id > MAX_TABLE_ID) throw new Error('storage: table ids exhausted');
    const old = this.meta;
    this.meta = { ...old, nextTableId: id + 1 };
    w.put(catalogKey(CAT_META), json(this.meta));
    this.undo.push(() => (this.meta = old));
    return id;
  }

  private checkNameFree(s: SchemaEntry, name: string): void {
    if (s.tables.has(name) || s.views.has(name)) throw sqlError('TABLE_EXISTS', `Table '${name}' already exists`);
  }

  private putTable(w: KvWriter, def: TableDef): void {
    w.put(catalogKey(CAT_TABLE, def.id), json(def));
    const s = this.schemaOrThrow(def.schema);
    const prevByName = s.tables.get(def.name);
    const prevById = this.byId.get(def.id);
    s.tables.set(def.name, def);
    this.byId.set(def.id, def);
    this.undo.push(() => {
      if (prevByName === undefined) s.tables.delete(def.name);
      else s.tables.set(def.name, prevByName);
      if (prevById === undefined) this.byId.delete(def.id);
      else this.byId.set(def.id, prevById);
    });
  }

  private removeTable(w: KvWriter, def: TableDef): void {
    w.del(catalogKey(CAT_TABLE, def.id));
    const s = this.schemaOrThrow(def.schema);
    s.tables.delete(def.name);
    this.byId.delete(def.id);
    this.undo.push(() => {
      s.tables.set(def.name, def);
      this.byId.set(def.id, def);
    });
  }

  /** Creates a table with a fresh id; 1049 for an unknown schema, 1050 if the name is taken. */
  createTable(w: KvWriter, def: Omit<TableDef, 'id'>): TableDef {
    this.requireWrite(w);
    this.checkNameFree(this.schemaOrThrow(def.schema), def.name);
    const full = snapshot({ ...def, id: this.allocateTableId(w) } as TableDef);
    this.putTable(w, full);
    return full;
  }

  /** Drops a table and its rows; 1051 if missing. Returns the dropped definition. */
  dropTable(w: KvWriter, schema: string, name: string): TableDef {
    this.requireWrite(w);
    const def = this.getTable(schema, name);
    if (def === undefined) throw sqlError('BAD_TABLE', `Unknown table '${schema}.${name}'`);
    this.removeTable(w, def);
    this.dropRows(def, w);
    this.counters.forget(def.id);
    return def;
  }

  /**
   * Replaces a table's definition in place (same id): metadata changes, index
   * additions/removals (after TableStore.addIndex/dropIndex), renames. Changes to
   * the column list need the rows rewritten: see StorageManager.rebuildTable.
   */
  alterTable(w: KvWriter, def: TableDef): TableDef {
    this.requireWrite(w);
    const old = this.byId.get(def.id);
    if (old === undefined) throw sqlError('BAD_TABLE', `Unknown table '${def.schema}.${def.name}'`);
    if (old.schema !== def.schema || old.name !== def.name) this.checkNameFree(this.schemaOrThrow(def.schema), def.name);
    const frozen = snapshot(def);
    this.removeTable(w, old);
    this.putTable(w, frozen);
    return frozen;
  }

  /** Renames (and possibly moves) a table; 1051 if missing, 1050 if the new name is taken. */
  renameTable(w: KvWriter, schema: string, name: string, newSchema: string, newName: string): TableDef {
    this.requireWrite(w);
    const def = this.getTable(schema, name);
    if (def === undefined) throw sqlError('BAD_TABLE', `Unknown table '${schema}.${name}'`);
    return this.alterTable(w, { ...def, schema: newSchema, name: newName });
  }

  /**
   * Swaps a table's definition for one under a new id (the copy algorithm of
   * ALTER TABLE: rows were already written under `next.id`). The old rows are dropped, unless
   * the caller deletes them itself (`dropOldRows` false: a copy staged in slices, see staged-rebuild).
   */
  replaceTable(w: KvWriter, oldId: number, next: TableDef, dropOldRows = true): TableDef {
    this.requireWrite(w);
    const old = this.byId.get(oldId);
    if (old === undefined) throw new Error(`storage: no table with id ${oldId}`);
    if (old.schema !== next.schema || old.name !== next.name) this.checkNameFree(this.schemaOrThrow(next.schema), next.name);
    const frozen = snapshot(next);
    this.removeTable(w, old);
    if (dropOldRows) this.dropRows(old, w);
    this.counters.forget(old.id);
    this.putTable(w, frozen);
    return frozen;
  }

  // ------------------------------------------------------------------ counters (writer/reader of the table's own store)

  /** Reserves `count` auto-increment values for a table and returns the first. */
  nextAutoIncrement(w: KvWriter, tableId: number, count = 1): number | bigint {
    return this.counters.nextAutoIncrement(w, tableId, count);
  }

  /** Moves the counter past an explicitly inserted value, like InnoDB. */
  observeAutoIncrement(w: KvWriter, tableId: number, value: number | bigint): void {
    this.counters.observeAutoIncrement(w, tableId, value);
  }

  /** The next auto-increment value without reserving it. */
  peekAutoIncrement(r: KvReader, tableId: number): number | bigint {
    return this.counters.peekAutoIncrement(r, tableId);
  }

  /** Sets the next auto-increment value (AUTO_INCREMENT = n; TRUNCATE sets 1). */
  setAutoIncrement(w: KvWriter, tableId: number, next: number | bigint): void {
    this.counters.setAutoIncrement(w, tableId, next);
  }

  // ------------------------------------------------------------------ views

  listViews(schema: string): ViewDef[] {
    const s = this.schemas.get(schema);
    return s === undefined ? [] : [...s.views.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  getView(schema: string, name: string): ViewDef | undefined {
    return this.schemas.get(schema)?.views.get(name);
  }

  /** Creates a view (or replaces an existing view when `orReplace`); 1050 if a table or view has the name. */
  createView(w: KvWriter, def: ViewDef, orReplace = false): ViewDef {
    this.requireWrite(w);
    const s = this.schemaOrThrow(def.schema);
    const prev = s.views.get(def.name);
    if (!(orReplace && prev !== undefined)) this.checkNameFree(s, def.name);
    const frozen = snapshot(def);
    w.put(catalogKey(CAT_VIEW, def.schema, def.name), json(frozen));
    s.views.set(def.name, frozen);
    this.undo.push(() => {
      if (prev === undefined) s.views.delete(def.name);
      else s.views.set(def.name, prev);
    });
    return frozen;
  }

  /** Drops a view; 1051 if missing. */
  dropView(w: KvWriter, schema: string, name: string): ViewDef {
    this.requireWrite(w);
    const s = this.schemas.get(schema);
    const def = s?.views.get(name);
    if (s === undefined || def === undefined) throw sqlError('BAD_TABLE', `Unknown table '${schema}.${name}'`);
    w.del(catalogKey(CAT_VIEW, schema, name));
    s.views.delete(name);
    this.undo.push(() => s.views.set(name, def));
    return def;
  }

  /** Renames (or moves) a view; 1050 if the new name is taken. */
  renameView(w: KvWriter, schema: string, name: string, newSchema: string, newName: string): ViewDef {
    this.requireWrite(w);
    const def = this.getView(schema, name);
    if (def === undefined) throw sqlError('BAD_TABLE', `Unknown table '${schema}.${name}'`);
    this.checkNameFree(this.schemaOrThrow(newSchema), newName);
    this.dropView(w, schema, name);
    return this.createView(w, { ...def, schema: newSchema, name: newName });
  }
}
