// Tests of statement digests: same shape, same digest; different shape, different digest.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statementDigest as d } from './digest.js';

test('literals become ? and keywords, identifiers and spacing are normalized', () => {
  assert.equal(d("select a, b from t where id = 5 and name = 'x'"), 'SELECT A, B FROM T WHERE ID = ? AND NAME = ?');
  assert.equal(d('SELECT  a,b\nFROM   t WHERE id=7 AND name="y"'), d("select a, b from t where id = 5 and name = 'x'"));
  assert.equal(d('SELECT 1.5, 2e3, 0x1F, b\'101\', X\'4D\', N\'z\', _utf8mb4\'q\''), 'SELECT ?, ?, ?, ?, ?, ?, ?');
  assert.equal(d('select * from db1.t1'), 'SELECT * FROM DB1.T1');
});

test('quoted identifiers match unquoted ones unless they need their quotes', () => {
  assert.equal(d('SELECT `a` FROM `t`'), d('select a from t'));
  assert.equal(d('SELECT `my col` FROM `select`'), 'SELECT `my col` FROM `select`');
  assert.equal(d('SELECT `we``ird`'), 'SELECT `we``ird`');
});

test('a subtraction keeps its operator; a sign belongs to the literal', () => {
  assert.equal(d('SELECT a - 1 FROM t'), 'SELECT A - ? FROM T');
  assert.equal(d('SELECT a-1 FROM t'), 'SELECT A - ? FROM T');
  assert.equal(d('SELECT -1'), 'SELECT ?');
  assert.equal(d('SELECT 1'), d('SELECT -1'));
  assert.equal(d('SELECT * FROM t WHERE a = -5 AND b > +3'), 'SELECT * FROM T WHERE A = ? AND B > ?');
  assert.equal(d('SELECT 5 - -3'), 'SELECT ? - ?');
  assert.equal(d('SELECT (a) - 2, f(x) - 1, ? - 1'), 'SELECT (A) - ?, F(X) - ?, ? - ?');
  assert.equal(d('SELECT * FROM t WHERE a IN (-1, 2)'), 'SELECT * FROM T WHERE A IN (...)');
  assert.equal(d('SELECT NULL - 1'), 'SELECT NULL - ?');
});

test('literal lists collapse, so list length does not change the digest', () => {
  assert.equal(d('SELECT * FROM t WHERE id IN (1, 2, 3)'), 'SELECT * FROM T WHERE ID IN (...)');
  assert.equal(d('SELECT * FROM t WHERE id IN (4)'), d('SELECT * FROM t WHERE id IN (1,2,3)'));
  assert.equal(d('SELECT * FROM t WHERE (a, b) IN ((1, 2), (3, 4))'), 'SELECT * FROM T WHERE (A, B) IN (...)');
  assert.equal(d('SELECT * FROM t WHERE id IN (?, ?)'), 'SELECT * FROM T WHERE ID IN (...)');
  // Not a literal list: a column inside keeps the parentheses.
  assert.equal(d('SELECT SUBSTR(x, 1, 2) FROM t'), 'SELECT SUBSTR(X, ?, ?) FROM T');
  assert.equal(d('SELECT NOW(), COUNT(*) FROM t'), 'SELECT NOW(), COUNT(*) FROM T');
  assert.equal(d('SELECT (SELECT 1)'), 'SELECT (SELECT ?)');
});

test('multi-row INSERTs share one digest whatever the row count', () => {
  assert.equal(d('INSERT INTO t (a, b) VALUES (1, 2)'), 'INSERT INTO T(A, B) VALUES (...)');
  assert.equal(d('INSERT INTO t(a,b) VALUES (1,2),(3,4),(5,6)'), d('INSERT INTO t (a, b) VALUES (1, 2)'));
  assert.equal(d("INSERT INTO t VALUES (1, 'a', NOW())"), 'INSERT INTO T VALUES (?, ?, NOW())');
});

test('LIMIT, parameters and prepared statements agree with literal text', () => {
  assert.equal(d('SELECT * FROM t LIMIT 10'), d('SELECT * FROM t LIMIT 20'));
  assert.equal(d('SELECT * FROM t LIMIT 5, 10'), 'SELECT * FROM T LIMIT ?, ?');
  assert.equal(d('SELECT * FROM t WHERE id = ?'), d('SELECT * FROM t WHERE id = 42'));
});

test('comments, a trailing semicolon and variable case do not matter', () => {
  assert.equal(d('/* app=web */ SELECT 1; '), 'SELECT ?');
  assert.equal(d('SELECT 1 -- trailing\n'), 'SELECT ?');
  assert.equal(d('SELECT 1 # hash comment'), 'SELECT ?');
  assert.equal(d('SELECT @X, @@SESSION.Sql_Mode, @@autocommit'), 'SELECT @x, @@session.sql_mode, @@autocommit');
  assert.equal(d('SELECT @x'), d('select @X'));
});

test('text that does not lex is digested up to the fault; empty text digests to empty', () => {
  assert.equal(d("SELECT * FROM t WHERE a = 'unterminated"), 'SELECT * FROM T WHERE A =');
  assert.equal(d(''), '');
  assert.equal(d('   ;'), '');
});

test('different shapes keep different digests', () => {
  assert.notEqual(d('SELECT a FROM t WHERE id = 1'), d('SELECT a FROM t WHERE id > 1'));
  assert.notEqual(d('DELETE FROM t'), d('DELETE FROM t WHERE id = 1'));
  assert.notEqual(d('SELECT a FROM t1'), d('SELECT a FROM t2'));
});
