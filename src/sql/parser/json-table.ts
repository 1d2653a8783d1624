// JSON_TABLE(doc, path COLUMNS (...)) AS alias in a FROM clause.
import { sqlError } from '../../base/errors.js';
import type { JsonTableColumn, JsonTableFallback, JsonTableRef } from './ast.js';
import type { Parser } from './parser-base.js';
import { parseExpr } from './expr.js';
import { parseDataType } from './types.js';
import { parseOptAlias } from './select.js';

/** The table function, with the cursor on JSON_TABLE. */
export function parseJsonTable(p: Parser): JsonTableRef {
  const t = p.next();
  p.expectOp('(');
  const doc = parseExpr(p);
  p.expectOp(',');
  const path = p.string();
  const columns = parseColumns(p);
  p.expectOp(')');
  const alias = parseOptAlias(p, false);
  if (alias === undefined) throw sqlError('TF_MUST_HAVE_ALIAS', 'Every table function must have an alias');
  return { type: 'jsonTable', doc, path, columns, alias, pos: t.start };
}

/** `COLUMNS ( column [, column ...] )`. */
function parseColumns(p: Parser): JsonTableColumn[] {
  p.expectKw('COLUMNS');
  p.expectOp('(');
  const out = [parseColumn(p)];
  while (p.acceptOp(',')) out.push(parseColumn(p));
  p.expectOp(')');
  return out;
}

function parseColumn(p: Parser): JsonTableColumn {
  if (p.acceptKw('NESTED')) {
    p.acceptKw('PATH');
    const path = p.string();
    return { kind: 'nested', path, columns: parseColumns(p) };
  }
  const name = p.ident();
  if (p.acceptKws('FOR', 'ORDINALITY')) return { kind: 'ordinality', name };
  const type = parseDataType(p).type;
  const exists = p.acceptKw('EXISTS');
  p.expectKw('PATH');
  const path = p.string();
  let onEmpty: JsonTableFallback = { action: 'null' };
  let onError: JsonTableFallback = { action: 'null' };
  for (let k = 0; k < 2; k++) {
    const fallback = parseFallback(p);
    if (!fallback) break;
    p.expectKw('ON');
    if (p.acceptKw('EMPTY')) onEmpty = fallback;
    else {
      p.expectKw('ERROR');
      onError = fallback;
    }
  }
  return { kind: 'path', name, type, path, exists, onEmpty, onError };
}

/** `NULL`, `ERROR` or `DEFAULT 'json'` before ON EMPTY / ON ERROR; undefined when none follows. */
function parseFallback(p: Parser): JsonTableFallback | undefined {
  if (p.isKw('NULL') && p.isKw('ON', 1)) {
    p.next();
    return { action: 'null' };
  }
  if (p.isKw('ERROR') && p.isKw('ON', 1)) {
    p.next();
    return { action: 'error' };
  }
  if (p.acceptKw('DEFAULT')) return { action: 'default', value: p.string() };
  return undefined;
}
