// The HTTP protocol's request checks: every wrong shape is a clear SqlError, every right one a typed request.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../base/errors.js';
import { parseBatchRequest, parseJsonBody, parseQueryRequest } from './request-parsing.js';

function fails(f: () => unknown, code: number, pattern: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof SqlError && e.code === code && pattern.test(e.message));
}

test('a query request binds its parameters as Values', () => {
  const q = parseQueryRequest({ sql: 'SELECT ?, ?, ?, ?, ?', params: [1, 'a', null, true, { base64: 'AAH/' }], database: 'd', session: 'tok' });
  assert.deepEqual(q.params, [1, 'a', null, 1, Buffer.from([0, 1, 255])]);
  assert.equal(q.database, 'd');
  assert.equal(q.session, 'tok');
  assert.equal(parseQueryRequest({ sql: 'SELECT 1' }).params, undefined);
});

test('not JSON, not an object, wrong field types and unknown fields are refused with what is wrong', () => {
  fails(() => parseJsonBody('{"sql":'), 1835, /not JSON/);
  fails(() => parseJsonBody('  '), 1835, /empty/);
  fails(() => parseQueryRequest([1]), 1210, /JSON object/);
  fails(() => parseQueryRequest({ sql: 1 }), 1210, /sql must be a string/);
  fails(() => parseQueryRequest({ sql: '  ' }), 1065, /empty/);
  fails(() => parseQueryRequest({ sql: 'x', params: { a: 1 } }), 1210, /params must be an array/);
  fails(() => parseQueryRequest({ sql: 'x', params: [[1]] }), 1210, /params\[0\]/);
  fails(() => parseQueryRequest({ sql: 'x', params: [{ base64: '!!' }] }), 1210, /not base64/);
  fails(() => parseQueryRequest({ sql: 'x', database: 5 }), 1210, /database/);
  fails(() => parseQueryRequest({ sql: 'x', session: 5 }), 1210, /session/);
  fails(() => parseQueryRequest({ sql: 'x', sqll: 'y' }), 1210, /unknown field 'sqll'/);
});

test('a batch takes strings or {sql, params}, bounded in length', () => {
  const b = parseBatchRequest({ statements: ['SELECT 1', { sql: 'SELECT ?', params: [2] }], transaction: true }, 10);
  assert.deepEqual(b.statements, [{ sql: 'SELECT 1' }, { sql: 'SELECT ?', params: [2] }]);
  assert.equal(b.transaction, true);
  fails(() => parseBatchRequest({ statements: [] }, 10), 1210, /non-empty/);
  fails(() => parseBatchRequest({ statements: ['a', 'b', 'c'] }, 2), 1153, /at most 2/);
  fails(() => parseBatchRequest({ statements: ['a'], transaction: 'yes' }, 2), 1210, /true or false/);
  fails(() => parseBatchRequest({ statements: [7] }, 2), 1210, /statements\[0\]/);
});
