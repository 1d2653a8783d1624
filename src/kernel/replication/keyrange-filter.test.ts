// The key-range filter of a split's child: rows of its range pass, others do not, an UPDATE that moves a key in or out becomes an INSERT or DELETE.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create } from '@bufbuild/protobuf';
import { pb } from '../../storage/change-log/index.js';
import { parseTopology, ResolvedKeyspace } from '../../sharding/topology.js';
import { KeyrangeFilter, parseKeyrangeOption } from './keyrange-filter.js';

const keyspace = parseTopology([{
  name: 'app',
  tables: { users: { shardKey: 'id' }, countries: { reference: true } },
  shards: [{ name: '-', primary: { host: '127.0.0.1', port: 4400 } }],
}]).keyspaces.app;
const resolved = new ResolvedKeyspace(keyspace);
const low = (k: number) => resolved.keyspaceId(k) < 0x8000000000000000n;
/** Keys whose hash falls below and above 0x80…: what '-80' keeps and drops. */
const keys = Array.from({ length: 40 }, (_, i) => i + 1);
const inKey = keys.find(low) as number;
const outKey = keys.find((k) => !low(k)) as number;

const int = (n: number): pb.Value => create(pb.ValueSchema, { kind: { case: 'int', value: BigInt(n) } });
const str = (s: string): pb.Value => create(pb.ValueSchema, { kind: { case: 'string', value: s } });
function change(kind: pb.RowChange_Kind, table: string, before: pb.Value[], after: pb.Value[], schema = 'app'): pb.RowChange {
  return create(pb.RowChangeSchema, { schema, table, kind, columns: ['id', 'name'], before, after, keyColumns: [0] });
}
const { INSERT, UPDATE, DELETE } = pb.RowChange_Kind;
const filterFor = (shard: string) => {
  const o = parseKeyrangeOption(`app/${shard}`);
  return new KeyrangeFilter(o.keyspace, o.shard, o.range, () => keyspace);
};

test('KEYSPACE/SHARD is checked', () => {
  assert.deepEqual(parseKeyrangeOption('app/-80').range, { start: 0n, end: 0x8000000000000000n });
  assert.throws(() => parseKeyrangeOption('app'), /not KEYSPACE\/SHARD/);
  assert.throws(() => parseKeyrangeOption('app/80-40'), /ends before/);
});

test('inserts and deletes of a sharded table pass only in range; each key lands on exactly one child', () => {
  const lowHalf = filterFor('-80');
  const highHalf = filterFor('80-');
  for (const k of keys) {
    const ins = change(INSERT, 'users', [], [int(k), str('x')]);
    const del = change(DELETE, 'users', [int(k), str('x')], []);
    assert.equal(lowHalf.filter(ins).length + highHalf.filter(ins).length, 1, `key ${k}`);
    assert.equal(lowHalf.filter(del).length, low(k) ? 1 : 0);
    // The key as text routes like the integer.
    assert.equal(lowHalf.owns(String(k)), low(k));
  }
});

test('reference tables, undeclared tables and other databases pass whole', () => {
  const f = filterFor('-80');
  for (const c of [change(INSERT, 'countries', [], [int(outKey), str('x')]), change(INSERT, 'other', [], [int(outKey), str('x')]), change(INSERT, 'users', [], [int(outKey), str('x')], 'elsewhere')]) {
    assert.deepEqual(f.filter(c), [{ change: c, mayBeAbsent: false }]);
  }
});

test('an update that moves a key into the range becomes an insert (after removing a seed copy), out of it a delete', () => {
  const f = filterFor('-80');
  const within = change(UPDATE, 'users', [int(inKey), str('a')], [int(inKey), str('b')]);
  assert.deepEqual(f.filter(within), [{ change: within, mayBeAbsent: false }]);
  assert.deepEqual(f.filter(change(UPDATE, 'users', [int(outKey), str('a')], [int(outKey), str('b')])), []);
  const leaving = f.filter(change(UPDATE, 'users', [int(inKey), str('a')], [int(outKey), str('a')]));
  assert.equal(leaving.length, 1);
  assert.equal(leaving[0].change.kind, DELETE);
  assert.deepEqual(leaving[0].change.before, [int(inKey), str('a')]);
  const coming = f.filter(change(UPDATE, 'users', [int(outKey), str('a')], [int(inKey), str('a')]));
  assert.deepEqual(coming.map((c) => [c.change.kind, c.mayBeAbsent]), [[DELETE, true], [INSERT, false]]);
  assert.deepEqual(coming[1].change.after, [int(inKey), str('a')]);
});

test('a keyspace missing from the topology or a table without its key column is an error, not a silent apply', () => {
  const gone = new KeyrangeFilter('app', '-80', parseKeyrangeOption('app/-80').range, () => undefined);
  assert.throws(() => gone.filter(change(INSERT, 'users', [], [int(1), str('x')])), /no keyspace 'app'/);
  const bad = create(pb.RowChangeSchema, { schema: 'app', table: 'users', kind: INSERT, columns: ['uid'], after: [int(1)] });
  assert.throws(() => filterFor('-80').filter(bad), /no shard key column `id`/);
});
