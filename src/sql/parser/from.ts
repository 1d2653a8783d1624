// FROM clauses: table factors, derived tables, index hints and the join operators.
import type { DerivedTable, JoinRef, QueryExpr, TableName, TableRef } from './ast.js';
import { sqlError } from '../../base/errors.js';
import { isTooDeep, UnsupportedSignal, type Parser } from './parser-base.js';
import { NESTING_WEIGHT, parseExpr, parseParenQuery } from './expr.js';
import { parseTableName } from './clauses.js';
import { parseOptAlias, startsQuery } from './select.js';
import { parseJsonTable } from './json-table.js';

/** `ref, ref, ...`: comma joins become one left-deep tree of cross joins with `comma: true`. */
export function parseTableRefs(p: Parser): TableRef[] {
  let left = parseTableReference(p);
  while (p.isOp(',')) {
    const t = p.next();
    const right = parseTableReference(p);
    left = { type: 'join', kind: 'cross', natural: false, comma: true, left, right, pos: t.start };
  }
  return [left];
}

/** A table factor followed by any number of explicit joins. */
export function parseTableReference(p: Parser): TableRef {
  let left = parseTableFactor(p);
  for (;;) {
    const j = parseJoinStep(p, left);
    if (j === undefined) return left;
    left = j;
  }
}

function isJoinStart(p: Parser): boolean {
  switch (p.word()) {
    case 'JOIN':
    case 'INNER':
    case 'CROSS':
    case 'STRAIGHT_JOIN':
    case 'LEFT':
    case 'RIGHT':
    case 'NATURAL':
      return true;
    default:
      return false;
  }
}

function joinCondition(p: Parser, join: JoinRef, required: boolean): void {
  if (p.acceptKw('ON')) join.on = parseExpr(p);
  else if (p.acceptKw('USING')) join.using = p.identList();
  else if (required) p.fail();
}

/** One join operator applied to `left`, or undefined when none follows. */
function parseJoinStep(p: Parser, left: TableRef): JoinRef | undefined {
  const t = p.peek();
  const w = p.word();
  switch (w) {
    case 'JOIN':
    case 'INNER':
    case 'CROSS': {
      p.next();
      if (w !== 'JOIN') p.expectKw('JOIN');
      const join: JoinRef = { type: 'join', kind: w === 'CROSS' ? 'cross' : 'inner', natural: false, left, right: parseTableFactor(p), pos: t.start };
      joinCondition(p, join, false);
      if (join.kind === 'cross' && (join.on !== undefined || join.using !== undefined)) join.kind = 'inner';
      return join;
    }
    case 'STRAIGHT_JOIN': {
      p.next();
      const join: JoinRef = { type: 'join', kind: 'inner', natural: false, straight: true, left, right: parseTableFactor(p), pos: t.start };
      if (p.acceptKw('ON')) join.on = parseExpr(p);
      return join;
    }
    case 'LEFT':
    case 'RIGHT': {
      p.next();
      p.acceptKw('OUTER');
      p.expectKw('JOIN');
      let right = parseTableFactor(p);
      while (!p.isKw('ON') && !p.isKw('USING') && isJoinStart(p)) {
        const nested = parseJoinStep(p, right);
        if (nested === undefined) break;
        right = nested;
      }
      const join: JoinRef = { type: 'join', kind: w === 'LEFT' ? 'left' : 'right', natural: false, left, right, pos: t.start };
      joinCondition(p, join, true);
      return join;
    }
    case 'NATURAL': {
      p.next();
      let kind: 'inner' | 'left' | 'right' = 'inner';
      if (p.acceptKw('LEFT')) kind = 'left';
      else if (p.acceptKw('RIGHT')) kind = 'right';
      else p.acceptKw('INNER');
      if (kind !== 'inner') p.acceptKw('OUTER');
      p.expectKw('JOIN');
      return { type: 'join', kind, natural: true, left, right: parseTableFactor(p), pos: t.start };
    }
    default:
      return undefined;
  }
}

/** A table name, derived table, LATERAL derived table, JSON_TABLE or parenthesized join. */
export function parseTableFactor(p: Parser): TableRef {
  const t = p.peek();
  if (p.isKw('LATERAL')) {
    p.next();
    return derivedTail(p, parseParenQuery(p), t.start, true);
  }
  if (p.isOp('(')) {
    if (startsQuery(p, 1)) {
      if (!p.isOp('(', 1)) return derivedTail(p, parseParenQuery(p), t.start, false);
      const m = p.mark();
      try {
        const q = parseParenQuery(p);
        return derivedTail(p, q, t.start, false);
      } catch (e) {
        if (isDerivedAliasError(e) || e instanceof UnsupportedSignal || isTooDeep(e)) throw e;
        p.reset(m);
      }
    }
    p.next();
    p.descend(NESTING_WEIGHT);
    const inner = parseTableRefs(p)[0];
    p.depth -= NESTING_WEIGHT;
    p.expectOp(')');
    return inner;
  }
  if (p.isKw('JSON_TABLE') && p.isOp('(', 1)) return parseJsonTable(p);
  if (p.isOp('{')) {
    // ODBC outer-join escape: { OJ table_reference }
    p.next();
    p.expectKw('OJ');
    const inner = parseTableReference(p);
    p.expectOp('}');
    return inner;
  }
  const table = parseTableName(p);
  if (p.acceptKw('PARTITION')) p.identList();
  const alias = parseOptAlias(p, false);
  if (alias !== undefined) table.alias = alias;
  parseIndexHints(p, table);
  return table;
}

function isDerivedAliasError(e: unknown): boolean {
  return e instanceof Error && (e as { code?: number }).code === 1248;
}

function derivedTail(p: Parser, query: QueryExpr, pos: number, lateral: boolean): DerivedTable {
  const alias = parseOptAlias(p, false);
  if (alias === undefined) throw sqlError('DERIVED_MUST_HAVE_ALIAS', 'Every derived table must have its own alias');
  const d: DerivedTable = { type: 'derived', query, alias, pos };
  if (p.isOp('(')) d.columnAliases = p.identList();
  if (lateral) d.lateral = true;
  return d;
}

/** USE/IGNORE/FORCE {INDEX|KEY} [FOR JOIN|ORDER BY|GROUP BY] (names). */
function parseIndexHints(p: Parser, table: TableName): void {
  for (;;) {
    const w = p.word();
    if ((w !== 'USE' && w !== 'IGNORE' && w !== 'FORCE') || !(p.isKw('INDEX', 1) || p.isKw('KEY', 1))) return;
    p.next();
    p.next();
    if (p.acceptKw('FOR')) {
      if (!p.acceptKw('JOIN')) {
        if (!p.acceptKw('ORDER')) p.expectKw('GROUP');
        p.expectKw('BY');
      }
    }
    p.expectOp('(');
    const indexes: string[] = [];
    if (!p.isOp(')')) {
      do {
        if (p.isKw('PRIMARY')) indexes.push(p.next().text);
        else indexes.push(p.ident());
      } while (p.acceptOp(','));
    }
    p.expectOp(')');
    const kind = w === 'USE' ? 'use' : w === 'FORCE' ? 'force' : 'ignore';
    (table.indexHints ??= []).push({ kind, indexes });
  }
}

