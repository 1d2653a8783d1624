// Reading from JSON documents: JSON_EXTRACT (and so `->`), JSON_UNQUOTE (`->>`), JSON_VALUE.
import { sqlError } from '../../base/errors.js';
import type { Value } from '../../base/value.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import type { JsonNode } from '../types/json-doc.js';
import { findPath, type JsonPath } from '../types/json-path.js';
import { scanJsonText } from '../types/json-text-scan.js';
import { jsonToSql, parseJsonArg, unquoteJsonText } from '../types/json-convert.js';
import { coerceValue } from '../types/coerce.js';
import { constantValue, type FunctionDef } from './define.js';
import { docArg, jsonResult, parsePathText, pathArg, textOf, T_JSON, T_JSON_TEXT, type DocReader } from './json-args.js';

/** The values `paths` select in `doc`: one path without wildcards gives its value, else an array of all matches. */
function extract(doc: JsonNode, paths: (JsonPath | undefined)[]): JsonNode | undefined {
  const matches: JsonNode[] = [];
  for (const p of paths) {
    if (p === undefined) return undefined;
    for (const m of findPath(doc, p)) matches.push(m);
  }
  if (matches.length === 0) return undefined;
  if (paths.length === 1 && !paths[0]?.wildcard) return matches[0];
  return matches;
}

/** JSON_EXTRACT(doc, path[, path ...]). */
const JSON_EXTRACT: FunctionDef = {
  name: 'JSON_EXTRACT', minArgs: 2, maxArgs: 1 << 16,
  compile(args) {
    const constant = args.every((a) => a.constant);
    const fast = simpleExtract(args);
    if (fast) return { type: T_JSON, nullable: true, constant, eval: fast };
    const doc = docArg(args[0], 1, 'json_extract');
    const paths = args.slice(1).map((a) => pathArg(a));
    return {
      type: T_JSON, nullable: true, constant,
      eval: (r, c) => {
        const ps = paths.map((p) => p(r, c));
        if (ps.some((p) => p === undefined)) return null;
        const d = doc(r, c);
        return d === undefined ? null : jsonResult(extract(d, ps));
      },
    };
  },
};

/**
 * A stored JSON value with one constant member/cell path (`doc->'$.a[0]'`) is followed through its
 * text without parsing it: JSON-typed values are always valid canonical text.
 */
function simpleExtract(args: Compiled[]): Compiled['eval'] | undefined {
  if (args.length !== 2 || args[0].type.kind !== 'json') return undefined;
  const pv = constantValue(args[1]);
  if (pv === undefined || pv === null) return undefined;
  const path = parsePathText(textOf(pv));
  if (!path.simple) return undefined;
  const legs = path.legs;
  const de = args[0].eval;
  return (r, c) => {
    const v = de(r, c);
    if (v === null) return null;
    return scanJsonText(textOf(v), legs) ?? null;
  };
}

/** JSON_UNQUOTE(x): a JSON string's content; other values' text as is. */
const JSON_UNQUOTE: FunctionDef = {
  name: 'JSON_UNQUOTE', minArgs: 1, maxArgs: 1,
  compile([a]) {
    const e = a.eval;
    const isJson = a.type.kind === 'json';
    return {
      type: T_JSON_TEXT, nullable: true, constant: a.constant,
      eval: (r, c) => {
        const v = e(r, c);
        if (v === null) return null;
        const t = textOf(v);
        if (isJson) return unquoteJsonText(t);
        // Text that looks like a JSON string must be one (3141 otherwise).
        if (t.length >= 2 && t[0] === '"' && t[t.length - 1] === '"') {
          const n = parseJsonArg(t, 1, 'json_unquote');
          return typeof n === 'string' ? n : t;
        }
        return t;
      },
    };
  },
};

/**
 * JSON_VALUE(doc, path [RETURNING type] [... ON EMPTY] [... ON ERROR]): the parser passes
 * [doc, path, empty default, error default] and the clauses on the call.
 */
const JSON_VALUE: FunctionDef = {
  name: 'JSON_VALUE', minArgs: 2, maxArgs: 4,
  compile(args, _env, call) {
    const opts = call.jsonValue ?? { onEmpty: 'null', onError: 'null' };
    const type = returningType(opts.returning);
    const doc: DocReader = docArg(args[0], 1, 'json_value');
    const path = pathArg(args[1]);
    const emptyDefault = args[2]?.eval;
    const errorDefault = args[3]?.eval;
    const convert = (v: Exclude<Value, null>, ctx: EvalContext): Value => coerceValue(v, type, {
      mode: 'cast', strict: false, column: '', rowNumber: ctx.rowNumber,
      warn: (code, message) => { if (opts.onError === 'error') throw sqlError('INVALID_JSON_VALUE_FOR_CAST', message); ctx.session.warn(code, message); },
    });
    return {
      type, nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const d = doc(r, c);
        const p = path(r, c);
        if (d === undefined || p === undefined) return null;
        const found = findPath(d, p);
        if (found.length === 0) {
          if (opts.onEmpty === 'error') throw sqlError('INVALID_JSON_VALUE_FOR_CAST', 'No value was found by JSON_VALUE on the specified path.');
          return opts.onEmpty === 'default' && emptyDefault ? emptyDefault(r, c) : null;
        }
        const n = found[0];
        if (found.length > 1 || Array.isArray(n) || n instanceof Map) {
          if (opts.onError === 'error') throw sqlError('INVALID_JSON_VALUE_FOR_CAST', 'Can\'t store an array or an object in a scalar value.');
          return opts.onError === 'default' && errorDefault ? errorDefault(r, c) : null;
        }
        if (n === null) return null;
        if (!opts.returning) return typeof n === 'string' ? n : jsonResult(n);
        return type.kind === 'json' ? jsonResult(n) : convert(jsonToSql(n), c);
      },
    };
  },
};

/** RETURNING's type as a result: CHAR and BINARY (as in CAST) are variable length; none is VARCHAR(512). */
function returningType(t: SqlType | undefined): SqlType {
  if (!t) return { kind: 'varchar', length: 512 };
  if (t.kind === 'char') return { ...t, kind: 'varchar', length: t.length ?? 512 };
  if (t.kind === 'binary') return { ...t, kind: 'varbinary', length: t.length ?? 512 };
  return t;
}

export const jsonExtractFunctions: FunctionDef[] = [JSON_EXTRACT, JSON_UNQUOTE, JSON_VALUE];
