// HTTP Basic credentials read from the header, and MySQL errors against HTTP statuses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError, sqlError } from '../../base/errors.js';
import { HttpFailure, statusOf } from './http-failure.js';
import { parseAuthorization } from './request-auth.js';

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
