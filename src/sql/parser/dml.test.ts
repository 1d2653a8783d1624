// Tests for INSERT/REPLACE, UPDATE and DELETE parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from './index.js';
import type { DeleteStmt, InsertStmt, UpdateStmt } from './ast.js';

const ins = (sql: string): InsertStmt => {
  const s = parse(sql);
  assert.equal(s.type, 'insert', sql);
  return s as InsertStmt;
};

test('INSERT VALUES with columns, DEFAULT, several rows, VALUE, ROW()', () => {
  const s = ins('INSERT INTO db.t (a, b) VALUES (1, DEFAULT), (2, 3)');
  assert.deepEqual([s.table.schema, s.table.name, s.columns, s.rows?.length, s.replace, s.ignore], ['db', 't', ['a', 'b'], 2, false, false]);
  assert.deepEqual(s.rows?.[0][1], { type: 'default', pos: 'INSERT INTO db.t (a, b) VALUES (1, '.length });
  assert.equal(ins('INSERT t VALUE (1)').rows?.length, 1);
  assert.equal(ins('INSERT INTO t VALUES ROW(1), ROW(2)').rows?.length, 2);
  const e = ins('INSERT INTO t () VALUES ()');
  assert.deepEqual([e.columns, e.rows], [[], [[]]]);
});

test('INSERT modifiers, SET form, SELECT form, ON DUPLICATE KEY UPDATE with VALUES()', () => {
  const s = ins('INSERT LOW_PRIORITY IGNORE INTO t SET a = 1, b = DEFAULT');
  assert.equal(s.ignore, true);
  assert.equal(s.set?.length, 2);
  const q = ins('INSERT INTO t (a) SELECT x FROM u WHERE y ON DUPLICATE KEY UPDATE a = VALUES(a) + 1');
  assert.equal(q.query?.type, 'select');
  assert.equal(q.onDuplicate?.[0].column.column, 'a');
  const v = q.onDuplicate?.[0].value;
  assert.ok(v?.type === 'binary' && v.left.type === 'call' && v.left.name === 'VALUES');
  assert.equal(ins('INSERT INTO t (SELECT 1)').query?.type, 'select');
  assert.equal(ins('INSERT INTO t WITH c AS (SELECT 1) SELECT * FROM c').query?.type, 'with');
  const a = ins('INSERT INTO t VALUES (1, 2) AS new (x, y) ON DUPLICATE KEY UPDATE b = new.y');
  assert.equal(a.rowAlias, 'new');
  assert.equal(a.onDuplicate?.[0].value.type, 'column');
});

test('REPLACE', () => {
  const r = ins('REPLACE DELAYED INTO t VALUES (1)');
  assert.equal(r.replace, true);
  assert.equal(ins('REPLACE t SELECT * FROM u').query?.type, 'select');
});

test('UPDATE single and multi-table', () => {
  const s = parse('UPDATE LOW_PRIORITY IGNORE t SET a = a + 1, t.b = DEFAULT WHERE id = 1 ORDER BY id DESC LIMIT 2') as UpdateStmt;
  assert.equal(s.type, 'update');
  assert.deepEqual([s.ignore, s.tables.length, s.set.length, s.set[1].column.table, s.orderBy.length, s.limit !== undefined], [true, 1, 2, 't', 1, true]);
  const m = parse('UPDATE t1 JOIN t2 ON t1.id = t2.id, t3 SET t1.a = t2.b') as UpdateStmt;
  assert.equal(m.tables[0].type, 'join');
});

test('DELETE single-table and both multi-table forms', () => {
  const s = parse('DELETE LOW_PRIORITY QUICK IGNORE FROM t AS x WHERE id = 1 ORDER BY id LIMIT 1') as DeleteStmt;
  assert.deepEqual([s.type, s.quick, s.ignore, s.table?.name, s.table?.alias, s.limit !== undefined], ['delete', true, true, 't', 'x', true]);
  const m1 = parse('DELETE t1, t2.* FROM t1 JOIN t2 ON t1.id = t2.id WHERE t1.a = 1') as DeleteStmt;
  assert.deepEqual([m1.table, m1.targets?.map((t) => t.name), m1.from?.[0].type, m1.where?.type], [undefined, ['t1', 't2'], 'join', 'binary']);
  const m2 = parse('DELETE FROM t1, t2 USING t1 JOIN t2 WHERE 1') as DeleteStmt;
  assert.deepEqual([m2.targets?.length, m2.from?.[0].type], [2, 'join']);
  const m3 = parse('DELETE FROM t1 USING t1, t2') as DeleteStmt;
  assert.deepEqual([m3.targets?.length, m3.from?.length], [1, 1]);
});
