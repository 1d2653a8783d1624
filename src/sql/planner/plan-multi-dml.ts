// Multi-table UPDATE and DELETE: which tables of the joined FROM are written, where their columns sit in the joined row, and the SET list resolved over it.
import { sqlError } from '../../base/errors.js';
import { isDefaultKeyword, type DeleteStmt, type TableName, type UpdateStmt } from '../parser/ast.js';
import { compileExpr, type CompileEnv } from '../analyzer/compile-expr.js';
import type { AssignmentPlan, DmlTargetPlan, SourcePlan, TableSource } from './plan.js';
import type { TableDef } from '../../storage/table-def.js';

/** Whether the statement has MySQL's multi-table form (it then runs over a join and allows no ORDER BY / LIMIT). */
export function isMultiTableDml(stmt: UpdateStmt | DeleteStmt): boolean {
  if (stmt.type === 'delete') return stmt.targets !== undefined;
  return stmt.tables.length !== 1 || stmt.tables[0].type !== 'table';
}

/** MySQL refuses ORDER BY and LIMIT on a multi-table UPDATE (1221); the multi-table DELETE grammar has neither. */
export function checkMultiTableClauses(stmt: UpdateStmt | DeleteStmt): void {
  const verb = stmt.type.toUpperCase();
  if (stmt.orderBy.length > 0) throw sqlError('WRONG_USAGE', `Incorrect usage of ${verb} and ORDER BY`);
  if (stmt.limit) throw sqlError('WRONG_USAGE', `Incorrect usage of ${verb} and LIMIT`);
}

interface FromItem {
  alias: string;
  /** A base table; undefined for derived tables, views, CTEs and JSON_TABLE (not writable). */
  table?: TableSource;
}

/** The named items of a planned FROM clause, in no particular order. */
function fromItems(plan: SourcePlan, out: FromItem[]): FromItem[] {
  switch (plan.kind) {
    case 'table':
      out.push({ alias: plan.alias, table: plan });
      break;
    case 'innerJoin':
      for (const leaf of plan.leaves) fromItems(leaf.source, out);
      break;
    case 'nestedJoin':
      fromItems(plan.left, out);
      fromItems(plan.right, out);
      break;
    case 'cross':
      for (const input of plan.inputs) fromItems(input, out);
      break;
    case 'jsonTable':
    case 'lateral':
      if (plan.left) fromItems(plan.left, out);
      out.push({ alias: plan.alias });
      break;
    case 'empty':
      break;
    default:
      out.push({ alias: plan.alias });
  }
  return out;
}

/** Where the columns of the table read as `alias` start in the joined row. */
function offsetOf(source: SourcePlan, table: TableSource): number {
  const first = table.def.columns[0].name;
  const at = source.scope.columns.findIndex((c) => c.table === table.alias && c.orgTable === table.def.name && c.schema === table.def.schema && c.name === first);
  if (at < 0) throw new Error(`planner: table ${table.alias} not found in the joined row`);
  return at;
}

/** 3105: an UPDATE may set a generated column to DEFAULT only. */
export function checkAssignable(def: TableDef, column: number, isDefault: boolean): void {
  if (def.columns[column].generated && !isDefault) {
    throw sqlError('NON_DEFAULT_VALUE_FOR_GENERATED_COLUMN', `The value specified for generated column '${def.columns[column].name}' in table '${def.name}' is not allowed.`);
  }
}

/** The writable tables a statement names, deduplicated by alias, in the order first named. */
class Targets {
  readonly list: DmlTargetPlan[] = [];
  constructor(private readonly source: SourcePlan) {}

  add(table: TableSource): number {
    const at = this.list.findIndex((t) => t.alias === table.alias);
    if (at >= 0) return at;
    this.list.push({ alias: table.alias, def: table.def, offset: offsetOf(this.source, table) });
    return this.list.length - 1;
  }
}

function checkUniqueAliases(items: FromItem[]): void {
  const seen = new Set<string>();
  for (const item of items) {
    const key = item.alias.toLowerCase();
    if (seen.has(key)) throw sqlError('NONUNIQ_TABLE', `Not unique table/alias: '${item.alias}'`);
    seen.add(key);
  }
}

/** The tables a multi-table DELETE empties of its matched rows: each target names a FROM item by alias (or by its name when unaliased). */
export function planDeleteTargets(targets: readonly TableName[], source: SourcePlan): DmlTargetPlan[] {
  const items = fromItems(source, []);
  checkUniqueAliases(items);
  const out = new Targets(source);
  for (const named of targets) {
    const item = items.find((i) => i.alias.toLowerCase() === named.name.toLowerCase()
      && (named.schema === undefined || (i.table !== undefined && i.table.alias === i.table.def.name && i.table.def.schema.toLowerCase() === named.schema.toLowerCase())));
    if (!item) throw sqlError('UNKNOWN_TABLE', `Unknown table '${named.name}' in MULTI DELETE`);
    if (!item.table) throw sqlError('NON_UPDATABLE_TABLE', `The target table ${item.alias} of the DELETE is not updatable`);
    out.add(item.table);
  }
  return out.list;
}

/** A multi-table UPDATE's SET list: each column found in the joined row and its table made a target; values compiled over the joined row. */
export function planUpdateTargets(stmt: UpdateStmt, source: SourcePlan, env: CompileEnv): { targets: DmlTargetPlan[]; assignments: AssignmentPlan[] } {
  const items = fromItems(source, []);
  checkUniqueAliases(items);
  const out = new Targets(source);
  const assignments = stmt.set.map((a): AssignmentPlan => {
    const ref = a.column;
    const at = source.scope.find(ref.column, ref.table, ref.schema);
    const name = ref.table ? `${ref.table}.${ref.column}` : ref.column;
    if (at < 0) throw sqlError('BAD_FIELD', `Unknown column '${name}' in 'field list'`);
    const alias = source.scope.columns[at].table;
    const item = items.find((i) => i.alias === alias);
    if (!item?.table) throw sqlError('NON_UPDATABLE_TABLE', `The target table ${alias} of the UPDATE is not updatable`);
    const target = out.add(item.table);
    const column = at - out.list[target].offset;
    checkAssignable(item.table.def, column, isDefaultKeyword(a.value));
    return { column, target, value: isDefaultKeyword(a.value) ? undefined : compileExpr(a.value, env) };
  });
  return { targets: out.list, assignments };
}
