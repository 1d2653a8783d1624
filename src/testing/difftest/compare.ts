// Compares two answers: rows as multisets (in order when the query's order is total), errors by presence.
import type { Answer } from './servers.js';

export type Verdict =
  | { agree: true; note?: string }
  | { agree: false; kind: 'error-one-side' | 'rows' | 'row-count' };

/** Relative tolerance for FLOAT/DOUBLE columns: the two servers print doubles with different digit counts. */
const RELATIVE_TOLERANCE = 1e-9;

function approxEqual(a: string, b: string): boolean {
  const x = Number(a); const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return a === b;
  if (x === y) return true;
  return Math.abs(x - y) <= RELATIVE_TOLERANCE * Math.max(Math.abs(x), Math.abs(y));
}

function valueEqual(a: string | null, b: string | null, approximate: boolean): boolean {
  if (a === null || b === null) return a === b;
  return a === b || (approximate && approxEqual(a, b));
}

function rowKey(row: (string | null)[], approximate: boolean[]): string {
  // Approximate values are keyed by 12 significant digits, so equal-within-tolerance rows sort together.
  return JSON.stringify(row.map((v, i) => (v !== null && approximate[i] && !Number.isNaN(Number(v)) ? Number(v).toPrecision(12) : v)));
}

function rowsEqual(a: (string | null)[][], b: (string | null)[][], approximate: boolean[]): boolean {
  for (let i = 0; i < a.length; i++) {
    if (a[i].length !== b[i].length) return false;
    for (let j = 0; j < a[i].length; j++) if (!valueEqual(a[i][j], b[i][j], approximate[j] ?? false)) return false;
  }
  return true;
}

export function compareAnswers(mizzle: Answer, mariadb: Answer, ordered: boolean): Verdict {
  if (mizzle.kind === 'error' || mariadb.kind === 'error') {
    if (mizzle.kind === 'error' && mariadb.kind === 'error') {
      return mizzle.code === mariadb.code ? { agree: true } : { agree: true, note: `error codes ${mizzle.code} vs ${mariadb.code}` };
    }
    return { agree: false, kind: 'error-one-side' };
  }
  if (mizzle.kind === 'ok' || mariadb.kind === 'ok') return mizzle.kind === mariadb.kind ? { agree: true } : { agree: false, kind: 'rows' };
  if (mizzle.rows.length !== mariadb.rows.length) return { agree: false, kind: 'row-count' };
  const approximate = mizzle.approximate.map((v, i) => v || (mariadb.approximate[i] ?? false));
  if (ordered) return rowsEqual(mizzle.rows, mariadb.rows, approximate) ? { agree: true } : { agree: false, kind: 'rows' };
  const sort = (rows: (string | null)[][]) => rows.map((r) => ({ key: rowKey(r, approximate), r })).sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0)).map((x) => x.r);
  return rowsEqual(sort(mizzle.rows), sort(mariadb.rows), approximate) ? { agree: true } : { agree: false, kind: 'rows' };
}
