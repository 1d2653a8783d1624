// The parser's token cursor: lookahead, keyword/operator matching, identifiers and error reporting.
import { sqlError, SqlError } from '../../base/errors.js';
import { Lexer } from '../lexer/lexer.js';
import { RESERVED } from '../lexer/keywords.js';
import { syntaxError } from '../lexer/errors.js';
import { Tk, type Token } from '../lexer/token.js';

/** Thrown from deep inside a statement when it uses a construct mizzle refuses; becomes an UnsupportedStmt. */
export class UnsupportedSignal {
  /** `skipAll`: the statement may have a compound body with `;` inside, so it runs to the end of the text. */
  constructor(readonly feature: string, readonly skipAll = false) {}
}

/** A saved cursor position for backtracking. */
export interface Mark {
  i: number;
  params: number;
  prevEnd: number;
  depth: number;
}

/**
 * How deep an expression tree may grow: nesting (parentheses, subqueries, function arguments)
 * plus the length of left-associative operator chains. Every later stage (the compiler, evaluation,
 * the planner's walks) recurses over the tree, so a bound here keeps a hostile or generated
 * statement from overflowing the thread's stack in any of them; AND/OR chains are built balanced,
 * so they can be long without being deep.
 */
export const EXPRESSION_DEPTH_MAX = 1000;

/** Whether an error is the depth limit's (backtracking must not retry past it). */
export function isTooDeep(e: unknown): boolean {
  return e instanceof SqlError && e.code === 1436;
}

export class Parser {
  private readonly lexer: Lexer;
  private readonly buf: Token[] = [];
  private i = 0;
  /** Number of `?` markers seen so far. */
  params = 0;
  /** End offset of the last consumed token. */
  prevEnd = 0;
  /** Offset of the current statement's start (line numbers in errors count from here). */
  private base = 0;
  /** Depth of the expression being parsed (see EXPRESSION_DEPTH_MAX). */
  depth = 0;

  constructor(readonly sql: string) {
    this.lexer = new Lexer(sql);
  }

  /** Starts a new statement at the current position (for line numbering). */
  setLineBase(offset: number): void {
    this.base = offset;
    this.lexer.lineBase = offset;
  }

  peek(k = 0): Token {
    const want = this.i + k;
    while (this.buf.length <= want) this.buf.push(this.lexer.next());
    return this.buf[want];
  }

  next(): Token {
    const t = this.peek();
    if (t.kind !== Tk.EOF) this.i++;
    this.prevEnd = t.end;
    return t;
  }

  mark(): Mark {
    return { i: this.i, params: this.params, prevEnd: this.prevEnd, depth: this.depth };
  }

  reset(m: Mark): void {
    this.i = m.i;
    this.params = m.params;
    this.prevEnd = m.prevEnd;
    this.depth = m.depth;
  }

  /** One level deeper into an expression; 1436 past EXPRESSION_DEPTH_MAX. Callers restore `depth` when done. */
  descend(levels = 1): void {
    this.depth += levels;
    if (this.depth > EXPRESSION_DEPTH_MAX) {
      throw sqlError('STACK_OVERRUN', `The expression is too complex: nested or chained more than ${EXPRESSION_DEPTH_MAX} levels deep; simplify it or split the statement`);
    }
  }

  /** The syntax error for the given (default: current) token. */
  err(t: Token = this.peek()): SqlError {
    return syntaxError(this.sql, t.start, this.base);
  }

  fail(t: Token = this.peek()): never {
    throw this.err(t);
  }

  atEnd(): boolean {
    const t = this.peek();
    return t.kind === Tk.EOF || (t.kind === Tk.Op && t.text === ';');
  }

  isKw(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === Tk.Word && t.upper === word;
  }

  acceptKw(word: string): boolean {
    if (this.isKw(word)) {
      this.next();
      return true;
    }
    return false;
  }

  expectKw(word: string): void {
    if (!this.acceptKw(word)) this.fail();
  }

  /** Accepts a sequence of keywords only when all of them follow. */
  acceptKws(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isKw(words[k], k)) return false;
    for (let k = 0; k < words.length; k++) this.next();
    return true;
  }

  /** The upper-cased word at `k` when the token is an unquoted word, else ''. */
  word(k = 0): string {
    const t = this.peek(k);
    return t.kind === Tk.Word ? t.upper : '';
  }

  isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind === Tk.Op && t.text === op;
  }

  acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.next();
      return true;
    }
    return false;
  }

  expectOp(op: string): void {
    if (!this.acceptOp(op)) this.fail();
  }

  /** True when the token at `k` can be an identifier (quoted, or a non-reserved word). */
  isIdent(k = 0): boolean {
    const t = this.peek(k);
    return t.kind === Tk.QIdent || (t.kind === Tk.Word && !RESERVED.has(t.upper));
  }

  /** An identifier, or a syntax error. */
  ident(): string {
    const t = this.peek();
    if (t.kind === Tk.QIdent || (t.kind === Tk.Word && !RESERVED.has(t.upper))) {
      this.next();
      return t.text;
    }
    this.fail(t);
  }

  /** After a dot any word, even a reserved one, is an identifier. */
  identAfterDot(): string {
    const t = this.peek();
    if (t.kind === Tk.QIdent || t.kind === Tk.Word) {
      this.next();
      return t.text;
    }
    this.fail(t);
  }

  /** An identifier or a quoted string (charset names, aliases, user names...). */
  identOrString(): string {
    const t = this.peek();
    if (t.kind === Tk.Str) {
      this.next();
      return t.text;
    }
    return this.ident();
  }

  /** A word used as a value (ENGINE=InnoDB, ROW_FORMAT=DYNAMIC): any word, quoted identifier or string. */
  anyWordOrString(): string {
    const t = this.peek();
    if (t.kind === Tk.Word || t.kind === Tk.QIdent || t.kind === Tk.Str) {
      this.next();
      return t.text;
    }
    this.fail(t);
  }

  /** A non-negative integer literal. */
  integer(): number {
    const t = this.peek();
    if (t.kind !== Tk.Int) this.fail(t);
    this.next();
    return Number(t.text);
  }

  /** A string literal (adjacent literals concatenated). */
  string(): string {
    const t = this.peek();
    if (t.kind !== Tk.Str && t.kind !== Tk.NStr) this.fail(t);
    this.next();
    let v = t.text;
    while (this.peek().kind === Tk.Str) v += this.next().text;
    return v;
  }

  /** `( a, b, c )` identifiers. */
  identList(): string[] {
    this.expectOp('(');
    const out: string[] = [this.ident()];
    while (this.acceptOp(',')) out.push(this.ident());
    this.expectOp(')');
    return out;
  }

  /** Skips tokens up to the end of the statement (`;` or EOF). */
  skipToEnd(): void {
    while (!this.atEnd()) this.next();
  }

  /** Skips every remaining token, `;` included (bodies of stored programs). */
  skipAll(): void {
    while (this.peek().kind !== Tk.EOF) this.next();
  }

  /** A trailing `[=]`. */
  optEq(): void {
    this.acceptOp('=');
  }
}
