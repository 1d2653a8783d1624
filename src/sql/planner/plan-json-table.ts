// Plans JSON_TABLE: its document expression, row path and columns, compiled against the FROM items before it.
import { sqlError } from '../../base/errors.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import type { JsonTableColumn, JsonTableFallback, JsonTableRef } from '../parser/ast.js';
import { compileExpr, type Compiled, type CompileEnv } from '../analyzer/compile-expr.js';
import type { ScopeColumn } from '../analyzer/scope.js';
import { coerceValue } from '../types/coerce.js';
import { jsonToSql, parseJsonArg } from '../types/json-convert.js';
import { formatJson } from '../types/json-doc.js';
import type { JsonPath } from '../types/json-path.js';
import { parsePathText } from '../functions/json-args.js';

/** What a column does on a missing or unfit value: NULL, an error, or its DEFAULT (already of the column's type). */
export interface JsonTableFallbackPlan {
  action: JsonTableFallback['action'];
  value: Value;
}

/** A JSON_TABLE column; `at` is its place in the table's row (NESTED columns sit inline, in order). */
export type JsonTableColumnPlan =
  | { kind: 'ordinality'; at: number }
  | { kind: 'path'; at: number; name: string; type: SqlType; path: JsonPath; exists: boolean; onEmpty: JsonTableFallbackPlan; onError: JsonTableFallbackPlan }
  | { kind: 'nested'; path: JsonPath; columns: JsonTableColumnPlan[] };

/** A JSON_TABLE: each value `path` selects in `doc` is one row (times its NESTED paths' rows). */
export interface JsonTablePlan {
  doc: Compiled;
  path: JsonPath;
  columns: JsonTableColumnPlan[];
  width: number;
}

const T_ORDINALITY: SqlType = { kind: 'int', unsigned: true };

/** Plans `ref` with its document compiled in `docEnv` (the scope of the FROM items before it); returns its columns too. */
export function planJsonTable(ref: JsonTableRef, docEnv: CompileEnv): { plan: JsonTablePlan; columns: ScopeColumn[] } {
  const doc = compileExpr(ref.doc, docEnv);
  const columns: ScopeColumn[] = [];
  const seen = new Set<string>();
  const plans = planColumns(ref.columns, ref.alias, columns, seen);
  return { plan: { doc, path: parsePathText(ref.path), columns: plans, width: columns.length }, columns };
}

function planColumns(defs: JsonTableColumn[], alias: string, out: ScopeColumn[], seen: Set<string>): JsonTableColumnPlan[] {
  return defs.map((d): JsonTableColumnPlan => {
    if (d.kind === 'nested') return { kind: 'nested', path: parsePathText(d.path), columns: planColumns(d.columns, alias, out, seen) };
    if (seen.has(d.name.toLowerCase())) throw sqlError('DUP_FIELDNAME', `Duplicate column name '${d.name}'`);
    seen.add(d.name.toLowerCase());
    const at = out.length;
    const type = d.kind === 'ordinality' ? T_ORDINALITY : d.type;
    out.push({ name: d.name, orgName: d.name, table: alias, orgTable: '', schema: '', type, nullable: true });
    if (d.kind === 'ordinality') return { kind: 'ordinality', at };
    return {
      kind: 'path', at, name: d.name, type, path: parsePathText(d.path), exists: d.exists,
      onEmpty: fallbackPlan(d.onEmpty, type), onError: fallbackPlan(d.onError, type),
    };
  });
}

/** A DEFAULT is JSON text, converted once to the column's type. */
function fallbackPlan(f: JsonTableFallback, type: SqlType): JsonTableFallbackPlan {
  if (f.action !== 'default' || f.value === undefined) return { action: f.action, value: null };
  const n = parseJsonArg(f.value, 1, 'json_table');
  const v = type.kind === 'json' ? formatJson(n) : coerceValue(jsonToSql(n), type, { mode: 'cast', strict: false, column: '', rowNumber: 0, warn() {} });
  return { action: 'default', value: v };
}
