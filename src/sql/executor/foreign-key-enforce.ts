// FOREIGN KEY enforcement as InnoDB does it, row by row at statement time: child rows need a parent, parent changes RESTRICT, CASCADE or SET NULL.
import { sqlError } from '../../base/errors.js';
import type { Row } from '../../base/value.js';
import type { ForeignKeyDef, TableDef } from '../../storage/table-def.js';
import type { AccessPath } from '../planner/access-path.js';
import { compareForSort } from '../types/compare.js';
import { columnPositions, foreignKeyText, indexFor, referencingKeys } from './foreign-key-ddl.js';
import type { CatalogView, TableWriter } from './statement-env.js';
import { sameStoredValue } from './write-row.js';
import { quoteIdentifier } from '../../base/identifier.js';

/** InnoDB's bound on nested cascades (3008 beyond it). */
export const CASCADE_DEPTH_MAX = 15;


function constraintText(child: { schema: string; name: string }, fk: ForeignKeyDef): string {
  return `(${quoteIdentifier(child.schema)}.${quoteIdentifier(child.name)}, ${foreignKeyText(fk, child.schema)})`;
}

/** A writer that runs the constraints of the table it writes (see constraint-writer.ts). */
export interface ConstrainedWriters {
  writer(def: TableDef): TableWriter;
  /** Runs `fn` one cascade level deeper: 3008 past CASCADE_DEPTH_MAX. */
  deeper<T>(fn: () => T): T;
}

/** An equality lookup on the leading columns of an index. */
function lookupPath(def: TableDef, cols: number[], values: Row): AccessPath | undefined {
  const ix = indexFor(def, cols);
  if (ix === undefined) return undefined;
  const bound = { values: values.slice(), inclusive: true };
  return { index: ix.id, indexName: ix.name, ranges: [{ lower: bound, upper: bound }], unique: false, equalityColumns: cols.length, reverse: false, kind: 'ref' };
}

/** Rows of `w` whose `cols` equal `values` under the columns' own comparison (collations included). */
function matchingRows(w: TableWriter, cols: number[], values: Row): Row[] {
  const types = cols.map((c) => w.def.columns[c].type);
  const out: Row[] = [];
  for (const r of w.scan(lookupPath(w.def, cols, values))) {
    if (cols.every((c, k) => r[c] !== null && compareForSort(types[k], r[c], values[k]) === 0)) out.push(r);
  }
  return out;
}

/** The foreign key checks and actions of one statement (one per statement: the children of each table are looked up once). */
export class ForeignKeyEnforcer {
  private readonly children = new Map<number, { child: TableDef; fk: ForeignKeyDef }[]>();
  /** Tables an ON UPDATE CASCADE / SET NULL changed in the running cascade: changing one again acts as RESTRICT (InnoDB's rule). */
  private readonly updatedByCascade = new Set<number>();

  constructor(private readonly catalog: CatalogView, private readonly writers: ConstrainedWriters) {}

  private childrenOf(def: TableDef): { child: TableDef; fk: ForeignKeyDef }[] {
    let list = this.children.get(def.id);
    if (list === undefined) {
      list = referencingKeys(this.catalog, def.schema, def.name);
      this.children.set(def.id, list);
    }
    return list;
  }

  /** 1452 unless every foreign key of `def` whose columns are all non-NULL in `row` finds its parent row. `changedFrom`: only keys whose columns changed. */
  checkChild(def: TableDef, row: Row, changedFrom?: Row): void {
    for (const fk of def.foreignKeys ?? []) {
      const cols = columnPositions(def, fk.columns);
      const values = cols.map((c) => row[c]);
      if (values.some((v) => v === null)) continue;
      if (changedFrom !== undefined && cols.every((c) => sameStoredValue(changedFrom[c], row[c]))) continue;
      const parentDef = this.catalog.getTable(fk.refSchema, fk.refTable);
      const refCols = parentDef === undefined ? [] : columnPositions(parentDef, fk.refColumns);
      const parentWriter = parentDef !== undefined && refCols.every((c) => c >= 0) ? this.writers.writer(parentDef) : undefined;
      const parents = parentWriter === undefined ? [] : matchingRows(parentWriter, refCols, values);
      if (parents.length === 0) throw sqlError('NO_REFERENCED_ROW_2', `Cannot add or update a child row: a foreign key constraint fails ${constraintText(def, fk)}`);
      // InnoDB holds a shared lock on the parent row until commit, so no other transaction deletes it meanwhile;
      // the writer's lock is exclusive (stricter: two children of one parent wait for each other's commit).
      parentWriter?.lockRow(parents[0]);
    }
  }

  /** A parent row was deleted: RESTRICT / NO ACTION refuse (1451) while children match it, CASCADE deletes them, SET NULL clears their key. */
  parentDeleted(def: TableDef, old: Row): void {
    for (const { child, fk } of this.childrenOf(def)) this.act(def, old, undefined, child, fk, fk.onDelete);
  }

  /** A parent row changed: as parentDeleted for the keys whose referenced columns changed, CASCADE copying the new values. */
  parentUpdated(def: TableDef, old: Row, next: Row): void {
    for (const { child, fk } of this.childrenOf(def)) {
      const refCols = columnPositions(def, fk.refColumns);
      if (refCols.some((c) => c < 0) || refCols.every((c) => sameStoredValue(old[c], next[c]))) continue;
      this.act(def, old, next, child, fk, fk.onUpdate);
    }
  }

  private act(parent: TableDef, old: Row, next: Row | undefined, childDef: TableDef, fk: ForeignKeyDef, rule: ForeignKeyDef['onDelete']): void {
    const refCols = columnPositions(parent, fk.refColumns);
    const keyValues = refCols.map((c) => old[c]);
    if (keyValues.some((v) => v === null)) return;
    // The child's definition as the statement sees it now (a self-reference is `parent` itself).
    const current = this.catalog.getTable(childDef.schema, childDef.name) ?? childDef;
    const childCols = columnPositions(current, fk.columns);
    const w = this.writers.writer(current);
    const rows = matchingRows(w, childCols, keyValues);
    if (rows.length === 0) return;
    const updating = next !== undefined;
    const restrict = rule === 'RESTRICT' || rule === 'NO ACTION' || (updating && (current.id === parent.id || this.updatedByCascade.has(current.id)));
    if (restrict) {
      throw sqlError('ROW_IS_REFERENCED_2', `Cannot delete or update a parent row: a foreign key constraint fails ${constraintText(current, fk)}`);
    }
    this.writers.deeper(() => {
      if (updating) this.updatedByCascade.add(parent.id);
      for (const r of rows) {
        if (rule === 'CASCADE' && !updating) {
          w.delete(r);
          continue;
        }
        const changed = r.slice();
        childCols.forEach((c, k) => {
          changed[c] = rule === 'SET NULL' ? null : (next as Row)[refCols[k]];
        });
        if (updating) this.updatedByCascade.add(current.id);
        w.update(r, changed);
      }
    });
  }

  /** Forgets the running cascade's tables (a top-level row write starts a new one). */
  startRow(): void {
    this.updatedByCascade.clear();
  }
}
