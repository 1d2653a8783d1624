// HTTP Basic passwords against what authentication plugins decide, and MySQL errors against HTTP statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError, sqlError } from '../../base/errors.js';
import { nativeStage2, sha2Stage2 } from '../../protocol/mysql/auth-methods.js';
import { credentialAccepts, decisionRefusal } from './credential-check.js';
import { HttpFailure, statusOf } from './http-failure.js';
import { parseAuthorization } from './request-auth.js';

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

test('Basic credentials are read; anything else is a 401', () => {
  assert.deepEqual(parseAuthorization(undefined), { user: 'root', password: '', given: false });
  assert.deepEqual(parseAuthorization(`Basic ${Buffer.from('ann:p:w').toString('base64')}`), { user: 'ann', password: 'p:w', given: true });
  assert.throws(() => parseAuthorization('Bearer abc'), (e: unknown) => e instanceof HttpFailure && e.status === 401);
  assert.throws(() => parseAuthorization(`Basic ${Buffer.from('nocolon').toString('base64')}`), (e: unknown) => e instanceof HttpFailure && e.status === 401);
});

test('MySQL errors map to the HTTP status that says what happened', () => {
  const status = (code: number) => statusOf(new SqlError(code, 'HY000', ''));
  assert.deepEqual([1064, 1045, 1142, 1049, 1213, 1205, 1153, 1040, 1053, 3024, 1062].map(status), [400, 401, 403, 404, 409, 409, 413, 429, 503, 504, 400]);
  assert.equal(statusOf(new HttpFailure(415, sqlError('MALFORMED_PACKET', 'x'))), 415);
});
