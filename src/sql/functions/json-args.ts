// What JSON functions share: the JSON result type, and evaluators for document and path arguments.
import { sqlError } from '../../base/errors.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Row, Value } from '../../base/value.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import { cloneJson, formatJson, type JsonNode } from '../types/json-doc.js';
import { jsonDocOf, sqlToJson } from '../types/json-convert.js';
import { findPath, JsonPathError, parseJsonPath, type JsonPath } from '../types/json-path.js';
import { valueToString } from '../types/convert.js';
import { constantValue } from './define.js';

/** The static type of JSON results: clients see MYSQL_TYPE_JSON. */
export const T_JSON: SqlType = { kind: 'json' };

/** The text result type of JSON_UNQUOTE and `->>`: LONGTEXT in utf8mb4_bin. */
export const T_JSON_TEXT: SqlType = { kind: 'longtext', collation: 'utf8mb4_bin' };

/** Reads a document argument: undefined for SQL NULL, else the parsed JSON value. */
export type DocReader = (row: Row, ctx: EvalContext) => JsonNode | undefined;

/**
 * A reader for argument `argNo` (1-based) of `fn`, which must be JSON or JSON text. `mutable`
 * readers hand out a tree of their own on every call (the modifying functions change it in place).
 */
export function docArg(a: Compiled, argNo: number, fn: string, mutable = false): DocReader {
  const e = a.eval;
  const type = a.type;
  if (type.kind === 'null') return () => undefined;
  const fixed = constantValue(a);
  if (fixed !== undefined) {
    const doc = fixed === null ? undefined : jsonDocOf(fixed, type, argNo, fn);
    return mutable ? () => (doc === undefined ? undefined : cloneJson(doc)) : () => doc;
  }
  return (row, ctx) => {
    const v = e(row, ctx);
    return v === null ? undefined : jsonDocOf(v, type, argNo, fn);
  };
}

/** A reader for an argument that becomes a JSON value (JSON_ARRAY's members, JSON_SET's values). */
export function valueArg(a: Compiled): (row: Row, ctx: EvalContext) => JsonNode {
  const e = a.eval;
  const type = a.type;
  return (row, ctx) => sqlToJson(e(row, ctx), type);
}

/** Parses a path argument's text, turning a syntax error into MySQL's 3143. */
export function parsePathText(text: string): JsonPath {
  try {
    return parseJsonPath(text);
  } catch (e) {
    if (e instanceof JsonPathError) throw sqlError('INVALID_JSON_PATH', e.message);
    throw e;
  }
}

/** Reads a path argument: undefined for NULL. Constant paths are parsed once; others cache the last text. */
export type PathReader = (row: Row, ctx: EvalContext) => JsonPath | undefined;

/** A reader for a path argument; `noWildcards` is for the modifying functions (3149 on `*` or `**`). */
export function pathArg(a: Compiled, noWildcards = false): PathReader {
  const check = (p: JsonPath): JsonPath => {
    if (noWildcards && p.wildcard) throw sqlError('INVALID_JSON_PATH_WILDCARD', 'In this situation, path expressions may not contain the * and ** tokens or an array range.');
    return p;
  };
  const fixed = constantValue(a);
  if (fixed !== undefined) {
    const p = fixed === null ? undefined : check(parsePathText(textOf(fixed)));
    return () => p;
  }
  const e = a.eval;
  let lastText: string | undefined;
  let last: JsonPath | undefined;
  return (row, ctx) => {
    const v = e(row, ctx);
    if (v === null) return undefined;
    const t = textOf(v);
    if (t !== lastText) {
      last = check(parsePathText(t));
      lastText = t;
    }
    return last;
  };
}

/**
 * The value an optional path argument selects in `doc` (`doc` itself without one); undefined when
 * the path is NULL or selects nothing, which makes the function's result NULL.
 */
export function atOptionalPath(doc: JsonNode, path: PathReader | undefined, row: Row, ctx: EvalContext): JsonNode | undefined {
  if (!path) return doc;
  const p = path(row, ctx);
  if (p === undefined) return undefined;
  const found = findPath(doc, p);
  return found.length ? found[0] : undefined;
}

/** A JSON value as the canonical text a JSON-typed expression evaluates to. */
export function jsonResult(n: JsonNode | undefined): Value {
  return n === undefined ? null : formatJson(n);
}

export function textOf(v: Exclude<Value, null>): string {
  return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : valueToString(v);
}
