// Changing JSON trees in place at a wildcard-free path, and merging them: what JSON_SET and friends do.
import { isJsonObject, type JsonNode, type JsonObject } from './json-doc.js';
import { resolveIndex, type PathLeg } from './json-path.js';

/** JSON_SET adds or replaces, JSON_INSERT only adds, JSON_REPLACE only replaces. */
export type SetMode = 'set' | 'insert' | 'replace';

/**
 * Puts `value` at `legs` (below `at`) in `n` and returns the new `n`. A missing parent leaves `n`
 * as it was; a cell past the end of an array appends; a cell other than 0 of a non-array wraps
 * it in an array first (MySQL's auto-wrapping).
 */
export function setAt(n: JsonNode, legs: readonly PathLeg[], at: number, value: JsonNode, mode: SetMode): JsonNode {
  if (at === legs.length) return mode === 'insert' ? n : value;
  const leg = legs[at];
  const last = at === legs.length - 1;
  if (leg.kind === 'member') {
    if (!isJsonObject(n)) return n;
    const cur = n.get(leg.key);
    if (cur !== undefined) {
      if (!last || mode !== 'insert') n.set(leg.key, setAt(cur, legs, at + 1, value, mode));
    } else if (last && mode !== 'replace') n.set(leg.key, value);
    return n;
  }
  if (leg.kind !== 'cell') return n;
  const isArray = Array.isArray(n);
  const length = isArray ? n.length : 1;
  const i = resolveIndex(leg.index, length);
  if (i >= 0 && i < length) {
    if (!isArray) return setAt(n, legs, at + 1, value, mode);
    n[i] = setAt(n[i], legs, at + 1, value, mode);
    return n;
  }
  if (!last || mode === 'replace' || i < 0) return n;
  if (isArray) {
    n.push(value);
    return n;
  }
  return [n, value];
}

/** Replaces the value at `legs` with `f(value)` when it exists; returns the new `n`. */
export function updateAt(n: JsonNode, legs: readonly PathLeg[], at: number, f: (cur: JsonNode) => JsonNode): JsonNode {
  if (at === legs.length) return f(n);
  const leg = legs[at];
  if (leg.kind === 'member') {
    if (!isJsonObject(n)) return n;
    const cur = n.get(leg.key);
    if (cur !== undefined) n.set(leg.key, updateAt(cur, legs, at + 1, f));
    return n;
  }
  if (leg.kind !== 'cell') return n;
  if (!Array.isArray(n)) return resolveIndex(leg.index, 1) === 0 ? updateAt(n, legs, at + 1, f) : n;
  const i = resolveIndex(leg.index, n.length);
  if (i >= 0 && i < n.length) n[i] = updateAt(n[i], legs, at + 1, f);
  return n;
}

/** Removes the value at `legs` (not `$` itself) from `n` when it exists. */
export function removeAt(n: JsonNode, legs: readonly PathLeg[]): JsonNode {
  const last = legs[legs.length - 1];
  return updateAt(n, legs.slice(0, -1), 0, (parent) => {
    if (last.kind === 'member' && isJsonObject(parent)) parent.delete(last.key);
    else if (last.kind === 'cell' && Array.isArray(parent)) {
      const i = resolveIndex(last.index, parent.length);
      if (i >= 0 && i < parent.length) parent.splice(i, 1);
    }
    return parent;
  });
}

/** JSON_ARRAY_INSERT: puts `value` before cell `legs[-1]` of the array the rest of `legs` names. */
export function arrayInsertAt(n: JsonNode, legs: readonly PathLeg[], value: JsonNode): JsonNode {
  const last = legs[legs.length - 1];
  if (last.kind !== 'cell') return n;
  return updateAt(n, legs.slice(0, -1), 0, (parent) => {
    if (!Array.isArray(parent)) return parent;
    const i = resolveIndex(last.index, parent.length);
    parent.splice(Math.max(0, Math.min(i, parent.length)), 0, value);
    return parent;
  });
}

/** JSON_MERGE_PRESERVE of two values: arrays concatenate, objects merge member-wise, scalars wrap as arrays. */
export function mergePreserve(a: JsonNode, b: JsonNode): JsonNode {
  if (isJsonObject(a) && isJsonObject(b)) {
    for (const [k, v] of b) {
      const cur = a.get(k);
      a.set(k, cur === undefined ? v : mergePreserve(cur, v));
    }
    return a;
  }
  const x = Array.isArray(a) ? a : [a];
  if (Array.isArray(b)) for (const v of b) x.push(v);
  else x.push(b);
  return x;
}

/** JSON_MERGE_PATCH of two values (RFC 7396): a non-object patch replaces; null members delete. */
export function mergePatch(target: JsonNode, patch: JsonNode): JsonNode {
  if (!isJsonObject(patch)) return patch;
  const out: JsonObject = isJsonObject(target) ? target : new Map();
  for (const [k, v] of patch) {
    if (v === null) out.delete(k);
    else {
      const cur = out.get(k);
      out.set(k, mergePatch(cur === undefined ? null : cur, v));
    }
  }
  return out;
}
