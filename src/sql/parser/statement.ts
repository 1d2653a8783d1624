// Statement dispatch on the leading keyword, and the unsupported-statement fallback.
import type { Statement } from './ast.js';
import { Tk } from '../lexer/token.js';
import { UnsupportedSignal, type Parser } from './parser-base.js';
import { parseQueryExpr, parseWithClause, startsQuery } from './select.js';
import { parseDelete, parseInsert, parseUpdate } from './dml.js';
import { parseAlter, parseCreate, parseDrop, parseRename, parseTruncate } from './ddl.js';
import { parseExplain, parseSet, parseShow, parseUse } from './show-set.js';
import {
  UNSUPPORTED_LEADS, parseBegin, parseCommit, parseDo, parseFlush, parseKill, parseLock, parseRelease,
  parsePurgeLogs, parseReplicaControl, parseChangeReplicationFilter, parseChangeSource, parseResetReplica, parsePromote, parseRollback, parseSavepoint, parseTableAdmin, parseUnlock,
} from './misc.js';

/** One statement at the cursor; stops before `;` / EOF (the caller checks what follows). */
export function parseStatement(p: Parser): Statement {
  const t = p.peek();
  const mark = p.mark();
  try {
    return parseStatementBody(p);
  } catch (e) {
    if (!(e instanceof UnsupportedSignal)) throw e;
    p.reset(mark);
    if (e.skipAll) p.skipAll();
    else p.skipToEnd();
    return { type: 'unsupported', feature: e.feature, pos: t.start };
  }
}

/** Dispatch on the first word. */
export function parseStatementBody(p: Parser): Statement {
  const t = p.peek();
  if (t.kind === Tk.Op && t.text === '(') {
    if (startsQuery(p)) return parseQueryExpr(p);
    p.fail(t);
  }
  if (t.kind !== Tk.Word) p.fail(t);
  switch (t.upper) {
    case 'WITH':
      // WITH before UPDATE or DELETE gives their subqueries the CTEs; otherwise it starts a query.
      if (startsDmlAfterWith(p)) {
        const clause = parseWithClause(p);
        const stmt = p.isKw('UPDATE') ? parseUpdate(p) : parseDelete(p);
        stmt.with = clause;
        return stmt;
      }
      return parseQueryExpr(p);
    case 'SELECT':
    case 'VALUES':
    case 'TABLE':
      return parseQueryExpr(p);
    case 'INSERT':
    case 'REPLACE':
      return parseInsert(p);
    case 'UPDATE':
      return parseUpdate(p);
    case 'DELETE':
      return parseDelete(p);
    case 'CREATE':
      return parseCreate(p);
    case 'DROP':
      return parseDrop(p);
    case 'ALTER':
      return parseAlter(p);
    case 'RENAME':
      return parseRename(p);
    case 'TRUNCATE':
      return parseTruncate(p);
    case 'USE':
      return parseUse(p);
    case 'SET':
      return parseSet(p);
    case 'SHOW':
      return parseShow(p);
    case 'DESCRIBE':
    case 'DESC':
    case 'EXPLAIN':
      return parseExplain(p, parseStatementBody);
    case 'BEGIN':
      return parseBegin(p);
    case 'START':
      if (p.isKw('TRANSACTION', 1)) return parseBegin(p);
      if (p.isKw('REPLICA', 1) || p.isKw('SLAVE', 1)) return parseReplicaControl(p);
      throw new UnsupportedSignal(`START ${p.word(1)}`.trim());
    case 'COMMIT':
      return parseCommit(p);
    case 'ROLLBACK':
      return parseRollback(p);
    case 'SAVEPOINT':
      return parseSavepoint(p);
    case 'RELEASE':
      return parseRelease(p);
    case 'KILL':
      return parseKill(p);
    case 'STOP':
      if (p.isKw('REPLICA', 1) || p.isKw('SLAVE', 1)) return parseReplicaControl(p);
      break;
    case 'CHANGE':
      if (p.isKw('REPLICATION', 1) && p.isKw('FILTER', 2)) return parseChangeReplicationFilter(p);
      if (p.isKw('REPLICATION', 1) || p.isKw('MASTER', 1)) return parseChangeSource(p);
      break;
    case 'RESET':
      if (p.isKw('REPLICA', 1) || p.isKw('SLAVE', 1)) return parseResetReplica(p);
      break;
    case 'PROMOTE':
      return parsePromote(p);
    case 'DO':
      return parseDo(p);
    case 'PURGE':
      return parsePurgeLogs(p);
    case 'LOCK':
      return parseLock(p);
    case 'UNLOCK':
      return parseUnlock(p);
    case 'FLUSH':
      return parseFlush(p);
    case 'ANALYZE':
    case 'OPTIMIZE':
    case 'CHECK':
    case 'REPAIR':
      return parseTableAdmin(p);
  }
  const u = UNSUPPORTED_LEADS[t.upper];
  if (u !== undefined) throw new UnsupportedSignal(u.feature, u.skipAll);
  p.fail(t);
}

/** Whether the WITH at the cursor is followed, after its CTEs, by UPDATE or DELETE (a look ahead over balanced parentheses). */
function startsDmlAfterWith(p: Parser): boolean {
  let depth = 0;
  for (let k = 1; ; k++) {
    const t = p.peek(k);
    if (t.kind === Tk.EOF) return false;
    if (t.kind === Tk.Op && t.text === '(') depth++;
    else if (t.kind === Tk.Op && t.text === ')') depth--;
    else if (depth === 0 && t.kind === Tk.Word && (t.upper === 'UPDATE' || t.upper === 'DELETE' || t.upper === 'SELECT' || t.upper === 'VALUES' || t.upper === 'TABLE')) {
      return t.upper === 'UPDATE' || t.upper === 'DELETE';
    }
  }
}
