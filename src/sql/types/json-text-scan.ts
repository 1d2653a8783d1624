// Follows a simple JSON path (members and cells) through valid JSON text without building a tree.
import type { PathLeg } from './json-path.js';
import { parseJson } from './json-parse.js';

/**
 * The text of the value `legs` selects in `text`, or undefined when nothing matches. `text` must
 * be valid JSON (a stored JSON value or a JSON function's result): the scan only skips, never
 * validates. Every leg must be a member or a non-negative cell (`JsonPath.simple`).
 */
export function scanJsonText(text: string, legs: readonly PathLeg[]): string | undefined {
  let at = skipSpace(text, 0);
  for (const leg of legs) {
    const c = text.charCodeAt(at);
    if (leg.kind === 'member') {
      if (c !== 123 /* { */) return undefined;
      const found = findMember(text, at, leg.key);
      if (found < 0) return undefined;
      at = found;
    } else if (leg.kind === 'cell') {
      const n = leg.index.n;
      if (c !== 91 /* [ */) {
        // A non-array is its own element 0.
        if (n !== 0) return undefined;
        continue;
      }
      const found = findCell(text, at, n);
      if (found < 0) return undefined;
      at = found;
    } else return undefined;
  }
  return text.slice(at, skipValue(text, at));
}

function skipSpace(s: string, i: number): number {
  for (;;) {
    const c = s.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

/** Start of member `key`'s value in the object at `at`, or -1. */
function findMember(s: string, at: number, key: string): number {
  let i = skipSpace(s, at + 1);
  if (s.charCodeAt(i) === 125 /* } */) return -1;
  for (;;) {
    const keyEnd = skipString(s, i);
    // Most keys have no escapes: compare them in place, without a substring.
    const matches = escaped
      ? unescapeKey(s.slice(i, keyEnd)) === key
      : keyEnd - i - 2 === key.length && s.startsWith(key, i + 1);
    i = skipSpace(s, keyEnd);
    i = skipSpace(s, i + 1); // the colon
    if (matches) return i;
    i = skipSpace(s, skipValue(s, i));
    if (s.charCodeAt(i) !== 44 /* , */) return -1;
    i = skipSpace(s, i + 1);
  }
}

/** Start of element `n` of the array at `at`, or -1. */
function findCell(s: string, at: number, n: number): number {
  let i = skipSpace(s, at + 1);
  if (s.charCodeAt(i) === 93 /* ] */) return -1;
  for (let k = 0; ; k++) {
    if (k === n) return i;
    i = skipSpace(s, skipValue(s, i));
    if (s.charCodeAt(i) !== 44) return -1;
    i = skipSpace(s, i + 1);
  }
}

/** Whether the string skipString last passed held an escape. */
let escaped = false;

/** End (exclusive) of the string starting at the quote at `i`. */
function skipString(s: string, i: number): number {
  escaped = false;
  for (i++; ; i++) {
    const c = s.charCodeAt(i);
    if (c === 34) return i + 1;
    if (c === 92) {
      escaped = true;
      i++;
    } else if (Number.isNaN(c)) return i;
  }
}

function unescapeKey(quoted: string): string {
  const n = parseJson(quoted);
  return typeof n === 'string' ? n : '';
}

/** End (exclusive) of the value starting at `i`. */
export function skipValue(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c === 34) return skipString(s, i);
  if (c === 123 || c === 91) {
    let depth = 0;
    for (; i < s.length; i++) {
      const d = s.charCodeAt(i);
      if (d === 34) i = skipString(s, i) - 1;
      else if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return i + 1;
      }
    }
    return i;
  }
  for (; i < s.length; i++) {
    const d = s.charCodeAt(i);
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) return i;
  }
  return i;
}
