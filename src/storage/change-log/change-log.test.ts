// Unit tests of the change log's encoding: typed values, sequences, reading from an id, framing, JSON and SQL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { create, toBinary } from '@bufbuild/protobuf';
import { MemoryStore } from '../../plugins/storage-memory/memory-store.js';
import { Decimal } from '../../base/decimal.js';
import type { TableDef } from '../table-def.js';
import { appendEncoded, appendTransaction, decodeTransaction, encodeWithoutId, lastSequence, lengthPrefix, readEncoded, readTransactions, splitDelimited } from './log-store.js';
import { toPbRow } from './value-codec.js';
import { transactionToJson, transactionToSql } from './format.js';
import { ChangeRecorder } from './recorder.js';
import { RowChange_Kind, TransactionSchema } from './gen/mizzle/replication/v1/change_log_pb.js';

const DEF: TableDef = {
  id: 7, schema: 's', name: 't', engine: 'memory', charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci', indexes: [], nextIndexId: 1,
  primaryKey: { name: 'PRIMARY', unique: true, columns: [0], id: 0 },
  columns: [
    { name: 'id', type: { kind: 'bigint', unsigned: true }, nullable: false },
    { name: 'f', type: { kind: 'double' }, nullable: true },
    { name: 'd', type: { kind: 'decimal', precision: 6, scale: 2 }, nullable: true },
    { name: 'at', type: { kind: 'datetime' }, nullable: true },
    { name: 's', type: { kind: 'varchar', length: 10 }, nullable: true },
    { name: 'b', type: { kind: 'varbinary', length: 4 }, nullable: true },
  ],
};
const ROW = [18446744073709551615n, 3, new Decimal(-1250n, 2), '2024-01-31 12:00:00', "it's", Buffer.from([0, 255])];

function txn(seq: bigint, kind: RowChange_Kind, before: unknown[], after: unknown[]) {
  return create(TransactionSchema, {
    id: { serverUuid: 'u', sequence: seq }, commitTimeMs: 1_700_000_000_000n, originServerUuid: 'u',
    changes: [{ change: { case: 'row', value: { schema: 's', table: 't', kind, columns: DEF.columns.map((c) => c.name), keyColumns: [0], before: before as never, after: after as never } } }],
  });
}

test('values keep their types through an encode and decode', () => {
  const store = new MemoryStore();
  store.write((w) => appendTransaction(w, (seq) => txn(seq, RowChange_Kind.INSERT, [], toPbRow(DEF, ROW))));
  const [t] = store.read((r) => [...readTransactions(r)]);
  const change = t.changes[0].change;
  assert.equal(change.case, 'row');
  const cases = (change.case === 'row' ? change.value.after : []).map((v) => [v.kind.case, v.kind.value instanceof Uint8Array ? [...v.kind.value] : v.kind.value]);
  assert.deepEqual(cases, [
    ['uint', 18446744073709551615n], ['double', 3], ['decimal', '-12.50'], ['temporal', '2024-01-31 12:00:00'], ['string', "it's"], ['bytes', [0, 255]],
  ]);
  assert.equal(toPbRow(DEF, [null])[0].kind.case, 'null');
  assert.equal(toPbRow(DEF, [-5])[0].kind.case, 'int');
});

test('sequences start at 1, follow the last stored one, and reads start where asked', () => {
  const store = new MemoryStore();
  for (let i = 0; i < 3; i++) store.write((w) => appendTransaction(w, (seq) => txn(seq, RowChange_Kind.DELETE, toPbRow(DEF, ROW), [])));
  assert.equal(store.read((r) => lastSequence(r)), 3n);
  assert.deepEqual(store.read((r) => [...readTransactions(r, 2n)].map((t) => t.id?.sequence)), [2n, 3n]);
  // A failed write leaves no message and no gap.
  assert.throws(() => store.write((w) => { appendTransaction(w, (seq) => txn(seq, RowChange_Kind.DELETE, [], [])); throw new Error('abort'); }));
  store.write((w) => appendTransaction(w, (seq) => txn(seq, RowChange_Kind.DELETE, [], [])));
  assert.deepEqual(store.read((r) => [...readTransactions(r)].map((t) => t.id?.sequence)), [1n, 2n, 3n, 4n]);
});

test('a message encoded before the write and numbered in it has the bytes of one encoded whole', () => {
  const whole = new MemoryStore();
  const split = new MemoryStore();
  for (let i = 0; i < 2; i++) {
    whole.write((w) => appendTransaction(w, (seq) => txn(seq, RowChange_Kind.INSERT, [], toPbRow(DEF, ROW))));
    const withoutId = encodeWithoutId({ ...txn(0n, RowChange_Kind.INSERT, [], toPbRow(DEF, ROW)), id: undefined });
    assert.equal(split.write((w) => appendEncoded(w, 'u', withoutId)), BigInt(i + 1));
  }
  const bytes = (s: MemoryStore) => s.read((r) => [...readEncoded(r)].map((e) => [e.seq, e.bytes.toString('hex')]));
  assert.deepEqual(bytes(split), bytes(whole));
  assert.equal(split.read((r) => [...readTransactions(r)])[1].id?.sequence, 2n);
  assert.throws(() => encodeWithoutId(txn(1n, RowChange_Kind.INSERT, [], [])), /id is given at append time/);
});

test('length-delimited framing splits back into the same messages', () => {
  const store = new MemoryStore();
  const long = ROW.map((v, j) => (j === 4 ? 'x'.repeat(200) : v));
  for (let i = 0; i < 2; i++) store.write((w) => appendTransaction(w, (seq) => txn(seq, RowChange_Kind.INSERT, [], toPbRow(DEF, long))));
  const encoded = store.read((r) => [...readEncoded(r)].map((e) => e.bytes));
  const stream = Buffer.concat(encoded.flatMap((b) => [lengthPrefix(b.length), b]));
  assert.ok(encoded[0].length > 127, 'a two-byte prefix is exercised');
  assert.deepEqual([...splitDelimited(stream)].map((b) => decodeTransaction(b).id?.sequence), [1n, 2n]);
  assert.throws(() => [...splitDelimited(stream.subarray(0, stream.length - 1))], /truncated/);
});

test('JSON and SQL renderings of an update', () => {
  const after = [...ROW];
  after[4] = 'new\nline';
  const t = txn(9n, RowChange_Kind.UPDATE, toPbRow(DEF, ROW), toPbRow(DEF, after));
  assert.equal(transactionToJson(t), JSON.stringify({
    id: 'u:9', commit_time_ms: 1_700_000_000_000, origin: 'u',
    changes: [{ type: 'update', schema: 's', table: 't',
      before: { id: '18446744073709551615', f: 3, d: '-12.50', at: '2024-01-31 12:00:00', s: "it's", b: { base64: 'AP8=' } },
      after: { id: '18446744073709551615', f: 3, d: '-12.50', at: '2024-01-31 12:00:00', s: 'new\nline', b: { base64: 'AP8=' } } }],
  }));
  assert.equal(transactionToSql(t), [
    '-- u:9 committed 2023-11-14T22:13:20.000Z',
    'BEGIN;',
    "UPDATE `s`.`t` SET `s` = 'new\\nline' WHERE `id` = 18446744073709551615;",
    'COMMIT;',
  ].join('\n'));
});

test('a recorder undoes a failed statement and puts DDL before its own rows', () => {
  const r = new ChangeRecorder();
  const row = [1n];
  r.insert(DEF, row);
  row[0] = 2n; // callers may reuse their arrays
  const mark = r.mark();
  r.delete(DEF, [1n]);
  r.rollbackTo(mark);
  r.ddl({ schema: 's', statement: 'CREATE TABLE t ...', tables: [], dropped: [] }, 0);
  assert.deepEqual(r.changes.map((c) => c.kind), ['ddl', 'insert']);
  assert.deepEqual(r.changes[1].kind === 'insert' ? r.changes[1].after : undefined, [1n]);
});

test('a message appended in parts decodes as the same transaction as one encoded whole', () => {
  const store = new MemoryStore();
  const whole = txn(1n, RowChange_Kind.INSERT, [], toPbRow(DEF, ROW));
  whole.changes.push(txn(1n, RowChange_Kind.DELETE, toPbRow(DEF, ROW), []).changes[0]);
  const parts = whole.changes.map((c) => toBinary(TransactionSchema, create(TransactionSchema, { changes: [c] })));
  const header = encodeWithoutId(create(TransactionSchema, { commitTimeMs: whole.commitTimeMs, originServerUuid: 'u' }));
  store.write((w) => appendEncoded(w, 'u', Buffer.concat([header, ...parts])));
  const [read] = store.read((r) => [...readTransactions(r)]);
  assert.deepEqual(toBinary(TransactionSchema, read), toBinary(TransactionSchema, whole));
});

test('a recorder drops the encodings of changes it undoes or moves', () => {
  const r = new ChangeRecorder();
  r.insert(DEF, [1n]);
  r.insert(DEF, [2n]);
  r.encoded.push(new Uint8Array([1]), new Uint8Array([2]));
  r.rollbackTo(1);
  assert.equal(r.encoded.length, 1);
  r.ddl({ schema: 's', statement: 'CREATE TABLE t ...', tables: [], dropped: [] }, 0);
  assert.equal(r.encoded.length, 0);
  r.encoded.push(new Uint8Array([1]));
  r.clear();
  assert.equal(r.encoded.length, 0);
});
