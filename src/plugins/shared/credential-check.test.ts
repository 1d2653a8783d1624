// Passwords that arrive whole (HTTP Basic, native HELLO) against what authentication plugins decide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeStage2, sha2Stage2 } from '../../protocol/mysql/auth-methods.js';
import { credentialAccepts, decisionRefusal } from './credential-check.js';

test('a password is checked against native, sha2 and clear-text credentials', () => {
  assert.equal(credentialAccepts({ nativeStage2: nativeStage2('pw') }, 'pw'), true);
  assert.equal(credentialAccepts({ nativeStage2: nativeStage2('pw') }, 'nope'), false);
  assert.equal(credentialAccepts({ nativeStage2: Buffer.alloc(0) }, ''), true);
  assert.equal(credentialAccepts({ nativeStage2: Buffer.alloc(0) }, 'x'), false);
  assert.equal(credentialAccepts({ sha256Stage2: sha2Stage2('s') }, 's'), true);
  assert.equal(credentialAccepts({ sha256Stage2: sha2Stage2('s') }, 'S'), false);
  assert.equal(credentialAccepts({ verifyClearText: (p) => p === 'c' }, 'c'), true);
  assert.equal(credentialAccepts({}, ''), false);
});

test('decisions: allow, deny, and a plugin check that fails, rejects or hangs is a refusal', async () => {
  assert.equal(await decisionRefusal({ kind: 'allow' }, '', 100), undefined);
  assert.equal(await decisionRefusal({ kind: 'deny', reason: 'no' }, '', 100), 'no');
  assert.equal(await decisionRefusal({ kind: 'verify-cleartext', check: async (p) => p === 'ok' }, 'ok', 100), undefined);
  assert.equal(await decisionRefusal({ kind: 'verify-cleartext', check: async () => false }, 'ok', 100), 'wrong password');
  assert.match(await decisionRefusal({ kind: 'verify-cleartext', check: () => Promise.reject(new Error('ldap down')) }, 'x', 100) ?? '', /ldap down/);
  assert.match(await decisionRefusal({ kind: 'verify-cleartext', check: () => new Promise(() => undefined) }, 'x', 50) ?? '', /within 50 ms/);
});
