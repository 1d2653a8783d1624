// Expression parsing with MySQL operator precedence, from OR down to primaries.
import type {
  BinaryOp, ColumnRef, Expr, LiteralExpr, QueryExpr, VariableExpr,
} from './ast.js';
import { Tk, type Token } from '../lexer/token.js';
import { RESERVED } from '../lexer/keywords.js';
import { isTooDeep, UnsupportedSignal, type Parser } from './parser-base.js';
import { parseFunctionCall } from './functions.js';
import { parseCastTarget } from './types.js';
import { parseQueryExpr, startsQuery } from './select.js';

/** Interval unit keywords (upper-cased). */
export const INTERVAL_UNITS: ReadonlySet<string> = new Set([
  'MICROSECOND', 'SECOND', 'MINUTE', 'HOUR', 'DAY', 'WEEK', 'MONTH', 'QUARTER', 'YEAR',
  'SECOND_MICROSECOND', 'MINUTE_MICROSECOND', 'MINUTE_SECOND', 'HOUR_MICROSECOND', 'HOUR_SECOND',
  'HOUR_MINUTE', 'DAY_MICROSECOND', 'DAY_SECOND', 'DAY_MINUTE', 'DAY_HOUR', 'YEAR_MONTH',
  'SQL_TSI_MICROSECOND', 'SQL_TSI_SECOND', 'SQL_TSI_MINUTE', 'SQL_TSI_HOUR', 'SQL_TSI_DAY',
  'SQL_TSI_WEEK', 'SQL_TSI_MONTH', 'SQL_TSI_QUARTER', 'SQL_TSI_YEAR',
]);

/** Reserved words that name built-in functions when followed by `(`. */
const RESERVED_FUNCTIONS: ReadonlySet<string> = new Set([
  'IF', 'LEFT', 'RIGHT', 'REPLACE', 'INSERT', 'MOD', 'REPEAT', 'DATABASE', 'SCHEMA', 'CHAR',
  'CURRENT_USER', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'LOCALTIME', 'LOCALTIMESTAMP',
  'UTC_DATE', 'UTC_TIME', 'UTC_TIMESTAMP', 'VALUES', 'ROW_NUMBER', 'RANK', 'DENSE_RANK', 'CUME_DIST',
  'PERCENT_RANK', 'NTILE', 'LAG', 'LEAD', 'FIRST_VALUE', 'LAST_VALUE', 'NTH_VALUE', 'GROUPING',
  'INTERVAL', 'CONVERT', 'MATCH', 'EXISTS', 'DEFAULT', 'ROW', 'JSON_TABLE',
]);

/** Reserved words that are function calls even without parentheses. */
const NILADIC: ReadonlySet<string> = new Set([
  'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'LOCALTIME', 'LOCALTIMESTAMP', 'CURRENT_USER',
  'UTC_DATE', 'UTC_TIME', 'UTC_TIMESTAMP',
]);

const COMPARISON: Record<string, '=' | '<=>' | '!=' | '<' | '<=' | '>' | '>='> = {
  '=': '=', '<=>': '<=>', '!=': '!=', '<>': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
};

/** A full expression (assignment `:=` is handled on user variables in the primary). */
export function parseExpr(p: Parser): Expr {
  p.descend(NESTING_WEIGHT);
  const e = parseOr(p);
  p.depth -= NESTING_WEIGHT;
  return e;
}

/**
 * A nested expression (parentheses, function arguments, subqueries) costs this many levels of
 * EXPRESSION_DEPTH_MAX: each one is a dozen parser frames and several in the compiler, against one
 * for a link in an operator chain.
 */
export const NESTING_WEIGHT = 4;

function binary(op: BinaryOp, left: Expr, right: Expr, pos: number): Expr {
  return { type: 'binary', op, left, right, pos };
}

/**
 * `a OR b OR c ...` as a balanced tree: the same value and the same left-to-right
 * short-circuit as the left-deep tree, but thousands of terms (generated filters) stay shallow.
 */
function balanced(op: 'AND' | 'OR', operands: Expr[], positions: number[], lo: number, hi: number): Expr {
  if (lo === hi) return operands[lo];
  const mid = (lo + hi + 1) >> 1;
  return binary(op, balanced(op, operands, positions, lo, mid - 1), balanced(op, operands, positions, mid, hi), positions[mid - 1]);
}

function parseOr(p: Parser): Expr {
  const first = parseXor(p);
  let operands: Expr[] | undefined;
  let positions: number[] | undefined;
  for (;;) {
    const t = p.peek();
    if ((t.kind === Tk.Word && t.upper === 'OR') || (t.kind === Tk.Op && t.text === '||')) {
      p.next();
      (operands ??= [first]).push(parseXor(p));
      (positions ??= []).push(t.start);
    } else break;
  }
  return operands && positions ? balanced('OR', operands, positions, 0, operands.length - 1) : first;
}

function parseXor(p: Parser): Expr {
  let left = parseAnd(p);
  const base = p.depth;
  while (p.isKw('XOR')) {
    const t = p.next();
    p.descend();
    left = binary('XOR', left, parseAnd(p), t.start);
  }
  p.depth = base;
  return left;
}

function parseAnd(p: Parser): Expr {
  const first = parseNot(p);
  let operands: Expr[] | undefined;
  let positions: number[] | undefined;
  for (;;) {
    const t = p.peek();
    if ((t.kind === Tk.Word && t.upper === 'AND') || (t.kind === Tk.Op && t.text === '&&')) {
      p.next();
      (operands ??= [first]).push(parseNot(p));
      (positions ??= []).push(t.start);
    } else break;
  }
  return operands && positions ? balanced('AND', operands, positions, 0, operands.length - 1) : first;
}

function parseNot(p: Parser): Expr {
  if (p.isKw('NOT')) {
    const t = p.next();
    p.descend();
    const operand = parseNot(p);
    p.depth--;
    return { type: 'unary', op: 'NOT', operand, pos: t.start };
  }
  return parseComparison(p);
}

/** Comparisons, IS tests and quantified subquery comparisons (left associative). */
function parseComparison(p: Parser): Expr {
  let left = parsePredicate(p);
  const base = p.depth;
  for (;;) {
    const t = p.peek();
    if (t.kind === Tk.Op) {
      const op = COMPARISON[t.text];
      if (op === undefined) {
        p.depth = base;
        return left;
      }
      p.next();
      p.descend();
      const q = p.word();
      if ((q === 'ANY' || q === 'SOME' || q === 'ALL') && p.isOp('(', 1) && op !== '<=>') {
        p.next();
        const query = parseParenQuery(p);
        left = { type: 'quantified', op, quantifier: q === 'ALL' ? 'all' : 'any', operand: left, query, pos: t.start };
        continue;
      }
      left = binary(op, left, parsePredicate(p), t.start);
      continue;
    }
    if (t.kind === Tk.Word && t.upper === 'IS') {
      p.next();
      p.descend();
      const not = p.acceptKw('NOT');
      const w = p.word();
      let test: 'null' | 'true' | 'false' | 'unknown';
      if (w === 'NULL') test = 'null';
      else if (w === 'TRUE') test = 'true';
      else if (w === 'FALSE') test = 'false';
      else if (w === 'UNKNOWN') test = 'unknown';
      else p.fail();
      p.next();
      left = { type: 'is', operand: left, not, test, pos: t.start };
      continue;
    }
    p.depth = base;
    return left;
  }
}

/** IN, BETWEEN, LIKE, REGEXP, MEMBER OF, SOUNDS LIKE on a bit expression. */
function parsePredicate(p: Parser): Expr {
  const left = parseBitOr(p);
  const t = p.peek();
  if (t.kind !== Tk.Word) return left;
  let not = false;
  let w = t.upper;
  if (w === 'NOT') {
    const n = p.word(1);
    if (n !== 'IN' && n !== 'BETWEEN' && n !== 'LIKE' && n !== 'REGEXP' && n !== 'RLIKE') return left;
    p.next();
    not = true;
    w = n;
  }
  switch (w) {
    case 'IN': {
      p.next();
      if (!p.isOp('(')) p.fail();
      if (startsQuery(p, 1)) {
        const query = parseParenQuery(p);
        return { type: 'inSubquery', operand: left, not, query, pos: t.start };
      }
      p.next();
      const list = [parseExpr(p)];
      while (p.acceptOp(',')) list.push(parseExpr(p));
      p.expectOp(')');
      return { type: 'inList', operand: left, not, list, pos: t.start };
    }
    case 'BETWEEN': {
      p.next();
      const low = parseBitOr(p);
      p.expectKw('AND');
      const high = parsePredicate(p);
      return { type: 'between', operand: left, not, low, high, pos: t.start };
    }
    case 'LIKE': {
      p.next();
      const pattern = parseBitOr(p);
      if (p.acceptKw('ESCAPE')) {
        return { type: 'like', operand: left, not, pattern, escape: parseUnary(p), pos: t.start };
      }
      return { type: 'like', operand: left, not, pattern, pos: t.start };
    }
    case 'REGEXP':
    case 'RLIKE':
      p.next();
      return { type: 'regexp', operand: left, not, pattern: parseBitOr(p), pos: t.start };
    case 'MEMBER': {
      p.next();
      p.acceptKw('OF');
      p.expectOp('(');
      const json = parseExpr(p);
      p.expectOp(')');
      return { type: 'call', name: 'MEMBER OF', args: [left, json], pos: t.start };
    }
    case 'SOUNDS': {
      p.next();
      p.expectKw('LIKE');
      const right = parseBitOr(p);
      return binary(
        '=',
        { type: 'call', name: 'SOUNDEX', args: [left], pos: t.start },
        { type: 'call', name: 'SOUNDEX', args: [right], pos: t.start },
        t.start,
      );
    }
    default:
      return left;
  }
}

function parseBitOr(p: Parser): Expr {
  let left = parseBitAnd(p);
  const base = p.depth;
  while (p.isOp('|')) {
    const t = p.next();
    p.descend();
    left = binary('|', left, parseBitAnd(p), t.start);
  }
  p.depth = base;
  return left;
}

function parseBitAnd(p: Parser): Expr {
  let left = parseShift(p);
  const base = p.depth;
  while (p.isOp('&')) {
    const t = p.next();
    p.descend();
    left = binary('&', left, parseShift(p), t.start);
  }
  p.depth = base;
  return left;
}

function parseShift(p: Parser): Expr {
  let left = parseAdditive(p);
  const base = p.depth;
  for (;;) {
    const t = p.peek();
    if (t.kind === Tk.Op && (t.text === '<<' || t.text === '>>')) {
      p.next();
      p.descend();
      left = binary(t.text, left, parseAdditive(p), t.start);
    } else {
      p.depth = base;
      return left;
    }
  }
}

function parseAdditive(p: Parser): Expr {
  let left = parseMultiplicative(p);
  const base = p.depth;
  for (;;) {
    const t = p.peek();
    if (t.kind === Tk.Op && (t.text === '+' || t.text === '-')) {
      p.next();
      p.descend();
      left = binary(t.text, left, parseMultiplicative(p), t.start);
    } else {
      p.depth = base;
      return left;
    }
  }
}

function parseMultiplicative(p: Parser): Expr {
  let left = parseBitXor(p);
  const base = p.depth;
  for (;;) {
    const t = p.peek();
    let op: BinaryOp | undefined;
    if (t.kind === Tk.Op) {
      if (t.text === '*' || t.text === '/') op = t.text;
      else if (t.text === '%') op = 'MOD';
    } else if (t.kind === Tk.Word) {
      if (t.upper === 'DIV') op = 'DIV';
      else if (t.upper === 'MOD') op = 'MOD';
    }
    if (op === undefined) {
      p.depth = base;
      return left;
    }
    p.next();
    p.descend();
    left = binary(op, left, parseBitXor(p), t.start);
  }
}

function parseBitXor(p: Parser): Expr {
  let left = parseUnary(p);
  const base = p.depth;
  while (p.isOp('^')) {
    const t = p.next();
    p.descend();
    left = binary('^', left, parseUnary(p), t.start);
  }
  p.depth = base;
  return left;
}

/** Negates a numeric literal in place of a unary minus, keeping exactness. */
function negateLiteral(lit: LiteralExpr, pos: number): Expr | undefined {
  if (lit.kind === 'integer') {
    const v = lit.value;
    if (typeof v === 'number') return { type: 'literal', kind: 'integer', value: v === 0 ? 0 : -v, pos };
    const n = -v;
    if (n >= -9007199254740991n) return { type: 'literal', kind: 'integer', value: Number(n), pos };
    if (n < -9223372036854775808n) return { type: 'literal', kind: 'decimal', text: n.toString(), pos };
    return { type: 'literal', kind: 'integer', value: n, pos };
  }
  if (lit.kind === 'decimal') {
    const text = lit.text.startsWith('-') ? lit.text.slice(1) : '-' + lit.text;
    return { type: 'literal', kind: 'decimal', text, pos };
  }
  if (lit.kind === 'float') return { type: 'literal', kind: 'float', value: -lit.value, pos };
  return undefined;
}

/** Prefix operators `- + ~ ! BINARY` and the COLLATE postfix. */
export function parseUnary(p: Parser): Expr {
  const t = p.peek();
  if (t.kind === Tk.Op) {
    if (t.text === '-') {
      p.next();
      p.descend();
      const operand = parseUnary(p);
      p.depth--;
      if (operand.type === 'literal') {
        const neg = negateLiteral(operand, t.start);
        if (neg !== undefined) return neg;
      }
      return { type: 'unary', op: '-', operand, pos: t.start };
    }
    if (t.text === '+' || t.text === '~' || t.text === '!') {
      p.next();
      p.descend();
      const operand = parseUnary(p);
      p.depth--;
      return { type: 'unary', op: t.text, operand, pos: t.start };
    }
  } else if (t.kind === Tk.Word && t.upper === 'BINARY') {
    p.next();
    p.descend();
    const operand = parseUnary(p);
    p.depth--;
    return { type: 'unary', op: 'BINARY', operand, pos: t.start };
  }
  let e = parsePrimary(p);
  while (p.isKw('COLLATE')) {
    const c = p.next();
    e = { type: 'collate', operand: e, collation: p.identOrString(), pos: c.start };
  }
  return e;
}

/** `( query )` with the parentheses. */
export function parseParenQuery(p: Parser): QueryExpr {
  p.expectOp('(');
  p.descend(NESTING_WEIGHT);
  const q = parseQueryExpr(p);
  p.depth -= NESTING_WEIGHT;
  p.expectOp(')');
  return q;
}

function hexBuffer(digits: string): Buffer {
  return Buffer.from(digits.length % 2 === 1 ? '0' + digits : digits, 'hex');
}

function bitBuffer(digits: string): Buffer {
  if (digits === '') return Buffer.alloc(0);
  const bytes = Math.ceil(digits.length / 8);
  const out = Buffer.alloc(bytes);
  let v = BigInt('0b' + digits);
  for (let i = bytes - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

const MAX_SAFE = 9007199254740991n;
const MAX_U64 = 18446744073709551615n;

/** An integer literal's value: number, bigint beyond 2^53, decimal text beyond 2^64. */
export function integerLiteral(text: string, pos: number): LiteralExpr {
  if (text.length < 16) return { type: 'literal', kind: 'integer', value: Number(text), pos };
  const b = BigInt(text);
  if (b <= MAX_SAFE) return { type: 'literal', kind: 'integer', value: Number(b), pos };
  if (b <= MAX_U64) return { type: 'literal', kind: 'integer', value: b, pos };
  return { type: 'literal', kind: 'decimal', text: b.toString(), pos };
}

/** A literal token at the cursor, or undefined when the token is not a literal. */
export function parseLiteral(p: Parser): LiteralExpr | undefined {
  const t = p.peek();
  switch (t.kind) {
    case Tk.Int:
      p.next();
      return integerLiteral(t.text, t.start);
    case Tk.Dec:
      p.next();
      return { type: 'literal', kind: 'decimal', text: t.text, pos: t.start };
    case Tk.Float:
      p.next();
      return { type: 'literal', kind: 'float', value: Number(t.text), pos: t.start };
    case Tk.Str:
    case Tk.NStr:
      return { type: 'literal', kind: 'string', value: p.string(), pos: t.start };
    case Tk.Hex:
      p.next();
      return { type: 'literal', kind: 'hex', value: hexBuffer(t.text), pos: t.start };
    case Tk.Bit:
      p.next();
      return { type: 'literal', kind: 'bit', value: bitBuffer(t.text), pos: t.start };
    case Tk.Introducer:
      return introduced(p, t);
    case Tk.Word:
      switch (t.upper) {
        case 'NULL':
          p.next();
          return { type: 'literal', kind: 'null', pos: t.start };
        case 'TRUE':
        case 'FALSE':
          p.next();
          return { type: 'literal', kind: 'boolean', value: t.upper === 'TRUE', pos: t.start };
        case 'DATE':
        case 'TIME':
        case 'TIMESTAMP': {
          const n = p.peek(1);
          if (n.kind !== Tk.Str) return undefined;
          p.next();
          const temporal = t.upper === 'DATE' ? 'date' : t.upper === 'TIME' ? 'time' : 'timestamp';
          return { type: 'literal', kind: 'temporal', temporal, value: p.string(), pos: t.start };
        }
      }
  }
  return undefined;
}

/** `_charset 'text'`, `_charset X'..'`, `_charset 0x..`. */
function introduced(p: Parser, t: Token): LiteralExpr {
  p.next();
  const n = p.peek();
  const cs = t.text;
  if (n.kind === Tk.Str) return { type: 'literal', kind: 'string', value: p.string(), introducer: '_' + cs, pos: t.start };
  if (n.kind === Tk.Hex || n.kind === Tk.Bit) {
    p.next();
    const buf = n.kind === Tk.Hex ? hexBuffer(n.text) : bitBuffer(n.text);
    if (cs === 'binary') return { type: 'literal', kind: n.kind === Tk.Hex ? 'hex' : 'bit', value: buf, pos: t.start };
    const value = cs.startsWith('utf8') ? buf.toString('utf8') : buf.toString('latin1');
    return { type: 'literal', kind: 'string', value, introducer: '_' + cs, pos: t.start };
  }
  p.fail(n);
}

/** Atoms: literals, columns, variables, parameters, calls, CASE, CAST, subqueries, rows... */
function parsePrimary(p: Parser): Expr {
  const lit = parseLiteral(p);
  if (lit !== undefined) return lit;
  const t = p.peek();
  switch (t.kind) {
    case Tk.Param:
      p.next();
      return { type: 'param', index: p.params++, pos: t.start };
    case Tk.UserVar: {
      p.next();
      const v: VariableExpr = { type: 'variable', kind: 'user', name: t.text, pos: t.start };
      if (p.isOp(':=')) {
        p.next();
        return { type: 'call', name: ':=', args: [v, parseExpr(p)], pos: t.start };
      }
      return v;
    }
    case Tk.SysVar: {
      p.next();
      const v: VariableExpr = { type: 'variable', kind: 'system', name: t.text, pos: t.start };
      if (t.upper === 'GLOBAL') v.scope = 'global';
      else if (t.upper === 'SESSION') v.scope = 'session';
      return v;
    }
    case Tk.Op:
      if (t.text === '(') return parseParenthesized(p);
      if (t.text === '{') {
        // ODBC escape {d '...'}, {t '...'}, {ts '...'}, {fn ...}: the inner expression
        p.next();
        p.ident();
        const e = parseExpr(p);
        p.expectOp('}');
        return e;
      }
      p.fail(t);
    // falls through (fail never returns)
    case Tk.Word:
      return parseWordExpr(p, t);
    case Tk.QIdent:
      return parseNameExpr(p);
    default:
      p.fail(t);
  }
}

/** `(expr)`, `(a, b)` row, `(SELECT ...)` subquery. */
function parseParenthesized(p: Parser): Expr {
  const t = p.peek();
  if (startsQuery(p, 1)) {
    if (p.isOp('(', 1)) {
      // "((SELECT 1) + 1)" vs "((SELECT 1) UNION (SELECT 2))": try the query reading first
      const m = p.mark();
      try {
        return { type: 'subquery', query: parseParenQuery(p), pos: t.start };
      } catch (e) {
        if (e instanceof UnsupportedSignal || isTooDeep(e)) throw e;
        p.reset(m);
      }
    } else {
      return { type: 'subquery', query: parseParenQuery(p), pos: t.start };
    }
  }
  p.next();
  const first = parseExpr(p);
  if (p.acceptOp(')')) return first;
  const items = [first];
  while (p.acceptOp(',')) items.push(parseExpr(p));
  p.expectOp(')');
  return { type: 'row', items, pos: t.start };
}

/** A word starting an expression: keyword constructs, function calls or column names. */
function parseWordExpr(p: Parser, t: Token): Expr {
  const w = t.upper;
  const paren = p.isOp('(', 1);
  switch (w) {
    case 'CASE':
      return parseCase(p);
    case 'CAST':
      if (paren) return parseCast(p);
      break;
    case 'CONVERT':
      return parseConvert(p);
    case 'EXISTS': {
      p.next();
      return { type: 'exists', query: parseParenQuery(p), pos: t.start };
    }
    case 'ROW':
      if (paren) {
        p.next();
        p.next();
        const items = [parseExpr(p)];
        while (p.acceptOp(',')) items.push(parseExpr(p));
        p.expectOp(')');
        return { type: 'row', items, pos: t.start };
      }
      break;
    case 'DEFAULT':
      p.next();
      if (p.acceptOp('(')) {
        const col = parseColumnRef(p);
        p.expectOp(')');
        const d: Expr = { type: 'default', column: col.column, pos: t.start };
        if (col.table !== undefined) d.table = col.table;
        if (col.schema !== undefined) d.schema = col.schema;
        return d;
      }
      return { type: 'default', pos: t.start };
    case 'INTERVAL':
      return parseInterval(p);
    case 'MATCH':
      if (paren) return parseMatch(p);
      break;
  }
  if (NILADIC.has(w) && !paren) {
    p.next();
    return { type: 'call', name: w, args: [], pos: t.start };
  }
  if (paren && (!RESERVED.has(w) || RESERVED_FUNCTIONS.has(w))) return parseFunctionCall(p, undefined);
  if (RESERVED.has(w)) p.fail(t);
  return parseNameExpr(p);
}

/** A possibly qualified name: column, `t.col`, `db.t.col`, `db.fn(...)`, `t.*`, with `->` JSON paths. */
function parseNameExpr(p: Parser): Expr {
  const start = p.peek();
  const parts = [p.ident()];
  while (p.isOp('.')) {
    if (p.isOp('*', 1)) {
      if (parts.length > 2) p.fail(p.peek(1));
      p.next();
      p.next();
      const star: ColumnRef = { type: 'column', column: '*', pos: start.start };
      if (parts.length === 2) {
        star.schema = parts[0];
        star.table = parts[1];
      } else star.table = parts[0];
      return star;
    }
    if (parts.length === 3) p.fail();
    p.next();
    parts.push(p.identAfterDot());
    if (parts.length === 2 && p.isOp('(')) return parseFunctionCall(p, parts[0], parts[1], start.start);
  }
  const ref = columnFromParts(parts, start.start);
  const j = p.peek();
  if (j.kind === Tk.Op && (j.text === '->' || j.text === '->>')) {
    p.next();
    const path = p.peek();
    if (path.kind !== Tk.Str) p.fail(path);
    p.next();
    return binary(j.text, ref, { type: 'literal', kind: 'string', value: path.text, pos: path.start }, j.start);
  }
  return ref;
}

function columnFromParts(parts: string[], pos: number): ColumnRef {
  if (parts.length === 1) return { type: 'column', column: parts[0], pos };
  if (parts.length === 2) return { type: 'column', table: parts[0], column: parts[1], pos };
  return { type: 'column', schema: parts[0], table: parts[1], column: parts[2], pos };
}

/** A plain column reference `[[db.]t.]col`. */
export function parseColumnRef(p: Parser): ColumnRef {
  const pos = p.peek().start;
  const parts = [p.ident()];
  while (parts.length < 3 && p.acceptOp('.')) parts.push(p.identAfterDot());
  return columnFromParts(parts, pos);
}

function parseCase(p: Parser): Expr {
  const t = p.next();
  let operand: Expr | undefined;
  if (!p.isKw('WHEN')) operand = parseExpr(p);
  const whens: { when: Expr; then: Expr }[] = [];
  while (p.acceptKw('WHEN')) {
    const when = parseExpr(p);
    p.expectKw('THEN');
    whens.push({ when, then: parseExpr(p) });
  }
  if (whens.length === 0) p.fail();
  let els: Expr | undefined;
  if (p.acceptKw('ELSE')) els = parseExpr(p);
  p.expectKw('END');
  const e: Expr = { type: 'case', whens, pos: t.start };
  if (operand !== undefined) e.operand = operand;
  if (els !== undefined) e.else = els;
  return e;
}

function parseCast(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  const operand = parseExpr(p);
  p.expectKw('AS');
  const target = parseCastTarget(p);
  if (p.acceptKw('ARRAY')) throw p.err();
  p.expectOp(')');
  const e: Expr = { type: 'cast', operand, target: target.type, pos: t.start };
  if (target.charset !== undefined) e.charset = target.charset;
  return e;
}

function parseConvert(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  const operand = parseExpr(p);
  if (p.acceptKw('USING')) {
    const charset = p.identOrString().toLowerCase();
    p.expectOp(')');
    return { type: 'cast', operand, target: { kind: 'char' }, charset, pos: t.start };
  }
  p.expectOp(',');
  const target = parseCastTarget(p);
  p.expectOp(')');
  const e: Expr = { type: 'cast', operand, target: target.type, pos: t.start };
  if (target.charset !== undefined) e.charset = target.charset;
  return e;
}

/** An interval unit keyword. */
export function parseIntervalUnit(p: Parser): string {
  const w = p.word();
  if (!INTERVAL_UNITS.has(w)) p.fail();
  p.next();
  return w.startsWith('SQL_TSI_') ? w.slice(8) : w;
}

/** `INTERVAL expr unit`, or the INTERVAL(n, n1, ...) function. */
function parseInterval(p: Parser): Expr {
  const t = p.next();
  if (p.isOp('(')) {
    const m = p.mark();
    p.next();
    const args = [parseExpr(p)];
    while (p.acceptOp(',')) args.push(parseExpr(p));
    p.expectOp(')');
    if (args.length > 1) return { type: 'call', name: 'INTERVAL', args, pos: t.start };
    p.reset(m);
  }
  const value = parseExpr(p);
  return { type: 'interval', value, unit: parseIntervalUnit(p), pos: t.start };
}

function parseMatch(p: Parser): Expr {
  const t = p.next();
  p.expectOp('(');
  const columns = [parseColumnRef(p)];
  while (p.acceptOp(',')) columns.push(parseColumnRef(p));
  p.expectOp(')');
  p.expectKw('AGAINST');
  p.expectOp('(');
  const against = parseBitOr(p);
  let mode: string | undefined;
  if (p.acceptKws('IN', 'NATURAL', 'LANGUAGE', 'MODE')) {
    mode = 'NATURAL LANGUAGE MODE';
    if (p.acceptKws('WITH', 'QUERY', 'EXPANSION')) mode += ' WITH QUERY EXPANSION';
  } else if (p.acceptKws('IN', 'BOOLEAN', 'MODE')) mode = 'BOOLEAN MODE';
  else if (p.acceptKws('WITH', 'QUERY', 'EXPANSION')) mode = 'QUERY EXPANSION';
  p.expectOp(')');
  const e: Expr = { type: 'match', columns, against, pos: t.start };
  if (mode !== undefined) e.mode = mode;
  return e;
}

export { parseBitOr as parseBitOrExpr };
