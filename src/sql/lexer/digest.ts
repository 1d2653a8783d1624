// Statement digests: the text with literals replaced by `?`, so one query shape matches whatever its values.
import { isReserved } from './keywords.js';
import { Lexer } from './lexer.js';
import { Tk, type Token } from './token.js';

const LITERALS: ReadonlySet<number> = new Set([Tk.Str, Tk.NStr, Tk.Int, Tk.Dec, Tk.Float, Tk.Hex, Tk.Bit, Tk.Param]);

/** A plain identifier that needs no quoting: the digest writes `t` and `` `t` `` alike. */
const PLAIN_IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** Reserved words after which `-` starts a negative number rather than a subtraction (`WHERE -1`, `AND -2`). */
const VALUE_WORDS: ReadonlySet<string> = new Set(['NULL', 'TRUE', 'FALSE', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_USER', 'LOCALTIME', 'LOCALTIMESTAMP', 'UTC_DATE', 'UTC_TIME', 'UTC_TIMESTAMP']);

/** Operators after which `-` or `+` is a sign, not an operation: `(`, `,`, comparisons, arithmetic. */
const SIGN_AFTER: ReadonlySet<string> = new Set(['(', ',', '=', '<', '>', '<=', '>=', '<>', '!=', '<=>', '+', '-', '*', '/', '%', ':=', '&&', '||', '!', '|', '&', '^', '<<', '>>']);

/**
 * The digest of a statement, in the spirit of MySQL's performance_schema digests:
 * words (keywords and identifiers alike) upper-cased, since MySQL compares column
 * names case-insensitively and the digest is for matching shapes; quoted
 * identifiers that need no quotes written as plain words (so `` `t` `` and `t`
 * agree), others kept backquoted as written; user variables lower-cased; every
 * literal and `?` as `?` (a signed number is one literal); a parenthesized list
 * of literals collapsed to `(...)`, and consecutive rows `(...), (...)` to one;
 * comments dropped and tokens separated by single spaces (none around `.`,
 * after `(`, before `)` and `,`, nor between a name that is not
 * a reserved word and its `(`).
 * `IN (1, 2, 3)` and `IN (4)` share a digest; so do `LIMIT 10` and `LIMIT 20`,
 * and multi-row INSERTs of any row count. Text that does not lex (an
 * unterminated string) is digested up to that point.
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
    if (t.kind === Tk.Op && (t.text === '-' || t.text === '+') && i + 1 < tokens.length && isNumber(tokens[i + 1]) && signPosition(tokens[i - 1])) {
      continue;
    }
    if (LITERALS.has(t.kind)) {
      if (t.kind !== Tk.Param && tokens[i - 1]?.kind === Tk.Introducer) parts.pop();
      parts.push('?');
      continue;
    }
    switch (t.kind) {
      case Tk.Word:
        parts.push(t.upper);
        break;
      case Tk.QIdent:
        parts.push(PLAIN_IDENTIFIER.test(t.text) && !isReserved(t.text.toUpperCase()) ? t.text.toUpperCase() : '`' + t.text.replace(/`/g, '``') + '`');
        break;
      case Tk.UserVar:
        parts.push('@' + t.text.toLowerCase());
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

/** Whether a `-`/`+` after `prev` is a sign: at the start, after an operator, or after a reserved word that is not a value. */
function signPosition(prev: Token | undefined): boolean {
  if (prev === undefined) return true;
  if (prev.kind === Tk.Op) return SIGN_AFTER.has(prev.text);
  if (prev.kind === Tk.Word) return isReserved(prev.upper) && !VALUE_WORDS.has(prev.upper);
  return false;
}

const isListItem = (p: string | undefined) => p === '?' || p === '(...)';

/**
 * Rewrites a trailing `( ? , ? ... )` into `(...)`, then folds a `(...) , (...)`
 * it ends into one `(...)` (the rows of a multi-row VALUES).
 */
function collapseList(parts: string[]): void {
  if (parts[parts.length - 1] !== ')') return;
  let i = parts.length - 2;
  if (!isListItem(parts[i])) return;
  while (i > 1 && isListItem(parts[i]) && parts[i - 1] === ',') i -= 2;
  if (!(isListItem(parts[i]) && parts[i - 1] === '(')) return;
  parts.length = i - 1;
  parts.push('(...)');
  const n = parts.length;
  if (n >= 3 && parts[n - 2] === ',' && parts[n - 3] === '(...)') parts.length = n - 2;
}

/** Joins tokens with single spaces, none inside `a.b`, before `,` `)` or after `(`, nor between a name and its `(` (`COUNT(*)`, but `IN (...)`). */
function join(parts: string[]): string {
  let out = '';
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    const prev = parts[i - 1];
    const tight = p === ',' || p === ')' || p === '.' || prev === '(' || prev === '.' ||
      ((p === '(' || p === '(...)') && prev !== undefined && /^[A-Z_$][A-Z0-9_$]*$/.test(prev) && !isReserved(prev));
    if (i > 0 && !tight) out += ' ';
    out += p;
  }
  return out;
}
