// Transaction control, KILL, DO, the administrative statements and the recognized-but-refused ones.
import type { AdminStmt, ReplicaSourceOption, Statement, TableName, TransactionStmt } from './ast.js';
import { UnsupportedSignal, type Parser } from './parser-base.js';
import { parseExpr } from './expr.js';
import { parseTableName, parseTableNameList } from './clauses.js';

/** BEGIN [WORK] / START TRANSACTION [characteristics]. */
export function parseBegin(p: Parser): TransactionStmt {
  const t = p.next();
  const stmt: TransactionStmt = { type: 'transaction', action: 'begin', pos: t.start };
  if (t.upper === 'BEGIN') {
    p.acceptKw('WORK');
    return stmt;
  }
  p.expectKw('TRANSACTION');
  if (p.atEnd()) return stmt;
  do {
    if (p.acceptKws('READ', 'ONLY')) stmt.readOnly = true;
    else if (p.acceptKws('READ', 'WRITE')) stmt.readWrite = true;
    else if (p.acceptKws('WITH', 'CONSISTENT', 'SNAPSHOT')) stmt.consistentSnapshot = true;
    else p.fail();
  } while (p.acceptOp(','));
  return stmt;
}

/** [AND [NO] CHAIN] [[NO] RELEASE]. */
function chainRelease(p: Parser, stmt: TransactionStmt): void {
  if (p.acceptKw('AND')) {
    stmt.chain = !p.acceptKw('NO');
    p.expectKw('CHAIN');
  }
  if (p.acceptKws('NO', 'RELEASE')) stmt.release = false;
  else if (p.acceptKw('RELEASE')) stmt.release = true;
}

/** COMMIT [WORK] ... */
export function parseCommit(p: Parser): TransactionStmt {
  const t = p.next();
  const stmt: TransactionStmt = { type: 'transaction', action: 'commit', pos: t.start };
  p.acceptKw('WORK');
  chainRelease(p, stmt);
  return stmt;
}

/** ROLLBACK [WORK] [TO [SAVEPOINT] x] ... */
export function parseRollback(p: Parser): TransactionStmt {
  const t = p.next();
  p.acceptKw('WORK');
  if (p.acceptKw('TO')) {
    p.acceptKw('SAVEPOINT');
    return { type: 'transaction', action: 'rollbackToSavepoint', savepoint: p.ident(), pos: t.start };
  }
  const stmt: TransactionStmt = { type: 'transaction', action: 'rollback', pos: t.start };
  chainRelease(p, stmt);
  return stmt;
}

/** SAVEPOINT x. */
export function parseSavepoint(p: Parser): TransactionStmt {
  const t = p.next();
  return { type: 'transaction', action: 'savepoint', savepoint: p.ident(), pos: t.start };
}

/** RELEASE SAVEPOINT x. */
export function parseRelease(p: Parser): TransactionStmt {
  const t = p.next();
  p.expectKw('SAVEPOINT');
  return { type: 'transaction', action: 'releaseSavepoint', savepoint: p.ident(), pos: t.start };
}

/** KILL [CONNECTION|QUERY] id. */
export function parseKill(p: Parser): Statement {
  const t = p.next();
  let target: 'connection' | 'query' = 'connection';
  if (p.acceptKw('QUERY')) target = 'query';
  else p.acceptKw('CONNECTION');
  return { type: 'kill', target, id: parseExpr(p), pos: t.start };
}

/** START | STOP REPLICA | SLAVE; thread options (IO_THREAD, SQL_THREAD) and channels are not taken. */
export function parseReplicaControl(p: Parser): Statement {
  const t = p.next();
  p.next();
  if (!p.atEnd()) throw new UnsupportedSignal(`${t.upper} REPLICA with options`);
  return { type: 'replicaControl', action: t.upper === 'START' ? 'start' : 'stop', pos: t.start };
}

/** The filters CHANGE REPLICATION FILTER takes; REPLICATE_REWRITE_DB is not one of mizzle's. */
const REPLICATION_FILTERS: ReadonlySet<string> = new Set(['REPLICATE_DO_DB', 'REPLICATE_IGNORE_DB', 'REPLICATE_DO_TABLE', 'REPLICATE_IGNORE_TABLE', 'REPLICATE_WILD_DO_TABLE', 'REPLICATE_WILD_IGNORE_TABLE']);

/**
 * CHANGE REPLICATION FILTER filter [, filter] ...: databases as names, tables as db.table,
 * wild tables as 'db_pattern.table_pattern' strings, each list in parentheses (empty: cleared).
 */
export function parseChangeReplicationFilter(p: Parser): Statement {
  const t = p.next();
  p.expectKw('REPLICATION');
  p.expectKw('FILTER');
  const filters: { name: string; values: string[] }[] = [];
  do {
    const name = p.word();
    if (name === 'REPLICATE_REWRITE_DB') throw new UnsupportedSignal('REPLICATE_REWRITE_DB');
    if (!REPLICATION_FILTERS.has(name)) p.fail();
    p.next();
    p.expectOp('=');
    p.expectOp('(');
    const values: string[] = [];
    if (!p.isOp(')')) {
      do {
        if (name.includes('WILD')) values.push(p.string());
        else if (name.endsWith('_DB')) values.push(p.ident());
        else {
          const db = p.ident();
          p.expectOp('.');
          values.push(`${db}.${p.identAfterDot()}`);
        }
      } while (p.acceptOp(','));
    }
    p.expectOp(')');
    filters.push({ name, values });
  } while (p.acceptOp(','));
  if (p.acceptKw('FOR')) throw new UnsupportedSignal('CHANGE REPLICATION FILTER ... FOR CHANNEL');
  return { type: 'changeReplicationFilter', filters, pos: t.start };
}

/** Options of CHANGE REPLICATION SOURCE TO that take a number; the others take a string. */
const NUMERIC_SOURCE_OPTIONS = new Set(['SOURCE_PORT', 'SOURCE_SSL', 'SOURCE_AUTO_POSITION', 'SOURCE_CONNECT_RETRY']);

/**
 * CHANGE REPLICATION SOURCE TO name = value, ... (MySQL 8.0.23) or CHANGE MASTER TO MASTER_name = value, ...
 * Names are checked by the server (which knows what it can follow), values here by their kind.
 */
export function parseChangeSource(p: Parser): Statement {
  const t = p.next();
  if (!p.acceptKw('MASTER')) {
    p.expectKw('REPLICATION');
    p.expectKw('SOURCE');
  }
  p.expectKw('TO');
  const options: ReplicaSourceOption[] = [];
  do {
    const name = p.anyWordOrString().toUpperCase().replace(/^MASTER_/, 'SOURCE_');
    p.expectOp('=');
    const value = NUMERIC_SOURCE_OPTIONS.has(name) ? p.integer() : p.string();
    options.push({ name, value });
  } while (p.acceptOp(','));
  if (p.acceptKw('FOR')) throw new UnsupportedSignal('CHANGE REPLICATION SOURCE FOR CHANNEL');
  return { type: 'replicaControl', action: 'change', options, pos: t.start };
}

/** RESET REPLICA [ALL] (or SLAVE). */
export function parseResetReplica(p: Parser): Statement {
  const t = p.next();
  p.next();
  const all = p.acceptKw('ALL');
  if (!p.atEnd()) throw new UnsupportedSignal('RESET REPLICA with options');
  return { type: 'replicaControl', action: 'reset', all, pos: t.start };
}

/** PROMOTE: mizzle's one statement that turns a replica into a primary. */
export function parsePromote(p: Parser): Statement {
  const t = p.next();
  return { type: 'replicaControl', action: 'promote', pos: t.start };
}

/** PURGE { BINARY | MASTER } LOGS { TO 'id' | BEFORE expr }. */
export function parsePurgeLogs(p: Parser): Statement {
  const t = p.next();
  if (!p.acceptKw('BINARY')) p.expectKw('MASTER');
  p.expectKw('LOGS');
  if (p.acceptKw('TO')) return { type: 'purgeLogs', to: p.string(), pos: t.start };
  p.expectKw('BEFORE');
  return { type: 'purgeLogs', before: parseExpr(p), pos: t.start };
}

/** DO expr, ... */
export function parseDo(p: Parser): Statement {
  const t = p.next();
  const exprs = [parseExpr(p)];
  while (p.acceptOp(',')) exprs.push(parseExpr(p));
  return { type: 'do', exprs, pos: t.start };
}

/** LOCK TABLES t [[AS] a] READ [LOCAL] | [LOW_PRIORITY] WRITE, ... (LOCK INSTANCE is refused). */
export function parseLock(p: Parser): AdminStmt {
  const t = p.next();
  if (p.isKw('INSTANCE')) throw new UnsupportedSignal('LOCK INSTANCE');
  if (!p.acceptKw('TABLES')) p.expectKw('TABLE');
  const tables: TableName[] = [];
  do {
    const tn = parseTableName(p);
    if (p.acceptKw('AS')) tn.alias = p.ident();
    else if (p.isIdent() && !p.isKw('LOCAL')) tn.alias = p.ident();
    tables.push(tn);
    if (p.acceptKw('READ')) p.acceptKw('LOCAL');
    else {
      p.acceptKw('LOW_PRIORITY');
      p.expectKw('WRITE');
    }
  } while (p.acceptOp(','));
  return { type: 'admin', command: 'lockTables', tables, words: ['LOCK', 'TABLES'], pos: t.start };
}

/** UNLOCK TABLES. */
export function parseUnlock(p: Parser): AdminStmt {
  const t = p.next();
  if (p.isKw('INSTANCE')) throw new UnsupportedSignal('UNLOCK INSTANCE');
  if (!p.acceptKw('TABLES')) p.expectKw('TABLE');
  return { type: 'admin', command: 'unlockTables', tables: [], words: ['UNLOCK', 'TABLES'], pos: t.start };
}

/** FLUSH [NO_WRITE_TO_BINLOG|LOCAL] option, ... — `words` keeps every word. */
export function parseFlush(p: Parser): AdminStmt {
  const t = p.next();
  const words = ['FLUSH'];
  const tables: TableName[] = [];
  if (!p.acceptKw('NO_WRITE_TO_BINLOG')) p.acceptKw('LOCAL');
  do {
    const w = p.word();
    if (w === '') p.fail();
    p.next();
    words.push(w);
    if (w === 'TABLES' || w === 'TABLE') {
      if (p.isIdent() && !p.isKw('WITH') && !p.isKw('FOR')) tables.push(...parseTableNameList(p));
      if (p.acceptKws('WITH', 'READ', 'LOCK')) words.push('WITH', 'READ', 'LOCK');
      else if (p.acceptKws('FOR', 'EXPORT')) words.push('FOR', 'EXPORT');
    } else if (w === 'ENGINE' || w === 'ERROR' || w === 'GENERAL' || w === 'SLOW' || w === 'BINARY' || w === 'RELAY' || w === 'OPTIMIZER_COSTS') {
      while (!p.atEnd() && !p.isOp(',')) words.push(p.next().upper);
    }
  } while (p.acceptOp(','));
  return { type: 'admin', command: 'flush', tables, words, pos: t.start };
}

const TABLE_ADMIN: Record<string, AdminStmt['command']> = {
  ANALYZE: 'analyzeTable', OPTIMIZE: 'optimizeTable', CHECK: 'checkTable', REPAIR: 'repairTable',
};

/** ANALYZE | OPTIMIZE | CHECK | REPAIR [NO_WRITE_TO_BINLOG|LOCAL] TABLE t, ... [options]. */
export function parseTableAdmin(p: Parser): AdminStmt {
  const t = p.next();
  const command = TABLE_ADMIN[t.upper];
  if (!p.acceptKw('NO_WRITE_TO_BINLOG')) p.acceptKw('LOCAL');
  if (!p.acceptKw('TABLE')) p.expectKw('TABLES');
  const tables = parseTableNameList(p);
  const words = [t.upper, 'TABLE'];
  // CHECK/REPAIR options, ANALYZE ... UPDATE|DROP HISTOGRAM: kept as words
  while (!p.atEnd()) words.push(p.next().text.toUpperCase());
  return { type: 'admin', command, tables, words, pos: t.start };
}

/** Leading words of statements mizzle recognizes only to refuse; the value names the feature. */
export const UNSUPPORTED_LEADS: Record<string, { feature: string; skipAll?: boolean }> = {
  CALL: { feature: 'CALL' },
  PREPARE: { feature: 'PREPARE' },
  EXECUTE: { feature: 'EXECUTE' },
  DEALLOCATE: { feature: 'DEALLOCATE PREPARE' },
  GRANT: { feature: 'GRANT' },
  REVOKE: { feature: 'REVOKE' },
  LOAD: { feature: 'LOAD DATA' },
  HANDLER: { feature: 'HANDLER' },
  XA: { feature: 'XA transactions' },
  INSTALL: { feature: 'INSTALL PLUGIN' },
  UNINSTALL: { feature: 'UNINSTALL PLUGIN' },
  CHANGE: { feature: 'CHANGE REPLICATION' },
  RESET: { feature: 'RESET' },
  SHUTDOWN: { feature: 'SHUTDOWN' },
  RESTART: { feature: 'RESTART' },
  CLONE: { feature: 'CLONE' },
  SIGNAL: { feature: 'SIGNAL' },
  RESIGNAL: { feature: 'RESIGNAL' },
  GET: { feature: 'GET DIAGNOSTICS' },
  CACHE: { feature: 'CACHE INDEX' },
  IMPORT: { feature: 'IMPORT TABLE' },
  BINLOG: { feature: 'BINLOG' },
  HELP: { feature: 'HELP' },
  CHECKSUM: { feature: 'CHECKSUM TABLE' },
  DECLARE: { feature: 'DECLARE', skipAll: true },
  STOP: { feature: 'STOP REPLICA' },
};
