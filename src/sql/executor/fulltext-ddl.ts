// FULLTEXT keys in the catalog: created by CREATE TABLE, CREATE FULLTEXT INDEX and ALTER TABLE ADD FULLTEXT, dropped
// like indexes, and kept in step with column renames and drops. They hold no index data: MATCH scans (see functions/fulltext.ts).
import { sqlError } from '../../base/errors.js';
import type { IndexColumn } from '../parser/ast.js';
import type { ColumnDef, FulltextDef, TableDef } from '../../storage/table-def.js';

/** The string types a FULLTEXT key may cover (MySQL: CHAR, VARCHAR and TEXT). */
const FULLTEXT_TYPES: ReadonlySet<string> = new Set(['char', 'varchar', 'tinytext', 'text', 'mediumtext', 'longtext']);

/** Every index name of the table, lower-cased: FULLTEXT keys share the namespace of the other indexes. */
export function takenIndexNames(def: Pick<TableDef, 'indexes' | 'fulltext'>): Set<string> {
  return new Set(['primary', ...def.indexes.map((i) => i.name.toLowerCase()), ...(def.fulltext ?? []).map((f) => f.name.toLowerCase())]);
}

/**
 * A new FULLTEXT key over `cols`: each column must exist (1072) and be CHAR, VARCHAR or TEXT (1283); the name defaults
 * to the first column's, made unique as MySQL does (`body`, `body_2`); a taken name is 1061. `taken` gets the name.
 */
export function fulltextKey(columns: readonly ColumnDef[], name: string | undefined, cols: readonly IndexColumn[], taken: Set<string>): FulltextDef {
  const names = cols.map((ic) => {
    const c = columns.find((col) => col.name.toLowerCase() === ic.column.toLowerCase());
    if (c === undefined) throw sqlError('KEY_COLUMN_DOES_NOT_EXIST', `Key column '${ic.column}' doesn't exist in table`);
    if (!FULLTEXT_TYPES.has(c.type.kind)) throw sqlError('BAD_FT_COLUMN', `Column '${c.name}' cannot be part of FULLTEXT index`);
    return c.name;
  });
  if (new Set(names.map((n) => n.toLowerCase())).size !== names.length) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${names[0]}'`);
  let keyName = name;
  if (keyName === undefined) {
    keyName = names[0];
    for (let n = 2; taken.has(keyName.toLowerCase()); n++) keyName = `${names[0]}_${n}`;
  } else if (taken.has(keyName.toLowerCase())) throw sqlError('DUP_KEYNAME', `Duplicate key name '${keyName}'`);
  taken.add(keyName.toLowerCase());
  return { name: keyName, columns: names };
}

/** The table with one more FULLTEXT key. */
export function withFulltextKey(def: TableDef, name: string | undefined, cols: readonly IndexColumn[]): TableDef {
  const key = fulltextKey(def.columns, name, cols, takenIndexNames(def));
  return { ...def, fulltext: [...(def.fulltext ?? []), key] };
}

/** The table without the FULLTEXT key `name`, or undefined when it has none of that name. */
export function withoutFulltextKey(def: TableDef, name: string): TableDef | undefined {
  const keys = def.fulltext ?? [];
  const kept = keys.filter((f) => f.name.toLowerCase() !== name.toLowerCase());
  if (kept.length === keys.length) return undefined;
  return withFulltext(def, kept);
}

/** After RENAME COLUMN / CHANGE: the keys name the column by its new name. */
export function fulltextAfterRename(def: TableDef, oldName: string, newName: string): TableDef {
  if (def.fulltext === undefined) return def;
  const lower = oldName.toLowerCase();
  return withFulltext(def, def.fulltext.map((f) => ({ ...f, columns: f.columns.map((c) => (c.toLowerCase() === lower ? newName : c)) })));
}

/** After DROP COLUMN: the column leaves its keys, and a key left without columns goes, as MySQL does. */
export function fulltextAfterDrop(def: TableDef, dropped: string): TableDef {
  if (def.fulltext === undefined) return def;
  const lower = dropped.toLowerCase();
  const keys = def.fulltext.map((f) => ({ ...f, columns: f.columns.filter((c) => c.toLowerCase() !== lower) })).filter((f) => f.columns.length > 0);
  return withFulltext(def, keys);
}

function withFulltext(def: TableDef, keys: FulltextDef[]): TableDef {
  const next: TableDef = { ...def, fulltext: keys };
  if (keys.length === 0) delete next.fulltext;
  return next;
}

/** Each FULLTEXT key's columns in order, as SHOW INDEX and information_schema.STATISTICS list them. */
export function fulltextKeyColumns(def: TableDef): { name: string; column: string; seq: number; nullable: boolean }[] {
  return (def.fulltext ?? []).flatMap((f) => f.columns.map((column, k) => ({
    name: f.name, column, seq: k + 1, nullable: def.columns.find((c) => c.name === column)?.nullable ?? true,
  })));
}
