// The top-level clauses of a SELECT's text (select list, FROM … WHERE body, ORDER BY), found with mizzle's lexer, so the router can rewrite a query by pieces.
import { Lexer } from '../sql/lexer/lexer.js';
import { Tk } from '../sql/lexer/token.js';

export interface SelectText {
  /** Between SELECT and FROM (options, DISTINCT and the items as written). */
  items: string;
  /** From FROM to the first of GROUP BY, HAVING, WINDOW, ORDER BY, LIMIT, locking or INTO. */
  body: string;
  /** The ORDER BY list as written, or ''. */
  orderBy: string;
}

const ENDS_BODY = new Set(['GROUP', 'HAVING', 'WINDOW', 'ORDER', 'LIMIT', 'FOR', 'LOCK', 'INTO']);

/** Splits `sql` (one plain SELECT with a FROM) at its top-level clause words; undefined when it is not that shape. */
export function selectText(sql: string): SelectText | undefined {
  const lexer = new Lexer(sql);
  let depth = 0;
  let selectEnd = -1;
  let from = -1;
  let bodyEnd = -1;
  let orderStart = -1;
  let orderEnd = -1;
  for (let t = lexer.next(); t.kind !== Tk.EOF; t = lexer.next()) {
    if (t.kind === Tk.Op && t.text === '(') depth++;
    else if (t.kind === Tk.Op && t.text === ')') depth--;
    if (depth !== 0 || t.kind !== Tk.Word) {
      if (t.kind === Tk.Op && t.text === ';' && depth === 0) {
        if (bodyEnd < 0) bodyEnd = t.start;
        if (orderStart >= 0 && orderEnd < 0) orderEnd = t.start;
      }
      continue;
    }
    if (selectEnd < 0 && t.upper === 'SELECT') selectEnd = t.end;
    else if (from < 0 && selectEnd >= 0 && t.upper === 'FROM') from = t.start;
    else if (from >= 0 && ENDS_BODY.has(t.upper)) {
      if (bodyEnd < 0) bodyEnd = t.start;
      if (orderStart >= 0 && orderEnd < 0) orderEnd = t.start;
      if (t.upper === 'ORDER') {
        const by = lexer.next();
        if (by.upper !== 'BY') return undefined;
        orderStart = by.end;
      }
    }
  }
  if (selectEnd < 0 || from < 0) return undefined;
  if (bodyEnd < 0) bodyEnd = sql.length;
  if (orderStart >= 0 && orderEnd < 0) orderEnd = sql.length;
  return { items: sql.slice(selectEnd, from).trim(), body: sql.slice(from, bodyEnd).trim(), orderBy: orderStart < 0 ? '' : sql.slice(orderStart, orderEnd).trim() };
}
