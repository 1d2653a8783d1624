// Searching JSON documents: JSON_CONTAINS, JSON_CONTAINS_PATH, JSON_SEARCH, JSON_OVERLAPS, MEMBER OF.
import { sqlError } from '../../base/errors.js';
import type { Row } from '../../base/value.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import { isJsonObject, sortedKeys, type JsonNode } from '../types/json-doc.js';
import { compareJson, jsonContains } from '../types/json-compare.js';
import { findPath, findPathLocated, formatLocation, parseJsonPath, type JsonPath } from '../types/json-path.js';
import { likeToRegExp } from '../types/like.js';
import { T_BOOL_INT } from '../types/infer.js';
import type { FunctionDef } from './define.js';
import { atOptionalPath, docArg, jsonResult, pathArg, textOf, T_JSON, valueArg, type PathReader } from './json-args.js';

const ROOT: JsonPath = parseJsonPath('$');

/** JSON_CONTAINS(target, candidate[, path]). */
const JSON_CONTAINS: FunctionDef = {
  name: 'JSON_CONTAINS', minArgs: 2, maxArgs: 3,
  compile(args) {
    const target = docArg(args[0], 1, 'json_contains');
    const candidate = docArg(args[1], 2, 'json_contains');
    const path = args[2] ? pathArg(args[2], true) : undefined;
    return {
      type: T_BOOL_INT, nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const t = target(r, c);
        const v = candidate(r, c);
        if (t === undefined || v === undefined) return null;
        const within = atOptionalPath(t, path, r, c);
        return within === undefined ? null : jsonContains(within, v) ? 1 : 0;
      },
    };
  },
};

/** Reads a 'one' / 'all' argument (3154 for anything else). */
function oneOrAll(a: Compiled, fn: string) {
  return (r: Row, c: EvalContext): 'one' | 'all' | undefined => {
    const v = a.eval(r, c);
    if (v === null) return undefined;
    const s = textOf(v).toLowerCase();
    if (s !== 'one' && s !== 'all') throw sqlError('JSON_BAD_ONE_OR_ALL_ARG', `The oneOrAll argument to ${fn} may take these values: 'one' or 'all'.`);
    return s;
  };
}

/** JSON_CONTAINS_PATH(doc, 'one' | 'all', path[, path ...]). */
const JSON_CONTAINS_PATH: FunctionDef = {
  name: 'JSON_CONTAINS_PATH', minArgs: 3, maxArgs: 1 << 16,
  compile(args) {
    const doc = docArg(args[0], 1, 'json_contains_path');
    const mode = oneOrAll(args[1], 'json_contains_path');
    const paths = args.slice(2).map((a) => pathArg(a));
    return {
      type: T_BOOL_INT, nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const d = doc(r, c);
        const m = mode(r, c);
        if (d === undefined || m === undefined) return null;
        for (const p of paths) {
          const path = p(r, c);
          if (path === undefined) return null;
          const found = findPath(d, path).length > 0;
          if (found && m === 'one') return 1;
          if (!found && m === 'all') return 0;
        }
        return m === 'all' ? 1 : 0;
      },
    };
  },
};

/** JSON_SEARCH(doc, 'one' | 'all', pattern[, escape[, path ...]]): the paths of strings matching a LIKE pattern. */
const JSON_SEARCH: FunctionDef = {
  name: 'JSON_SEARCH', minArgs: 3, maxArgs: 1 << 16,
  compile(args) {
    const doc = docArg(args[0], 1, 'json_search');
    const mode = oneOrAll(args[1], 'json_search');
    const pattern = args[2].eval;
    const escape = args[3]?.eval;
    const paths: PathReader[] = args.slice(4).map((a) => pathArg(a));
    return {
      type: T_JSON, nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const d = doc(r, c);
        const m = mode(r, c);
        const pv = pattern(r, c);
        if (d === undefined || m === undefined || pv === null) return null;
        const ev = escape ? escape(r, c) : null;
        const esc = ev === null || textOf(ev) === '' ? '\\' : textOf(ev);
        const re = likeToRegExp(textOf(pv), esc);
        const hits: string[] = [];
        const seen = new Set<string>();
        const roots = paths.length ? paths.map((p) => p(r, c)) : [ROOT];
        for (const p of roots) {
          if (p === undefined) return null;
          for (const start of findPathLocated(d, p)) {
            collectStrings(start.node, [...start.at], (at) => {
              const text = formatLocation(at);
              if (!seen.has(text)) {
                seen.add(text);
                hits.push(text);
              }
            }, re);
            if (m === 'one' && hits.length) break;
          }
          if (m === 'one' && hits.length) break;
        }
        if (hits.length === 0) return null;
        return jsonResult(m === 'one' || hits.length === 1 ? hits[0] : hits);
      },
    };
  },
};

/** Calls `hit` with the location of every string at or below `n` that `re` matches, in document order. */
function collectStrings(n: JsonNode, at: (string | number)[], hit: (at: (string | number)[]) => void, re: RegExp): void {
  if (typeof n === 'string') {
    if (re.test(n)) hit(at);
  } else if (Array.isArray(n)) {
    for (let i = 0; i < n.length; i++) collectStrings(n[i], [...at, i], hit, re);
  } else if (isJsonObject(n)) {
    for (const k of sortedKeys(n)) collectStrings(n.get(k) ?? null, [...at, k], hit, re);
  }
}

/** Whether two values overlap: arrays share an element, objects a member, scalars are equal. */
function overlaps(a: JsonNode, b: JsonNode): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.some((x) => b.some((y) => compareJson(x, y) === 0));
  if (Array.isArray(a)) return a.some((x) => compareJson(x, b) === 0);
  if (Array.isArray(b)) return b.some((y) => compareJson(a, y) === 0);
  if (isJsonObject(a) && isJsonObject(b)) {
    for (const [k, v] of a) {
      const w = b.get(k);
      if (w !== undefined && compareJson(v, w) === 0) return true;
    }
    return false;
  }
  return compareJson(a, b) === 0;
}

/** JSON_OVERLAPS(a, b). */
const JSON_OVERLAPS: FunctionDef = {
  name: 'JSON_OVERLAPS', minArgs: 2, maxArgs: 2,
  compile(args) {
    const a = docArg(args[0], 1, 'json_overlaps');
    const b = docArg(args[1], 2, 'json_overlaps');
    return {
      type: T_BOOL_INT, nullable: true, constant: args.every((x) => x.constant),
      eval: (r, c) => {
        const x = a(r, c);
        const y = b(r, c);
        if (x === undefined || y === undefined) return null;
        return overlaps(x, y) ? 1 : 0;
      },
    };
  },
};

/** `value MEMBER OF (json_array)`: whether the value is an element of the array (or equals a non-array). */
const MEMBER_OF: FunctionDef = {
  name: 'MEMBER OF', minArgs: 2, maxArgs: 2,
  compile(args) {
    const value = valueArg(args[0]);
    const ve = args[0].eval;
    const doc = docArg(args[1], 2, 'member of');
    return {
      type: T_BOOL_INT, nullable: true, constant: args.every((x) => x.constant),
      eval: (r, c) => {
        if (ve(r, c) === null) return null;
        const d = doc(r, c);
        if (d === undefined) return null;
        const v = value(r, c);
        const items = Array.isArray(d) ? d : [d];
        return items.some((x) => compareJson(x, v) === 0) ? 1 : 0;
      },
    };
  },
};

export const jsonSearchFunctions: FunctionDef[] = [JSON_CONTAINS, JSON_CONTAINS_PATH, JSON_SEARCH, JSON_OVERLAPS, MEMBER_OF];
