// The statement splitter: quotes, comments, DELIMITER, \G and line numbers, whatever the chunk boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatementSplitter, type SplitStatement } from './splitter.js';

function split(text: string, chunk = text.length): SplitStatement[] {
  const s = new StatementSplitter();
  const out: SplitStatement[] = [];
  for (let i = 0; i < text.length; i += chunk) {
    s.push(text.slice(i, i + chunk));
    out.push(...s.take());
  }
  s.finish();
  return [...out, ...s.take()];
}

const DUMP = [
  '-- MariaDB dump 10.19',
  '/*!40101 SET NAMES utf8mb4 */;',
  '# a hash comment; with a semicolon',
  'CREATE TABLE `t;x` (',
  '  id INT, -- the key; really',
  "  s VARCHAR(9) DEFAULT 'a;b'",
  ');',
  "INSERT INTO t VALUES (1,'it\\'s; fine'),(2,'say \"hi;\"'),(3,'two '';'' quotes');",
  '/* block ; comment',
  ' over lines */ SELECT 1 /* inside; */ ;',
  'SELECT "x\\\\";SELECT 2',
].join('\n');

const EXPECTED = [
  { sql: '/*!40101 SET NAMES utf8mb4 */', line: 2, vertical: false },
  { sql: 'CREATE TABLE `t;x` (\n  id INT, -- the key; really\n  s VARCHAR(9) DEFAULT \'a;b\'\n)', line: 4, vertical: false },
  { sql: "INSERT INTO t VALUES (1,'it\\'s; fine'),(2,'say \"hi;\"'),(3,'two '';'' quotes')", line: 8, vertical: false },
  { sql: 'SELECT 1 /* inside; */', line: 10, vertical: false },
  { sql: 'SELECT "x\\\\"', line: 11, vertical: false },
  { sql: 'SELECT 2', line: 11, vertical: false },
];

test('a dump splits at semicolons outside quotes and comments, with start lines', () => {
  assert.deepEqual(split(DUMP), EXPECTED);
});

test('every chunk size gives the same statements', () => {
  for (const chunk of [1, 2, 3, 5, 7, 64]) assert.deepEqual(split(DUMP, chunk), EXPECTED, `chunk ${chunk}`);
});

test('DELIMITER changes the delimiter; \\G ends a statement vertically; \\c drops one', () => {
  const text = 'DELIMITER ;;\nCREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END;;\nDELIMITER ;\nSELECT 1\\G\nSELECT oops \\c SELECT 3;';
  for (const chunk of [1, 4, text.length]) {
    assert.deepEqual(split(text, chunk), [
      { sql: 'CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW BEGIN SET @a = 1; END', line: 2, vertical: false },
      { sql: 'SELECT 1', line: 4, vertical: true },
      { sql: 'SELECT 3', line: 5, vertical: false },
    ]);
  }
});

test('a comment-only or empty input has no statements; an unterminated quote is still sent at the end', () => {
  assert.deepEqual(split('-- nothing\n\n/* at all; */\n#;\n'), []);
  assert.deepEqual(split("SELECT 'open;"), [{ sql: "SELECT 'open;", line: 1, vertical: false }]);
  assert.deepEqual(split('SELECT 1--2;'), [{ sql: 'SELECT 1--2', line: 1, vertical: false }]);
});

test('pending says whether a statement waits for its delimiter', () => {
  const s = new StatementSplitter();
  s.push('-- hi\n');
  assert.equal(s.pending, false);
  s.push('SELECT\n');
  assert.equal(s.pending, true);
  s.push('1;\n');
  assert.equal(s.pending, false);
  assert.deepEqual(s.take(), [{ sql: 'SELECT\n1', line: 2, vertical: false }]);
});
