// Function-call syntax: aggregates, window functions and the built-ins with special argument forms.
import type { AggregateCall, Expr, JsonValueClauses, WindowFrame, WindowFrameBound, WindowSpec } from './ast.js';
import { Tk } from '../lexer/token.js';
import { UnsupportedSignal, type Parser } from './parser-base.js';
import { parseExpr, parseBitOrExpr, parseIntervalUnit } from './expr.js';
import { parseOrderItems } from './clauses.js';
import { parseCastTarget } from './types.js';

/** Names parsed as AggregateCall. */
export const AGGREGATES: ReadonlySet<string> = new Set([
  'COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'GROUP_CONCAT', 'BIT_AND', 'BIT_OR', 'BIT_XOR', 'STD', 'STDDEV',
  'STDDEV_POP', 'STDDEV_SAMP', 'VARIANCE', 'VAR_POP', 'VAR_SAMP', 'ANY_VALUE', 'JSON_ARRAYAGG', 'JSON_OBJECTAGG',
]);

/** Window-only functions; they require OVER and are returned as AggregateCall with `over` set. */
export const WINDOW_FUNCTIONS: ReadonlySet<string> = new Set([
  'ROW_NUMBER', 'RANK', 'DENSE_RANK', 'CUME_DIST', 'PERCENT_RANK', 'NTILE', 'LAG', 'LEAD',
  'FIRST_VALUE', 'LAST_VALUE', 'NTH_VALUE',
]);

function argList(p: Parser): Expr[] {
  p.expectOp('(');
  if (p.acceptOp(')')) return [];
  const args = [parseExpr(p)];
  while (p.acceptOp(',')) args.push(parseExpr(p));
  p.expectOp(')');
  return args;
}

/**
 * A call whose name is at the cursor (or, for `db.fn(...)`, already read: pass schema and
 * name, with the cursor at the parenthesis).
 */
export function parseFunctionCall(p: Parser, schema: string | undefined, qualified?: string, qpos?: number): Expr {
  if (schema !== undefined && qualified !== undefined) {
    return { type: 'call', name: qualified.toUpperCase(), schema, args: argList(p), pos: qpos };
  }
  const t = p.next();
  const name = t.kind === Tk.Word ? t.upper : t.text.toUpperCase();
  const pos = t.start;
  if (AGGREGATES.has(name)) return parseAggregate(p, name, pos);
  if (WINDOW_FUNCTIONS.has(name)) return parseWindowFunction(p, name, pos);
  switch (name) {
    case 'TRIM':
      return parseTrim(p, pos);
    case 'SUBSTRING':
    case 'SUBSTR':
      return parseSubstring(p, name, pos);
    case 'POSITION': {
      p.expectOp('(');
      const needle = parseBitOrExpr(p);
      p.expectKw('IN');
      const hay = parseExpr(p);
      p.expectOp(')');
      return { type: 'call', name: 'LOCATE', args: [needle, hay], pos };
    }
    case 'EXTRACT': {
      p.expectOp('(');
      const unit = parseIntervalUnit(p);
      p.expectKw('FROM');
      const arg = parseExpr(p);
      p.expectOp(')');
      return { type: 'call', name: 'EXTRACT', args: [arg], unit, pos };
    }
    case 'TIMESTAMPADD':
    case 'TIMESTAMPDIFF': {
      p.expectOp('(');
      const unit = parseIntervalUnit(p);
      p.expectOp(',');
      const a = parseExpr(p);
      p.expectOp(',');
      const b = parseExpr(p);
      p.expectOp(')');
      return { type: 'call', name, args: [a, b], unit, pos };
    }
    case 'CHAR':
      return parseChar(p, pos);
    case 'GET_FORMAT': {
      p.expectOp('(');
      const w = p.word();
      if (w !== 'DATE' && w !== 'TIME' && w !== 'DATETIME' && w !== 'TIMESTAMP') p.fail();
      const kt = p.next();
      p.expectOp(',');
      const fmt = parseExpr(p);
      p.expectOp(')');
      return { type: 'call', name, args: [{ type: 'literal', kind: 'string', value: w, pos: kt.start }, fmt], pos };
    }
    case 'WEIGHT_STRING': {
      p.expectOp('(');
      const args = [parseExpr(p)];
      if (p.acceptKw('AS')) {
        const w = p.word();
        if (w !== 'CHAR' && w !== 'BINARY') p.fail();
        p.next();
        p.expectOp('(');
        const n = p.peek();
        args.push({ type: 'literal', kind: 'integer', value: p.integer(), pos: n.start });
        p.expectOp(')');
      }
      p.expectOp(')');
      return { type: 'call', name, args, pos };
    }
    case 'JSON_TABLE':
      throw new UnsupportedSignal('JSON_TABLE');
    case 'JSON_VALUE':
      return parseJsonValue(p, pos);
  }
  return { type: 'call', name, args: argList(p), pos };
}

function parseAggregate(p: Parser, name: string, pos: number): Expr {
  p.expectOp('(');
  const call: AggregateCall = { type: 'aggregate', name, distinct: false, star: false, args: [], pos };
  if (name === 'COUNT' && p.isOp('*')) {
    p.next();
    call.star = true;
  } else {
    if (p.acceptKw('DISTINCT') || p.acceptKw('DISTINCTROW')) call.distinct = true;
    else p.acceptKw('ALL');
    call.args.push(parseExpr(p));
    while (p.acceptOp(',')) call.args.push(parseExpr(p));
    if (name === 'GROUP_CONCAT') {
      if (p.acceptKws('ORDER', 'BY')) call.orderBy = parseOrderItems(p);
      if (p.acceptKw('SEPARATOR')) call.separator = p.string();
    }
  }
  p.expectOp(')');
  if (p.isKw('OVER')) {
    p.next();
    call.over = parseWindowSpecOrName(p);
  }
  return call;
}

function parseWindowFunction(p: Parser, name: string, pos: number): Expr {
  const args = argList(p);
  // MySQL too takes only the defaults, FROM FIRST and RESPECT NULLS, and refuses the others with 1235.
  if (p.acceptKw('FROM') && !p.acceptKw('FIRST')) {
    p.expectKw('LAST');
    throw new UnsupportedSignal(`${name} ... FROM LAST`);
  }
  if (p.acceptKw('IGNORE')) {
    p.expectKw('NULLS');
    throw new UnsupportedSignal(`${name} ... IGNORE NULLS`);
  }
  if (p.acceptKw('RESPECT')) p.expectKw('NULLS');
  p.expectKw('OVER');
  return { type: 'aggregate', name, distinct: false, star: false, args, over: parseWindowSpecOrName(p), pos };
}

/** `OVER w` or `OVER ( [w] [PARTITION BY ..] [ORDER BY ..] [frame] )`. */
export function parseWindowSpecOrName(p: Parser): WindowSpec {
  if (!p.isOp('(')) return { name: p.ident(), partitionBy: [], orderBy: [] };
  return parseWindowSpec(p);
}

/** A parenthesized window specification. */
export function parseWindowSpec(p: Parser): WindowSpec {
  p.expectOp('(');
  const spec: WindowSpec = { partitionBy: [], orderBy: [] };
  if (p.isIdent() && !p.isKw('PARTITION') && !p.isKw('ORDER') && !isFrameWord(p.word())) spec.name = p.ident();
  if (p.acceptKws('PARTITION', 'BY')) {
    spec.partitionBy.push(parseExpr(p));
    while (p.acceptOp(',')) spec.partitionBy.push(parseExpr(p));
  }
  if (p.acceptKws('ORDER', 'BY')) spec.orderBy = parseOrderItems(p);
  if (isFrameWord(p.word())) {
    const unit = p.next().upper.toLowerCase() as WindowFrame['unit'];
    let start: WindowFrameBound;
    let end: WindowFrameBound = { kind: 'current' };
    if (p.acceptKw('BETWEEN')) {
      start = frameBound(p);
      p.expectKw('AND');
      end = frameBound(p);
    } else start = frameBound(p);
    if (p.acceptKw('EXCLUDE')) {
      if (p.acceptKw('CURRENT')) p.expectKw('ROW');
      else if (!p.acceptKw('GROUP') && !p.acceptKw('TIES')) {
        p.expectKw('NO');
        p.expectKw('OTHERS');
      }
    }
    spec.frame = { unit, start, end };
  }
  p.expectOp(')');
  return spec;
}

function isFrameWord(w: string): boolean {
  return w === 'ROWS' || w === 'RANGE' || w === 'GROUPS';
}

function frameBound(p: Parser): WindowFrameBound {
  if (p.acceptKw('UNBOUNDED')) {
    if (p.acceptKw('PRECEDING')) return { kind: 'unboundedPreceding' };
    p.expectKw('FOLLOWING');
    return { kind: 'unboundedFollowing' };
  }
  if (p.acceptKw('CURRENT')) {
    p.expectKw('ROW');
    return { kind: 'current' };
  }
  const offset = parseExpr(p);
  if (p.acceptKw('PRECEDING')) return { kind: 'preceding', offset };
  p.expectKw('FOLLOWING');
  return { kind: 'following', offset };
}

/** TRIM([LEADING|TRAILING|BOTH] [remstr] FROM str) / TRIM(str): args are [str] or [str, remstr]. */
function parseTrim(p: Parser, pos: number): Expr {
  p.expectOp('(');
  const w = p.word();
  let side: 'leading' | 'trailing' | 'both' | undefined;
  if (w === 'LEADING' || w === 'TRAILING' || w === 'BOTH') {
    p.next();
    side = w === 'LEADING' ? 'leading' : w === 'TRAILING' ? 'trailing' : 'both';
  }
  let args: Expr[];
  if (side !== undefined && p.acceptKw('FROM')) {
    args = [parseExpr(p)];
  } else {
    const first = parseExpr(p);
    if (p.acceptKw('FROM')) args = [parseExpr(p), first];
    else if (side !== undefined) p.fail();
    else args = [first];
  }
  p.expectOp(')');
  const e: Expr = { type: 'call', name: 'TRIM', args, pos };
  if (side !== undefined) e.trimSide = side;
  return e;
}

/** SUBSTRING(s, a[, b]) and SUBSTRING(s FROM a [FOR b]). */
function parseSubstring(p: Parser, name: string, pos: number): Expr {
  p.expectOp('(');
  const args = [parseExpr(p)];
  if (p.acceptKw('FROM')) {
    args.push(parseExpr(p));
    if (p.acceptKw('FOR')) args.push(parseExpr(p));
  } else {
    p.expectOp(',');
    args.push(parseExpr(p));
    if (p.acceptOp(',')) args.push(parseExpr(p));
  }
  p.expectOp(')');
  return { type: 'call', name, args, pos };
}

/** CHAR(n, ...) and CHAR(n, ... USING cs) (the latter as CONVERT(CHAR(..) USING cs)). */
function parseChar(p: Parser, pos: number): Expr {
  p.expectOp('(');
  const args = [parseExpr(p)];
  while (p.acceptOp(',')) args.push(parseExpr(p));
  let charset: string | undefined;
  if (p.acceptKw('USING')) charset = p.identOrString().toLowerCase();
  p.expectOp(')');
  const call: Expr = { type: 'call', name: 'CHAR', args, pos };
  if (charset === undefined) return call;
  return { type: 'cast', operand: call, target: { kind: 'char' }, charset, pos };
}


/** JSON_VALUE(doc, path [RETURNING type] [{NULL | ERROR | DEFAULT v} ON EMPTY] [{NULL | ERROR | DEFAULT v} ON ERROR]). */
function parseJsonValue(p: Parser, pos: number): Expr {
  p.expectOp('(');
  const doc = parseExpr(p);
  p.expectOp(',');
  const path = parseExpr(p);
  const clauses: JsonValueClauses = { onEmpty: 'null', onError: 'null' };
  const nullLit = (): Expr => ({ type: 'literal', kind: 'null', pos });
  const defaults: Expr[] = [nullLit(), nullLit()];
  if (p.acceptKw('RETURNING')) clauses.returning = parseCastTarget(p).type;
  for (let k = 0; k < 2 && !p.isOp(')'); k++) {
    let action: 'null' | 'error' | 'default';
    let value: Expr | undefined;
    if (p.acceptKw('NULL')) action = 'null';
    else if (p.acceptKw('ERROR')) action = 'error';
    else {
      p.expectKw('DEFAULT');
      action = 'default';
      value = parseExpr(p);
    }
    p.expectKw('ON');
    if (p.acceptKw('EMPTY')) {
      if (k > 0) p.fail();
      clauses.onEmpty = action;
      if (value) defaults[0] = value;
    } else {
      p.expectKw('ERROR');
      clauses.onError = action;
      if (value) defaults[1] = value;
      k = 2;
    }
  }
  p.expectOp(')');
  return { type: 'call', name: 'JSON_VALUE', args: [doc, path, ...defaults], jsonValue: clauses, pos };
}
