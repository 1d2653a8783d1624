// The JSON document model: the tree of a JSON value, its canonical text (as MySQL prints it), type and depth.
import { Decimal } from '../../base/decimal.js';
import { formatDouble } from '../../base/format.js';

/** A JSON object; its members are kept in insertion order and sorted when shown (MySQL's key order). */
export type JsonObject = Map<string, JsonNode>;

/**
 * One JSON value. Integers are `bigint` and doubles `number`, so `1` and `1.0` stay distinct as
 * in MySQL's binary JSON; DECIMAL values (from SQL decimals) are `Decimal`; JSON null is `null`.
 */
export type JsonNode = null | boolean | bigint | number | string | Decimal | JsonNode[] | JsonObject;

export function isJsonObject(n: JsonNode): n is JsonObject {
  return n instanceof Map;
}

/** Object keys in MySQL's stored order: shorter first, then by bytes. */
export function sortedKeys(obj: JsonObject): string[] {
  return [...obj.keys()].sort(compareKeys);
}

function compareKeys(a: string, b: string): number {
  if (a.length !== b.length || !isAscii(a) || !isAscii(b)) {
    const la = Buffer.byteLength(a, 'utf8');
    const lb = Buffer.byteLength(b, 'utf8');
    if (la !== lb) return la - lb;
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 127) return false;
  return true;
}

/** A JSON value as MySQL prints it: `", "` and `": "` separators, keys in stored order. */
export function formatJson(n: JsonNode): string {
  if (n === null) return 'null';
  switch (typeof n) {
    case 'boolean': return n ? 'true' : 'false';
    case 'bigint': return n.toString();
    case 'number': return formatJsonDouble(n);
    case 'string': return quoteJsonString(n);
    default:
      if (n instanceof Decimal) return n.toString();
      if (Array.isArray(n)) {
        let out = '[';
        for (let i = 0; i < n.length; i++) out += (i ? ', ' : '') + formatJson(n[i]);
        return out + ']';
      }
      return formatObject(n, formatJson, ', ');
  }
}

function formatObject(obj: JsonObject, item: (n: JsonNode) => string, sep: string): string {
  let out = '{';
  let first = true;
  for (const k of sortedKeys(obj)) {
    out += (first ? '' : sep) + quoteJsonString(k) + ': ' + item(obj.get(k) ?? null);
    first = false;
  }
  return out + '}';
}

/** JSON_PRETTY's form: two spaces of indent a level, one member or element a line. */
export function formatJsonPretty(n: JsonNode, indent = ''): string {
  if (Array.isArray(n)) {
    if (n.length === 0) return '[]';
    const inner = indent + '  ';
    return '[\n' + n.map((x) => inner + formatJsonPretty(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  if (n instanceof Map) {
    if (n.size === 0) return '{}';
    const inner = indent + '  ';
    return '{\n' + sortedKeys(n).map((k) => inner + quoteJsonString(k) + ': ' + formatJsonPretty(n.get(k) ?? null, inner)).join(',\n') + '\n' + indent + '}';
  }
  return formatJson(n);
}

/** A double as MySQL's JSON prints it: as a DOUBLE prints, with `.0` on integral values. */
export function formatJsonDouble(d: number): string {
  if (Object.is(d, -0)) return '-0.0';
  const s = formatDouble(d);
  return s.includes('.') || s.includes('e') ? s : s + '.0';
}

/** A string as a JSON string literal, escaped as MySQL escapes it. */
export function quoteJsonString(s: string): string {
  let i = 0;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 32 || c === 34 || c === 92) break;
  }
  if (i === s.length) return '"' + s + '"';
  let out = '"' + s.slice(0, i);
  for (; i < s.length; i++) {
    const ch = s[i];
    const c = s.charCodeAt(i);
    if (c === 34) out += '\\"';
    else if (c === 92) out += '\\\\';
    else if (c >= 32) out += ch;
    else if (c === 10) out += '\\n';
    else if (c === 13) out += '\\r';
    else if (c === 9) out += '\\t';
    else if (c === 8) out += '\\b';
    else if (c === 12) out += '\\f';
    else out += '\\u' + c.toString(16).padStart(4, '0');
  }
  return out + '"';
}

/** MySQL's JSON_TYPE name of a value. */
export function jsonTypeName(n: JsonNode): string {
  if (n === null) return 'NULL';
  switch (typeof n) {
    case 'boolean': return 'BOOLEAN';
    case 'bigint': return n > 9223372036854775807n ? 'UNSIGNED INTEGER' : 'INTEGER';
    case 'number': return 'DOUBLE';
    case 'string': return 'STRING';
    default:
      if (n instanceof Decimal) return 'DECIMAL';
      return Array.isArray(n) ? 'ARRAY' : 'OBJECT';
  }
}

/** JSON_DEPTH: 1 for scalars and empty containers, one more per nesting level. */
export function jsonDepth(n: JsonNode): number {
  if (Array.isArray(n)) {
    let d = 0;
    for (const x of n) d = Math.max(d, jsonDepth(x));
    return d + 1;
  }
  if (n instanceof Map) {
    let d = 0;
    for (const x of n.values()) d = Math.max(d, jsonDepth(x));
    return d + 1;
  }
  return 1;
}

/** A deep copy (modifying functions work on copies of their argument). */
export function cloneJson(n: JsonNode): JsonNode {
  if (Array.isArray(n)) return n.map(cloneJson);
  if (n instanceof Map) {
    const m: JsonObject = new Map();
    for (const [k, v] of n) m.set(k, cloneJson(v));
    return m;
  }
  return n;
}
