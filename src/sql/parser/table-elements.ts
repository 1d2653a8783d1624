// Pieces of table definitions: column definitions, index/key/foreign-key/check constraints, table options.
import type {
  CheckClause, ColumnDef, Expr, ForeignKeyRef, IndexColumn, TableConstraint, TableOptions,
} from './ast.js';
import { Tk } from '../lexer/token.js';
import { UnsupportedSignal, type Parser } from './parser-base.js';
import { parseExpr, parseLiteral, parseUnary } from './expr.js';
import { parseTableName } from './clauses.js';
import { parseDataType } from './types.js';

const NOW_NAMES: ReadonlySet<string> = new Set(['CURRENT_TIMESTAMP', 'NOW', 'LOCALTIME', 'LOCALTIMESTAMP']);

/** CURRENT_TIMESTAMP[(n)] and its synonyms, normalized to CURRENT_TIMESTAMP; undefined if not at the cursor. */
function parseNowCall(p: Parser): Expr | undefined {
  const t = p.peek();
  if (t.kind !== Tk.Word || !NOW_NAMES.has(t.upper)) return undefined;
  if (t.upper === 'NOW' && !p.isOp('(', 1)) return undefined;
  p.next();
  const args: Expr[] = [];
  if (p.acceptOp('(')) {
    if (!p.isOp(')')) {
      const n = p.peek();
      args.push({ type: 'literal', kind: 'integer', value: p.integer(), pos: n.start });
    }
    p.expectOp(')');
  }
  return { type: 'call', name: 'CURRENT_TIMESTAMP', args, pos: t.start };
}

/** A column DEFAULT value: literal, signed literal, (expr), CURRENT_TIMESTAMP[(n)]. */
export function parseDefaultValue(p: Parser): { value: Expr; expression: boolean } {
  if (p.isOp('(')) {
    p.next();
    const e = parseExpr(p);
    p.expectOp(')');
    return { value: e, expression: true };
  }
  return { value: parsePlainDefault(p), expression: false };
}

/** A DEFAULT without parentheses: CURRENT_TIMESTAMP and its synonyms, or a (signed) literal. */
function parsePlainDefault(p: Parser): Expr {
  const now = parseNowCall(p);
  if (now !== undefined) return now;
  if (p.isOp('-') || p.isOp('+')) return parseUnary(p);
  const lit = parseLiteral(p);
  if (lit !== undefined) return lit;
  // MySQL also takes a bare word (DEFAULT CURRENT_USER is refused later, identifiers as strings)
  p.fail();
}

/** `(col [(len)] [ASC|DESC], ...)`. */
export function parseIndexColumns(p: Parser): IndexColumn[] {
  p.expectOp('(');
  const cols: IndexColumn[] = [];
  do {
    if (p.isOp('(')) throw new UnsupportedSignal('functional key parts');
    const c: IndexColumn = { column: p.ident() };
    if (p.acceptOp('(')) {
      c.length = p.integer();
      p.expectOp(')');
    }
    if (p.acceptKw('DESC')) c.desc = true;
    else p.acceptKw('ASC');
    cols.push(c);
  } while (p.acceptOp(','));
  p.expectOp(')');
  return cols;
}

/** USING BTREE|HASH before the column list. */
function optIndexType(p: Parser): void {
  if (p.acceptKw('USING') || p.acceptKw('TYPE')) {
    if (!p.acceptKw('BTREE') && !p.acceptKw('HASH') && !p.acceptKw('RTREE')) p.fail();
  }
}

/** Index options after the column list; all accepted and ignored. */
export function parseIndexOptions(p: Parser): void {
  for (;;) {
    if (p.isKw('USING') || p.isKw('TYPE')) optIndexType(p);
    else if (p.acceptKw('KEY_BLOCK_SIZE')) {
      p.optEq();
      p.integer();
    } else if (p.acceptKw('COMMENT')) p.string();
    else if (p.acceptKw('VISIBLE') || p.acceptKw('INVISIBLE')) continue;
    else if (p.acceptKws('WITH', 'PARSER')) p.ident();
    else if (p.acceptKw('ENGINE_ATTRIBUTE') || p.acceptKw('SECONDARY_ENGINE_ATTRIBUTE')) {
      p.optEq();
      p.string();
    } else return;
  }
}

/** REFERENCES t (cols) [MATCH ..] [ON DELETE act] [ON UPDATE act]. */
export function parseReferences(p: Parser): ForeignKeyRef {
  p.expectKw('REFERENCES');
  const table = parseTableName(p);
  const columns = p.isOp('(') ? p.identList() : [];
  const ref: ForeignKeyRef = { table, columns };
  if (p.acceptKw('MATCH')) {
    if (!p.acceptKw('FULL') && !p.acceptKw('PARTIAL')) p.expectKw('SIMPLE');
  }
  while (p.isKw('ON')) {
    p.next();
    const which = p.word();
    if (which !== 'DELETE' && which !== 'UPDATE') p.fail();
    p.next();
    const action = referenceAction(p);
    if (which === 'DELETE') ref.onDelete = action;
    else ref.onUpdate = action;
  }
  return ref;
}

function referenceAction(p: Parser): string {
  if (p.acceptKw('RESTRICT')) return 'RESTRICT';
  if (p.acceptKw('CASCADE')) return 'CASCADE';
  if (p.acceptKws('SET', 'NULL')) return 'SET NULL';
  if (p.acceptKws('SET', 'DEFAULT')) return 'SET DEFAULT';
  if (p.acceptKws('NO', 'ACTION')) return 'NO ACTION';
  p.fail();
}

function checkBody(p: Parser, name: string | undefined): CheckClause {
  p.expectKw('CHECK');
  p.expectOp('(');
  const expr = parseExpr(p);
  p.expectOp(')');
  let enforced = true;
  if (p.acceptKws('NOT', 'ENFORCED')) enforced = false;
  else p.acceptKw('ENFORCED');
  const c: CheckClause = { expr, enforced };
  if (name !== undefined) c.name = name;
  return c;
}

/** True when a table element at the cursor is a constraint rather than a column. */
export function startsConstraint(p: Parser): boolean {
  switch (p.word()) {
    case 'CONSTRAINT':
    case 'PRIMARY':
    case 'UNIQUE':
    case 'KEY':
    case 'INDEX':
    case 'FULLTEXT':
    case 'SPATIAL':
    case 'FOREIGN':
    case 'CHECK':
      return true;
    default:
      return false;
  }
}

/** An optional index name before the column list (not USING, not the list itself). */
function optIndexName(p: Parser): string | undefined {
  if (p.isOp('(') || p.isKw('USING') || p.isKw('TYPE')) return undefined;
  return p.ident();
}

/** A table constraint: [CONSTRAINT [name]] PRIMARY KEY | UNIQUE | KEY | INDEX | FULLTEXT | SPATIAL | FOREIGN KEY | CHECK. */
export function parseConstraint(p: Parser): TableConstraint {
  let name: string | undefined;
  let named = false;
  if (p.acceptKw('CONSTRAINT')) {
    named = true;
    if (p.isIdent() && !p.isKw('CHECK')) name = p.ident();
  }
  const w = p.word();
  switch (w) {
    case 'PRIMARY': {
      p.next();
      p.expectKw('KEY');
      optIndexType(p);
      const columns = parseIndexColumns(p);
      parseIndexOptions(p);
      return withName({ kind: 'primary', columns }, name);
    }
    case 'UNIQUE': {
      p.next();
      if (!p.acceptKw('KEY')) p.acceptKw('INDEX');
      const idx = optIndexName(p) ?? name;
      optIndexType(p);
      const columns = parseIndexColumns(p);
      parseIndexOptions(p);
      return withName({ kind: 'unique', columns }, idx);
    }
    case 'KEY':
    case 'INDEX':
    case 'FULLTEXT':
    case 'SPATIAL': {
      if (named) p.fail();
      p.next();
      if (w === 'FULLTEXT' || w === 'SPATIAL') {
        if (!p.acceptKw('KEY')) p.acceptKw('INDEX');
      }
      const idx = optIndexName(p);
      optIndexType(p);
      const columns = parseIndexColumns(p);
      parseIndexOptions(p);
      const kind = w === 'FULLTEXT' ? 'fulltext' : w === 'SPATIAL' ? 'spatial' : 'index';
      return withName(kind === 'index' ? { kind, columns } : { kind, columns }, idx);
    }
    case 'FOREIGN': {
      p.next();
      p.expectKw('KEY');
      const idx = p.isOp('(') ? undefined : p.ident();
      const columns = p.identList();
      const references = parseReferences(p);
      return withName({ kind: 'foreign', columns, references }, name ?? idx);
    }
    case 'CHECK':
      return { kind: 'check', ...checkBody(p, name) };
    default:
      p.fail();
  }
}

function withName<T extends TableConstraint>(c: T, name: string | undefined): T {
  if (name !== undefined) c.name = name;
  return c;
}

/** A column definition: name, type and attributes. */
export function parseColumnDef(p: Parser): ColumnDef {
  const name = p.ident();
  const pt = parseDataType(p);
  const col: ColumnDef = { name, dataType: pt.type };
  if (pt.charset !== undefined) col.charset = pt.charset;
  if (pt.type.collation !== undefined) col.collation = pt.type.collation;
  if (pt.serial) {
    col.notNull = true;
    col.autoIncrement = true;
    col.unique = true;
  }
  parseColumnAttributes(p, col);
  return col;
}

function parseColumnAttributes(p: Parser, col: ColumnDef): void {
  for (;;) {
    const t = p.peek();
    if (t.kind !== Tk.Word) return;
    switch (t.upper) {
      case 'NOT':
        p.next();
        p.expectKw('NULL');
        col.notNull = true;
        break;
      case 'NULL':
        p.next();
        col.nullable = true;
        break;
      case 'DEFAULT': {
        p.next();
        const d = parseDefaultValue(p);
        col.default = d.value;
        if (d.expression) col.defaultIsExpression = true;
        break;
      }
      case 'AUTO_INCREMENT':
        p.next();
        col.autoIncrement = true;
        break;
      case 'PRIMARY':
        p.next();
        p.expectKw('KEY');
        col.primaryKey = true;
        break;
      case 'KEY':
        p.next();
        col.primaryKey = true;
        break;
      case 'UNIQUE':
        p.next();
        p.acceptKw('KEY');
        col.unique = true;
        break;
      case 'COMMENT':
        p.next();
        col.comment = p.string();
        break;
      case 'ON': {
        p.next();
        p.expectKw('UPDATE');
        if (parseNowCall(p) === undefined) p.fail();
        col.onUpdateCurrentTimestamp = true;
        break;
      }
      case 'CHARACTER':
        p.next();
        p.expectKw('SET');
        col.charset = p.identOrString().toLowerCase();
        break;
      case 'CHARSET':
        p.next();
        col.charset = p.identOrString().toLowerCase();
        break;
      case 'COLLATE': {
        p.next();
        const c = p.identOrString().toLowerCase();
        col.collation = c;
        col.dataType.collation = c;
        break;
      }
      case 'GENERATED':
      case 'AS': {
        p.next();
        if (t.upper === 'GENERATED') {
          p.expectKw('ALWAYS');
          p.expectKw('AS');
        }
        p.expectOp('(');
        const expr = parseExpr(p);
        p.expectOp(')');
        let stored = false;
        if (p.acceptKw('STORED')) stored = true;
        else p.acceptKw('VIRTUAL');
        col.generated = { expr, stored };
        break;
      }
      case 'REFERENCES':
        col.references = parseReferences(p);
        break;
      case 'CONSTRAINT': {
        p.next();
        const name = p.isKw('CHECK') ? undefined : p.ident();
        (col.checks ??= []).push(checkBody(p, name));
        break;
      }
      case 'CHECK':
        (col.checks ??= []).push(checkBody(p, undefined));
        break;
      case 'COLUMN_FORMAT':
        p.next();
        if (!p.acceptKw('FIXED') && !p.acceptKw('DYNAMIC')) p.expectKw('DEFAULT');
        break;
      case 'STORAGE':
        p.next();
        if (!p.acceptKw('DISK')) p.expectKw('MEMORY');
        break;
      case 'VISIBLE':
      case 'INVISIBLE':
        p.next();
        break;
      case 'SERIAL':
        p.next();
        p.expectKw('DEFAULT');
        p.expectKw('VALUE');
        col.notNull = true;
        col.autoIncrement = true;
        col.unique = true;
        break;
      case 'SRID':
        p.next();
        p.integer();
        break;
      default:
        return;
    }
  }
}

const TWO_WORD_OPTIONS: Record<string, string> = { DATA: 'DIRECTORY', INDEX: 'DIRECTORY' };

const TABLE_OPTIONS: ReadonlySet<string> = new Set([
  'ENGINE', 'TYPE', 'AUTO_INCREMENT', 'AVG_ROW_LENGTH', 'CHARSET', 'CHARACTER', 'CHECKSUM', 'TABLE_CHECKSUM',
  'COLLATE', 'COMMENT', 'COMPRESSION', 'CONNECTION', 'DATA', 'INDEX', 'DELAY_KEY_WRITE', 'ENCRYPTION',
  'INSERT_METHOD', 'KEY_BLOCK_SIZE', 'MAX_ROWS', 'MIN_ROWS', 'PACK_KEYS', 'PASSWORD', 'ROW_FORMAT',
  'STATS_AUTO_RECALC', 'STATS_PERSISTENT', 'STATS_SAMPLE_PAGES', 'TABLESPACE', 'UNION', 'ENGINE_ATTRIBUTE',
  'SECONDARY_ENGINE', 'SECONDARY_ENGINE_ATTRIBUTE', 'AUTOEXTEND_SIZE', 'STORAGE',
]);

/**
 * Table options (ENGINE=x, AUTO_INCREMENT=n, [DEFAULT] CHARSET=x, COLLATE=x, COMMENT='x', ...),
 * optionally comma-separated; keys upper-cased, DEFAULT dropped, CHARACTER SET → CHARSET.
 * Stops at anything that is not an option (AS, SELECT, PARTITION, `(`, end).
 */
export function parseTableOptions(p: Parser, into: TableOptions = {}): TableOptions {
  for (;;) {
    const mark = p.mark();
    const had = p.acceptOp(',');
    if (!parseTableOption(p, into)) {
      if (had) p.reset(mark);
      return into;
    }
  }
}

function parseTableOption(p: Parser, into: TableOptions): boolean {
  const t = p.peek();
  if (t.kind !== Tk.Word) return false;
  let key = t.upper;
  if (key === 'DEFAULT') {
    const n = p.word(1);
    if (n !== 'CHARSET' && n !== 'CHARACTER' && n !== 'COLLATE') return false;
    p.next();
    key = n;
  }
  if (!TABLE_OPTIONS.has(key)) return false;
  if (key === 'INDEX' && !p.isKw('DIRECTORY', 1)) return false;
  p.next();
  if (key === 'TYPE') key = 'ENGINE';
  if (key === 'CHARACTER') {
    p.expectKw('SET');
    key = 'CHARSET';
  } else if (TWO_WORD_OPTIONS[key] !== undefined) {
    p.expectKw(TWO_WORD_OPTIONS[key]);
    key = `${key} ${TWO_WORD_OPTIONS[key]}`;
  } else if (key === 'UNION') {
    p.optEq();
    p.expectOp('(');
    const names: string[] = [parseTableName(p).name];
    while (p.acceptOp(',')) names.push(parseTableName(p).name);
    p.expectOp(')');
    into.UNION = names.join(',');
    return true;
  }
  p.optEq();
  const v = p.peek();
  if (v.kind === Tk.Int || v.kind === Tk.Dec || v.kind === Tk.Word || v.kind === Tk.QIdent) {
    p.next();
    into[key] = v.text;
  } else if (v.kind === Tk.Str) {
    into[key] = p.string();
  } else p.fail(v);
  if (key === 'CHARSET' || key === 'COLLATE') into[key] = into[key].toLowerCase();
  return true;
}
