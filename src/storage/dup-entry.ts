// The MySQL 1062 error for a unique or primary key violation, with MySQL 8's message format.
import { sqlError, type SqlError } from '../base/errors.js';
import { Decimal } from '../base/decimal.js';
import type { Value } from '../base/value.js';
import { truncateCodePoints } from './key-codec.js';

/** MySQL cuts the value and key name in this message at 192 characters ('%-.192s'). */
const MAX_SHOWN = 192;

function show(v: Value, prefix: number | undefined): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return prefix ? truncateCodePoints(v, prefix) : v;
  if (typeof v === 'number' || typeof v === 'bigint' || v instanceof Decimal) return String(v);
  const bytes = prefix && v.length > prefix ? v.subarray(0, prefix) : v;
  for (const c of bytes) if (c < 0x20 || c >= 0x7f) return '0x' + bytes.toString('hex').toUpperCase();
  return bytes.toString('latin1');
}

/**
 * `Duplicate entry '5-abc' for key 't1.PRIMARY'`: the index's values joined by
 * '-' (prefix-indexed columns shown by their prefix).
 */
export function duplicateEntry(table: string, index: string, values: readonly Value[], prefixes?: readonly (number | undefined)[]): SqlError {
  const text = values.map((v, i) => show(v, prefixes?.[i])).join('-');
  return sqlError('DUP_ENTRY', `Duplicate entry '${truncateCodePoints(text, MAX_SHOWN)}' for key '${truncateCodePoints(`${table}.${index}`, MAX_SHOWN)}'`);
}
