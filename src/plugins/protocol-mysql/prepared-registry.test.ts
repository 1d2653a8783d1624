// Tests of the per-connection statement registry: long-data bounds, row plan reuse, ids, closing in the session.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KernelSession } from '../../kernel/plugin.js';
import type { ResultColumn } from '../../base/result.js';
import { LAST_PREPARED_STATEMENT } from '../../protocol/mysql/index.js';
import { PreparedRegistry, PreparedStatement } from './prepared-registry.js';

function col(kind: 'int' | 'varchar'): ResultColumn {
  return { name: 'c', orgName: 'c', table: '', orgTable: '', schema: '', type: { kind }, nullable: true };
}

/** The pending long-data error code (read through a function so narrowing does not stick). */
function errorCode(s: PreparedStatement): number | undefined {
  return s.longDataError?.code;
}

test('long data accumulates per parameter, bounded; overflow and bad index become the next execute\'s error', () => {
  const s = new PreparedStatement(1, 2, []);
  assert.equal(s.longData(), null);
  s.addLongData(0, Buffer.from('ab'), 5);
  s.addLongData(0, Buffer.from('cd'), 5);
  s.addLongData(1, Buffer.from('z'), 5);
  assert.deepEqual(s.longData(), [Buffer.from('abcd'), Buffer.from('z')]);
  s.addLongData(0, Buffer.from('ef'), 5);
  assert.equal(errorCode(s), 1153);
  assert.equal(s.longData(), null, 'the data is dropped once over the bound');
  s.addLongData(1, Buffer.from('y'), 5);
  assert.equal(s.longData(), null, 'nothing more is kept until the error is reported');
  s.clearLongData();
  assert.equal(errorCode(s), undefined);
  s.addLongData(2, Buffer.from('x'), 5);
  assert.equal(errorCode(s), 1210);
});

test('row plans are kept while result columns keep their layout', () => {
  const s = new PreparedStatement(1, 0, []);
  const p = s.planFor([col('int'), col('varchar')]);
  assert.equal(s.planFor([col('int'), col('varchar')]), p);
  assert.notEqual(s.planFor([col('varchar')]), p);
});

test('registry: -1 means the last prepared, unknown ids are 1243, clear closes each in the session', () => {
  const closed: number[] = [];
  const session = { closePrepared: (id: number) => closed.push(id) } as unknown as KernelSession;
  const reg = new PreparedRegistry();
  reg.add({ id: 4, paramCount: 0, columns: [] });
  reg.add({ id: 5, paramCount: 1, columns: [] });
  assert.equal(reg.get(LAST_PREPARED_STATEMENT, 'x').id, 5);
  assert.throws(() => reg.get(6, 'mysqld_stmt_execute'), { code: 1243, message: 'Unknown prepared statement handler (6) given to mysqld_stmt_execute' });
  reg.prepareFailed();
  assert.throws(() => reg.get(LAST_PREPARED_STATEMENT, 'x'), { code: 1243 });
  reg.remove(4, session);
  reg.remove(4, session);
  assert.deepEqual(closed, [4]);
  reg.clear(session);
  assert.deepEqual(closed, [4, 5]);
  assert.equal(reg.size, 0);
});
