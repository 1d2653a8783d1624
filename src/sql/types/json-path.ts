// MySQL JSON path expressions: parsing `$.a[1].*`-style text and finding the values a path selects.
import { isJsonObject, quoteJsonString, sortedKeys, type JsonNode } from './json-doc.js';

/** An array position: the n-th element, or with `fromEnd` the n-th before the last (`last-n`). */
export interface ArrayIndex {
  n: number;
  fromEnd: boolean;
}

/** One step of a path. */
export type PathLeg =
  | { kind: 'member'; key: string }
  | { kind: 'memberWildcard' }
  | { kind: 'cell'; index: ArrayIndex }
  | { kind: 'range'; from: ArrayIndex; to: ArrayIndex }
  | { kind: 'cellWildcard' }
  | { kind: 'ellipsis' };

/** A parsed path. `wildcard` is set when it may select more than one value (`*`, `**`, ranges). */
export interface JsonPath {
  legs: PathLeg[];
  wildcard: boolean;
  /** Only members and non-negative cells: the fast text scan can follow it. */
  simple: boolean;
}

/** The path text is not a valid path; `position` is where parsing stopped (MySQL error 3143). */
export class JsonPathError extends Error {
  constructor(readonly position: number) {
    super(`Invalid JSON path expression. The error is around character position ${position}.`);
  }
}

/** Parses a path such as `$.a."b c"[2].*` or `$**.x[last-1]`; throws JsonPathError. */
export function parseJsonPath(text: string): JsonPath {
  const legs: PathLeg[] = [];
  let i = 0;
  const n = text.length;
  const fail = (): never => {
    throw new JsonPathError(Math.min(i + 1, n));
  };
  const space = (): void => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  space();
  if (text[i] !== '$') fail();
  i++;
  for (;;) {
    space();
    if (i >= n) break;
    const c = text[i];
    if (c === '.') {
      i++;
      space();
      if (text[i] === '*') {
        i++;
        legs.push({ kind: 'memberWildcard' });
      } else if (text[i] === '"') {
        const end = quotedEnd(text, i);
        if (end < 0) fail();
        let key: string;
        try {
          key = JSON.parse(text.slice(i, end)) as string;
        } catch {
          return fail();
        }
        i = end;
        legs.push({ kind: 'member', key });
      } else {
        const start = i;
        while (i < n && isIdentChar(text.charCodeAt(i))) i++;
        if (i === start || (text[start] >= '0' && text[start] <= '9')) fail();
        legs.push({ kind: 'member', key: text.slice(start, i) });
      }
    } else if (c === '[') {
      i++;
      space();
      if (text[i] === '*') {
        i++;
        legs.push({ kind: 'cellWildcard' });
      } else {
        const from = index();
        space();
        if (text.startsWith('to', i) && !isIdentChar(text.charCodeAt(i + 2) || 0)) {
          i += 2;
          space();
          const to = index();
          legs.push({ kind: 'range', from, to });
        } else legs.push({ kind: 'cell', index: from });
      }
      space();
      if (text[i] !== ']') fail();
      i++;
    } else if (c === '*' && text[i + 1] === '*') {
      i += 2;
      legs.push({ kind: 'ellipsis' });
    } else fail();
  }
  if (legs.length && legs[legs.length - 1].kind === 'ellipsis') {
    i = n;
    fail();
  }
  const wildcard = legs.some((l) => l.kind === 'memberWildcard' || l.kind === 'cellWildcard' || l.kind === 'ellipsis' || l.kind === 'range');
  const simple = legs.every((l) => l.kind === 'member' || (l.kind === 'cell' && !l.index.fromEnd));
  return { legs, wildcard, simple };

  function index(): ArrayIndex {
    if (text.startsWith('last', i)) {
      i += 4;
      space();
      if (text[i] === '-') {
        i++;
        space();
        return { n: digits(), fromEnd: true };
      }
      return { n: 0, fromEnd: true };
    }
    return { n: digits(), fromEnd: false };
  }

  function digits(): number {
    const start = i;
    while (i < n && text[i] >= '0' && text[i] <= '9') i++;
    if (i === start) fail();
    return Number(text.slice(start, i));
  }
}

function quotedEnd(text: string, at: number): number {
  for (let i = at + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i + 1;
  }
  return -1;
}

/** ECMAScript identifier characters (ASCII letters, digits, `_`, `$`, and anything beyond ASCII). */
function isIdentChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36 || c > 127;
}

/** Resolves an index against an array of `length` elements (may be out of range: the caller checks). */
export function resolveIndex(ix: ArrayIndex, length: number): number {
  return ix.fromEnd ? length - 1 - ix.n : ix.n;
}

/** Where a value sits in its document: member names and array positions from the root. */
export type JsonLocation = (string | number)[];

/**
 * Every value `path` selects in `doc`, in document order. A cell step on a non-array treats the
 * value as a one-element array, as MySQL does (`$[0]` of a scalar is the scalar).
 */
export function findPath(doc: JsonNode, path: JsonPath): JsonNode[] {
  const out: JsonNode[] = [];
  walk(doc, path.legs, 0, undefined, (n) => out.push(n));
  return out;
}

/** Like findPath, with the location of each value (for JSON_SEARCH's results). */
export function findPathLocated(doc: JsonNode, path: JsonPath): { node: JsonNode; at: JsonLocation }[] {
  const out: { node: JsonNode; at: JsonLocation }[] = [];
  walk(doc, path.legs, 0, [], (node, at) => out.push({ node, at: at ? [...at] : [] }));
  return out;
}

type Visit = (n: JsonNode, at: JsonLocation | undefined) => void;

/** Steps into child `key` of a tracked location (no tracking when `loc` is undefined). */
function enter(loc: JsonLocation | undefined, key: string | number): JsonLocation | undefined {
  return loc ? [...loc, key] : undefined;
}

function walk(n: JsonNode, legs: PathLeg[], at: number, loc: JsonLocation | undefined, visit: Visit): void {
  if (at === legs.length) {
    visit(n, loc);
    return;
  }
  const leg = legs[at];
  switch (leg.kind) {
    case 'member':
      if (isJsonObject(n)) {
        const v = n.get(leg.key);
        if (v !== undefined) walk(v, legs, at + 1, enter(loc, leg.key), visit);
      }
      return;
    case 'memberWildcard':
      if (isJsonObject(n)) for (const k of sortedKeys(n)) walk(n.get(k) ?? null, legs, at + 1, enter(loc, k), visit);
      return;
    case 'cellWildcard':
      if (Array.isArray(n)) for (let i = 0; i < n.length; i++) walk(n[i], legs, at + 1, enter(loc, i), visit);
      return;
    case 'cell': {
      const length = Array.isArray(n) ? n.length : 1;
      const i = resolveIndex(leg.index, length);
      if (i >= 0 && i < length) walk(Array.isArray(n) ? n[i] : n, legs, at + 1, Array.isArray(n) ? enter(loc, i) : loc, visit);
      return;
    }
    case 'range': {
      const length = Array.isArray(n) ? n.length : 1;
      const from = Math.max(resolveIndex(leg.from, length), 0);
      const to = Math.min(resolveIndex(leg.to, length), length - 1);
      for (let i = from; i <= to; i++) walk(Array.isArray(n) ? n[i] : n, legs, at + 1, Array.isArray(n) ? enter(loc, i) : loc, visit);
      return;
    }
    case 'ellipsis':
      // `**` matches this value and every value below it.
      walk(n, legs, at + 1, loc, visit);
      if (Array.isArray(n)) for (let i = 0; i < n.length; i++) walk(n[i], legs, at, enter(loc, i), visit);
      else if (isJsonObject(n)) for (const k of sortedKeys(n)) walk(n.get(k) ?? null, legs, at, enter(loc, k), visit);
      return;
  }
}

/** The path as MySQL prints it (JSON_SEARCH's results): `$.a[1]`, keys quoted when not identifiers. */
export function formatLocation(legs: JsonLocation): string {
  let out = '$';
  for (const l of legs) {
    if (typeof l === 'number') out += `[${l}]`;
    else out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(l) ? '.' + l : '.' + quoteJsonString(l);
  }
  return out;
}
