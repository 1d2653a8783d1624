// Tests for the SQL lexer: tokens, literals, escapes, comments and version comments, variables, errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize } from './lexer.js';
import { Tk, type Token } from './token.js';
import { isReserved } from './keywords.js';

const kinds = (sql: string): number[] => tokenize(sql).map((t) => t.kind);
const texts = (sql: string): string[] => tokenize(sql).filter((t) => t.kind !== Tk.EOF).map((t) => t.text);
const one = (sql: string): Token => {
  const ts = tokenize(sql);
  assert.equal(ts.length, 2, `expected one token in ${sql}`);
  return ts[0];
};

test('words keep their case and carry an upper-cased form', () => {
  const t = one('SeLeCt');
  assert.equal(t.kind, Tk.Word);
  assert.equal(t.text, 'SeLeCt');
  assert.equal(t.upper, 'SELECT');
  assert.equal(one('$a_1é').text, '$a_1é');
});

test('identifiers may start with digits when not all digits', () => {
  assert.deepEqual(kinds('1a 123abc 12'), [Tk.Word, Tk.Word, Tk.Int, Tk.EOF]);
  assert.equal(one('1e').kind, Tk.Word);
  assert.equal(one('0xZZ').kind, Tk.Word);
});

test('backtick identifiers with doubled backticks', () => {
  const t = one('`a``b c`');
  assert.equal(t.kind, Tk.QIdent);
  assert.equal(t.text, 'a`b c');
});

test('strings: both quotes, doubled quotes, backslash escapes', () => {
  assert.equal(one("'it''s'").text, "it's");
  assert.equal(one('"say ""hi"""').text, 'say "hi"');
  assert.equal(one('"it\'\'s"').text, "it''s");
  assert.equal(one(String.raw`'\0\'\"\b\n\r\t\Z\\'`).text, '\0\'"\b\n\r\t\x1a\\');
  assert.equal(one(String.raw`'a\%b\_c\q'`).text, 'a\\%b\\_cq');
  assert.equal(one("N'x'").kind, Tk.NStr);
});

test('numbers: integers, decimals, floats, leading dot, trailing dot', () => {
  assert.deepEqual(kinds('1 1.5 .5 1. 1e3 1.5E-2 2e+1'), [Tk.Int, Tk.Dec, Tk.Dec, Tk.Dec, Tk.Float, Tk.Float, Tk.Float, Tk.EOF]);
  assert.deepEqual(texts('1.50 .5 1.'), ['1.50', '.5', '1.']);
});

test('hex and bit literals', () => {
  assert.deepEqual(tokenize("X'4D' x'4d' 0x4D b'101' B'1' 0b101").slice(0, 6).map((t) => [t.kind, t.text]), [
    [Tk.Hex, '4D'], [Tk.Hex, '4d'], [Tk.Hex, '4D'], [Tk.Bit, '101'], [Tk.Bit, '1'], [Tk.Bit, '101'],
  ]);
  assert.throws(() => tokenize("X'4'"), { code: 1064 });
  assert.throws(() => tokenize("X'4G'"), { code: 1064 });
});

test('charset introducers', () => {
  const t = tokenize("_utf8mb4'x' _binary 'y' _foo");
  assert.equal(t[0].kind, Tk.Introducer);
  assert.equal(t[0].text, 'utf8mb4');
  assert.equal(t[2].kind, Tk.Introducer);
  assert.equal(t[4].kind, Tk.Word);
});

test('user and system variables', () => {
  const t = tokenize("@a @'quoted var' @`b` @a.b @@version @@session.sql_mode @@GLOBAL.x @@local.y");
  assert.deepEqual(t.slice(0, 8).map((x) => [x.kind, x.text, x.upper]), [
    [Tk.UserVar, 'a', ''], [Tk.UserVar, 'quoted var', ''], [Tk.UserVar, 'b', ''], [Tk.UserVar, 'a.b', ''],
    [Tk.SysVar, 'version', ''], [Tk.SysVar, 'sql_mode', 'SESSION'], [Tk.SysVar, 'x', 'GLOBAL'], [Tk.SysVar, 'y', 'SESSION'],
  ]);
});

test('operators, longest match first', () => {
  assert.deepEqual(texts(':= <=> >= <= <> != << >> && || -> ->> = < > ! ~ ^ & | + - * / % ( ) , ; . ?'), [
    ':=', '<=>', '>=', '<=', '<>', '!=', '<<', '>>', '&&', '||', '->', '->>', '=', '<', '>', '!', '~', '^', '&', '|',
    '+', '-', '*', '/', '%', '(', ')', ',', ';', '.', '?',
  ]);
  assert.deepEqual(texts('a<=>b'), ['a', '<=>', 'b']);
});

test('comments: --, #, /* */ and optimizer hints are skipped', () => {
  assert.deepEqual(texts('a -- c\nb # d\nc /* e */ d /*+ HINT */ e'), ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(texts('a --b'), ['a', '-', '-', 'b']);
  assert.deepEqual(texts('1--1'), ['1', '-', '-', '1']);
  assert.deepEqual(texts('a --'), ['a']);
  assert.throws(() => tokenize('a /* open'), { code: 1064 });
});

test('version comments are executed unless the version is newer', () => {
  assert.deepEqual(texts('a /*! b */ c'), ['a', 'b', 'c']);
  assert.deepEqual(texts('/*!40101 SET NAMES utf8 */'), ['SET', 'NAMES', 'utf8']);
  assert.deepEqual(texts('a /*!80000 b */ c'), ['a', 'b', 'c']);
  assert.deepEqual(texts('a /*!99999 b */ c'), ['a', 'c']);
});

test('dots after identifiers start identifiers, not numbers', () => {
  assert.deepEqual(tokenize('t.1c').slice(0, 3).map((t) => t.kind), [Tk.Word, Tk.Op, Tk.Word]);
  assert.deepEqual(texts('t.5'), ['t', '.', '5']);
});

test('positions are character offsets', () => {
  const t = tokenize('  ab  cd');
  assert.deepEqual([t[0].start, t[0].end, t[1].start, t[1].end, t[2].start], [2, 4, 6, 8, 8]);
});

test('unterminated strings and identifiers are syntax errors at their start', () => {
  assert.throws(() => tokenize("select 'abc"), (e: Error) => e.message.includes("near ''abc' at line 1"));
  assert.throws(() => tokenize('select\n`abc'), (e: Error) => e.message.includes("near '`abc' at line 2"));
});

test('reserved words', () => {
  for (const w of ['SELECT', 'FROM', 'KEY', 'INDEX', 'RANK', 'INTERSECT', 'LATERAL']) assert.ok(isReserved(w), w);
  for (const w of ['STATUS', 'DATE', 'TEXT', 'VALUE', 'DATA', 'USER', 'NAME', 'COMMENT', 'TIMESTAMP', 'ACTION', 'LEVEL', 'NAMES']) {
    assert.ok(!isReserved(w), w);
  }
});
