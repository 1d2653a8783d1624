// The rows of JSON_TABLE: one per value its path selects, times the rows of its NESTED paths.
import { sqlError } from '../../base/errors.js';
import type { Row, Value } from '../../base/value.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import type { JsonTableSource } from '../planner/plan.js';
import type { JsonTableColumnPlan, JsonTableFallbackPlan, JsonTablePlan } from '../planner/plan-json-table.js';
import { coerceValue } from '../types/coerce.js';
import { toBoolean } from '../types/convert.js';
import { jsonDocOf, jsonToSql } from '../types/json-convert.js';
import { formatJson, isJsonObject, type JsonNode } from '../types/json-doc.js';
import { findPath } from '../types/json-path.js';
import { PAUSE, PAUSE_EVERY, type Pulled } from './pause.js';

/** The source's rows: each row of `left` (one empty row when alone) followed by the table rows its document gives. */
export function* jsonTableSourceRows(plan: JsonTableSource, left: Iterable<Pulled>, ctx: EvalContext): Generator<Pulled> {
  const nulls: Row = new Array(plan.table.width).fill(null);
  let n = 0;
  for (const l of left) {
    if (l === PAUSE) {
      yield PAUSE;
      continue;
    }
    let matched = false;
    for (const r of jsonTableRows(plan.table, l, ctx)) {
      const row = [...l, ...r];
      if (!plan.on || toBoolean(plan.on.eval(row, ctx)) === true) {
        matched = true;
        yield row;
      }
      if (++n === PAUSE_EVERY) {
        n = 0;
        yield PAUSE;
      }
    }
    if (!matched && plan.keepUnmatched) yield [...l, ...nulls];
  }
}

/** The table's rows for the document read from `row`; none for a NULL document. */
function jsonTableRows(table: JsonTablePlan, row: Row, ctx: EvalContext): Row[] {
  const v = table.doc.eval(row, ctx);
  if (v === null) return [];
  const doc = jsonDocOf(v, table.doc.type, 1, 'JSON_TABLE');
  const out: Row[] = [];
  const matches = findPath(doc, table.path);
  for (let i = 0; i < matches.length; i++) {
    for (const r of expand(table.columns, matches[i], i + 1, table.width, ctx)) out.push(r);
  }
  return out;
}

/**
 * The rows of one matched value: its own columns, times each NESTED path's rows in turn (sibling
 * NESTED paths give rows one after the other, the other's columns NULL); without nested rows, one row.
 */
function expand(columns: JsonTableColumnPlan[], node: JsonNode, ordinal: number, width: number, ctx: EvalContext): Row[] {
  const base: Row = new Array(width).fill(null);
  const nested: Extract<JsonTableColumnPlan, { kind: 'nested' }>[] = [];
  for (const c of columns) {
    if (c.kind === 'ordinality') base[c.at] = ordinal;
    else if (c.kind === 'path') base[c.at] = columnValue(c, node, ctx);
    else nested.push(c);
  }
  const out: Row[] = [];
  for (const c of nested) {
    const matches = findPath(node, c.path);
    for (let i = 0; i < matches.length; i++) {
      for (const sub of expand(c.columns, matches[i], i + 1, width, ctx)) out.push(base.map((v, k) => (sub[k] !== null ? sub[k] : v)));
    }
  }
  return out.length ? out : [base];
}

function columnValue(c: Extract<JsonTableColumnPlan, { kind: 'path' }>, node: JsonNode, ctx: EvalContext): Value {
  const found = findPath(node, c.path);
  if (c.exists) return found.length ? 1 : 0;
  if (found.length === 0) return fallback(c.onEmpty, () => sqlError('MISSING_JSON_TABLE_VALUE', `Missing value for JSON_TABLE column '${c.name}'`));
  const v = found[0];
  if (c.type.kind === 'json') return formatJson(v);
  if (found.length > 1 || Array.isArray(v) || isJsonObject(v)) {
    return fallback(c.onError, () => sqlError('WRONG_JSON_TABLE_VALUE', `Can't store an array or an object in the scalar JSON_TABLE column '${c.name}'`));
  }
  if (v === null) return null;
  let bad = '';
  const out = coerceValue(jsonToSql(v), c.type, { mode: 'cast', strict: false, column: c.name, rowNumber: ctx.rowNumber, warn: (_code, message) => { bad ||= message; } });
  if (!bad) return out;
  return fallback(c.onError, () => sqlError('INVALID_JSON_VALUE_FOR_CAST', `Invalid JSON value for CAST to ${c.type.kind.toUpperCase()} from column ${c.name}: ${bad}`));
}

function fallback(f: JsonTableFallbackPlan, error: () => Error): Value {
  if (f.action === 'error') throw error();
  return f.value;
}
