// Query expressions: SELECT, set operations, WITH, VALUES, TABLE, and their ORDER BY/LIMIT/locking tails.
import type {
  Expr, Limit, OrderItem, QueryExpr, SelectItem, SelectStmt, ValuesStmt, VariableExpr, WindowSpec, WithClause,
} from './ast.js';
import { Tk } from '../lexer/token.js';
import { UnsupportedSignal, type Parser } from './parser-base.js';
import { parseExpr } from './expr.js';
import { parseOptLimit, parseOptOrderBy, parseTableName } from './clauses.js';
import { parseTableRefs } from './from.js';
import { parseWindowSpec } from './functions.js';
import { itemText } from './item-text.js';

const SELECT_OPTIONS: ReadonlySet<string> = new Set([
  'HIGH_PRIORITY', 'STRAIGHT_JOIN', 'SQL_SMALL_RESULT', 'SQL_BIG_RESULT', 'SQL_BUFFER_RESULT',
  'SQL_NO_CACHE', 'SQL_CACHE', 'SQL_CALC_FOUND_ROWS',
]);

/** True when the token at `k`, after any run of `(`, starts a query (SELECT, WITH, VALUES ROW, TABLE t). */
export function startsQuery(p: Parser, k = 0): boolean {
  while (p.isOp('(', k)) k++;
  const w = p.word(k);
  if (w === 'SELECT' || w === 'WITH') return true;
  if (w === 'VALUES') return p.isKw('ROW', k + 1);
  if (w === 'TABLE') return p.isIdent(k + 1);
  return false;
}

/** A complete query expression: [WITH] body [ORDER BY] [LIMIT] [locking] [INTO]. */
export function parseQueryExpr(p: Parser): QueryExpr {
  if (p.isKw('WITH')) return parseWith(p);
  let body = parseSetExpr(p);
  const orderBy = parseOptOrderBy(p);
  const limit = parseOptLimit(p);
  if (orderBy.length > 0 || limit !== undefined) body = attachTail(body, orderBy, limit);
  if (body.type === 'select') parseLockAndInto(p, body);
  return body;
}

function parseWith(p: Parser): QueryExpr {
  const pos = p.peek().start;
  const clause = parseWithClause(p);
  const query = parseQueryExpr(p);
  return { type: 'with', ...clause, query, pos };
}

/** `WITH [RECURSIVE] name [(cols)] AS (query), ...`, up to what follows it. */
export function parseWithClause(p: Parser): WithClause {
  p.expectKw('WITH');
  const recursive = p.acceptKw('RECURSIVE');
  const ctes: WithClause['ctes'] = [];
  do {
    const name = p.ident();
    const columns = p.isOp('(') ? p.identList() : undefined;
    p.expectKw('AS');
    p.expectOp('(');
    const query = parseQueryExpr(p);
    p.expectOp(')');
    ctes.push(columns !== undefined ? { name, columns, query } : { name, query });
  } while (p.acceptOp(','));
  return { recursive, ctes };
}

/** Puts a trailing ORDER BY/LIMIT on a query body; wraps when the body already has a LIMIT of its own. */
function attachTail(body: QueryExpr, orderBy: OrderItem[], limit: Limit | undefined): QueryExpr {
  if (body.type !== 'with' && body.limit === undefined) {
    if (orderBy.length > 0) body.orderBy = orderBy;
    if (limit !== undefined) body.limit = limit;
    return body;
  }
  const wrapped: SelectStmt = {
    type: 'select', distinct: false, options: [],
    items: [{ expr: { type: 'column', column: '*' }, text: '*' }],
    from: [{ type: 'derived', query: body, alias: 'derived_tmp' }],
    groupBy: [], orderBy, pos: body.pos,
  };
  if (limit !== undefined) wrapped.limit = limit;
  return wrapped;
}

/** UNION / EXCEPT (left associative) over INTERSECT terms, which bind tighter. */
function parseSetExpr(p: Parser): QueryExpr {
  const terms = [parseIntersectTerm(p)];
  const links: { op: 'union' | 'except'; all: boolean; pos: number }[] = [];
  for (;;) {
    const w = p.word();
    if (w !== 'UNION' && w !== 'EXCEPT') break;
    const t = p.next();
    const all = setQuantifier(p);
    terms.push(parseIntersectTerm(p));
    links.push({ op: w === 'UNION' ? 'union' : 'except', all, pos: t.start });
  }
  // A chain of one kind of UNION is associative: built balanced, thousands of terms stay shallow.
  if (links.length > 1 && links.every((l) => l.op === 'union' && l.all === links[0].all)) return balancedUnion(terms, links, 0, terms.length - 1);
  const base = p.depth;
  let left = terms[0];
  links.forEach((l, i) => {
    p.descend();
    left = { type: 'setop', op: l.op, all: l.all, left, right: terms[i + 1], orderBy: [], pos: l.pos };
  });
  p.depth = base;
  return left;
}

function balancedUnion(terms: QueryExpr[], links: { all: boolean; pos: number }[], lo: number, hi: number): QueryExpr {
  if (lo === hi) return terms[lo];
  const mid = (lo + hi + 1) >> 1;
  const { all, pos } = links[mid - 1];
  return { type: 'setop', op: 'union', all, left: balancedUnion(terms, links, lo, mid - 1), right: balancedUnion(terms, links, mid, hi), orderBy: [], pos };
}

function parseIntersectTerm(p: Parser): QueryExpr {
  let left = parseQueryPrimary(p);
  const base = p.depth;
  while (p.isKw('INTERSECT')) {
    const t = p.next();
    const all = setQuantifier(p);
    p.descend();
    const right = parseQueryPrimary(p);
    left = { type: 'setop', op: 'intersect', all, left, right, orderBy: [], pos: t.start };
  }
  p.depth = base;
  return left;
}

function setQuantifier(p: Parser): boolean {
  if (p.acceptKw('ALL')) return true;
  p.acceptKw('DISTINCT');
  return false;
}

function parseQueryPrimary(p: Parser): QueryExpr {
  const t = p.peek();
  if (t.kind === Tk.Op && t.text === '(') {
    p.next();
    const q = parseQueryExpr(p);
    p.expectOp(')');
    return q;
  }
  switch (p.word()) {
    case 'SELECT':
      return parseSelectBody(p);
    case 'VALUES':
      return parseValuesBody(p);
    case 'TABLE': {
      p.next();
      const table = parseTableName(p);
      return {
        type: 'select', distinct: false, options: [], items: [{ expr: { type: 'column', column: '*' }, text: '*' }],
        from: [table], groupBy: [], orderBy: [], pos: t.start,
      };
    }
  }
  p.fail(t);
}

/** `VALUES ROW(..), ROW(..)`. */
function parseValuesBody(p: Parser): ValuesStmt {
  const t = p.next();
  const rows: Expr[][] = [];
  do {
    p.expectKw('ROW');
    rows.push(parseRowValues(p));
  } while (p.acceptOp(','));
  return { type: 'values', rows, orderBy: [], pos: t.start };
}

/** `( expr|DEFAULT, ... )`, possibly empty. */
export function parseRowValues(p: Parser): Expr[] {
  p.expectOp('(');
  const row: Expr[] = [];
  if (p.acceptOp(')')) return row;
  do row.push(parseExpr(p));
  while (p.acceptOp(','));
  p.expectOp(')');
  return row;
}

/**
 * The `/*+ MAX_EXECUTION_TIME(n) *\/` optimizer hint in the comment right after SELECT, as MySQL
 * reads it; other hints in the comment are ignored, as MySQL ignores hints it does not know.
 */
function maxExecutionTimeHint(gap: string): number | undefined {
  const comment = /^\s*\/\*\+([\s\S]*?)\*\//.exec(gap);
  const m = comment && /\bMAX_EXECUTION_TIME\s*\(\s*(\d+)\s*\)/i.exec(comment[1]);
  return m ? Number(m[1]) : undefined;
}

/** SELECT up to (not including) ORDER BY / LIMIT. */
function parseSelectBody(p: Parser): SelectStmt {
  const t = p.next();
  const stmt: SelectStmt = {
    type: 'select', distinct: false, options: [], items: [], from: [], groupBy: [], orderBy: [], pos: t.start,
  };
  const hint = maxExecutionTimeHint(p.sql.slice(t.end, p.peek().start));
  if (hint !== undefined) stmt.maxExecutionTimeMs = hint;
  for (;;) {
    const w = p.word();
    if (w === 'ALL') p.next();
    else if (w === 'DISTINCT' || w === 'DISTINCTROW') {
      p.next();
      stmt.distinct = true;
    } else if (SELECT_OPTIONS.has(w)) {
      p.next();
      stmt.options.push(w);
    } else break;
  }
  stmt.items = parseSelectItems(p);
  parseInto(p, stmt);
  if (p.acceptKw('FROM')) {
    if (p.isKw('DUAL')) p.next();
    else stmt.from = parseTableRefs(p);
  }
  if (p.acceptKw('WHERE')) stmt.where = parseExpr(p);
  if (p.acceptKws('GROUP', 'BY')) {
    do {
      stmt.groupBy.push(parseExpr(p));
      if (!p.acceptKw('ASC')) p.acceptKw('DESC');
    } while (p.acceptOp(','));
    if (p.acceptKws('WITH', 'ROLLUP')) stmt.withRollup = true;
  }
  if (p.acceptKw('HAVING')) stmt.having = parseExpr(p);
  if (p.acceptKw('WINDOW')) {
    const windows: { name: string; spec: WindowSpec }[] = [];
    do {
      const name = p.ident();
      p.expectKw('AS');
      windows.push({ name, spec: parseWindowSpec(p) });
    } while (p.acceptOp(','));
    stmt.windows = windows;
  }
  return stmt;
}

function parseSelectItems(p: Parser): SelectItem[] {
  const items: SelectItem[] = [];
  const sql = p.sql;
  do {
    const t = p.peek();
    if (t.kind === Tk.Op && t.text === '*') {
      if (items.length > 0) p.fail(t);
      p.next();
      items.push({ expr: { type: 'column', column: '*', pos: t.start }, text: '*' });
      continue;
    }
    const expr = parseExpr(p);
    const item: SelectItem = { expr, text: itemText(sql, t.start, p.prevEnd) };
    const alias = parseOptAlias(p, true);
    if (alias !== undefined) item.alias = alias;
    items.push(item);
  } while (p.acceptOp(','));
  return items;
}

/** `[AS] alias`; select-list aliases may also be quoted strings. */
export function parseOptAlias(p: Parser, allowString: boolean): string | undefined {
  if (p.acceptKw('AS')) {
    const t = p.peek();
    if (allowString && t.kind === Tk.Str) return p.string();
    return p.ident();
  }
  const t = p.peek();
  if (p.isIdent()) {
    p.next();
    return t.text;
  }
  if (allowString && t.kind === Tk.Str) return p.string();
  return undefined;
}

function parseInto(p: Parser, stmt: SelectStmt): void {
  if (!p.isKw('INTO')) return;
  p.next();
  if (p.isKw('OUTFILE') || p.isKw('DUMPFILE')) throw new UnsupportedSignal(`SELECT ... INTO ${p.word()}`);
  const vars: VariableExpr[] = [];
  do {
    const t = p.peek();
    if (t.kind !== Tk.UserVar) {
      if (p.isIdent()) throw new UnsupportedSignal('SELECT ... INTO local variables');
      p.fail(t);
    }
    p.next();
    vars.push({ type: 'variable', kind: 'user', name: t.text, pos: t.start });
  } while (p.acceptOp(','));
  stmt.into = vars;
}

/** FOR UPDATE / FOR SHARE [OF t] [NOWAIT|SKIP LOCKED] / LOCK IN SHARE MODE, and a trailing INTO. */
function parseLockAndInto(p: Parser, stmt: SelectStmt): void {
  parseInto(p, stmt);
  for (;;) {
    if (p.isKw('FOR') && (p.isKw('UPDATE', 1) || p.isKw('SHARE', 1))) {
      p.next();
      stmt.lock = p.next().upper === 'UPDATE' ? 'update' : 'share';
      if (p.acceptKw('OF')) {
        parseTableName(p);
        while (p.acceptOp(',')) parseTableName(p);
      }
      if (!p.acceptKw('NOWAIT')) p.acceptKws('SKIP', 'LOCKED');
    } else if (p.acceptKws('LOCK', 'IN', 'SHARE', 'MODE')) {
      stmt.lock = 'share';
    } else break;
  }
  parseInto(p, stmt);
}
