// The MySQL-dialect SQL scanner: turns statement text into tokens on demand, one charCodeAt at a time.
import { CHARSETS } from './keywords.js';
import { syntaxError } from './errors.js';
import { Tk, type Token, type TkKind } from './token.js';

/** The server version `/*!NNNNN ... *\/` comments are compared against. */
export const SERVER_VERSION_ID = 80036;

// Character classes for ASCII; everything >= 0x80 counts as an identifier character.
const C_IDENT = 1;
const C_DIGIT = 2;
const C_SPACE = 4;
const CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if ((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 36) CLASS[c] = C_IDENT;
  if (c >= 48 && c <= 57) CLASS[c] = C_IDENT | C_DIGIT;
  if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) CLASS[c] = C_SPACE;
}

function isIdentChar(c: number): boolean {
  return c >= 128 ? c !== 0xa0 && c !== 0x3000 && c !== 0xfeff : (CLASS[c] & C_IDENT) !== 0;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c < 128 && (CLASS[c] & C_SPACE) !== 0;
}
function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

/**
 * A pull lexer. `next()` returns the next token and keeps returning EOF at the end.
 * Lexical errors (unterminated strings, comments, bad hex) throw MySQL's 1064.
 */
export class Lexer {
  private pos: number;
  private readonly len: number;
  /** Inside an executable `/*! ... *\/` comment whose closing `*\/` must be skipped. */
  private inVersionComment = false;
  private prevKind: TkKind = Tk.EOF;
  /** Offset that line numbers in error messages count from (the statement start). */
  lineBase = 0;

  constructor(readonly sql: string, start = 0) {
    this.pos = start;
    this.len = sql.length;
  }

  private fail(at: number): never {
    throw syntaxError(this.sql, at, this.lineBase);
  }

  private tok(kind: TkKind, start: number, text: string, upper: string): Token {
    this.prevKind = kind;
    return { kind, start, end: this.pos, text, upper };
  }

  /** Skips whitespace and comments; handles the version-comment wrappers. */
  private skipTrivia(): void {
    const s = this.sql;
    const len = this.len;
    for (;;) {
      if (this.pos >= len) return;
      const c = s.charCodeAt(this.pos);
      if (isSpace(c)) {
        this.pos++;
        continue;
      }
      if (c === 35) {
        // '#' comment to end of line
        this.skipLine();
        continue;
      }
      if (c === 45 && s.charCodeAt(this.pos + 1) === 45) {
        const n = this.pos + 2 < len ? s.charCodeAt(this.pos + 2) : 32;
        if (n <= 32) {
          this.skipLine();
          continue;
        }
        return;
      }
      if (c === 47 && s.charCodeAt(this.pos + 1) === 42) {
        this.blockComment();
        continue;
      }
      if (c === 42 && this.inVersionComment && s.charCodeAt(this.pos + 1) === 47) {
        this.inVersionComment = false;
        this.pos += 2;
        continue;
      }
      return;
    }
  }

  private skipLine(): void {
    const s = this.sql;
    while (this.pos < this.len) {
      const c = s.charCodeAt(this.pos);
      this.pos++;
      if (c === 10) return;
    }
  }

  private blockComment(): void {
    const s = this.sql;
    const start = this.pos;
    if (s.charCodeAt(start + 2) === 33 && !this.inVersionComment) {
      // "/*!" executable comment, optionally with a version number
      let p = start + 3;
      let digits = 0;
      while (digits < 6 && p < this.len && isDigit(s.charCodeAt(p))) {
        p++;
        digits++;
      }
      let version = 0;
      if (digits === 5 || (digits === 6 && (p >= this.len || isSpace(s.charCodeAt(p))))) {
        version = Number(s.slice(start + 3, p));
      } else if (digits === 6) {
        p--;
        version = Number(s.slice(start + 3, p));
      } else {
        p = start + 3;
      }
      if (version <= SERVER_VERSION_ID) {
        this.inVersionComment = true;
        this.pos = p;
        return;
      }
    }
    const end = s.indexOf('*/', start + 2);
    if (end < 0) this.fail(start);
    this.pos = end + 2;
  }

  /** The next token. */
  next(): Token {
    this.skipTrivia();
    const s = this.sql;
    const start = this.pos;
    if (start >= this.len) {
      if (this.inVersionComment) this.fail(start);
      return { kind: Tk.EOF, start: this.len, end: this.len, text: '', upper: '' };
    }
    const c = s.charCodeAt(start);
    if (isDigit(c)) return this.number(start, c);
    switch (c) {
      case 39: // '
      case 34: // "
        this.pos++;
        return this.tok(Tk.Str, start, this.quoted(c, start), '');
      case 96: // `
        this.pos++;
        return this.tok(Tk.QIdent, start, this.quoted(96, start), '');
      case 46: // .
        if (isDigit(s.charCodeAt(start + 1)) && this.prevKind !== Tk.Word && this.prevKind !== Tk.QIdent) {
          return this.number(start, c);
        }
        this.pos++;
        return this.tok(Tk.Op, start, '.', '.');
      case 63: // ?
        this.pos++;
        return this.tok(Tk.Param, start, '?', '?');
      case 64: // @
        return this.variable(start);
      default:
        if (isIdentChar(c)) return this.word(start);
        return this.operator(start, c);
    }
  }

  private operator(start: number, c: number): Token {
    const s = this.sql;
    const n = s.charCodeAt(start + 1);
    let op: string;
    switch (c) {
      case 60: // <
        if (n === 61) op = s.charCodeAt(start + 2) === 62 ? '<=>' : '<=';
        else if (n === 62) op = '<>';
        else if (n === 60) op = '<<';
        else op = '<';
        break;
      case 62: // >
        op = n === 61 ? '>=' : n === 62 ? '>>' : '>';
        break;
      case 33: // !
        op = n === 61 ? '!=' : '!';
        break;
      case 58: // :
        op = n === 61 ? ':=' : ':';
        break;
      case 38: // &
        op = n === 38 ? '&&' : '&';
        break;
      case 124: // |
        op = n === 124 ? '||' : '|';
        break;
      case 45: // -
        op = n === 62 ? (s.charCodeAt(start + 2) === 62 ? '->>' : '->') : '-';
        break;
      default:
        op = s[start];
        // keep astral characters whole so error text is sane
        if (c >= 0xd800 && c <= 0xdbff) op = s.slice(start, start + 2);
    }
    this.pos = start + op.length;
    return this.tok(Tk.Op, start, op, op);
  }

  /** Reads a quoted string/identifier body after the opening quote; decodes escapes. */
  private quoted(q: number, start: number): string {
    const s = this.sql;
    const len = this.len;
    let out = '';
    let seg = this.pos;
    const backslash = q !== 96;
    for (;;) {
      if (this.pos >= len) this.fail(start);
      const c = s.charCodeAt(this.pos);
      if (c === q) {
        if (s.charCodeAt(this.pos + 1) === q) {
          out += s.slice(seg, this.pos + 1);
          this.pos += 2;
          seg = this.pos;
          continue;
        }
        out += s.slice(seg, this.pos);
        this.pos++;
        return out;
      }
      if (c === 92 && backslash) {
        out += s.slice(seg, this.pos);
        if (this.pos + 1 >= len) this.fail(start);
        const e = s.charCodeAt(this.pos + 1);
        out += unescape(e, s[this.pos + 1]);
        this.pos += 2;
        seg = this.pos;
        continue;
      }
      this.pos++;
    }
  }

  private number(start: number, c: number): Token {
    const s = this.sql;
    let p = start;
    if (c === 48) {
      const x = s.charCodeAt(start + 1);
      if (x === 120 || x === 98) {
        // 0x.. / 0b..
        let q = start + 2;
        if (x === 120) while (q < this.len && isHexDigit(s.charCodeAt(q))) q++;
        else while (q < this.len && (s.charCodeAt(q) === 48 || s.charCodeAt(q) === 49)) q++;
        if (q > start + 2 && !(q < this.len && isIdentChar(s.charCodeAt(q)))) {
          this.pos = q;
          return this.tok(x === 120 ? Tk.Hex : Tk.Bit, start, s.slice(start + 2, q), '');
        }
      }
    }
    while (p < this.len && isDigit(s.charCodeAt(p))) p++;
    let kind: TkKind = Tk.Int;
    if (s.charCodeAt(p) === 46) {
      kind = Tk.Dec;
      p++;
      while (p < this.len && isDigit(s.charCodeAt(p))) p++;
    }
    const e = s.charCodeAt(p);
    if (e === 101 || e === 69) {
      let q = p + 1;
      const sign = s.charCodeAt(q);
      if (sign === 43 || sign === 45) q++;
      if (isDigit(s.charCodeAt(q))) {
        while (q < this.len && isDigit(s.charCodeAt(q))) q++;
        p = q;
        kind = Tk.Float;
      }
    }
    if (kind === Tk.Int && p < this.len && isIdentChar(s.charCodeAt(p))) {
      // "1a", "123abc": an identifier that starts with digits
      return this.word(start);
    }
    this.pos = p;
    return this.tok(kind, start, s.slice(start, p), '');
  }

  private word(start: number): Token {
    const s = this.sql;
    let p = start;
    while (p < this.len && isIdentChar(s.charCodeAt(p))) p++;
    const q = s.charCodeAt(p);
    if (q === 39 && p - start === 1) {
      const w = s.charCodeAt(start) | 32;
      if (w === 110) {
        // N'...'
        this.pos = p + 1;
        return this.tok(Tk.NStr, start, this.quoted(39, start), '');
      }
      if (w === 120 || w === 98) return this.prefixedBinary(start, w === 120);
    }
    const text = s.slice(start, p);
    this.pos = p;
    if (s.charCodeAt(start) === 95 && p - start > 1) {
      const cs = text.slice(1).toLowerCase();
      if (CHARSETS.has(cs)) return this.tok(Tk.Introducer, start, cs, '');
    }
    return this.tok(Tk.Word, start, text, text.toUpperCase());
  }

  /** X'4D' / B'0101'. */
  private prefixedBinary(start: number, hex: boolean): Token {
    const s = this.sql;
    let p = start + 2;
    while (p < this.len && s.charCodeAt(p) !== 39) {
      const c = s.charCodeAt(p);
      if (hex ? !isHexDigit(c) : c !== 48 && c !== 49) this.fail(start);
      p++;
    }
    if (p >= this.len) this.fail(start);
    const digits = s.slice(start + 2, p);
    if (hex && digits.length % 2 === 1) this.fail(start);
    this.pos = p + 1;
    return this.tok(hex ? Tk.Hex : Tk.Bit, start, digits, '');
  }

  private variable(start: number): Token {
    const s = this.sql;
    if (s.charCodeAt(start + 1) === 64) {
      // @@[scope.]name
      let p = start + 2;
      let q = p;
      while (q < this.len && isIdentChar(s.charCodeAt(q))) q++;
      let scope = '';
      let name = s.slice(p, q);
      if (s.charCodeAt(q) === 46) {
        const lower = name.toLowerCase();
        if (lower === 'global' || lower === 'session' || lower === 'local' || lower === 'persist' || lower === 'persist_only') {
          scope = lower === 'local' ? 'SESSION' : lower === 'persist' || lower === 'persist_only' ? 'GLOBAL' : lower.toUpperCase();
          p = q + 1;
          q = p;
          if (s.charCodeAt(q) === 96) {
            this.pos = q + 1;
            name = this.quoted(96, q);
            return this.tok(Tk.SysVar, start, name, scope);
          }
          while (q < this.len && isIdentChar(s.charCodeAt(q))) q++;
          name = s.slice(p, q);
        }
      }
      if (name === '' && s.charCodeAt(q) === 96) {
        this.pos = q + 1;
        name = this.quoted(96, q);
        return this.tok(Tk.SysVar, start, name, scope);
      }
      if (name === '') this.fail(start);
      this.pos = q;
      return this.tok(Tk.SysVar, start, name, scope);
    }
    const n = s.charCodeAt(start + 1);
    if (n === 39 || n === 34 || n === 96) {
      this.pos = start + 2;
      return this.tok(Tk.UserVar, start, this.quoted(n, start + 1), '');
    }
    let p = start + 1;
    while (p < this.len) {
      const c = s.charCodeAt(p);
      if (!isIdentChar(c) && c !== 46) break;
      p++;
    }
    if (p === start + 1) this.fail(start);
    this.pos = p;
    return this.tok(Tk.UserVar, start, s.slice(start + 1, p), '');
  }
}

/** MySQL string escapes; `\%` and `\_` keep their backslash (they matter to LIKE). */
function unescape(code: number, ch: string): string {
  switch (code) {
    case 48: return '\0';
    case 98: return '\b';
    case 110: return '\n';
    case 114: return '\r';
    case 116: return '\t';
    case 90: return '\x1a';
    case 37: return '\\%';
    case 95: return '\\_';
    default: return ch;
  }
}

/** Lexes a whole text into tokens (ending with one EOF token); mostly for tests and tools. */
export function tokenize(sql: string): Token[] {
  const lx = new Lexer(sql);
  const out: Token[] = [];
  for (;;) {
    const t = lx.next();
    out.push(t);
    if (t.kind === Tk.EOF) return out;
  }
}
