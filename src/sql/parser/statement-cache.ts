// A session's recently parsed statement texts, so a text sent again reuses its AST (and with it its cached plan).
import type { Statement } from './ast.js';
import { parse } from './index.js';

/** Statements per session kept; the least recently used goes first. */
const STATEMENTS_MAX = 64;
/** Longer texts (bulk INSERTs, dumps) are parsed each time rather than held. */
const TEXT_LENGTH_MAX = 4096;

/** Kinds whose AST is only read while it runs and whose plans are worth reusing. */
function reusable(stmt: Statement): boolean {
  switch (stmt.type) {
    case 'select': case 'setop': case 'values': case 'with': case 'insert': case 'update': case 'delete':
      return true;
    default:
      return false;
  }
}

/**
 * Parsed statements by their exact text. Parsing depends on the text alone (no sql_mode changes
 * it), so the AST can be shared; what an AST's plan depends on is checked by the plan cache.
 */
export class StatementCache {
  private readonly byText = new Map<string, Statement>();

  parse(sql: string): Statement {
    const hit = this.byText.get(sql);
    if (hit !== undefined) {
      // Most recently used last: the Map's order is the eviction order.
      this.byText.delete(sql);
      this.byText.set(sql, hit);
      return hit;
    }
    const stmt = parse(sql);
    if (sql.length <= TEXT_LENGTH_MAX && reusable(stmt)) {
      if (this.byText.size >= STATEMENTS_MAX) {
        const oldest = this.byText.keys().next();
        if (!oldest.done) this.byText.delete(oldest.value);
      }
      this.byText.set(sql, stmt);
    }
    return stmt;
  }

  clear(): void {
    this.byText.clear();
  }
}
