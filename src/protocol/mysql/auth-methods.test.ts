// Tests of the password methods: tokens computed the way clients compute them, verified against stored digests; the clear-text answer both ways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { clearTextPassword, clearTextToken, generateScramble, nativeStage2, nativeToken, sha2Stage2, sha2Token, verifyNative, verifySha2 } from './auth-methods.js';

const h = (alg: string, ...parts: Buffer[]) => {
  const x = createHash(alg);
  for (const p of parts) x.update(p);
  return x.digest();
};
const xor = (a: Buffer, b: Buffer) => Buffer.from(a.map((v, i) => v ^ b[i]));

test('scrambles are 20 bytes, 7-bit, never NUL or $', () => {
  for (let i = 0; i < 50; i++) {
    const s = generateScramble();
    assert.equal(s.length, 20);
    for (const b of s) assert.ok(b > 0 && b < 128 && b !== 0x24);
  }
});

test("mysql_native_password: PASSWORD('password') and a client's token", () => {
  assert.equal('*' + nativeStage2('password').toString('hex').toUpperCase(), '*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  const scramble = generateScramble();
  const stage1 = h('sha1', Buffer.from('s3cret'));
  const clientToken = xor(stage1, h('sha1', scramble, h('sha1', stage1)));
  assert.deepEqual(nativeToken('s3cret', scramble), clientToken);
  assert.ok(verifyNative(clientToken, scramble, nativeStage2('s3cret')));
  assert.ok(!verifyNative(nativeToken('wrong', scramble), scramble, nativeStage2('s3cret')));
  assert.ok(!verifyNative(clientToken, generateScramble(), nativeStage2('s3cret')), 'a token is bound to its scramble');
  assert.ok(!verifyNative(Buffer.alloc(3), scramble, nativeStage2('s3cret')));
  assert.equal(nativeToken('', scramble).length, 0);
});

test('caching_sha2_password fast path', () => {
  const scramble = generateScramble();
  const stage1 = h('sha256', Buffer.from('pässword'));
  const clientToken = xor(stage1, h('sha256', h('sha256', stage1), scramble));
  assert.deepEqual(sha2Token('pässword', scramble), clientToken);
  assert.ok(verifySha2(clientToken, scramble, sha2Stage2('pässword')));
  assert.ok(!verifySha2(sha2Token('password', scramble), scramble, sha2Stage2('pässword')));
  assert.ok(!verifySha2(clientToken.subarray(1), scramble, sha2Stage2('pässword')));
});

test('mysql_clear_password round trip: the password NUL-terminated, read back with or without the NUL', () => {
  for (const pw of ['', 'sesame', "pä:ss wörd\\'\"%*()\u{1F511}"]) {
    const token = clearTextToken(pw);
    assert.equal(token[token.length - 1], 0);
    assert.equal(clearTextPassword(token), pw);
    assert.equal(clearTextPassword(token.subarray(0, token.length - 1)), pw, 'clients that leave the NUL out');
  }
  assert.equal(clearTextPassword(Buffer.alloc(0)), '');
});
