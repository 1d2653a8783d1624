// The JSON document model: a parsed tree, MySQL's error-reporting parser and its canonical text form.
import { Decimal } from '../../base/decimal.js';
import { formatDouble } from '../../base/format.js';

/** A JSON object; its members are kept in insertion order and sorted when shown (MySQL's key order). */
export type JsonObject = Map<string, JsonNode>;

/**
 * One JSON value. Integers are `bigint` and doubles `number`, so `1` and `1.0` stay distinct as
 * in MySQL's binary JSON; DECIMAL values (from SQL decimals) are `Decimal`; JSON null is `null`.
 */
export type JsonNode = null | boolean | bigint | number | string | Decimal | JsonNode[] | JsonObject;

/** Why a text is not JSON: rapidjson's message (which MySQL reports) and the byte position. */
export class JsonSyntaxError extends Error {
  constructor(readonly reason: string, readonly position: number) {
    super(reason);
  }
}

/** MySQL's limit on nesting (error 3157 beyond it). */
export const JSON_MAX_DEPTH = 100;

export function isJsonObject(n: JsonNode): n is JsonObject {
  return n instanceof Map;
}

/**
 * Parses JSON text (RFC 8259, as MySQL accepts it); throws JsonSyntaxError with MySQL's reason.
 * `canonical` text is a JSON value's own (formatJson's): there a fraction that is not a double's
 * shortest form ("1.50") was written from a DECIMAL, and reads back as one; its depth is not checked
 * again (a value nested deeper by JSON functions still reads back).
 */
export function parseJson(text: string, canonical = false): JsonNode {
  const p = new JsonParser(text, canonical);
  p.skipSpace();
  if (p.at >= text.length) throw p.error('The document is empty.');
  const v = p.value(0);
  p.skipSpace();
  if (p.at < text.length) throw p.error('The document root must not be followed by other values.');
  return v;
}

/** Whether `text` is valid JSON. */
export function isValidJson(text: string): boolean {
  try {
    parseJson(text);
    return true;
  } catch (e) {
    if (e instanceof JsonSyntaxError) return false;
    throw e;
  }
}

class JsonParser {
  at = 0;
  constructor(private readonly s: string, private readonly canonical: boolean) {}

  error(reason: string, at = this.at): JsonSyntaxError {
    // MySQL counts bytes, JavaScript UTF-16 units: convert for the message.
    return new JsonSyntaxError(reason, Buffer.byteLength(this.s.slice(0, at), 'utf8'));
  }

  skipSpace(): void {
    const s = this.s;
    while (this.at < s.length) {
      const c = s.charCodeAt(this.at);
      if (c === 32 || c === 10 || c === 13 || c === 9) this.at++;
      else break;
    }
  }

  value(depth: number): JsonNode {
    const s = this.s;
    const c = s[this.at];
    switch (c) {
      case '{': return this.object(depth + 1);
      case '[': return this.array(depth + 1);
      case '"': return this.string();
      case 't': return this.word('true', true);
      case 'f': return this.word('false', false);
      case 'n': return this.word('null', null);
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        throw this.error('Invalid value.');
    }
  }

  private word<T extends JsonNode>(w: string, v: T): T {
    if (!this.s.startsWith(w, this.at)) throw this.error('Invalid value.');
    this.at += w.length;
    return v;
  }

  private object(depth: number): JsonObject {
    if (depth > JSON_MAX_DEPTH && !this.canonical) throw new JsonDepthError();
    const s = this.s;
    const obj: JsonObject = new Map();
    this.at++;
    this.skipSpace();
    if (s[this.at] === '}') {
      this.at++;
      return obj;
    }
    for (;;) {
      if (s[this.at] !== '"') throw this.error('Missing a name for object member.');
      const key = this.string();
      this.skipSpace();
      if (s[this.at] !== ':') throw this.error('Missing a colon after a name of object member.');
      this.at++;
      this.skipSpace();
      // The last of duplicate keys wins (MySQL 8.0.3 and later).
      obj.delete(key);
      obj.set(key, this.value(depth));
      this.skipSpace();
      const c = s[this.at];
      if (c === ',') {
        this.at++;
        this.skipSpace();
      } else if (c === '}') {
        this.at++;
        return obj;
      } else throw this.error("Missing a comma or '}' after an object member.");
    }
  }

  private array(depth: number): JsonNode[] {
    if (depth > JSON_MAX_DEPTH && !this.canonical) throw new JsonDepthError();
    const s = this.s;
    const arr: JsonNode[] = [];
    this.at++;
    this.skipSpace();
    if (s[this.at] === ']') {
      this.at++;
      return arr;
    }
    for (;;) {
      arr.push(this.value(depth));
      this.skipSpace();
      const c = s[this.at];
      if (c === ',') {
        this.at++;
        this.skipSpace();
      } else if (c === ']') {
        this.at++;
        return arr;
      } else throw this.error("Missing a comma or ']' after an array element.");
    }
  }

  private string(): string {
    const s = this.s;
    const start = ++this.at;
    // Fast path: no escapes.
    let i = start;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.at = i + 1;
        return s.slice(start, i);
      }
      if (c === 92 || c < 32) break;
    }
    let out = s.slice(start, i);
    for (;;) {
      if (i >= s.length) throw this.error('Missing a closing quotation mark in string.', i);
      const c = s.charCodeAt(i);
      if (c === 34) {
        this.at = i + 1;
        return out;
      }
      if (c < 32) throw this.error('Invalid encoding in string.', i);
      if (c !== 92) {
        out += s[i++];
        continue;
      }
      const e = s[i + 1];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          const code = this.hex4(i + 2);
          if (code >= 0xd800 && code <= 0xdbff) {
            if (s[i + 6] !== '\\' || s[i + 7] !== 'u') throw this.error('The surrogate pair in string is invalid.', i + 6);
            const low = this.hex4(i + 8);
            if (low < 0xdc00 || low > 0xdfff) throw this.error('The surrogate pair in string is invalid.', i + 6);
            out += String.fromCharCode(code, low);
            i += 12;
            continue;
          }
          out += String.fromCharCode(code);
          i += 6;
          continue;
        }
        default:
          throw this.error('Invalid escape character in string.', i);
      }
      i += 2;
    }
  }

  private hex4(at: number): number {
    const h = this.s.slice(at, at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(h)) throw this.error('Incorrect hex digit after \\u escape in string.', at);
    return parseInt(h, 16);
  }

  private number(): JsonNode {
    const s = this.s;
    const start = this.at;
    let i = start;
    if (s[i] === '-') i++;
    if (s[i] === '0') i++;
    else if (s[i] >= '1' && s[i] <= '9') while (s[i] >= '0' && s[i] <= '9') i++;
    else throw this.error('Invalid value.', start);
    let integral = true;
    if (s[i] === '.') {
      integral = false;
      i++;
      if (!(s[i] >= '0' && s[i] <= '9')) throw this.error('Miss fraction part in number.', i);
      while (s[i] >= '0' && s[i] <= '9') i++;
    }
    if (s[i] === 'e' || s[i] === 'E') {
      integral = false;
      i++;
      if (s[i] === '+' || s[i] === '-') i++;
      if (!(s[i] >= '0' && s[i] <= '9')) throw this.error('Miss exponent in number.', i);
      while (s[i] >= '0' && s[i] <= '9') i++;
    }
    this.at = i;
    const text = s.slice(start, i);
    if (integral) {
      const n = BigInt(text);
      // Beyond 64 bits (signed below zero, unsigned above) MySQL stores a double.
      if (n >= -9223372036854775808n && n <= 18446744073709551615n) return n;
    }
    const d = Number(text);
    if (!Number.isFinite(d)) throw this.error('Number too big to be stored in double.', start);
    if (this.canonical && !integral && formatJsonDouble(d) !== text) return Decimal.parse(text) ?? d;
    return d;
  }
}

/** The document nests deeper than JSON_MAX_DEPTH. */
export class JsonDepthError extends Error {
  constructor() {
    super('The JSON document exceeds the maximum depth.');
  }
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
