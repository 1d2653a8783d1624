// Row changes as prepared statements: one text per table and shape, exact values as parameters, the key (or the whole row) to find the row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { Decimal } from '../../base/value.js';
import { pb } from '../../storage/change-log/index.js';
import { rowStatement } from './row-statements.js';

const v = (kind: pb.Value['kind']): pb.Value => create(pb.ValueSchema, { kind });
const NULL = v({ case: 'null', value: true });

function change(kind: pb.RowChange_Kind, before: pb.Value[], after: pb.Value[], keyColumns: number[]): pb.RowChange {
  return create(pb.RowChangeSchema, { schema: 's', table: 't`x', kind, columns: ['id', 'price', 'note'], before, after, keyColumns });
}

test('an insert names every column; values keep their exact types', () => {
  const st = rowStatement(change(pb.RowChange_Kind.INSERT, [], [v({ case: 'int', value: 9007199254740993n }), v({ case: 'decimal', value: '-12.50' }), v({ case: 'bytes', value: new Uint8Array([0, 255]) })], [0]));
  assert.equal(st?.sql, 'INSERT INTO `s`.`t``x` (`id`, `price`, `note`) VALUES (?, ?, ?)');
  assert.equal(st?.params[0], 9007199254740993n);
  assert.ok(st?.params[1] instanceof Decimal && st.params[1].toString() === '-12.50');
  assert.deepEqual(st?.params[2], Buffer.from([0, 255]));
});

test('an update sets what changed and finds the row by its key; unchanged, it is no statement', () => {
  const before = [v({ case: 'int', value: 1n }), v({ case: 'decimal', value: '1.00' }), v({ case: 'string', value: 'a' })];
  const after = [v({ case: 'int', value: 1n }), v({ case: 'decimal', value: '2.00' }), v({ case: 'string', value: 'a' })];
  const st = rowStatement(change(pb.RowChange_Kind.UPDATE, before, after, [0]));
  assert.equal(st?.sql, 'UPDATE `s`.`t``x` SET `price` = ? WHERE `id` = ?');
  assert.equal(st?.params.length, 2);
  assert.equal(st?.params[1], 1);
  assert.equal(rowStatement(change(pb.RowChange_Kind.UPDATE, before, before, [0])), undefined);
});

test('without a key, the whole before image finds one row; NULL is matched with IS NULL', () => {
  const before = [v({ case: 'int', value: 3n }), NULL, v({ case: 'double', value: 0.1 })];
  const st = rowStatement(change(pb.RowChange_Kind.DELETE, before, [], []));
  assert.equal(st?.sql, 'DELETE FROM `s`.`t``x` WHERE `id` = ? AND `price` IS NULL AND `note` = ? LIMIT 1');
  assert.deepEqual(st?.params, [3, 0.1]);
});

test('generated columns are left to the replica: not inserted, not set', () => {
  const after = [v({ case: 'int', value: 1n }), v({ case: 'decimal', value: '2.00' }), v({ case: 'string', value: 'computed' })];
  const generated = new Set(['note']);
  assert.equal(rowStatement(change(pb.RowChange_Kind.INSERT, [], after, [0]), generated)?.sql, 'INSERT INTO `s`.`t``x` (`id`, `price`) VALUES (?, ?)');
  const before = [v({ case: 'int', value: 1n }), v({ case: 'decimal', value: '2.00' }), v({ case: 'string', value: 'old' })];
  assert.equal(rowStatement(change(pb.RowChange_Kind.UPDATE, before, after, [0]), generated), undefined, 'only the generated column changed');
});
