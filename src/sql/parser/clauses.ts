// Small clauses shared by several statements: ORDER BY items, LIMIT, table names, assignments.
import type { Assignment, Expr, Limit, OrderItem, TableName } from './ast.js';
import { Tk } from '../lexer/token.js';
import type { Parser } from './parser-base.js';
import { parseColumnRef, parseExpr, integerLiteral } from './expr.js';

/** `expr [ASC|DESC], ...` (after ORDER BY). */
export function parseOrderItems(p: Parser): OrderItem[] {
  const items: OrderItem[] = [];
  do {
    const expr = parseExpr(p);
    let desc = false;
    if (p.acceptKw('DESC')) desc = true;
    else p.acceptKw('ASC');
    items.push({ expr, desc });
  } while (p.acceptOp(','));
  return items;
}

/** A LIMIT operand: an integer literal or `?`. */
function limitValue(p: Parser): Expr {
  const t = p.peek();
  if (t.kind === Tk.Int) {
    p.next();
    return integerLiteral(t.text, t.start);
  }
  if (t.kind === Tk.Param) {
    p.next();
    return { type: 'param', index: p.params++, pos: t.start };
  }
  if (t.kind === Tk.UserVar) {
    p.next();
    return { type: 'variable', kind: 'user', name: t.text, pos: t.start };
  }
  p.fail(t);
}

/** `n`, `o, n`, `n OFFSET o` (after LIMIT). */
export function parseLimitBody(p: Parser): Limit {
  const first = limitValue(p);
  if (p.acceptOp(',')) return { offset: first, count: limitValue(p) };
  if (p.acceptKw('OFFSET')) return { count: first, offset: limitValue(p) };
  return { count: first };
}

/** `[LIMIT ...]`. */
export function parseOptLimit(p: Parser): Limit | undefined {
  return p.acceptKw('LIMIT') ? parseLimitBody(p) : undefined;
}

/** `[ORDER BY ...]`. */
export function parseOptOrderBy(p: Parser): OrderItem[] {
  return p.acceptKws('ORDER', 'BY') ? parseOrderItems(p) : [];
}

/** `name` or `db.name`. */
export function parseTableName(p: Parser): TableName {
  const pos = p.peek().start;
  const first = p.ident();
  if (p.isOp('.')) {
    p.next();
    return { type: 'table', schema: first, name: p.identAfterDot(), pos };
  }
  return { type: 'table', name: first, pos };
}

/** `a, b, c` table names. */
export function parseTableNameList(p: Parser): TableName[] {
  const out = [parseTableName(p)];
  while (p.acceptOp(',')) out.push(parseTableName(p));
  return out;
}

/** `col = expr, ...` (UPDATE SET, INSERT SET, ON DUPLICATE KEY UPDATE). */
export function parseAssignments(p: Parser): Assignment[] {
  const out: Assignment[] = [];
  do {
    const column = parseColumnRef(p);
    if (!p.acceptOp('=')) p.expectOp(':=');
    out.push({ column, value: parseExpr(p) });
  } while (p.acceptOp(','));
  return out;
}
