// Tests for text collations: folding, ordering, PAD SPACE, the ASCII fast path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareText, collationKey, getCollation, getCollationById, COLLATIONS, CHARSETS, isBinaryCollation } from './collation.js';

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);

test('default collation is case- and accent-insensitive', () => {
  assert.equal(compareText('abc', 'ABC'), 0);
  assert.equal(compareText('café', 'CAFE'), 0);
  assert.equal(compareText('Ångström', 'angstrom'), 0);
  assert.equal(compareText('straße', 'STRASSE'), 0);
  assert.equal(collationKey('Résumé'), collationKey('resume'));
  assert.notEqual(collationKey('a'), collationKey('b'));
});

test('default collation is NO PAD; general_ci pads', () => {
  assert.notEqual(compareText('a', 'a '), 0);
  assert.equal(compareText('a', 'a  ', 'utf8mb4_general_ci'), 0);
  assert.equal(collationKey('a ', 'utf8mb4_general_ci'), collationKey('A', 'utf8mb4_general_ci'));
});

test('binary collations compare by code point', () => {
  assert.ok(compareText('a', 'B', 'utf8mb4_bin') > 0);
  assert.ok(compareText('a', 'A', 'binary') > 0);
  assert.equal(compareText('a', 'a', 'binary'), 0);
  // U+FF5E (BMP, above surrogates) sorts below U+1F600 (astral) in code point order.
  assert.ok(compareText('\uff5e', '\u{1f600}', 'utf8mb4_bin') < 0);
  assert.ok(isBinaryCollation('utf8mb4_bin'));
  assert.ok(!isBinaryCollation(undefined));
});

test('ordering follows UCA for ASCII: punctuation < digits < letters, case folded', () => {
  const words = ['b', 'A', 'a_b', 'ab', '1', '_', 'a-b', 'Z', ' ', '$'];
  const sorted = [...words].sort((x, y) => compareText(x, y));
  assert.deepEqual(sorted.indexOf(' ') < sorted.indexOf('_'), true);
  assert.deepEqual(sorted.indexOf('$') < sorted.indexOf('1'), true);
  assert.deepEqual(sorted.indexOf('1') < sorted.indexOf('A'), true);
  assert.deepEqual(sorted.indexOf('a_b') < sorted.indexOf('ab'), true);
  assert.deepEqual(sorted.indexOf('b') < sorted.indexOf('Z'), true);
});

test('prefix sorts before its extensions', () => {
  assert.ok(compareText('ab', 'abc') < 0);
  assert.ok(compareText('é', 'ea') < 0);
});

test('compareText agrees with collationKey order, with and without PAD SPACE, and the ASCII fast path with the slow path', () => {
  const alphabet = ['a', 'B', 'é', 'E', ' ', ' ', '_', '1', 'ß', 'z', 'Ω', 'ω', '\u{1f600}', '-', 'Ä', '\ufb01', 'ｚ', '\u0301', '\x01', '\t', 'e'];
  let seed = 42;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const word = (): string => {
    let s = '';
    const n = Math.floor(rnd() * 7);
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rnd() * alphabet.length)];
    return s;
  };
  const byCodePoint = (x: string, y: string): number => Buffer.compare(Buffer.from(x), Buffer.from(y));
  for (const collation of [undefined, 'utf8mb4_general_ci']) {
    for (let i = 0; i < 20000; i++) {
      const a = word();
      // Often a shared prefix, so comparisons reach the tails.
      const b = rnd() < 0.5 ? a.slice(0, Math.floor(rnd() * (a.length + 1))) + word() : word();
      const c = sign(compareText(a, b, collation));
      const ka = collationKey(a, collation);
      const kb = collationKey(b, collation);
      assert.equal(c, sign(byCodePoint(ka, kb)), `${JSON.stringify(a)} vs ${JSON.stringify(b)} under ${collation ?? 'the default'}`);
      assert.equal(sign(compareText(b, a, collation)), c === 0 ? 0 : -c);
      assert.equal(c === 0, ka === kb);
    }
  }
  // Cases the prefix fast path must hand to the slow one: a space that PAD SPACE trims
  // meeting a control character (which weighs less than a space), and a combining mark in a tail.
  assert.equal(sign(compareText('x ', 'x\t', 'utf8mb4_general_ci')), -1);
  assert.equal(sign(compareText('x \x01', 'x ', 'utf8mb4_general_ci')), 1);
  assert.equal(sign(compareText('x ', 'x\t')), 1);
  assert.equal(compareText('x', 'x\u0301'), 0);
  assert.equal(compareText('x  ', 'X', 'utf8mb4_general_ci'), 0);
  assert.equal(sign(compareText('x ', 'x')), 1);
  // The fast path (pure ASCII) must agree with folding that goes through normalize.
  for (let i = 0; i < 2000; i++) {
    let a = '';
    for (let j = 0; j < 4; j++) a += String.fromCharCode(Math.floor(rnd() * 128));
    const slow = collationKey(a + 'é').slice(0, -1);
    assert.equal(collationKey(a), slow);
  }
});

test('collation list has MySQL ids and charsets', () => {
  assert.equal(getCollation('UTF8MB4_0900_AI_CI')?.id, 255);
  assert.equal(getCollationById(63)?.name, 'binary');
  assert.equal(getCollation('utf8_general_ci')?.name, 'utf8mb3_general_ci');
  assert.equal(getCollation('nope'), undefined);
  for (const c of COLLATIONS) assert.ok(CHARSETS.some((cs) => cs.name === c.charset));
  for (const cs of CHARSETS) assert.ok(getCollation(cs.defaultCollation)?.isDefault);
});
