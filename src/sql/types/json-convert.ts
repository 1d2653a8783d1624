// Conversions between SQL values and JSON: arguments to JSON functions, CAST(... AS JSON) and back.
import { sqlError } from '../../base/errors.js';
import { Decimal } from '../../base/decimal.js';
import { isTemporalType, type SqlType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import { formatJson, type JsonNode } from './json-doc.js';
import { JsonDepthError, JsonSyntaxError, parseJson } from './json-parse.js';
import { T_BOOL_INT } from './infer.js';

/**
 * A value of static type JSON is always its canonical text (`formatJson`), so that it is stored,
 * compared for equality and sent to clients as is; this reads it back as a tree.
 */
export function jsonOfCanonical(text: string): JsonNode {
  return parseJson(text, true);
}

/** Parses text a user gave as a JSON document; a syntax error is MySQL's 3141 naming the argument. */
export function parseJsonArg(text: string, argNo: number, fn: string): JsonNode {
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      throw sqlError('INVALID_JSON_TEXT_IN_PARAM', `Invalid JSON text in argument ${argNo} to function ${fn.toLowerCase()}: "${e.reason}" at position ${e.position}.`);
    }
    throw depthError(e);
  }
}

/** 3157 for a too deeply nested document, other errors unchanged. */
export function depthError(e: unknown): unknown {
  return e instanceof JsonDepthError ? sqlError('JSON_DOCUMENT_TOO_DEEP', e.message) : e;
}

/**
 * An argument that must be a JSON document (JSON_EXTRACT's first, JSON_CONTAINS's ...): a JSON
 * value, or a string holding JSON text. Numbers and other types are MySQL's error 3146.
 */
export function jsonDocOf(v: Exclude<Value, null>, type: SqlType, argNo: number, fn: string): JsonNode {
  if (type.kind === 'json') return jsonOfCanonical(textOf(v));
  if (typeof v === 'string' && !isTemporalType(type)) return parseJsonArg(v, argNo, fn);
  if (type.kind === 'null') return null;
  throw sqlError('INVALID_TYPE_FOR_JSON', `Invalid data type for JSON data in argument ${argNo} to function ${fn.toLowerCase()}; a JSON string or JSON type is required.`);
}

/**
 * An SQL value as a JSON value, as JSON_ARRAY's and JSON_OBJECT's arguments become members: JSON
 * stays JSON, strings become JSON strings (never parsed), numbers keep their kind, boolean
 * expressions (comparisons, TRUE) become true/false, dates and times their text.
 */
export function sqlToJson(v: Value, type: SqlType): JsonNode {
  if (v === null) return null;
  if (type.kind === 'json') return jsonOfCanonical(textOf(v));
  if (type === T_BOOL_INT) return v !== 0 && v !== 0n;
  switch (typeof v) {
    case 'number':
      if (type.kind === 'float' || type.kind === 'double') return v;
      return Number.isInteger(v) ? BigInt(v) : v;
    case 'bigint':
      return v;
    case 'string':
      return type.kind === 'time' || type.kind === 'datetime' || type.kind === 'timestamp' ? withMicroseconds(v) : v;
    default:
      if (v instanceof Decimal) return v;
      // Binary strings are opaque values, shown as MySQL shows them.
      return `base64:type${type.kind === 'bit' ? 16 : 15}:${v.toString('base64')}`;
  }
}

/** MySQL's JSON shows TIME and DATETIME values with six fractional digits ("11:30:24.000000"). */
function withMicroseconds(t: string): string {
  const dot = t.indexOf('.');
  return dot < 0 ? t + '.000000' : t.padEnd(dot + 7, '0');
}

/** The canonical JSON text of an SQL value (CAST(x AS JSON) of a non-string, JSON functions' arguments). */
export function sqlToJsonText(v: Exclude<Value, null>, type: SqlType): string {
  if (type.kind === 'json') return textOf(v);
  return formatJson(sqlToJson(v, type));
}

/**
 * A JSON value in an SQL context that wants a scalar (CAST(json AS SIGNED), arithmetic, `->>`):
 * strings unquoted, numbers as numbers, true/false as 1/0, containers as their text.
 */
export function jsonToSql(n: JsonNode): Exclude<Value, null> {
  if (n === null) return 'null';
  switch (typeof n) {
    case 'boolean': return n ? 1 : 0;
    case 'bigint': return n >= -9007199254740991n && n <= 9007199254740991n ? Number(n) : n;
    case 'number': return n;
    case 'string': return n;
    default:
      if (n instanceof Decimal) return n;
      return formatJson(n);
  }
}

/** JSON_UNQUOTE / `->>` of JSON text: a JSON string's content, anything else its text unchanged. */
export function unquoteJsonText(text: string): string {
  if (text.length < 2 || text.charCodeAt(0) !== 34 || text.charCodeAt(text.length - 1) !== 34) return text;
  const inner = text.slice(1, -1);
  if (!inner.includes('\\')) return inner;
  const n = parseJson(text);
  return typeof n === 'string' ? n : text;
}

function textOf(v: Exclude<Value, null>): string {
  return typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
}
