// Tests for DDL parsing: CREATE/ALTER/DROP TABLE, column types and attributes, indexes, databases, views.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from './index.js';
import { exprText } from './expr-text.js';
import type { AlterTableStmt, ColumnDef, CreateTableStmt, CreateViewStmt } from './ast.js';
import type { SqlType } from '../../base/sql-type.js';

const ct = (sql: string): CreateTableStmt => {
  const s = parse(sql);
  assert.equal(s.type, 'createTable', sql);
  return s as CreateTableStmt;
};
const col = (def: string): ColumnDef => ct(`CREATE TABLE t (${def})`).columns[0];
const ty = (type: string): SqlType => col(`c ${type}`).dataType;

test('data types', () => {
  const cases: [string, SqlType][] = [
    ['TINYINT', { kind: 'tinyint' }],
    ['INT(11) UNSIGNED ZEROFILL', { kind: 'int', length: 11, unsigned: true, zerofill: true }],
    ['INTEGER SIGNED', { kind: 'int' }],
    ['BIGINT UNSIGNED', { kind: 'bigint', unsigned: true }],
    ['SMALLINT', { kind: 'smallint' }],
    ['MEDIUMINT', { kind: 'mediumint' }],
    ['BOOL', { kind: 'tinyint', length: 1, boolean: true }],
    ['BOOLEAN', { kind: 'tinyint', length: 1, boolean: true }],
    ['DECIMAL', { kind: 'decimal', precision: 10, scale: 0 }],
    ['DEC(5)', { kind: 'decimal', precision: 5, scale: 0 }],
    ['NUMERIC(12,4)', { kind: 'decimal', precision: 12, scale: 4 }],
    ['FIXED(3,1) UNSIGNED', { kind: 'decimal', precision: 3, scale: 1, unsigned: true }],
    ['FLOAT', { kind: 'float' }],
    ['FLOAT(10)', { kind: 'float' }],
    ['FLOAT(25)', { kind: 'double' }],
    ['FLOAT(7,3)', { kind: 'float', precision: 7, scale: 3 }],
    ['DOUBLE', { kind: 'double' }],
    ['DOUBLE PRECISION', { kind: 'double' }],
    ['REAL', { kind: 'double' }],
    ['DOUBLE(10,2)', { kind: 'double', precision: 10, scale: 2 }],
    ['CHAR', { kind: 'char', length: 1 }],
    ['CHAR(10)', { kind: 'char', length: 10 }],
    ['CHARACTER(3)', { kind: 'char', length: 3 }],
    ['VARCHAR(255)', { kind: 'varchar', length: 255 }],
    ['CHARACTER VARYING(5)', { kind: 'varchar', length: 5 }],
    ['NATIONAL CHAR(2)', { kind: 'char', length: 2 }],
    ['NCHAR VARCHAR(4)', { kind: 'varchar', length: 4 }],
    ['NVARCHAR(4)', { kind: 'varchar', length: 4 }],
    ['TINYTEXT', { kind: 'tinytext' }],
    ['TEXT', { kind: 'text' }],
    ['TEXT(100)', { kind: 'text', length: 100 }],
    ['MEDIUMTEXT', { kind: 'mediumtext' }],
    ['LONGTEXT', { kind: 'longtext' }],
    ['LONG VARCHAR', { kind: 'mediumtext' }],
    ['BINARY', { kind: 'binary', length: 1 }],
    ['BINARY(16)', { kind: 'binary', length: 16 }],
    ['VARBINARY(8)', { kind: 'varbinary', length: 8 }],
    ['TINYBLOB', { kind: 'tinyblob' }],
    ['BLOB', { kind: 'blob' }],
    ['MEDIUMBLOB', { kind: 'mediumblob' }],
    ['LONGBLOB', { kind: 'longblob' }],
    ['DATE', { kind: 'date' }],
    ['DATETIME', { kind: 'datetime' }],
    ['DATETIME(6)', { kind: 'datetime', fsp: 6 }],
    ['TIMESTAMP(3)', { kind: 'timestamp', fsp: 3 }],
    ['TIME(2)', { kind: 'time', fsp: 2 }],
    ['YEAR', { kind: 'year' }],
    ['YEAR(4)', { kind: 'year' }],
    ['BIT', { kind: 'bit', length: 1 }],
    ['BIT(8)', { kind: 'bit', length: 8 }],
    ["ENUM('a','b')", { kind: 'enum', values: ['a', 'b'] }],
    ["SET('x')", { kind: 'set', values: ['x'] }],
    ['JSON', { kind: 'json' }],
  ];
  for (const [sql, want] of cases) assert.deepEqual(ty(sql), want, sql);
  assert.throws(() => ty('VARCHAR'), { code: 1064 });
});

test('SERIAL sets NOT NULL AUTO_INCREMENT UNIQUE', () => {
  const c = col('id SERIAL');
  assert.deepEqual([c.dataType, c.notNull, c.autoIncrement, c.unique], [{ kind: 'bigint', unsigned: true }, true, true, true]);
});

test('column attributes', () => {
  const c = col("name VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL DEFAULT 'x' COMMENT 'the name' UNIQUE KEY");
  assert.deepEqual([c.charset, c.collation, c.dataType.collation, c.notNull, c.comment, c.unique], ['utf8mb4', 'utf8mb4_bin', 'utf8mb4_bin', true, 'the name', true]);
  assert.deepEqual(c.default, { type: 'literal', kind: 'string', value: 'x', pos: 92 });
  const id = col('id INT NULL AUTO_INCREMENT PRIMARY KEY');
  assert.deepEqual([id.nullable, id.autoIncrement, id.primaryKey], [true, true, true]);
  assert.equal(col('id INT KEY').primaryKey, true);
  const ts = col('ts TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3)');
  assert.equal(ts.onUpdateCurrentTimestamp, true);
  assert.ok(ts.default?.type === 'call' && ts.default.name === 'CURRENT_TIMESTAMP' && ts.default.args.length === 1);
  const now = col('ts DATETIME DEFAULT NOW() ON UPDATE LOCALTIMESTAMP');
  assert.ok(now.default?.type === 'call' && now.default.name === 'CURRENT_TIMESTAMP' && now.onUpdateCurrentTimestamp);
  assert.deepEqual(col('p DECIMAL(5,2) DEFAULT -1.5').default, { type: 'literal', kind: 'decimal', text: '-1.5', pos: 39 });
  assert.deepEqual(col('p INT DEFAULT -1').default, { type: 'literal', kind: 'integer', value: -1, pos: 30 });
  assert.equal(col('p INT DEFAULT (1 + 2)').default?.type, 'binary');
  assert.equal(col('p INT DEFAULT NULL').default?.type, 'literal');
  assert.equal(col("b BIT(2) DEFAULT b'01'").default?.type, 'literal');
  const g = col('g INT GENERATED ALWAYS AS (a * 2) STORED');
  assert.equal(g.generated?.stored, true);
  assert.equal(col('g INT AS (a + 1) VIRTUAL').generated?.stored, false);
  const r = col('o INT REFERENCES other (id) ON DELETE CASCADE ON UPDATE SET NULL');
  assert.deepEqual([r.references?.table.name, r.references?.columns, r.references?.onDelete, r.references?.onUpdate], ['other', ['id'], 'CASCADE', 'SET NULL']);
  assert.equal(col('c INT CHECK (c > 0)').checks?.[0].expr.type, 'binary');
  assert.deepEqual(col('c INT CONSTRAINT ck CHECK (c >  0) NOT ENFORCED').checks?.map((k) => [k.name, exprText(k.expr), k.enforced]), [['ck', '(`c` > 0)', false]]);
  assert.equal(col('c INT COLUMN_FORMAT FIXED STORAGE DISK').name, 'c');
  assert.equal(col('c VARCHAR(3) BINARY').dataType.collation, 'utf8mb4_bin');
});

test('table constraints', () => {
  const s = ct('CREATE TABLE t (a INT, b INT, PRIMARY KEY (a), UNIQUE KEY u (b), UNIQUE INDEX (a, b), KEY k (b(5) DESC) USING BTREE, INDEX USING HASH (a), FULLTEXT KEY f (b), CONSTRAINT fk FOREIGN KEY (b) REFERENCES o (id), CONSTRAINT ck CHECK (a > 0), CHECK (b > 0))');
  assert.deepEqual(s.constraints.map((c) => [c.kind, c.name]), [
    ['primary', undefined], ['unique', 'u'], ['unique', undefined], ['index', 'k'], ['index', undefined], ['fulltext', 'f'], ['foreign', 'fk'], ['check', 'ck'], ['check', undefined],
  ]);
  const k = s.constraints[3];
  assert.ok(k.kind === 'index' && k.columns[0].length === 5 && k.columns[0].desc === true);
});

test('table options, comma separated or not', () => {
  const s = ct("CREATE TABLE t (a INT) ENGINE=InnoDB AUTO_INCREMENT=5 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin, COMMENT='hi' ROW_FORMAT=DYNAMIC KEY_BLOCK_SIZE 8");
  assert.deepEqual(s.options, { ENGINE: 'InnoDB', AUTO_INCREMENT: '5', CHARSET: 'utf8mb4', COLLATE: 'utf8mb4_bin', COMMENT: 'hi', ROW_FORMAT: 'DYNAMIC', KEY_BLOCK_SIZE: '8' });
  assert.deepEqual(ct('CREATE TABLE t (a INT) DEFAULT CHARACTER SET = latin1').options, { CHARSET: 'latin1' });
});

test('CREATE TABLE variants: TEMPORARY, IF NOT EXISTS, LIKE, AS SELECT', () => {
  const s = ct('CREATE TEMPORARY TABLE IF NOT EXISTS db.t (a INT)');
  assert.deepEqual([s.temporary, s.ifNotExists, s.table.schema], [true, true, 'db']);
  assert.equal(ct('CREATE TABLE t LIKE u').like?.name, 'u');
  assert.equal(ct('CREATE TABLE t (LIKE u)').like?.name, 'u');
  assert.equal(ct('CREATE TABLE t AS SELECT 1').asQuery?.type, 'select');
  assert.equal(ct('CREATE TABLE t SELECT 1').asQuery?.type, 'select');
  const both = ct('CREATE TABLE t (a INT) ENGINE=InnoDB IGNORE SELECT 1 AS a');
  assert.deepEqual([both.columns.length, both.asQuery?.type], [1, 'select']);
  assert.equal(ct('CREATE TABLE t (SELECT 1)').asQuery?.type, 'select');
});

test('CREATE/DROP INDEX', () => {
  const s = parse("CREATE UNIQUE INDEX i USING BTREE ON t (a, b(10) DESC) COMMENT 'x' ALGORITHM = INPLACE LOCK = NONE");
  assert.ok(s.type === 'createIndex' && s.unique && s.name === 'i' && s.columns.length === 2 && s.columns[1].length === 10);
  const f = parse('CREATE FULLTEXT INDEX f ON t (a)');
  assert.ok(f.type === 'createIndex' && f.kind === 'fulltext' && !f.unique);
  const d = parse('DROP INDEX i ON db.t');
  assert.ok(d.type === 'dropIndex' && d.name === 'i' && d.table.schema === 'db');
  assert.ok(parse('DROP INDEX `PRIMARY` ON t').type === 'dropIndex');
});

test('DROP TABLE, TRUNCATE, RENAME TABLE', () => {
  const d = parse('DROP TEMPORARY TABLE IF EXISTS a, db.b CASCADE');
  assert.ok(d.type === 'dropTable' && d.temporary && d.ifExists && d.tables.length === 2);
  const t = parse('TRUNCATE TABLE t');
  assert.ok(t.type === 'truncate' && t.table.name === 't');
  assert.equal(parse('TRUNCATE t').type, 'truncate');
  const r = parse('RENAME TABLE a TO b, db.c TO db.d');
  assert.ok(r.type === 'renameTable' && r.renames.length === 2 && r.renames[1].to.schema === 'db');
});

test('ALTER TABLE actions', () => {
  const s = parse('ALTER TABLE t ADD COLUMN c INT NOT NULL AFTER b, ADD d INT FIRST, ADD (e INT, f INT), DROP COLUMN g, DROP h, MODIFY i TEXT, CHANGE COLUMN j k BIGINT, RENAME COLUMN l TO m, ADD INDEX idx (c), ADD CONSTRAINT pk PRIMARY KEY (c), ADD UNIQUE (d), DROP INDEX idx, DROP KEY k2, DROP PRIMARY KEY, DROP FOREIGN KEY fk, RENAME INDEX a TO b, ALTER COLUMN c SET DEFAULT 5, ALTER c DROP DEFAULT, ENGINE=InnoDB, AUTO_INCREMENT = 10, CONVERT TO CHARACTER SET utf8mb4, ALGORITHM=INPLACE, LOCK=NONE, RENAME TO t2') as AlterTableStmt;
  assert.deepEqual(s.actions.map((a) => a.kind), [
    'addColumn', 'addColumn', 'addColumn', 'addColumn', 'dropColumn', 'dropColumn', 'modifyColumn', 'changeColumn', 'renameColumn',
    'addConstraint', 'addConstraint', 'addConstraint', 'dropIndex', 'dropIndex', 'dropPrimaryKey', 'dropForeignKey', 'renameIndex',
    'alterColumnDefault', 'alterColumnDefault', 'options', 'options', 'options', 'options', 'renameTable',
  ]);
  const a0 = s.actions[0];
  assert.ok(a0.kind === 'addColumn' && a0.after === 'b' && a0.column.notNull);
  const a1 = s.actions[1];
  assert.ok(a1.kind === 'addColumn' && a1.first === true);
  const ch = s.actions[7];
  assert.ok(ch.kind === 'changeColumn' && ch.oldName === 'j' && ch.column.name === 'k');
  const opts = s.actions[19];
  assert.ok(opts.kind === 'options' && opts.options.ENGINE === 'InnoDB' && opts.options.AUTO_INCREMENT === '10');
  assert.equal(parse('ALTER TABLE t').type, 'alterTable');
});

test('CREATE/DROP DATABASE and SCHEMA', () => {
  const c = parse('CREATE DATABASE IF NOT EXISTS db DEFAULT CHARACTER SET utf8mb4 DEFAULT COLLATE utf8mb4_bin');
  assert.ok(c.type === 'createDatabase' && c.ifNotExists && c.name === 'db' && c.charset === 'utf8mb4' && c.collation === 'utf8mb4_bin');
  const c2 = parse('CREATE SCHEMA db CHARSET = latin1');
  assert.ok(c2.type === 'createDatabase' && c2.charset === 'latin1');
  const d = parse('DROP SCHEMA IF EXISTS db');
  assert.ok(d.type === 'dropDatabase' && d.ifExists && d.name === 'db');
});

test('ALTER DATABASE and SCHEMA: the name is optional, at least one option', () => {
  assert.deepEqual(parse('ALTER DATABASE db DEFAULT CHARACTER SET = UTF8MB4 COLLATE utf8mb4_bin'), { type: 'alterDatabase', name: 'db', charset: 'utf8mb4', collation: 'utf8mb4_bin', pos: 0 });
  assert.deepEqual(parse('ALTER SCHEMA CHARSET latin1'), { type: 'alterDatabase', charset: 'latin1', pos: 0 });
  // CHARSET before an option is the database's name.
  assert.deepEqual(parse('ALTER DATABASE charset CHARSET latin1'), { type: 'alterDatabase', name: 'charset', charset: 'latin1', pos: 0 });
  assert.deepEqual(parse("ALTER DATABASE db READ ONLY = 1 ENCRYPTION 'N'"), { type: 'alterDatabase', name: 'db', readOnly: true, encryption: 'N', pos: 0 });
  assert.deepEqual(parse('ALTER DATABASE db READ ONLY DEFAULT'), { type: 'alterDatabase', name: 'db', readOnly: false, pos: 0 });
  for (const bad of ['ALTER DATABASE db', 'ALTER DATABASE', 'ALTER DATABASE db READ ONLY 2', 'ALTER DATABASE db DEFAULT', 'ALTER DATABASE db DEFAULT READ ONLY 0']) {
    assert.throws(() => parse(bad), (e: { code?: number }) => e.code === 1064, bad);
  }
  assert.throws(() => parse('ALTER DATABASE db CHARSET latin1 CHARACTER SET utf8mb4'), (e: { code?: number }) => e.code === 1302);
});

test('CREATE/ALTER/DROP VIEW keep the query text', () => {
  const v = parse("CREATE OR REPLACE ALGORITHM=MERGE DEFINER='root'@'localhost' SQL SECURITY INVOKER VIEW db.v (a, b) AS SELECT x, y FROM t WHERE x > 1 WITH CASCADED CHECK OPTION") as CreateViewStmt;
  assert.deepEqual([v.type, v.orReplace, v.name.schema, v.name.name, v.columns, v.queryText], ['createView', true, 'db', 'v', ['a', 'b'], 'SELECT x, y FROM t WHERE x > 1']);
  const p = parse('CREATE DEFINER = CURRENT_USER VIEW v AS (SELECT 1) UNION (SELECT 2)') as CreateViewStmt;
  assert.deepEqual([p.orReplace, p.query.type, p.queryText], [false, 'setop', '(SELECT 1) UNION (SELECT 2)']);
  const a = parse('ALTER VIEW v AS SELECT 2') as CreateViewStmt;
  assert.deepEqual([a.type, a.orReplace], ['createView', true]);
  const d = parse('DROP VIEW IF EXISTS v, w');
  assert.ok(d.type === 'dropView' && d.ifExists && d.names.length === 2);
});
