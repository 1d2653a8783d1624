// Public API of the SQL parser: parse, parseMulti, parseExpr, parseWithParams, splitStatements.
import type { Expr, Statement } from './ast.js';
import { Tk } from '../lexer/token.js';
import { Lexer } from '../lexer/lexer.js';
import { emptyQueryError } from '../lexer/errors.js';
import { Parser, UnsupportedSignal } from './parser-base.js';
import { parseStatement } from './statement.js';
import { parseExpr as parseExpression } from './expr.js';

export type * from './ast.js';

function isSemicolon(p: Parser): boolean {
  return p.isOp(';');
}

/** Parses exactly one statement (a single trailing `;` allowed) and counts its `?` markers. */
export function parseWithParams(sql: string): { statement: Statement; paramCount: number } {
  const p = new Parser(sql);
  if (p.peek().kind === Tk.EOF) throw emptyQueryError();
  const statement = parseStatement(p);
  if (isSemicolon(p)) p.next();
  if (p.peek().kind !== Tk.EOF) p.fail();
  return { statement, paramCount: p.params };
}

/** Parses exactly one statement (a single trailing `;` allowed). */
export function parse(sql: string): Statement {
  return parseWithParams(sql).statement;
}

function skipSpaces(sql: string, i: number): number {
  while (i < sql.length) {
    const c = sql.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 11 && c !== 12) break;
    i++;
  }
  return i;
}

/**
 * Parses `;`-separated statements (CLIENT_MULTI_STATEMENTS), each with its own source text.
 * An empty trailing part is ignored. Throws at the first statement that fails to parse.
 */
export function parseMulti(sql: string): { statement: Statement; text: string; paramCount: number }[] {
  const p = new Parser(sql);
  if (p.peek().kind === Tk.EOF) throw emptyQueryError();
  const out: { statement: Statement; text: string; paramCount: number }[] = [];
  let segStart = 0;
  for (;;) {
    segStart = skipSpaces(sql, segStart);
    p.setLineBase(segStart);
    const before = p.params;
    const statement = parseStatement(p);
    const t = p.peek();
    if (t.kind === Tk.EOF) {
      out.push({ statement, text: sql.slice(segStart).trimEnd(), paramCount: p.params - before });
      return out;
    }
    if (!isSemicolon(p)) p.fail(t);
    out.push({ statement, text: sql.slice(segStart, t.start).trimEnd(), paramCount: p.params - before });
    p.next();
    segStart = t.end;
    if (p.peek().kind === Tk.EOF) return out;
  }
}

/**
 * Splits a multi-statement text into the texts of its statements by lexing only (quotes and
 * comments respected), so a caller can parse and run them one at a time as MySQL does.
 */
export function splitStatements(sql: string): string[] {
  const lx = new Lexer(sql);
  const out: string[] = [];
  let start = skipSpaces(sql, 0);
  for (;;) {
    let t;
    try {
      t = lx.next();
    } catch {
      // an unterminated literal: the rest is one statement, whose parse reports the error
      out.push(sql.slice(start).trimEnd());
      return out;
    }
    if (t.kind === Tk.EOF) {
      const rest = sql.slice(start).trimEnd();
      if (rest !== '' || out.length === 0) out.push(rest);
      return out;
    }
    if (t.kind === Tk.Op && t.text === ';') {
      out.push(sql.slice(start, t.start).trimEnd());
      start = skipSpaces(sql, t.end);
    }
  }
}

/** Parses one expression (stored defaults, view bodies, generated columns). */
export function parseExpr(sql: string): Expr {
  const p = new Parser(sql);
  if (p.peek().kind === Tk.EOF) throw emptyQueryError();
  let e: Expr;
  try {
    e = parseExpression(p);
  } catch (err) {
    if (err instanceof UnsupportedSignal) p.fail();
    throw err;
  }
  if (p.peek().kind !== Tk.EOF) p.fail();
  return e;
}

export { UnsupportedSignal } from './parser-base.js';
