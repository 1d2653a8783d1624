// Statement digests: the text with literals replaced by `?`, so one query shape matches whatever its values.
import { Lexer } from './lexer.js';
import { Tk, type Token } from './token.js';

const LITERALS: ReadonlySet<number> = new Set([Tk.Str, Tk.NStr, Tk.Int, Tk.Dec, Tk.Float, Tk.Hex, Tk.Bit, Tk.Param]);

/**
 * The digest of a statement, as MySQL's performance_schema shapes it: keywords
 * upper-cased, identifiers as written (backquoted), every literal and `?` as
 * `?`, a list of literals in parentheses collapsed to `(...)`, single spaces.
 * Text that does not lex (an unterminated string) is digested up to that point.
 * `IN (1, 2, 3)` and `IN (4)` share a digest; so do `LIMIT 10` and `LIMIT 20`.
 */
export function statementDigest(sql: string): string {
  const tokens: Token[] = [];
  try {
    const lx = new Lexer(sql);
    for (;;) {
      const t = lx.next();
      if (t.kind === Tk.EOF) break;
      tokens.push(t);
    }
  } catch {
    // A lexing error: keep what was read so far.
  }
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    // A negative number is one literal: `- 5` after an operator or at the start.
    if (t.kind === Tk.Op && t.text === '-' && i + 1 < tokens.length && isNumber(tokens[i + 1]) && (parts.length === 0 || isOperatorPart(parts[parts.length - 1]))) {
      continue;
    }
    if (LITERALS.has(t.kind)) {
      if (t.kind !== Tk.Param && tokens[i - 1]?.kind === Tk.Introducer) parts.pop();
      // `( ? , ? , ? )` collapses to `(...)` once the list closes.
      parts.push('?');
      collapseList(parts);
      continue;
    }
    switch (t.kind) {
      case Tk.Word:
        parts.push(t.upper);
        break;
      case Tk.QIdent:
        parts.push('`' + t.text.replace(/`/g, '``') + '`');
        break;
      case Tk.UserVar:
        parts.push('@' + t.text);
        break;
      case Tk.SysVar:
        parts.push('@@' + (t.upper ? t.upper.toLowerCase() + '.' : '') + t.text.toLowerCase());
        break;
      case Tk.Introducer:
        parts.push('_' + t.text);
        break;
      default:
        parts.push(t.text);
        if (t.text === ')') collapseList(parts);
    }
  }
  if (parts[parts.length - 1] === ';') parts.pop();
  return join(parts);
}

function isNumber(t: Token): boolean {
  return t.kind === Tk.Int || t.kind === Tk.Dec || t.kind === Tk.Float;
}

function isOperatorPart(p: string): boolean {
  return p === '(' || p === ',' || p === '=' || p === '<' || p === '>' || p === '<=' || p === '>=' || p === '<>' || p === '!=' || p === '+' || p === '-' || p === '*' || p === '/' || /^[A-Z]+$/.test(p);
}

/** Rewrites a trailing `( ? , ? ... )` into `(...)`. */
function collapseList(parts: string[]): void {
  if (parts[parts.length - 1] !== ')') return;
  let i = parts.length - 2;
  if (parts[i] !== '?' && parts[i] !== '(...)') return;
  while (i > 0 && (parts[i] === '?' || parts[i] === '(...)') && parts[i - 1] === ',') i -= 2;
  if ((parts[i] === '?' || parts[i] === '(...)') && parts[i - 1] === '(') {
    parts.length = i - 1;
    parts.push('(...)');
  }
}

/** Joins tokens with single spaces, none inside `a.b`, before `,` `)` or after `(`. */
function join(parts: string[]): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const prev = parts[i - 1];
    if (i > 0 && !(p === ',' || p === ')' || p === '.' || prev === '(' || prev === '.' || (p === '(' && /^[A-Z_]+$/.test(prev)))) out += ' ';
    out += p;
  }
  return out;
}
