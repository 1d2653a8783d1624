// Tests of the table-access walker: which tables and schemas each statement touches, with which privilege.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../parser/index.js';
import { statementAccess, statementTables } from './table-refs.js';

/** The accesses of `sql` as sorted `ACTION schema.table` / `ACTION schema` strings. */
function access(sql: string, db: string | null = 'd'): string[] {
  return statementAccess(parse(sql), db)
    .map((a) => (a.object === 'table' ? `${a.action} ${a.schema}.${a.table}` : `${a.action} ${a.schema}`))
    .sort();
}

test('SELECT: joins, subqueries, derived tables, set operations, qualified names', () => {
  assert.deepEqual(access('SELECT 1'), []);
  assert.deepEqual(access('SELECT * FROM t1 JOIN s.t2 ON t1.a = t2.a LEFT JOIN t3 USING (a)'), ['SELECT d.t1', 'SELECT d.t3', 'SELECT s.t2']);
  assert.deepEqual(access('SELECT (SELECT max(a) FROM t2), x FROM t1, (SELECT * FROM t3) AS dt WHERE EXISTS (SELECT 1 FROM t4) AND a IN (TABLE t5)'),
    ['SELECT d.t1', 'SELECT d.t2', 'SELECT d.t3', 'SELECT d.t4', 'SELECT d.t5']);
  assert.deepEqual(access('SELECT a FROM t1 UNION SELECT a FROM other.t2'), ['SELECT d.t1', 'SELECT other.t2']);
  // Without a default schema, unqualified names are left out (the statement fails with 1046 itself).
  assert.deepEqual(access('SELECT * FROM t1, s.t2', null), ['SELECT s.t2']);
  assert.deepEqual(access('SELECT * FROM t1 a, t1 b'), ['SELECT d.t1'], 'each access once');
});

test('CTE names are not tables, but only within the WITH that defines them', () => {
  assert.deepEqual(access('WITH c AS (SELECT * FROM t1) SELECT * FROM c'), ['SELECT d.t1']);
  assert.deepEqual(access('WITH c AS (SELECT * FROM t1) SELECT * FROM d.c'), ['SELECT d.c', 'SELECT d.t1'], 'a qualified name is a table');
  // A CTE in a subquery must not hide a real table of the same name elsewhere (a bypass otherwise).
  assert.deepEqual(access('SELECT (WITH secret AS (SELECT 1) SELECT * FROM secret), x FROM secret'), ['SELECT d.secret']);
  assert.deepEqual(access('SELECT * FROM secret WHERE EXISTS (WITH secret AS (SELECT 1) SELECT * FROM secret)'), ['SELECT d.secret']);
  // Non-recursive: a CTE sees the earlier ones, not itself; RECURSIVE: all of them.
  assert.deepEqual(access('WITH a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT * FROM b'), ['SELECT d.b']);
  assert.deepEqual(access('WITH RECURSIVE r AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT * FROM r'), []);
  assert.deepEqual(access('WITH a AS (SELECT * FROM a) SELECT * FROM a'), ['SELECT d.a'], 'its own name inside is the table');
  assert.deepEqual(access('WITH c AS (SELECT 1) SELECT * FROM C'), ['SELECT d.C'], 'names compare case-sensitively, the safe side');
});

test('WITH before UPDATE / DELETE: its names are not tables in the statement, its bodies are read', () => {
  assert.deepEqual(access('WITH c AS (SELECT id FROM t1) UPDATE t2 SET a = 1 WHERE id IN (SELECT id FROM c)'), ['SELECT d.t1', 'SELECT d.t2', 'UPDATE d.t2']);
  assert.deepEqual(access('WITH c AS (SELECT id FROM t1) DELETE FROM t2 WHERE id IN (SELECT id FROM c)'), ['DELETE d.t2', 'SELECT d.t1', 'SELECT d.t2']);
});

test('INSERT, REPLACE, INSERT ... SELECT, ON DUPLICATE KEY UPDATE', () => {
  assert.deepEqual(access('INSERT INTO t (a) VALUES (1)'), ['INSERT d.t']);
  assert.deepEqual(access('INSERT INTO t SET a = (SELECT max(a) FROM s.u)'), ['INSERT d.t', 'SELECT s.u']);
  assert.deepEqual(access('INSERT INTO t SELECT * FROM u JOIN v ON u.a = v.a'), ['INSERT d.t', 'SELECT d.u', 'SELECT d.v']);
  assert.deepEqual(access('INSERT INTO t SELECT * FROM t'), ['INSERT d.t', 'SELECT d.t']);
  assert.deepEqual(access('REPLACE INTO s.t VALUES (1)'), ['DELETE s.t', 'INSERT s.t']);
  assert.deepEqual(access('INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = VALUES(a)'), ['INSERT d.t', 'UPDATE d.t']);
  assert.deepEqual(access('INSERT INTO t (a) VALUES (1) AS n ON DUPLICATE KEY UPDATE a = n.a'), ['INSERT d.t', 'UPDATE d.t']);
  // Reading the existing row needs SELECT, as in MySQL.
  assert.deepEqual(access('INSERT INTO t (a) VALUES (1) ON DUPLICATE KEY UPDATE a = a + 1'), ['INSERT d.t', 'SELECT d.t', 'UPDATE d.t']);
  assert.deepEqual(access('INSERT INTO t (a) VALUES ((SELECT 1 FROM u))'), ['INSERT d.t', 'SELECT d.u']);
});

test('UPDATE: single table, multi-table with aliases, subqueries in SET', () => {
  assert.deepEqual(access('UPDATE t SET a = 1'), ['UPDATE d.t']);
  assert.deepEqual(access('UPDATE t SET a = 1 WHERE id = 2'), ['SELECT d.t', 'UPDATE d.t'], 'WHERE reads the target');
  assert.deepEqual(access('UPDATE t SET a = a + 1'), ['SELECT d.t', 'UPDATE d.t']);
  // A subquery's columns may be correlated with the target: counted as reading it (the safe side).
  assert.deepEqual(access('UPDATE t SET a = (SELECT max(b) FROM s.u)'), ['SELECT d.t', 'SELECT s.u', 'UPDATE d.t']);
  assert.deepEqual(access('UPDATE t SET a = (SELECT 1 FROM s.u)'), ['SELECT s.u', 'UPDATE d.t']);
  // Only the aliased table that SET assigns to is written; the other is read.
  assert.deepEqual(access('UPDATE t1 AS a JOIN s.t2 AS b ON a.id = b.id SET a.x = b.y'), ['SELECT d.t1', 'SELECT s.t2', 'UPDATE d.t1']);
  assert.deepEqual(access('UPDATE t1, t2 SET t2.x = 1'), ['SELECT d.t1', 'UPDATE d.t2']);
  // An unqualified column in a multi-table UPDATE may belong to any table: all need UPDATE.
  assert.deepEqual(access('UPDATE t1 a JOIN t2 b ON a.id = b.id SET x = 1'), ['SELECT d.t1', 'SELECT d.t2', 'UPDATE d.t1', 'UPDATE d.t2']);
  assert.deepEqual(access('UPDATE t1 JOIN (SELECT * FROM t3) dt ON t1.a = dt.a SET t1.b = 2'), ['SELECT d.t1', 'SELECT d.t3', 'UPDATE d.t1']);
});

test('DELETE: single table, multi-table targets named by alias resolve through the FROM list', () => {
  assert.deepEqual(access('DELETE FROM t'), ['DELETE d.t']);
  assert.deepEqual(access('DELETE FROM s.t WHERE id IN (SELECT id FROM u)'), ['DELETE s.t', 'SELECT d.u', 'SELECT s.t']);
  // `a` is t1, not a table named `a`: checking `d.a` would be both bypassable and over-strict.
  assert.deepEqual(access('DELETE a FROM t1 AS a JOIN s.t2 AS b ON a.id = b.id'), ['DELETE d.t1', 'SELECT d.t1', 'SELECT s.t2']);
  assert.deepEqual(access('DELETE FROM a, b USING t1 AS a, s.t2 AS b WHERE a.id = b.id'), ['DELETE d.t1', 'DELETE s.t2', 'SELECT d.t1', 'SELECT s.t2']);
  assert.deepEqual(access('DELETE t1 FROM t1, t2'), ['DELETE d.t1', 'SELECT d.t2']);
  assert.deepEqual(access('DELETE s.t1 FROM s.t1, t2'), ['DELETE s.t1', 'SELECT d.t2']);
  // A target that names no FROM table is checked as named (the statement then fails with 1109).
  assert.deepEqual(access('DELETE x FROM t1'), ['DELETE d.x', 'SELECT d.t1']);
});

test('DDL: CREATE TABLE LIKE / AS SELECT, DROP, TRUNCATE, indexes, ALTER, RENAME', () => {
  assert.deepEqual(access('CREATE TABLE t (a INT)'), ['CREATE d.t']);
  assert.deepEqual(access('CREATE TABLE t LIKE s.u'), ['CREATE d.t', 'SELECT s.u']);
  assert.deepEqual(access('CREATE TABLE t AS SELECT * FROM u'), ['CREATE d.t', 'INSERT d.t', 'SELECT d.u']);
  assert.deepEqual(access('DROP TABLE t, s.u'), ['DROP d.t', 'DROP s.u']);
  assert.deepEqual(access('TRUNCATE TABLE t'), ['DROP d.t']);
  assert.deepEqual(access('CREATE INDEX i ON t (a)'), ['INDEX d.t']);
  assert.deepEqual(access('DROP INDEX i ON s.t'), ['INDEX s.t']);
  assert.deepEqual(access('ALTER TABLE t ADD COLUMN b INT'), ['ALTER d.t']);
  assert.deepEqual(access('ALTER TABLE t RENAME TO s.u'), ['ALTER d.t', 'CREATE s.u', 'DROP d.t', 'INSERT s.u']);
  assert.deepEqual(access('RENAME TABLE a TO s.b, c TO d2'), ['ALTER d.a', 'ALTER d.c', 'CREATE d.d2', 'CREATE s.b', 'DROP d.a', 'DROP d.c', 'INSERT d.d2', 'INSERT s.b']);
});

test('views: created with the creator reading the query; used by their own name', () => {
  assert.deepEqual(access('CREATE VIEW v AS SELECT * FROM s.t'), ['CREATE VIEW d.v', 'SELECT s.t']);
  assert.deepEqual(access('CREATE OR REPLACE VIEW v AS SELECT 1'), ['CREATE VIEW d.v', 'DROP d.v']);
  assert.deepEqual(access('DROP VIEW v, s.w'), ['DROP d.v', 'DROP s.w']);
  assert.deepEqual(access('SELECT * FROM v'), ['SELECT d.v']);
});

test('schemas: CREATE/DROP DATABASE, USE, SHOW TABLES FROM, SHOW CREATE DATABASE', () => {
  assert.deepEqual(access('CREATE DATABASE x'), ['CREATE x']);
  assert.deepEqual(access('DROP DATABASE x'), ['DROP x']);
  assert.deepEqual(access('USE x'), ['USAGE x']);
  assert.deepEqual(access('SHOW TABLES'), ['USAGE d']);
  assert.deepEqual(access('SHOW TABLES', null), []);
  assert.deepEqual(access('SHOW TABLES FROM x'), ['USAGE x']);
  assert.deepEqual(access('SHOW TABLE STATUS IN x'), ['USAGE x']);
  assert.deepEqual(access('SHOW CREATE DATABASE x'), ['USAGE x']);
  assert.deepEqual(access('SHOW DATABASES'), [], 'filtered by visibility instead');
});

test('SHOW COLUMNS / INDEX / CREATE TABLE, DESCRIBE: FROM db wins over the default schema', () => {
  assert.deepEqual(access('SHOW COLUMNS FROM t'), ['SELECT d.t']);
  // The executor reads x.t here: checking d.t instead would let anyone describe any table.
  assert.deepEqual(access('SHOW COLUMNS FROM t FROM x'), ['SELECT x.t']);
  assert.deepEqual(access('SHOW INDEX FROM t IN x'), ['SELECT x.t']);
  assert.deepEqual(access('SHOW CREATE TABLE x.t'), ['SELECT x.t']);
  assert.deepEqual(access('DESCRIBE x.t'), ['SELECT x.t']);
  assert.deepEqual(access('SHOW CREATE VIEW v'), ['SELECT d.v']);
  assert.deepEqual(access('SHOW DATABASES WHERE `Database` IN (SELECT a FROM x.t)'), ['SELECT x.t'], 'subqueries in a SHOW filter');
});

test('EXPLAIN needs what the statement needs; SET, DO and admin statements', () => {
  assert.deepEqual(access('EXPLAIN SELECT * FROM x.t'), ['SELECT x.t']);
  assert.deepEqual(access('EXPLAIN UPDATE t SET a = 1'), ['UPDATE d.t']);
  assert.deepEqual(access('EXPLAIN t'), ['SELECT d.t']);
  assert.deepEqual(access('SET @a = (SELECT max(a) FROM x.t)'), ['SELECT x.t']);
  assert.deepEqual(access('DO (SELECT 1 FROM x.t)'), ['SELECT x.t']);
  assert.deepEqual(access('ANALYZE TABLE t'), ['SELECT d.t']);
  assert.deepEqual(access('OPTIMIZE TABLE t'), ['INSERT d.t', 'SELECT d.t']);
  assert.deepEqual(access('LOCK TABLES t READ, x.u WRITE'), ['SELECT d.t', 'SELECT x.u']);
  assert.deepEqual(access('BEGIN'), []);
  assert.deepEqual(access('KILL 5'), []);
});

test('statementTables: each table once, whatever the actions', () => {
  assert.deepEqual(statementTables(parse('INSERT INTO t SELECT * FROM t JOIN x.u'), 'd'), [{ schema: 'd', table: 't' }, { schema: 'x', table: 'u' }]);
  assert.deepEqual(statementTables(parse('DELETE a FROM t1 AS a'), 'd'), [{ schema: 'd', table: 't1' }]);
});
