// Session statements: SET in all its forms, SHOW, DESCRIBE/EXPLAIN and USE.
import type { Expr, SetAssignment, SetStmt, ShowStmt, Statement, VariableExpr } from './ast.js';
import { Tk } from '../lexer/token.js';
import { UnsupportedSignal, type Parser } from './parser-base.js';
import { parseExpr } from './expr.js';
import { parseLimitBody, parseTableName } from './clauses.js';
import { startsQuery } from './select.js';

type Scope = 'global' | 'session' | undefined;

function scopeWord(w: string): Scope | null {
  switch (w) {
    case 'GLOBAL':
    case 'PERSIST':
    case 'PERSIST_ONLY':
      return 'global';
    case 'SESSION':
    case 'LOCAL':
      return 'session';
    default:
      return null;
  }
}

/** SET ... (the keyword is at the cursor). */
export function parseSet(p: Parser): SetStmt {
  const t = p.next();
  switch (p.word()) {
    case 'PASSWORD':
      throw new UnsupportedSignal('SET PASSWORD');
    case 'ROLE':
      throw new UnsupportedSignal('SET ROLE');
    case 'RESOURCE':
      throw new UnsupportedSignal('SET RESOURCE GROUP');
  }
  if (p.isKw('DEFAULT') && p.isKw('ROLE', 1)) throw new UnsupportedSignal('SET DEFAULT ROLE');
  const assignments: SetAssignment[] = [];
  let sticky: Scope;
  do {
    const w = p.word();
    const sc = scopeWord(w);
    let scope = sticky;
    if (sc !== null && (p.peek(1).kind === Tk.Word || p.peek(1).kind === Tk.QIdent)) {
      p.next();
      scope = sticky = sc;
    }
    assignments.push(parseSetItem(p, scope));
  } while (p.acceptOp(','));
  return { type: 'set', assignments, pos: t.start };
}

function parseSetItem(p: Parser, scope: Scope): SetAssignment {
  const t = p.peek();
  if (t.kind === Tk.Word && !p.isOp('=', 1) && !p.isOp(':=', 1)) {
    if (t.upper === 'NAMES') {
      p.next();
      if (p.acceptKw('DEFAULT')) return { kind: 'names', charset: 'default', default: true };
      const a: SetAssignment = { kind: 'names', charset: p.identOrString().toLowerCase() };
      if (p.acceptKw('COLLATE')) {
        if (p.acceptKw('DEFAULT')) return a;
        a.collation = p.identOrString().toLowerCase();
      }
      return a;
    }
    if (t.upper === 'CHARSET' || (t.upper === 'CHARACTER' && p.isKw('SET', 1))) {
      p.next();
      if (t.upper === 'CHARACTER') p.next();
      if (p.acceptKw('DEFAULT')) return { kind: 'charset', charset: 'default', default: true };
      return { kind: 'charset', charset: p.identOrString().toLowerCase() };
    }
    if (t.upper === 'TRANSACTION') {
      p.next();
      return parseTransactionCharacteristics(p, scope);
    }
  }
  let target: VariableExpr;
  if (t.kind === Tk.UserVar) {
    p.next();
    target = { type: 'variable', kind: 'user', name: t.text, pos: t.start };
  } else if (t.kind === Tk.SysVar) {
    p.next();
    target = { type: 'variable', kind: 'system', name: t.text, pos: t.start };
    if (t.upper === 'GLOBAL') target.scope = 'global';
    else if (t.upper === 'SESSION') target.scope = 'session';
  } else {
    let name = p.ident();
    // component variables: SET comp.var = ...
    if (p.acceptOp('.')) name = `${name}.${p.identAfterDot()}`;
    target = { type: 'variable', kind: 'system', name, pos: t.start };
    if (scope !== undefined) target.scope = scope;
  }
  if (!p.acceptOp('=')) p.expectOp(':=');
  return { kind: 'variable', target, value: parseSetValue(p, target.kind === 'system') };
}

/** A SET right-hand side; for system variables a lone word (ON, OFF, DEFAULT...) is a value, not a column. */
function parseSetValue(p: Parser, system: boolean): Expr {
  const t = p.peek();
  if (system && t.kind === Tk.Word) {
    const after = p.peek(1);
    const alone = after.kind === Tk.EOF || (after.kind === Tk.Op && (after.text === ',' || after.text === ';'));
    if (alone) {
      if (t.upper === 'DEFAULT') {
        p.next();
        return { type: 'default', pos: t.start };
      }
      if (t.upper !== 'TRUE' && t.upper !== 'FALSE' && t.upper !== 'NULL') {
        p.next();
        return { type: 'literal', kind: 'string', value: t.text, pos: t.start };
      }
    }
  }
  return parseExpr(p);
}

/** ISOLATION LEVEL x, READ ONLY|WRITE (after [scope] TRANSACTION). */
function parseTransactionCharacteristics(p: Parser, scope: Scope): SetAssignment {
  const a: SetAssignment = { kind: 'transaction' };
  if (scope !== undefined) a.scope = scope;
  do {
    if (p.acceptKws('ISOLATION', 'LEVEL')) {
      if (p.acceptKws('READ', 'UNCOMMITTED')) a.isolation = 'READ UNCOMMITTED';
      else if (p.acceptKws('READ', 'COMMITTED')) a.isolation = 'READ COMMITTED';
      else if (p.acceptKws('REPEATABLE', 'READ')) a.isolation = 'REPEATABLE READ';
      else if (p.acceptKw('SERIALIZABLE')) a.isolation = 'SERIALIZABLE';
      else p.fail();
    } else if (p.acceptKws('READ', 'ONLY')) a.accessMode = 'read only';
    else if (p.acceptKws('READ', 'WRITE')) a.accessMode = 'read write';
    else p.fail();
  } while (p.acceptOp(','));
  return a;
}

/** `[FROM|IN db]`. */
function optFromDb(p: Parser, s: ShowStmt): void {
  if (p.acceptKw('FROM') || p.acceptKw('IN')) s.database = p.ident();
}

/** `[LIKE 'pat' | WHERE expr]`. */
function optLikeWhere(p: Parser, s: ShowStmt): void {
  if (p.acceptKw('LIKE')) s.like = p.string();
  else if (p.acceptKw('WHERE')) s.where = parseExpr(p);
}

/** SHOW ... (the keyword is at the cursor). */
export function parseShow(p: Parser): Statement {
  const t = p.next();
  const s = (what: ShowStmt['what']): ShowStmt => ({ type: 'show', what, pos: t.start });
  let full = false;
  let global: boolean | undefined;
  p.acceptKw('EXTENDED');
  if (p.acceptKw('FULL')) full = true;
  const scope = scopeWord(p.word());
  if (scope !== null && (p.isKw('VARIABLES', 1) || p.isKw('STATUS', 1))) {
    p.next();
    global = scope === 'global';
  }
  const w = p.word();
  switch (w) {
    case 'DATABASES':
    case 'SCHEMAS': {
      p.next();
      const r = s('databases');
      optLikeWhere(p, r);
      return r;
    }
    case 'TABLES': {
      p.next();
      const r = s('tables');
      if (full) r.full = true;
      optFromDb(p, r);
      optLikeWhere(p, r);
      return r;
    }
    case 'COLUMNS':
    case 'FIELDS': {
      p.next();
      const r = s('columns');
      if (full) r.full = true;
      if (!p.acceptKw('FROM')) p.expectKw('IN');
      r.table = parseTableName(p);
      optFromDb(p, r);
      optLikeWhere(p, r);
      return r;
    }
    case 'INDEX':
    case 'INDEXES':
    case 'KEYS': {
      p.next();
      const r = s('index');
      if (!p.acceptKw('FROM')) p.expectKw('IN');
      r.table = parseTableName(p);
      optFromDb(p, r);
      if (p.acceptKw('WHERE')) r.where = parseExpr(p);
      return r;
    }
    case 'CREATE':
      return parseShowCreate(p, s);
    case 'VARIABLES':
    case 'STATUS': {
      p.next();
      const r = s(w === 'VARIABLES' ? 'variables' : 'status');
      if (global !== undefined) r.global = global;
      optLikeWhere(p, r);
      return r;
    }
    case 'WARNINGS':
    case 'ERRORS': {
      p.next();
      const r = s(w === 'WARNINGS' ? 'warnings' : 'errors');
      if (p.acceptKw('LIMIT')) r.limit = parseLimitBody(p);
      return r;
    }
    case 'COUNT': {
      p.next();
      p.expectOp('(');
      p.expectOp('*');
      p.expectOp(')');
      if (p.acceptKw('WARNINGS')) return s('countWarnings');
      p.expectKw('ERRORS');
      return s('countErrors');
    }
    case 'PROCESSLIST': {
      p.next();
      const r = s('processlist');
      if (full) r.full = true;
      return r;
    }
    case 'STORAGE':
    case 'ENGINES':
      p.next();
      if (w === 'STORAGE') p.expectKw('ENGINES');
      return s('engines');
    case 'ENGINE':
      throw new UnsupportedSignal('SHOW ENGINE');
    case 'PLUGINS':
      p.next();
      return s('plugins');
    case 'CHARACTER':
    case 'CHARSET': {
      p.next();
      if (w === 'CHARACTER') p.expectKw('SET');
      const r = s('charset');
      optLikeWhere(p, r);
      return r;
    }
    case 'COLLATION': {
      p.next();
      const r = s('collation');
      optLikeWhere(p, r);
      return r;
    }
    case 'TABLE': {
      p.next();
      p.expectKw('STATUS');
      const r = s('tableStatus');
      optFromDb(p, r);
      optLikeWhere(p, r);
      return r;
    }
    case 'GRANTS': {
      p.next();
      const r = s('grants');
      if (p.acceptKw('FOR')) {
        const start = p.peek().start;
        if (p.acceptKw('CURRENT_USER')) {
          if (p.acceptOp('(')) p.expectOp(')');
        } else {
          p.anyWordOrString();
          if (p.peek().kind === Tk.UserVar) p.next();
        }
        r.name = p.sql.slice(start, p.prevEnd);
        if (p.acceptKw('USING')) {
          do p.anyWordOrString();
          while (p.acceptOp(','));
        }
      }
      return r;
    }
    case 'PRIVILEGES':
      p.next();
      return s('privileges');
    case 'MASTER':
    case 'BINARY': {
      p.next();
      if (w === 'MASTER' && p.acceptKw('STATUS')) return s('masterStatus');
      // SHOW BINARY LOG STATUS is MySQL 8.2's name for SHOW MASTER STATUS.
      if (w === 'BINARY' && p.acceptKw('LOG')) {
        p.expectKw('STATUS');
        return s('masterStatus');
      }
      p.expectKw('LOGS');
      return s('binaryLogs');
    }
    case 'OPEN': {
      p.next();
      p.expectKw('TABLES');
      const r = s('openTables');
      optFromDb(p, r);
      optLikeWhere(p, r);
      return r;
    }
    case 'TRIGGERS':
    case 'EVENTS': {
      p.next();
      const r = s(w === 'TRIGGERS' ? 'triggers' : 'events');
      optFromDb(p, r);
      optLikeWhere(p, r);
      return r;
    }
    case 'PROCEDURE':
    case 'FUNCTION': {
      p.next();
      if (p.isKw('CODE')) throw new UnsupportedSignal(`SHOW ${w} CODE`);
      p.expectKw('STATUS');
      const r = s(w === 'PROCEDURE' ? 'procedureStatus' : 'functionStatus');
      optLikeWhere(p, r);
      return r;
    }
    case 'PROFILES':
      p.next();
      return s('profiles');
    case 'SLAVE':
    case 'REPLICA':
      if (p.isKw('STATUS', 1)) {
        p.next();
        p.next();
        return s('replicaStatus');
      }
      throw new UnsupportedSignal(`SHOW ${w}`);
    case 'PROFILE':
    case 'REPLICAS':
    case 'BINLOG':
    case 'RELAYLOG':
    case 'MUTEX':
      throw new UnsupportedSignal(`SHOW ${w}`);
  }
  p.fail();
}

function parseShowCreate(p: Parser, s: (what: ShowStmt['what']) => ShowStmt): ShowStmt {
  p.next();
  const w = p.word();
  switch (w) {
    case 'TABLE':
    case 'VIEW': {
      p.next();
      const r = s(w === 'TABLE' ? 'createTable' : 'createView');
      r.table = parseTableName(p);
      return r;
    }
    case 'DATABASE':
    case 'SCHEMA': {
      p.next();
      p.acceptKws('IF', 'NOT', 'EXISTS');
      const r = s('createDatabase');
      r.name = p.ident();
      return r;
    }
    case 'PROCEDURE':
    case 'FUNCTION':
    case 'TRIGGER':
    case 'EVENT':
    case 'USER':
      throw new UnsupportedSignal(`SHOW CREATE ${w}`);
  }
  p.fail();
}

/** DESCRIBE/DESC/EXPLAIN: a table (→ SHOW COLUMNS) or a statement (→ EXPLAIN). */
export function parseExplain(p: Parser, parseStatementBody: (p: Parser) => Statement): Statement {
  const t = p.next();
  if (p.isIdent() && !p.isKw('FORMAT') && !p.isKw('ANALYZE') && !p.isKw('EXTENDED') && !p.isKw('PARTITIONS')) {
    const r: ShowStmt = { type: 'show', what: 'columns', table: parseTableName(p), pos: t.start };
    const c = p.peek();
    if (c.kind === Tk.Str) r.like = p.string();
    else if (p.isIdent()) r.like = p.ident();
    return r;
  }
  let format: 'traditional' | 'tree' | 'json' | undefined;
  let analyze = false;
  for (;;) {
    if (p.acceptKw('FORMAT')) {
      p.expectOp('=');
      const f = p.anyWordOrString().toLowerCase();
      if (f !== 'traditional' && f !== 'tree' && f !== 'json') p.fail();
      format = f;
    } else if (p.acceptKw('ANALYZE')) analyze = true;
    else if (p.acceptKw('EXTENDED') || p.acceptKw('PARTITIONS')) continue;
    else break;
  }
  if (p.isKw('FOR') && p.isKw('CONNECTION', 1)) throw new UnsupportedSignal('EXPLAIN FOR CONNECTION');
  const w = p.word();
  if (!startsQuery(p) && w !== 'INSERT' && w !== 'REPLACE' && w !== 'UPDATE' && w !== 'DELETE' && !p.isOp('(')) p.fail();
  const stmt = parseStatementBody(p);
  const r: Statement = { type: 'explain', statement: stmt, pos: t.start };
  if (format !== undefined) r.format = format;
  if (analyze) r.analyze = true;
  return r;
}

/** USE db. */
export function parseUse(p: Parser): Statement {
  const t = p.next();
  return { type: 'use', database: p.ident(), pos: t.start };
}
