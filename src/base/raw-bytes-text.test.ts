import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKeepingBytes, encodeKeepingBytes, hasEscapedBytes } from './raw-bytes-text.js';

test('valid UTF-8 decodes as usual and has no escaped bytes', () => {
  const text = 'Zoë 🐍 “x” \u0000 end';
  const s = decodeKeepingBytes(Buffer.from(text, 'utf8'));
  assert.equal(s, text);
  assert.equal(hasEscapedBytes(s), false);
  assert.deepEqual(encodeKeepingBytes(s), Buffer.from(text, 'utf8'));
});

test('bytes that are not UTF-8 survive a decode and encode round trip', () => {
  const cases = [
    Buffer.from([0x5f, 0x27, 0x00, 0x01, 0xff, 0x27]),
    Buffer.from([0x80, 0x81, 0xc3]), // lone continuation bytes, a truncated sequence at the end
    Buffer.from([0xc0, 0xaf]), // an overlong '/'
    Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate (CESU-8)
    Buffer.from([0xf4, 0x90, 0x80, 0x80]), // beyond U+10FFFF
    Buffer.concat([Buffer.from('é🐍', 'utf8'), Buffer.from([0xfe]), Buffer.from('ü', 'utf8')]),
  ];
  for (const b of cases) {
    const s = decodeKeepingBytes(b);
    assert.equal(hasEscapedBytes(s), true, b.toString('hex'));
    assert.deepEqual(encodeKeepingBytes(s), b, b.toString('hex'));
  }
});

test('valid text around escaped bytes stays text', () => {
  const b = Buffer.concat([Buffer.from("INSERT INTO t VALUES (_binary'", 'utf8'), Buffer.from([0xff, 0x00]), Buffer.from("', 'ñ')", 'utf8')]);
  const s = decodeKeepingBytes(b, 7);
  assert.ok(s.startsWith("INTO t VALUES (_binary'"));
  assert.ok(s.endsWith("', 'ñ')"));
  assert.deepEqual(encodeKeepingBytes(s), b.subarray(7));
});

test('a real surrogate pair is text, not an escaped byte', () => {
  const s = '\uD83D\uDC8D'; // 💍: its low surrogate lies in DC80–DCFF
  assert.equal(hasEscapedBytes(s), false);
  assert.deepEqual(encodeKeepingBytes(s), Buffer.from(s, 'utf8'));
});
