// DDL statements: CREATE/DROP/ALTER TABLE, INDEX, DATABASE and VIEW, RENAME TABLE, TRUNCATE.
import type {
  AlterAction, AlterDatabaseStmt, AlterTableStmt, ColumnDef, CreateDatabaseStmt, CreateIndexStmt, CreateTableStmt,
  CreateViewStmt, DropDatabaseStmt, Statement, TableName,
} from './ast.js';
import { sqlError, type SqlError } from '../../base/errors.js';
import { Tk } from '../lexer/token.js';
import { UnsupportedSignal, type Parser } from './parser-base.js';
import { parseTableName, parseTableNameList } from './clauses.js';
import { parseQueryExpr, startsQuery } from './select.js';
import {
  parseColumnDef, parseConstraint, parseDefaultValue, parseIndexColumns, parseIndexOptions, parseTableOptions,
  startsConstraint,
} from './table-elements.js';

/** CREATE ... (the keyword is at the cursor). */
export function parseCreate(p: Parser): Statement {
  const t = p.next();
  const pos = t.start;
  if (p.isKw('TEMPORARY') || p.isKw('TABLE')) return parseCreateTable(p, pos);
  switch (p.word()) {
    case 'UNIQUE':
    case 'FULLTEXT':
    case 'SPATIAL':
    case 'INDEX':
      return parseCreateIndex(p, pos);
    case 'DATABASE':
    case 'SCHEMA':
      return parseCreateDatabase(p, pos);
    case 'USER':
    case 'ROLE':
      throw new UnsupportedSignal(`CREATE ${p.word()}`);
    case 'TABLESPACE':
    case 'SERVER':
    case 'LOGFILE':
    case 'RESOURCE':
      throw new UnsupportedSignal(`CREATE ${p.word()}`);
    case 'AGGREGATE':
      throw new UnsupportedSignal('CREATE FUNCTION', true);
  }
  const orReplace = p.acceptKws('OR', 'REPLACE');
  viewPrefix(p);
  return parseViewOrProgram(p, pos, orReplace);
}

/** [ALGORITHM = x] [DEFINER = user] [SQL SECURITY x] before VIEW and stored programs. */
function viewPrefix(p: Parser): void {
  if (p.acceptKw('ALGORITHM')) {
    p.expectOp('=');
    p.anyWordOrString();
  }
  if (p.acceptKw('DEFINER')) {
    p.expectOp('=');
    parseUserName(p);
  }
  if (p.acceptKws('SQL', 'SECURITY')) p.anyWordOrString();
}

/** `'user'@'host'`, `user@host`, CURRENT_USER[()]. */
export function parseUserName(p: Parser): void {
  if (p.acceptKw('CURRENT_USER')) {
    if (p.acceptOp('(')) p.expectOp(')');
    return;
  }
  p.anyWordOrString();
  if (p.peek().kind === Tk.UserVar) p.next(); // the @host part
}

function parseViewOrProgram(p: Parser, pos: number, orReplace: boolean): Statement {
  const w = p.word();
  switch (w) {
    case 'VIEW':
      return parseViewBody(p, pos, orReplace);
    case 'PROCEDURE':
    case 'FUNCTION':
    case 'TRIGGER':
    case 'EVENT':
      throw new UnsupportedSignal(`CREATE ${w}`, true);
    case 'SPATIAL':
      throw new UnsupportedSignal('CREATE SPATIAL REFERENCE SYSTEM');
  }
  p.fail();
}

/** VIEW name [(cols)] AS query [WITH [CASCADED|LOCAL] CHECK OPTION]. */
function parseViewBody(p: Parser, pos: number, orReplace: boolean): CreateViewStmt {
  p.expectKw('VIEW');
  const ifNotExists = p.acceptKws('IF', 'NOT', 'EXISTS');
  const name = parseTableName(p);
  const columns = p.isOp('(') ? p.identList() : undefined;
  p.expectKw('AS');
  const start = p.peek().start;
  const query = parseQueryExpr(p);
  const stmt: CreateViewStmt = { type: 'createView', orReplace, name, query, queryText: p.sql.slice(start, p.prevEnd), pos };
  if (ifNotExists) stmt.ifNotExists = true;
  if (columns !== undefined) stmt.columns = columns;
  if (p.acceptKw('WITH')) {
    if (!p.acceptKw('CASCADED')) p.acceptKw('LOCAL');
    p.expectKw('CHECK');
    p.expectKw('OPTION');
  }
  return stmt;
}

function parseCreateTable(p: Parser, pos: number): CreateTableStmt {
  const temporary = p.acceptKw('TEMPORARY');
  p.expectKw('TABLE');
  const ifNotExists = p.acceptKws('IF', 'NOT', 'EXISTS');
  const table = parseTableName(p);
  const stmt: CreateTableStmt = {
    type: 'createTable', temporary, ifNotExists, table, columns: [], constraints: [], options: {}, pos,
  };
  if (p.acceptKw('LIKE')) {
    stmt.like = parseTableName(p);
    return stmt;
  }
  if (p.isOp('(') && p.isKw('LIKE', 1)) {
    p.next();
    p.next();
    stmt.like = parseTableName(p);
    p.expectOp(')');
    return stmt;
  }
  if (p.isOp('(') && !startsQuery(p, 0)) {
    p.next();
    do {
      if (startsConstraint(p)) stmt.constraints.push(parseConstraint(p));
      else stmt.columns.push(parseColumnDef(p));
    } while (p.acceptOp(','));
    p.expectOp(')');
  }
  parseTableOptions(p, stmt.options);
  if (p.isKw('PARTITION')) throw new UnsupportedSignal('partitioning');
  if (!p.acceptKw('IGNORE')) p.acceptKw('REPLACE');
  const asKw = p.acceptKw('AS');
  if (asKw || startsQuery(p)) stmt.asQuery = parseQueryExpr(p);
  return stmt;
}

function parseCreateIndex(p: Parser, pos: number): CreateIndexStmt {
  let unique = false;
  let kind: 'fulltext' | 'spatial' | undefined;
  if (p.acceptKw('UNIQUE')) unique = true;
  else if (p.acceptKw('FULLTEXT')) kind = 'fulltext';
  else if (p.acceptKw('SPATIAL')) kind = 'spatial';
  p.expectKw('INDEX');
  const ifNotExists = p.acceptKws('IF', 'NOT', 'EXISTS');
  const name = p.ident();
  if (p.acceptKw('USING') || p.acceptKw('TYPE')) p.anyWordOrString();
  p.expectKw('ON');
  const table = parseTableName(p);
  const columns = parseIndexColumns(p);
  parseIndexOptions(p);
  algorithmLock(p);
  const stmt: CreateIndexStmt = { type: 'createIndex', unique, name, table, columns, pos };
  if (kind !== undefined) stmt.kind = kind;
  if (ifNotExists) stmt.ifNotExists = true;
  return stmt;
}

/** [ALGORITHM [=] x] [LOCK [=] x], accepted and ignored. */
function algorithmLock(p: Parser): void {
  for (;;) {
    if (p.acceptKw('ALGORITHM') || p.acceptKw('LOCK')) {
      p.optEq();
      p.anyWordOrString();
    } else return;
  }
}

function parseCreateDatabase(p: Parser, pos: number): CreateDatabaseStmt {
  p.next();
  const ifNotExists = p.acceptKws('IF', 'NOT', 'EXISTS');
  const stmt: CreateDatabaseStmt = { type: 'createDatabase', ifNotExists, name: p.ident(), pos };
  const opts = parseTableOptions(p);
  if (opts.CHARSET !== undefined) stmt.charset = opts.CHARSET;
  if (opts.COLLATE !== undefined) stmt.collation = opts.COLLATE;
  return stmt;
}

/** DROP ... (the keyword is at the cursor). */
export function parseDrop(p: Parser): Statement {
  const t = p.next();
  const pos = t.start;
  const temporary = p.acceptKw('TEMPORARY');
  const w = p.word();
  switch (w) {
    case 'TABLE':
    case 'TABLES': {
      p.next();
      const ifExists = p.acceptKws('IF', 'EXISTS');
      const tables = parseTableNameList(p);
      if (!p.acceptKw('RESTRICT')) p.acceptKw('CASCADE');
      return { type: 'dropTable', temporary, ifExists, tables, pos };
    }
    case 'INDEX': {
      p.next();
      const ifExists = p.acceptKws('IF', 'EXISTS');
      const name = p.isKw('PRIMARY') ? p.next().text : p.ident();
      p.expectKw('ON');
      const table = parseTableName(p);
      algorithmLock(p);
      return ifExists ? { type: 'dropIndex', ifExists, name, table, pos } : { type: 'dropIndex', name, table, pos };
    }
    case 'DATABASE':
    case 'SCHEMA': {
      p.next();
      const ifExists = p.acceptKws('IF', 'EXISTS');
      const stmt: DropDatabaseStmt = { type: 'dropDatabase', ifExists, name: p.ident(), pos };
      return stmt;
    }
    case 'VIEW': {
      p.next();
      const ifExists = p.acceptKws('IF', 'EXISTS');
      const names = parseTableNameList(p);
      if (!p.acceptKw('RESTRICT')) p.acceptKw('CASCADE');
      return { type: 'dropView', ifExists, names, pos };
    }
    case 'PREPARE':
      throw new UnsupportedSignal('DEALLOCATE PREPARE');
    case 'PROCEDURE':
    case 'FUNCTION':
    case 'TRIGGER':
    case 'EVENT':
    case 'USER':
    case 'ROLE':
    case 'SERVER':
    case 'TABLESPACE':
    case 'LOGFILE':
    case 'SPATIAL':
    case 'RESOURCE':
    case 'UNDO':
      throw new UnsupportedSignal(`DROP ${w}`);
  }
  p.fail();
}

/** ALTER ... (the keyword is at the cursor). */
export function parseAlter(p: Parser): Statement {
  const t = p.next();
  const pos = t.start;
  const w = p.word();
  if (w === 'TABLE' || w === 'ONLINE' || w === 'IGNORE') {
    p.acceptKw('ONLINE');
    p.acceptKw('IGNORE');
    p.expectKw('TABLE');
    return parseAlterTable(p, pos);
  }
  if (w === 'DATABASE' || w === 'SCHEMA') {
    p.next();
    return parseAlterDatabase(p, pos);
  }
  switch (w) {
    case 'USER':
    case 'ROLE':
    case 'SERVER':
    case 'TABLESPACE':
    case 'INSTANCE':
    case 'LOGFILE':
    case 'RESOURCE':
    case 'UNDO':
      throw new UnsupportedSignal(`ALTER ${w}`);
  }
  viewPrefix(p);
  const what = p.word();
  if (what === 'VIEW') return parseViewBody(p, pos, true);
  if (what === 'PROCEDURE' || what === 'FUNCTION' || what === 'EVENT') throw new UnsupportedSignal(`ALTER ${what}`, true);
  p.fail();
}

/** Words that start an ALTER DATABASE option; CHARSET and ENCRYPTION may also be a database's name. */
const ALTER_DATABASE_OPTIONS: ReadonlySet<string> = new Set(['DEFAULT', 'CHARACTER', 'CHARSET', 'COLLATE', 'READ', 'ENCRYPTION']);

/** ALTER {DATABASE | SCHEMA} [name] option... (after the keyword), MySQL 8's grammar: at least one option. */
function parseAlterDatabase(p: Parser, pos: number): AlterDatabaseStmt {
  const stmt: AlterDatabaseStmt = { type: 'alterDatabase', pos };
  const w = p.word();
  if (!ALTER_DATABASE_OPTIONS.has(w) || ((w === 'CHARSET' || w === 'ENCRYPTION') && ALTER_DATABASE_OPTIONS.has(p.word(1)))) stmt.name = p.ident();
  let any = false;
  for (;;) {
    const hadDefault = p.acceptKw('DEFAULT');
    const k = p.word();
    if (k === 'CHARACTER' || k === 'CHARSET') {
      p.next();
      if (k === 'CHARACTER') p.expectKw('SET');
      p.optEq();
      const cs = p.identOrString().toLowerCase();
      if (stmt.charset !== undefined && stmt.charset !== cs) throw conflicting(`CHARACTER SET ${stmt.charset}`, `CHARACTER SET ${cs}`);
      stmt.charset = cs;
    } else if (k === 'COLLATE') {
      p.next();
      p.optEq();
      stmt.collation = p.identOrString().toLowerCase();
    } else if (k === 'ENCRYPTION') {
      p.next();
      p.optEq();
      stmt.encryption = p.string();
    } else if (k === 'READ' && !hadDefault) {
      p.next();
      p.expectKw('ONLY');
      p.optEq();
      const v = p.peek();
      if (p.acceptKw('DEFAULT')) stmt.readOnly = false;
      else if (v.kind === Tk.Int && (v.text === '0' || v.text === '1')) {
        p.next();
        stmt.readOnly = v.text === '1';
      } else p.fail(v);
    } else {
      if (hadDefault || !any) p.fail();
      return stmt;
    }
    any = true;
  }
}

/** MySQL's ER_CONFLICTING_DECLARATIONS (1302). */
function conflicting(a: string, b: string): SqlError {
  return sqlError('CONFLICTING_DECLARATIONS', `Conflicting declarations: '${a}' and '${b}'`);
}

function columnPosition(p: Parser, a: { first?: boolean; after?: string }): void {
  if (p.acceptKw('FIRST')) a.first = true;
  else if (p.acceptKw('AFTER')) a.after = p.ident();
}

function parseAlterTable(p: Parser, pos: number): AlterTableStmt {
  const table = parseTableName(p);
  const actions: AlterAction[] = [];
  if (!p.atEnd()) {
    do parseAlterAction(p, actions);
    while (p.acceptOp(','));
  }
  if (p.isKw('PARTITION') || p.isKw('REMOVE')) throw new UnsupportedSignal('partitioning');
  return { type: 'alterTable', table, actions, pos };
}

function parseAlterAction(p: Parser, actions: AlterAction[]): void {
  const w = p.word();
  switch (w) {
    case 'ADD': {
      p.next();
      const column = p.acceptKw('COLUMN');
      if (!column && startsConstraint(p)) {
        actions.push({ kind: 'addConstraint', constraint: parseConstraint(p) });
        return;
      }
      if (p.acceptOp('(')) {
        do {
          if (startsConstraint(p)) actions.push({ kind: 'addConstraint', constraint: parseConstraint(p) });
          else actions.push({ kind: 'addColumn', column: parseColumnDef(p) });
        } while (p.acceptOp(','));
        p.expectOp(')');
        return;
      }
      if (p.isKw('PARTITION')) throw new UnsupportedSignal('partitioning');
      const a: AlterAction = { kind: 'addColumn', column: parseColumnDef(p) };
      columnPosition(p, a);
      actions.push(a);
      return;
    }
    case 'DROP': {
      p.next();
      if (p.acceptKws('PRIMARY', 'KEY')) {
        actions.push({ kind: 'dropPrimaryKey' });
        return;
      }
      if (p.acceptKw('INDEX') || p.acceptKw('KEY')) {
        actions.push({ kind: 'dropIndex', name: p.ident() });
        return;
      }
      if (p.acceptKws('FOREIGN', 'KEY')) {
        actions.push({ kind: 'dropForeignKey', name: p.ident() });
        return;
      }
      if (p.isKw('CHECK') || p.isKw('CONSTRAINT')) {
        const which = p.isKw('CHECK') ? 'check' : 'any';
        p.next();
        actions.push({ kind: 'dropConstraint', name: p.ident(), which });
        return;
      }
      if (p.isKw('PARTITION')) throw new UnsupportedSignal('partitioning');
      p.acceptKw('COLUMN');
      if (p.acceptKws('IF', 'EXISTS')) {
        actions.push({ kind: 'dropColumn', name: p.ident(), ifExists: true });
        return;
      }
      actions.push({ kind: 'dropColumn', name: p.ident() });
      if (!p.acceptKw('RESTRICT')) p.acceptKw('CASCADE');
      return;
    }
    case 'MODIFY': {
      p.next();
      p.acceptKw('COLUMN');
      const a: AlterAction = { kind: 'modifyColumn', column: parseColumnDef(p) };
      columnPosition(p, a);
      actions.push(a);
      return;
    }
    case 'CHANGE': {
      p.next();
      p.acceptKw('COLUMN');
      const oldName = p.ident();
      const column: ColumnDef = parseColumnDef(p);
      const a: AlterAction = { kind: 'changeColumn', oldName, column };
      columnPosition(p, a);
      actions.push(a);
      return;
    }
    case 'RENAME': {
      p.next();
      if (p.acceptKw('COLUMN')) {
        const oldName = p.ident();
        p.expectKw('TO');
        actions.push({ kind: 'renameColumn', oldName, newName: p.ident() });
        return;
      }
      if (p.acceptKw('INDEX') || p.acceptKw('KEY')) {
        const oldName = p.ident();
        p.expectKw('TO');
        actions.push({ kind: 'renameIndex', oldName, newName: p.ident() });
        return;
      }
      if (!p.acceptKw('TO')) p.acceptKw('AS');
      actions.push({ kind: 'renameTable', to: parseTableName(p) });
      return;
    }
    case 'ALTER': {
      p.next();
      if (p.acceptKw('INDEX')) {
        p.ident();
        if (!p.acceptKw('VISIBLE')) p.expectKw('INVISIBLE');
        actions.push({ kind: 'options', options: {} });
        return;
      }
      if (p.acceptKw('CHECK') || p.acceptKw('CONSTRAINT')) {
        const name = p.ident();
        const enforced = !p.acceptKws('NOT', 'ENFORCED');
        if (enforced) p.expectKw('ENFORCED');
        actions.push({ kind: 'alterCheck', name, enforced });
        return;
      }
      p.acceptKw('COLUMN');
      const name = p.ident();
      if (p.acceptKws('SET', 'DEFAULT')) {
        const d = parseDefaultValue(p);
        actions.push({ kind: 'alterColumnDefault', name, default: d.value, ...(d.expression ? { defaultIsExpression: true } : {}) });
        return;
      }
      if (p.acceptKws('DROP', 'DEFAULT')) {
        actions.push({ kind: 'alterColumnDefault', name });
        return;
      }
      if (p.acceptKws('SET', 'VISIBLE') || p.acceptKws('SET', 'INVISIBLE')) {
        actions.push({ kind: 'options', options: {} });
        return;
      }
      p.fail();
    }
    // falls through (fail never returns)
    case 'CONVERT': {
      p.next();
      p.expectKw('TO');
      if (!p.acceptKw('CHARSET')) {
        p.expectKw('CHARACTER');
        p.expectKw('SET');
      }
      const options: Record<string, string> = { CONVERT_TO_CHARSET: p.anyWordOrString().toLowerCase() };
      if (p.acceptKw('COLLATE')) options.CONVERT_TO_COLLATE = p.anyWordOrString().toLowerCase();
      actions.push({ kind: 'options', options });
      return;
    }
    case 'ALGORITHM':
    case 'LOCK': {
      p.next();
      p.optEq();
      actions.push({ kind: 'options', options: { [w]: p.anyWordOrString().toUpperCase() } });
      return;
    }
    case 'FORCE':
      p.next();
      actions.push({ kind: 'options', options: {} });
      return;
    case 'ENABLE':
    case 'DISABLE':
      p.next();
      p.expectKw('KEYS');
      actions.push({ kind: 'options', options: {} });
      return;
    case 'ORDER':
      p.next();
      p.expectKw('BY');
      do {
        p.ident();
        if (!p.acceptKw('ASC')) p.acceptKw('DESC');
      } while (p.acceptOp(','));
      actions.push({ kind: 'options', options: {} });
      return;
    case 'DISCARD':
    case 'IMPORT':
      throw new UnsupportedSignal(`ALTER TABLE ... ${w} TABLESPACE`);
    case 'WITH':
    case 'WITHOUT':
      p.next();
      p.expectKw('VALIDATION');
      actions.push({ kind: 'options', options: {} });
      return;
  }
  const before = p.mark();
  const options = parseTableOptions(p);
  if (p.mark().i === before.i) p.fail();
  actions.push({ kind: 'options', options });
}

/** RENAME TABLE a TO b, ... (RENAME USER is refused). */
export function parseRename(p: Parser): Statement {
  const t = p.next();
  if (p.isKw('USER')) throw new UnsupportedSignal('RENAME USER');
  if (!p.acceptKw('TABLE')) p.expectKw('TABLES');
  const renames: { from: TableName; to: TableName }[] = [];
  do {
    const from = parseTableName(p);
    p.expectKw('TO');
    renames.push({ from, to: parseTableName(p) });
  } while (p.acceptOp(','));
  return { type: 'renameTable', renames, pos: t.start };
}

/** TRUNCATE [TABLE] t. */
export function parseTruncate(p: Parser): Statement {
  const t = p.next();
  p.acceptKw('TABLE');
  return { type: 'truncate', table: parseTableName(p), pos: t.start };
}
