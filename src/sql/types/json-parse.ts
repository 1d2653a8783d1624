// Parsing JSON text as MySQL does: its syntax, its error messages and positions, its depth limit.
import { Decimal } from '../../base/decimal.js';
import { formatJsonDouble, type JsonNode, type JsonObject } from './json-doc.js';

/** Why a text is not JSON: rapidjson's message (which MySQL reports) and the byte position. */
export class JsonSyntaxError extends Error {
  constructor(readonly reason: string, readonly position: number) {
    super(reason);
  }
}

/** MySQL's limit on nesting (error 3157 beyond it). */
export const JSON_MAX_DEPTH = 100;

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

