// Unit tests of the JSON document model: parsing and its errors, canonical text, paths, the text scan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJson, type JsonNode } from './json-doc.js';
import { JsonSyntaxError, parseJson } from './json-parse.js';
import { findPath, JsonPathError, parseJsonPath } from './json-path.js';
import { scanJsonText } from './json-text-scan.js';
import { compareJson } from './json-compare.js';

function syntaxError(text: string): { reason: string; position: number } {
  try {
    parseJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { reason: e.reason, position: e.position };
    throw e;
  }
  throw new Error(`no error for ${text}`);
}

test('parse errors carry MySQL\'s (rapidjson\'s) reason and byte position', () => {
  assert.deepEqual(syntaxError('[1, 2,'), { reason: 'Invalid value.', position: 6 });
  assert.deepEqual(syntaxError(''), { reason: 'The document is empty.', position: 0 });
  assert.deepEqual(syntaxError('{"a" 1}'), { reason: 'Missing a colon after a name of object member.', position: 5 });
  assert.deepEqual(syntaxError('{1: 2}'), { reason: 'Missing a name for object member.', position: 1 });
  assert.deepEqual(syntaxError('[1 2]'), { reason: "Missing a comma or ']' after an array element.", position: 3 });
  assert.deepEqual(syntaxError('1 2'), { reason: 'The document root must not be followed by other values.', position: 2 });
  assert.deepEqual(syntaxError('"é'), { reason: 'Missing a closing quotation mark in string.', position: 3 });
  assert.deepEqual(syntaxError('1.'), { reason: 'Miss fraction part in number.', position: 2 });
  assert.deepEqual(syntaxError('"\\x"'), { reason: 'Invalid escape character in string.', position: 1 });
});

test('canonical text: sorted keys (shorter first), ", " and ": ", numbers keep int/double', () => {
  const cases: [string, string][] = [
    ['{"bb":1,"a":2,"ccc":{"z":[],"y":{}}}', '{"a": 2, "bb": 1, "ccc": {"y": {}, "z": []}}'],
    ['[1, 1.0, 1e2, -0.5, 18446744073709551615, 18446744073709551616]', '[1, 1.0, 100.0, -0.5, 18446744073709551615, 1.8446744073709552e19]'],
    ['"tab\\there \\u00e9 \\ud83d\\ude00 \\"q\\" \\/"', '"tab\\there é 😀 \\"q\\" /"'],
    ['{"a":1,"a":2}', '{"a": 2}'],
    [' true ', 'true'],
  ];
  for (const [input, out] of cases) assert.equal(formatJson(parseJson(input)), out, input);
});

test('paths: parsing, errors and selection', () => {
  const doc = parseJson('[3, {"a": [5, 6], "b": 10}, [99, 100]]');
  const pick = (p: string): string => formatJson(findPath(doc, parseJsonPath(p)));
  assert.equal(pick('$[1].a[1]'), '[6]');
  assert.equal(pick('$[last][last-1]'), '[99]');
  assert.equal(pick('$[0 to 1]'), '[3, {"a": [5, 6], "b": 10}]');
  assert.equal(pick('$**.a'), '[[5, 6]]');
  assert.equal(pick('$[1].*'), '[[5, 6], 10]');
  assert.equal(pick('$ [ 1 ] . "a"'), '[[5, 6]]');
  assert.equal(pick('$[0][0]'), '[3]');
  for (const bad of ['', 'a', '$.', '$[', '$[x]', '$**', '$.1a', '$."a', '$[1 to]']) {
    assert.throws(() => parseJsonPath(bad), JsonPathError, bad);
  }
  assert.equal(parseJsonPath('$.a[2]').simple, true);
  assert.equal(parseJsonPath('$.a[last]').simple, false);
  assert.equal(parseJsonPath('$.*').wildcard, true);
});

/** A small random document, deterministic from `seed`. */
function randomDoc(next: () => number, depth: number): JsonNode {
  const r = next() % (depth > 3 ? 4 : 7);
  switch (r) {
    case 0: return BigInt(next() % 100);
    case 1: return ['x', 'a b', 'q"uote', 'é', ''][next() % 5];
    case 2: return next() % 2 === 0;
    case 3: return next() % 2 ? null : (next() % 1000) / 8;
    case 4: case 5: return Array.from({ length: next() % 4 }, () => randomDoc(next, depth + 1));
    default: {
      const m = new Map<string, JsonNode>();
      for (let i = next() % 4; i > 0; i--) m.set(['a', 'bb', 'k\\ey', 'a b', 'c'][next() % 5], randomDoc(next, depth + 1));
      return m;
    }
  }
}

test('the text scan finds what findPath finds, on canonical and on compact text', () => {
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed >> 8;
  };
  const paths = ['$', '$[0]', '$[1]', '$[2][0]', '$.a', '$.bb', '$."k\\\\ey"', '$."a b"', '$.a[1]', '$.c.a', '$[0].bb[1]', '$[1].c'].map(parseJsonPath);
  for (let i = 0; i < 500; i++) {
    const doc = randomDoc(next, 0);
    const canonical = formatJson(doc);
    const compact = JSON.stringify(JSON.parse(canonical));
    for (const p of paths) {
      const found = findPath(doc, p);
      const want = found.length ? formatJson(found[0]) : undefined;
      const got = scanJsonText(canonical, p.legs);
      assert.equal(got, want, `${canonical} ${JSON.stringify(p.legs)}`);
      // JSON.stringify drops `.0` from doubles, so the compact text's match is compared as a value.
      const gotCompact = scanJsonText(compact, p.legs);
      assert.equal(gotCompact === undefined, found.length === 0, compact);
      if (gotCompact !== undefined) assert.equal(compareJson(parseJson(gotCompact), found[0]), 0, `${compact} ${JSON.stringify(p.legs)}`);
    }
  }
});

test('comparison: numbers across kinds, then type rank, arrays element-wise', () => {
  const cmp = (a: string, b: string): number => Math.sign(compareJson(parseJson(a), parseJson(b)));
  assert.equal(cmp('1', '1.0'), 0);
  assert.equal(cmp('2', '10.5'), -1);
  assert.equal(cmp('18446744073709551615', '1e19'), 1);
  assert.equal(cmp('"a"', '1'), 1);
  assert.equal(cmp('null', '0'), -1);
  assert.equal(cmp('true', '"z"'), 1);
  assert.equal(cmp('[1, 2]', '[1, 3]'), -1);
  assert.equal(cmp('[1, 2]', '[1, 2, 0]'), -1);
  assert.equal(cmp('{"a": 1, "b": 2}', '{"b": 2, "a": 1}'), 0);
});
