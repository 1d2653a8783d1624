// CREATE TEMPORARY TABLE: per-session tables kept in the catalog under hidden names, seen through an overlay only by their session.
import type { Row } from '../base/value.js';
import type { IndexDef, SchemaDef, TableDef, ViewDef } from '../storage/table-def.js';
import type { CatalogView, CatalogWriter, ReadTx, WriteTx } from '../sql/executor/statement-env.js';
import type { LockOwner, RowLocks } from './transactions/lock-manager.js';
import { shareTable } from './transactions/metadata-locks.js';

/**
 * Catalog names of temporary tables start with this, as MySQL's `#sql...` files do: no client
 * writes such a name by accident, and every listing leaves them out (SHOW TABLES and information_schema
 * do not show temporary tables, MySQL 8's behaviour).
 */
export const TEMPORARY_PREFIX = '#sql-tmp-';

export function isTemporaryName(name: string): boolean {
  return name.startsWith(TEMPORARY_PREFIX);
}

const key = (schema: string, name: string): string => `${schema}\u0000${name.toLowerCase()}`;

/** One session's temporary tables: the name it uses → the hidden catalog name. */
export class TemporaryTables {
  private readonly byName = new Map<string, { schema: string; name: string; hidden: string }>();
  private counter = 0;
  /** Stable user-facing definitions per stored one, so compiled row stores stay cached (they are keyed by identity). */
  private readonly shown = new WeakMap<TableDef, TableDef>();

  constructor(private readonly sessionId: number) {}

  get size(): number {
    return this.byName.size;
  }

  /** Hidden catalog names of every table, for dropping them when the session ends. */
  hiddenNames(): { schema: string; hidden: string }[] {
    return [...this.byName.values()];
  }

  hiddenName(schema: string, name: string): string | undefined {
    // Every table lookup of every statement asks; most sessions have no temporary table, and no key is built for them.
    if (this.byName.size === 0) return undefined;
    return this.byName.get(key(schema, name))?.hidden;
  }

  /** The definition as the session sees it: its own name, marked temporary. */
  show(stored: TableDef, name: string): TableDef {
    const hit = this.shown.get(stored);
    if (hit && hit.name === name) return hit;
    const def: TableDef = Object.freeze({ ...stored, name, temporary: true });
    this.shown.set(stored, def);
    return def;
  }

  register(schema: string, name: string): string {
    const hidden = `${TEMPORARY_PREFIX}${this.sessionId}-${++this.counter}`;
    this.byName.set(key(schema, name), { schema, name, hidden });
    return hidden;
  }

  clear(): void {
    this.byName.clear();
  }

  forget(schema: string, name: string): void {
    this.byName.delete(key(schema, name));
  }

  /**
   * A statement's read transaction with this session's temporary tables in front of the base tables;
   * each base table it looks up or uses is locked shared for `owner` (see metadata-locks).
   */
  read(tx: ReadTx, locks: RowLocks, owner: LockOwner | undefined): ReadTx {
    return { catalog: new TemporaryOverlay(this, tx.catalog, locks, owner), table: lockingTable(tx, locks, owner) };
  }

  write(tx: WriteTx, locks: RowLocks, owner: LockOwner | undefined): WriteTx {
    return { catalog: new TemporaryOverlay(this, tx.catalog, locks, owner), table: lockingTable(tx, locks, owner) };
  }
}

/** `tx.table` that first shares the table's metadata lock for `owner`. */
function lockingTable<R>(tx: { table(def: TableDef): R }, locks: RowLocks, owner: LockOwner | undefined): (def: TableDef) => R {
  return (def) => {
    shareTable(locks, owner, def);
    return tx.table(def);
  };
}

/** The catalog with one session's temporary tables shadowing base tables of the same name. */
class TemporaryOverlay implements CatalogWriter {
  constructor(
    private readonly temps: TemporaryTables,
    private readonly base: CatalogView | CatalogWriter,
    private readonly locks: RowLocks,
    private readonly owner: LockOwner | undefined,
  ) {}

  private get writer(): CatalogWriter {
    if (!('createTable' in this.base)) throw new Error('catalog change outside a write transaction');
    return this.base;
  }

  /** The stored (hidden-name) form of a definition this overlay handed out. */
  private stored(def: TableDef): TableDef {
    const hidden = def.temporary ? this.temps.hiddenName(def.schema, def.name) : undefined;
    return hidden === undefined ? def : { ...def, name: hidden };
  }

  listSchemas(): SchemaDef[] { return this.base.listSchemas(); }
  getSchema(name: string): SchemaDef | undefined { return this.base.getSchema(name); }
  listTables(schema: string): TableDef[] { return this.base.listTables(schema).filter((t) => !isTemporaryName(t.name)); }
  listViews(schema: string): ViewDef[] { return this.base.listViews(schema); }
  getView(schema: string, name: string): ViewDef | undefined { return this.base.getView(schema, name); }

  getTable(schema: string, name: string): TableDef | undefined {
    const hidden = this.temps.hiddenName(schema, name);
    if (hidden !== undefined) {
      const stored = this.base.getTable(schema, hidden);
      if (stored) return this.temps.show(stored, name);
    }
    if (isTemporaryName(name)) return undefined;
    const def = this.base.getTable(schema, name);
    // Locked as the statement finds it (before it plans with its columns), as MySQL does when it opens a table.
    if (def !== undefined) shareTable(this.locks, this.owner, def);
    return def;
  }

  createSchema(def: SchemaDef): void { this.writer.createSchema(def); }
  alterSchema(def: SchemaDef): void { this.writer.alterSchema(def); }

  dropSchema(name: string): void {
    for (const t of this.temps.hiddenNames().filter((t) => t.schema === name)) this.writer.dropTable(t.schema, t.hidden);
    this.writer.dropSchema(name);
  }

  createTable(def: Omit<TableDef, 'id'>, autoIncrementStart?: number | bigint): TableDef {
    if (!def.temporary) return this.writer.createTable(def, autoIncrementStart);
    const hidden = this.temps.register(def.schema, def.name);
    try {
      return this.temps.show(this.writer.createTable({ ...def, name: hidden }, autoIncrementStart), def.name);
    } catch (e) {
      this.temps.forget(def.schema, def.name);
      throw e;
    }
  }

  dropTable(schema: string, name: string): void {
    const hidden = this.temps.hiddenName(schema, name);
    if (hidden === undefined) return this.writer.dropTable(schema, name);
    this.writer.dropTable(schema, hidden);
    this.temps.forget(schema, name);
  }

  alterTable(def: TableDef, rebuild?: (row: Row) => Row): void {
    this.writer.alterTable(this.stored(def), rebuild);
  }

  addIndex(table: TableDef, index: IndexDef): TableDef {
    const out = this.writer.addIndex(this.stored(table), index);
    return table.temporary ? this.temps.show(out, table.name) : out;
  }

  dropIndex(table: TableDef, name: string): TableDef {
    const out = this.writer.dropIndex(this.stored(table), name);
    return table.temporary ? this.temps.show(out, table.name) : out;
  }

  renameTable(schema: string, name: string, toSchema: string, toName: string): void {
    const hidden = this.temps.hiddenName(schema, name);
    if (hidden === undefined) return this.writer.renameTable(schema, name, toSchema, toName);
    // The stored name stays hidden; only the session's name for it changes.
    this.temps.forget(schema, name);
    const next = this.temps.register(toSchema, toName);
    this.writer.renameTable(schema, hidden, toSchema, next);
  }

  createView(def: ViewDef): void { this.writer.createView(def); }
  dropView(schema: string, name: string): void { this.writer.dropView(schema, name); }
}
