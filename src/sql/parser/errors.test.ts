// Tests for the parser's public API edges: exact 1064/1065/1248 errors, parse vs parseMulti, splitStatements, parseExpr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, parseExpr, parseMulti, parseWithParams, splitStatements } from './index.js';

const PREFIX = "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '";
const syntax = (near: string, line: number) => ({ code: 1064, sqlState: '42000', message: `${PREFIX}${near}' at line ${line}` });

test('1064 quotes the rest of the statement from the offending token, with its line', () => {
  assert.throws(() => parse('selec 1'), syntax('selec 1', 1));
  assert.throws(() => parse('SELECT * FORM t'), syntax('FORM t', 1));
  assert.throws(() => parse('SELECT *\nFROM t\nWHERE a = = 1'), syntax('= 1', 3));
  assert.throws(() => parse('SELECT * FROM t WHERE'), syntax('', 1));
  assert.throws(() => parse('SELECT 1 +\n'), syntax('', 2));
  assert.throws(() => parse('SELECT * FROM select'), syntax('select', 1));
  assert.throws(() => parse("select 'abc"), syntax("'abc", 1));
});

test('the near text is cut at 80 characters', () => {
  const tail = 'x'.repeat(100);
  assert.throws(() => parse(`SELECT FROM ${tail}`), syntax(`FROM ${tail}`.slice(0, 80), 1));
});

test('1065 for empty queries', () => {
  for (const q of ['', '   ', '-- just a comment', '/* c */', '# hash']) {
    assert.throws(() => parse(q), { code: 1065, sqlState: '42000', message: 'Query was empty' }, JSON.stringify(q));
  }
});

test('parse accepts one statement and one trailing semicolon', () => {
  assert.equal(parse('SELECT 1;').type, 'select');
  assert.equal(parse('SELECT 1 ; ').type, 'select');
  assert.throws(() => parse('SELECT 1; SELECT 2'), syntax('SELECT 2', 1));
  assert.throws(() => parse('SELECT 1;;'), syntax(';', 1));
  assert.throws(() => parse('SELECT 1 SELECT 2'), syntax('SELECT 2', 1));
});

test('1248 for derived tables without alias', () => {
  assert.throws(() => parse('SELECT * FROM (SELECT 1) JOIN t'), { code: 1248, message: 'Every derived table must have its own alias' });
});

test('parseMulti splits statements with their own text and parameter counts', () => {
  const r = parseMulti('SELECT 1;\n  INSERT INTO t VALUES (?) ; /* c */ SELECT ?, ?;');
  assert.deepEqual(r.map((x) => [x.statement.type, x.text, x.paramCount]), [
    ['select', 'SELECT 1', 0], ['insert', 'INSERT INTO t VALUES (?)', 1], ['select', '/* c */ SELECT ?, ?', 2],
  ]);
  assert.equal(parseMulti('SELECT 1').length, 1);
  assert.throws(() => parseMulti('SELECT 1;\nSELECT 2;\nSELECT * FORM t'), syntax('FORM t', 1));
  assert.throws(() => parseMulti('  '), { code: 1065 });
  const sp = parseMulti("SELECT ';' AS a; SELECT 2 -- ; comment\n");
  assert.equal(sp.length, 2);
});

test('splitStatements splits on top-level semicolons only', () => {
  assert.deepEqual(splitStatements("select ';'; select 2 -- x;\n; select `;`;"), ["select ';'", 'select 2 -- x;', 'select `;`']);
  assert.deepEqual(splitStatements('select 1'), ['select 1']);
  assert.deepEqual(splitStatements("select 'open; x"), ["select 'open; x"]);
});

test('parseExpr parses exactly one expression', () => {
  assert.equal(parseExpr('1 + 2').type, 'binary');
  assert.throws(() => parseExpr('1 2'), syntax('2', 1));
  assert.throws(() => parseExpr(''), { code: 1065 });
});

test('parseWithParams numbers ? markers in source order', () => {
  const { statement, paramCount } = parseWithParams('UPDATE t SET a = ?, b = ? WHERE c = ? LIMIT ?');
  assert.equal(paramCount, 4);
  assert.ok(statement.type === 'update' && statement.set[1].value.type === 'param' && statement.set[1].value.index === 1);
});

test('version comments are parsed as SQL', () => {
  const s = parse('/*!40101 SET NAMES utf8mb4 */');
  assert.ok(s.type === 'set' && s.assignments[0].kind === 'names');
  const c = parse('CREATE TABLE t (a INT) /*!50100 ENGINE=InnoDB */ /*!99999 BROKEN */');
  assert.ok(c.type === 'createTable' && c.options.ENGINE === 'InnoDB');
  const h = parse('SELECT /*+ MAX_EXECUTION_TIME(1000) */ 1');
  assert.ok(h.type === 'select' && h.items.length === 1);
});
