// INSERT / REPLACE, UPDATE and DELETE statements.
import type { DeleteStmt, Expr, InsertStmt, TableName, UpdateStmt } from './ast.js';
import type { Parser } from './parser-base.js';
import { parseExpr } from './expr.js';
import { parseAssignments, parseOptLimit, parseOptOrderBy, parseTableName } from './clauses.js';
import { parseTableRefs } from './from.js';
import { parseOptAlias, parseQueryExpr, parseRowValues, startsQuery } from './select.js';

/** INSERT or REPLACE (the keyword is at the cursor). */
export function parseInsert(p: Parser): InsertStmt {
  const t = p.next();
  const replace = t.upper === 'REPLACE';
  for (;;) {
    const w = p.word();
    if (w === 'LOW_PRIORITY' || w === 'DELAYED' || (w === 'HIGH_PRIORITY' && !replace)) p.next();
    else break;
  }
  const ignore = !replace && p.acceptKw('IGNORE');
  p.acceptKw('INTO');
  const table = parseTableName(p);
  if (p.acceptKw('PARTITION')) p.identList();
  const stmt: InsertStmt = { type: 'insert', replace, ignore, table, pos: t.start };
  if (p.isOp('(') && !startsQuery(p, 1)) {
    p.next();
    const cols: string[] = [];
    if (!p.isOp(')')) {
      do cols.push(insertColumn(p));
      while (p.acceptOp(','));
    }
    p.expectOp(')');
    stmt.columns = cols;
  }
  if (p.isKw('VALUES') || p.isKw('VALUE')) {
    p.next();
    const rows: Expr[][] = [];
    do {
      p.acceptKw('ROW');
      rows.push(parseRowValues(p));
    } while (p.acceptOp(','));
    stmt.rows = rows;
    rowAlias(p, stmt);
  } else if (p.acceptKw('SET')) {
    stmt.set = parseAssignments(p);
    rowAlias(p, stmt);
  } else if (startsQuery(p)) {
    stmt.query = parseQueryExpr(p);
  } else p.fail();
  if (p.acceptKws('ON', 'DUPLICATE', 'KEY', 'UPDATE')) stmt.onDuplicate = parseAssignments(p);
  return stmt;
}

/** A column in an INSERT column list; `t.col` is accepted and reduced to col. */
function insertColumn(p: Parser): string {
  let name = p.ident();
  while (p.acceptOp('.')) name = p.identAfterDot();
  return name;
}

function rowAlias(p: Parser, stmt: InsertStmt): void {
  if (!p.acceptKw('AS')) return;
  stmt.rowAlias = p.ident();
  if (p.isOp('(')) stmt.rowAliasColumns = p.identList();
}

/** UPDATE (the keyword is at the cursor). */
export function parseUpdate(p: Parser): UpdateStmt {
  const t = p.next();
  p.acceptKw('LOW_PRIORITY');
  const ignore = p.acceptKw('IGNORE');
  const tables = parseTableRefs(p);
  p.expectKw('SET');
  const stmt: UpdateStmt = { type: 'update', ignore, tables, set: parseAssignments(p), orderBy: [], pos: t.start };
  if (p.acceptKw('WHERE')) stmt.where = parseExpr(p);
  stmt.orderBy = parseOptOrderBy(p);
  const limit = parseOptLimit(p);
  if (limit !== undefined) stmt.limit = limit;
  return stmt;
}

/** A multi-table DELETE target: `t`, `t.*`, `db.t.*`. */
function deleteTarget(p: Parser): TableName {
  const pos = p.peek().start;
  const parts = [p.ident()];
  while (p.isOp('.')) {
    p.next();
    if (p.acceptOp('*')) break;
    if (parts.length === 2) p.fail();
    parts.push(p.identAfterDot());
  }
  return parts.length === 2 ? { type: 'table', schema: parts[0], name: parts[1], pos } : { type: 'table', name: parts[0], pos };
}

/** DELETE, single- and multi-table forms (the keyword is at the cursor). */
export function parseDelete(p: Parser): DeleteStmt {
  const t = p.next();
  const stmt: DeleteStmt = { type: 'delete', ignore: false, orderBy: [], pos: t.start };
  for (;;) {
    if (p.acceptKw('LOW_PRIORITY')) continue;
    if (p.acceptKw('QUICK')) stmt.quick = true;
    else if (p.acceptKw('IGNORE')) stmt.ignore = true;
    else break;
  }
  if (p.acceptKw('FROM')) {
    const first = deleteTarget(p);
    if (p.isOp(',') || p.isKw('USING')) return multiTableDelete(p, stmt, first, 'USING');
    const alias = parseOptAlias(p, false);
    if (alias !== undefined) first.alias = alias;
    if (p.acceptKw('PARTITION')) p.identList();
    stmt.table = first;
    if (p.acceptKw('WHERE')) stmt.where = parseExpr(p);
    stmt.orderBy = parseOptOrderBy(p);
    const limit = parseOptLimit(p);
    if (limit !== undefined) stmt.limit = limit;
    return stmt;
  }
  return multiTableDelete(p, stmt, deleteTarget(p), 'FROM');
}

/** `DELETE FROM t1, t2 USING refs WHERE ...` and `DELETE t1, t2 FROM refs WHERE ...`: the targets, then the table references. */
function multiTableDelete(p: Parser, stmt: DeleteStmt, first: TableName, refsKeyword: 'USING' | 'FROM'): DeleteStmt {
  const targets = [first];
  while (p.acceptOp(',')) targets.push(deleteTarget(p));
  p.expectKw(refsKeyword);
  stmt.targets = targets;
  stmt.from = parseTableRefs(p);
  if (p.acceptKw('WHERE')) stmt.where = parseExpr(p);
  return stmt;
}
