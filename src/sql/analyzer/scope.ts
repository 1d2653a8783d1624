// Name resolution: the columns visible to an expression and where each sits in the input row.
import { sqlError } from '../../base/errors.js';
import type { ResultColumn } from '../../base/result.js';
import type { ColumnDef, TableDef } from '../../storage/table-def.js';
import { INFORMATION_SCHEMA } from './system-schema.js';

/**
 * One column of the input row an expression is evaluated against: the result-column metadata
 * (`table` is the alias qualifying it, '' for derived columns without one) plus scope-only facts.
 */
export interface ScopeColumn extends ResultColumn {
  /** Hidden columns (e.g. the hidden row id) are not expanded by `*`. */
  hidden?: boolean;
  /**
   * The second copy of a JOIN ... USING / NATURAL JOIN column: MySQL shows the pair once, so `*` and
   * unqualified names skip it; `table.column` still reaches it.
   */
  usingDuplicate?: boolean;
  /** The table column this one reads, when it is one (what DEFAULT(col) looks at). */
  catalogColumn?: ColumnDef;
  /** The table of `catalogColumn` (what MATCH ... AGAINST finds its FULLTEXT keys in). */
  catalogTable?: TableDef;
}

/**
 * The information_schema database name is case-insensitive whatever the case rules of other names
 * (`INFORMATION_SCHEMA.STATISTICS.TABLE_SCHEMA` is drizzle-kit's spelling); the table part matches
 * the FROM clause's spelling, as in MariaDB.
 */
function systemNameMatch(c: ScopeColumn, have: string | undefined, written: string): boolean {
  return c.schema === INFORMATION_SCHEMA && have !== undefined && have.toLowerCase() === written.toLowerCase();
}

/** The columns of one input row, in order, with an optional enclosing scope for correlated references. */
export class Scope {
  /**
   * @param starOrder the column indexes an unqualified `*` shows, in order, when that is not simply
   *   every visible column in place (after USING, the join columns come first).
   */
  constructor(readonly columns: readonly ScopeColumn[], readonly outer?: Scope, readonly starOrder?: readonly number[]) {}

  /**
   * Index of the column `table.name` (table optional) in this scope, or -1.
   * Throws 1052 when an unqualified name matches more than one column.
   */
  find(name: string, table?: string, schema?: string): number {
    const lname = name.toLowerCase();
    let found = -1;
    for (let i = 0; i < this.columns.length; i++) {
      const c = this.columns[i];
      if (c.name.toLowerCase() !== lname) continue;
      if (table === undefined ? c.usingDuplicate : c.table !== table) continue;
      if (schema !== undefined && c.schema !== schema && !systemNameMatch(c, c.schema, schema)) continue;
      if (found >= 0) {
        throw sqlError('NON_UNIQ', `Column '${table ? table + '.' : ''}${name}' in field list is ambiguous`);
      }
      found = i;
    }
    return found;
  }

  /** Whether any column is qualified by `table`. */
  hasTable(table: string): boolean {
    return this.columns.some((c) => c.table === table);
  }
}
