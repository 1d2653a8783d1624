// How two JSON values compare (MySQL's rules: numbers across int/double/decimal, else by type rank).
import { Decimal } from '../../base/decimal.js';
import { isJsonObject, sortedKeys, type JsonNode } from './json-doc.js';
import { sqlToJson } from './json-convert.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';

/** MySQL's precedence of JSON types when two values of different types compare (higher sorts later). */
function rank(n: JsonNode): number {
  if (n === null) return 0;
  switch (typeof n) {
    case 'bigint': case 'number': return 1;
    case 'string': return 2;
    case 'boolean': return 5;
    default:
      if (n instanceof Decimal) return 1;
      return Array.isArray(n) ? 4 : 3;
  }
}

function compareNumbers(a: bigint | number | Decimal, b: bigint | number | Decimal): number {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  const x = toExact(a);
  const y = toExact(b);
  if (x === undefined || y === undefined) {
    const p = Number(a instanceof Decimal ? a.toNumber() : a);
    const q = Number(b instanceof Decimal ? b.toNumber() : b);
    return p < q ? -1 : p > q ? 1 : 0;
  }
  return x.compare(y);
}

function toExact(n: bigint | number | Decimal): Decimal | undefined {
  if (n instanceof Decimal) return n;
  if (typeof n === 'bigint') return new Decimal(n, 0);
  return Number.isFinite(n) ? Decimal.fromNumber(n) : undefined;
}

/** Compares two JSON values: <0, 0, >0. Objects only compare equal or not (unequal objects order by size then keys). */
export function compareJson(a: JsonNode, b: JsonNode): number {
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0: return 0;
    case 1: return compareNumbers(a as bigint | number | Decimal, b as bigint | number | Decimal);
    case 2: return Buffer.compare(Buffer.from(a as string, 'utf8'), Buffer.from(b as string, 'utf8'));
    case 5: return Number(a) - Number(b);
    case 4: {
      const x = a as JsonNode[], y = b as JsonNode[];
      const len = Math.min(x.length, y.length);
      for (let i = 0; i < len; i++) {
        const c = compareJson(x[i], y[i]);
        if (c) return c;
      }
      return x.length - y.length;
    }
    default: {
      if (!isJsonObject(a) || !isJsonObject(b)) return 0;
      if (a.size !== b.size) return a.size - b.size;
      const ka = sortedKeys(a), kb = sortedKeys(b);
      for (let i = 0; i < ka.length; i++) {
        if (ka[i] !== kb[i]) return ka[i] < kb[i] ? -1 : 1;
        const c = compareJson(a.get(ka[i]) ?? null, b.get(kb[i]) ?? null);
        if (c) return c;
      }
      return 0;
    }
  }
}

/** JSON_CONTAINS: whether `candidate` is contained in `target` (MySQL's containment rules). */
export function jsonContains(target: JsonNode, candidate: JsonNode): boolean {
  if (Array.isArray(target)) {
    // An array contains an array when it contains each of its elements; any other value when one element contains it.
    if (Array.isArray(candidate)) return candidate.every((c) => target.some((t) => jsonContains(t, c)));
    return target.some((t) => jsonContains(t, candidate));
  }
  if (isJsonObject(target)) {
    if (!isJsonObject(candidate)) return false;
    for (const [k, v] of candidate) {
      const t = target.get(k);
      if (t === undefined || !jsonContains(t, v)) return false;
    }
    return true;
  }
  if (Array.isArray(candidate) || isJsonObject(candidate)) return false;
  return rank(target) === rank(candidate) && compareJson(target, candidate) === 0;
}

/**
 * Compares two SQL values where at least one is JSON, as MySQL does: the other is converted to
 * JSON first (a string becomes a JSON string, never parsed), then the two compare as JSON.
 */
export function compareAsJson(x: Exclude<Value, null>, xt: SqlType, y: Exclude<Value, null>, yt: SqlType): number {
  // Equal canonical texts are equal values; no need to parse them.
  if (xt.kind === 'json' && yt.kind === 'json' && x === y) return 0;
  return compareJson(sqlToJson(x, xt), sqlToJson(y, yt));
}
