// Renders result values the way sqllogictest expects and compares them with the expected text or hash.
import { createHash } from 'node:crypto';
import type { SortMode } from './parse.js';

/** A result as a backend returns it: a type letter per column (I, R, T) and values as text (null for NULL). */
export interface BackendResult {
  types: string[];
  rows: (string | null)[][];
}

function renderText(v: string): string {
  if (v === '') return '(empty)';
  let out = '';
  for (const ch of v) {
    const c = ch.codePointAt(0) as number;
    out += c >= 0x20 && c <= 0x7e ? ch : '@';
  }
  return out;
}

/** Renders one value for the expected type letter; undefined when the actual type cannot stand for it. */
function renderValue(v: string | null, expected: string, actual: string): string | undefined {
  if (v === null) return 'NULL';
  if (expected === 'T') return actual === 'T' ? renderText(v) : undefined;
  if (expected === 'I') {
    if (actual === 'I') return v;
    if (actual === 'R') {
      const n = Number(v);
      // A whole-number real stands for an integer.
      if (Number.isFinite(n) && Number.isInteger(n)) return /^-?\d+(\.0*)?$/.test(v) ? v.replace(/\.0*$/, '') : String(n);
      return undefined;
    }
    return undefined;
  }
  if (expected === 'R') {
    if (actual === 'R' || actual === 'I') return Number(v).toFixed(3);
    return undefined;
  }
  return renderText(v);
}

/** Renders the whole result, or returns a reason the types disagree. */
export function renderResult(res: BackendResult, expectedTypes: string, sort: SortMode): { values: string[] } | { error: string } {
  if (res.types.length !== expectedTypes.length) {
    return { error: `expected ${expectedTypes.length} columns, got ${res.types.length}` };
  }
  const rows: string[][] = [];
  for (const row of res.rows) {
    const r: string[] = [];
    for (let c = 0; c < row.length; c++) {
      const s = renderValue(row[c], expectedTypes[c], res.types[c]);
      if (s === undefined) return { error: `column ${c + 1}: expected type ${expectedTypes[c]}, got ${res.types[c]} (value ${row[c]})` };
      r.push(s);
    }
    rows.push(r);
  }
  if (sort === 'rowsort') {
    rows.sort((a, b) => {
      for (let i = 0; i < a.length; i++) {
        if (a[i] < b[i]) return -1;
        if (a[i] > b[i]) return 1;
      }
      return 0;
    });
  }
  const values = rows.flat();
  if (sort === 'valuesort') values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { values };
}

export function hashValues(values: string[]): string {
  const h = createHash('md5');
  for (const v of values) h.update(v + '\n');
  return h.digest('hex');
}
