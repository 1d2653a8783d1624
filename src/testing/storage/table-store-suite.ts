// The TableStore behaviour suite, written once and run against every engine by the engines' test files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SqlError } from '../../base/errors.js';
import type { Row, Value } from '../../base/value.js';
import type { KvStore } from '../../storage/kv.js';
import type { ColumnDef, IndexDef, TableDef } from '../../storage/table-def.js';
import { StorageManager } from '../../storage/storage-manager.js';
import { ROW_ID, type StoredRow } from '../../storage/table-store.js';

const col = (name: string, kind: ColumnDef['type']['kind'], nullable = true): ColumnDef => ({ name, type: { kind }, nullable });

/** t(id INT PK, name VARCHAR, score INT, UNIQUE uq_name(name), KEY k_score(score)) */
function usersDef(engine: string): Omit<TableDef, 'id'> {
  return {
    schema: 'db',
    name: 't1',
    engine,
    columns: [col('id', 'int', false), col('name', 'varchar'), col('score', 'int')],
    primaryKey: { name: 'PRIMARY', unique: true, columns: [0], id: 0 },
    indexes: [
      { name: 'uq_name', unique: true, columns: [1], id: 1 },
      { name: 'k_score', unique: false, columns: [2], id: 2 },
    ],
    charset: 'utf8mb4',
    collation: 'utf8mb4_0900_ai_ci',
    nextIndexId: 3,
  };
}

async function setup(engine: string, open: () => Promise<KvStore>, def?: Omit<TableDef, 'id'>) {
  const store = await open();
  const sm = StorageManager.open({ engines: { [engine]: store }, defaultEngine: engine });
  const table = sm.primary.write((w) => {
    sm.catalog.createSchema(w, { name: 'db', charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' });
    return sm.catalog.createTable(w, def ?? usersDef(engine));
  });
  return { sm, table, ts: sm.tableStore(table), kv: sm.primary };
}

function dupMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof SqlError, `expected SqlError, got ${String(e)}`);
    assert.equal(e.code, 1062);
    return e.message;
  }
  assert.fail('expected a duplicate entry error');
}

const plain = (rows: Iterable<Row>): Value[][] => [...rows].map((r) => [...r]);

/** Registers the TableStore tests for one engine; `open` returns a fresh, empty store. */
export function tableStoreSuite(engine: string, open: () => Promise<KvStore>): void {
  test(`${engine}: insert, get, scans on primary and secondary, forward and reverse`, async () => {
    const { sm, ts, kv } = await setup(engine, open);
    try {
      kv.write((w) => {
        for (let i = 1; i <= 20; i++) ts.insert(w, [i, `user${String(i).padStart(2, '0')}`, i % 5]);
      });
      kv.read((r) => {
        assert.deepEqual(ts.get(r, [7]), [7, 'user07', 2]);
        assert.equal(ts.get(r, [99]), undefined);
        assert.equal(ts.count(r), 20);
        const ids = (opts: Parameters<typeof ts.scan>[1]) => [...ts.scan(r, opts)].map((row) => row[0]);
        assert.deepEqual(ids({ index: 0, lower: { values: [5], inclusive: false }, upper: { values: [8], inclusive: true } }), [6, 7, 8]);
        assert.deepEqual(ids({ index: 0, lower: { values: [5], inclusive: true }, upper: { values: [8], inclusive: false }, reverse: true }), [7, 6, 5]);
        assert.deepEqual(ids({ index: 0, reverse: true }).slice(0, 3), [20, 19, 18]);
        // score = 3, in (score, id) order
        assert.deepEqual(ids({ index: 2, lower: { values: [3], inclusive: true }, upper: { values: [3], inclusive: true } }), [3, 8, 13, 18]);
        assert.deepEqual(ids({ index: 2, lower: { values: [3], inclusive: true }, upper: { values: [3], inclusive: true }, reverse: true }), [18, 13, 8, 3]);
        // score > 3
        assert.deepEqual(ids({ index: 2, lower: { values: [3], inclusive: false } }), [4, 9, 14, 19]);
        // Unique index lookup is case-insensitive under the default collation.
        assert.deepEqual(ids({ index: 1, lower: { values: ['USER12'], inclusive: true }, upper: { values: ['USER12'], inclusive: true } }), [12]);
        // Lazy: taking two rows does not need the rest.
        const it = ts.scan(r, { index: 0 });
        assert.equal(it.next().value?.[0], 1);
        assert.equal(it.next().value?.[0], 2);
        it.return?.();
      });
    } finally {
      await sm.close();
    }
  });

  test(`${engine}: duplicate keys give MySQL's 1062 message and write nothing`, async () => {
    const { sm, ts, kv } = await setup(engine, open);
    try {
      kv.write((w) => ts.insert(w, [5, 'alice', 1]));
      assert.equal(dupMessage(() => kv.write((w) => ts.insert(w, [5, 'bob', 1]))), "Duplicate entry '5' for key 't1.PRIMARY'");
      assert.equal(dupMessage(() => kv.write((w) => ts.insert(w, [6, 'ALICE', 1]))), "Duplicate entry 'ALICE' for key 't1.uq_name'");
      // A caught 1062 inside a write leaves the transaction usable and clean (INSERT IGNORE).
      kv.write((w) => {
        assert.throws(() => ts.insert(w, [7, 'Alice', 2]), SqlError);
        ts.insert(w, [8, 'carol', 2]);
      });
      kv.read((r) => {
        assert.equal(ts.count(r), 2);
        assert.deepEqual(plain(ts.scan(r, { index: 2 })).map((x) => x[0]), [5, 8]);
        assert.deepEqual(ts.findConflicts(r, [5, 'carol', 0]).map((x) => x[0]), [5, 8]);
        assert.deepEqual(ts.findConflicts(r, [9, 'dave', 0]), []);
      });
    } finally {
      await sm.close();
    }
  });

  test(`${engine}: NULLs never conflict in a unique index`, async () => {
    const { sm, ts, kv } = await setup(engine, open);
    try {
      kv.write((w) => {
        ts.insert(w, [1, null, 1]);
        ts.insert(w, [2, null, 1]);
      });
      kv.read((r) => {
        const nulls = [...ts.scan(r, { index: 1, lower: { values: [null], inclusive: true }, upper: { values: [null], inclusive: true } })];
        assert.equal(nulls.length, 2);
        // Skipping NULLs: lower {[null], exclusive}.
        assert.equal([...ts.scan(r, { index: 1, lower: { values: [null], inclusive: false } })].length, 0);
      });
    } finally {
      await sm.close();
    }
  });

  test(`${engine}: update maintains indexes, moves primary keys, enforces uniqueness`, async () => {
    const { sm, ts, kv } = await setup(engine, open);
    try {
      kv.write((w) => {
        ts.insert(w, [1, 'a', 10]);
        ts.insert(w, [2, 'b', 20]);
      });
      kv.write((w) => ts.update(w, [1, 'a', 10], [100, 'a2', 30]));
      kv.read((r) => {
        assert.equal(ts.get(r, [1]), undefined);
        assert.deepEqual(ts.get(r, [100]), [100, 'a2', 30]);
        assert.deepEqual(plain(ts.scan(r, { index: 2 })), [[2, 'b', 20], [100, 'a2', 30]]);
        assert.deepEqual(plain(ts.scan(r, { index: 1 })).map((x) => x[1]), ['a2', 'b']);
      });
      assert.equal(dupMessage(() => kv.write((w) => ts.update(w, [100, 'a2', 30], [2, 'a2', 30]))), "Duplicate entry '2' for key 't1.PRIMARY'");
      assert.equal(dupMessage(() => kv.write((w) => ts.update(w, [100, 'a2', 30], [100, 'B', 30]))), "Duplicate entry 'B' for key 't1.uq_name'");
      // Changing only the case of a unique value is not a conflict with itself.
      kv.write((w) => ts.update(w, [100, 'a2', 30], [100, 'A2', 31]));
      kv.read((r) => assert.deepEqual(ts.get(r, [100]), [100, 'A2', 31]));
    } finally {
      await sm.close();
    }
  });

  test(`${engine}: delete and truncate remove rows and index entries`, async () => {
    const { sm, ts, kv } = await setup(engine, open);
    try {
      kv.write((w) => {
        for (let i = 1; i <= 10; i++) ts.insert(w, [i, `n${i}`, i]);
      });
      kv.write((w) => {
        // Delete while scanning.
        for (const row of ts.scan(w, { index: 2 })) if ((row[0] as number) % 2 === 0) assert.ok(ts.delete(w, row));
        assert.equal(ts.delete(w, [2, 'n2', 2]), false);
      });
      kv.read((r) => {
        assert.deepEqual(plain(ts.scan(r, { index: 2 })).map((x) => x[0]), [1, 3, 5, 7, 9]);
        assert.deepEqual(plain(ts.scan(r, { index: 1 })).length, 5);
      });
      // Freed unique values can be reused.
      kv.write((w) => ts.insert(w, [2, 'n2', 2]));
      kv.write((w) => ts.truncate(w));
      kv.read((r) => {
        assert.equal(ts.count(r), 0);
        assert.equal([...ts.scan(r, { index: 1 })].length, 0);
      });
    } finally {
      await sm.close();
    }
  });

  test(`${engine}: a write that throws midway leaves nothing, catalog included`, async () => {
    const { sm, ts, kv } = await setup(engine, open);
    try {
      kv.write((w) => ts.insert(w, [1, 'keep', 1]));
      assert.throws(() =>
        kv.write((w) => {
          ts.insert(w, [2, 'x', 2]);
          ts.update(w, [1, 'keep', 1], [1, 'changed', 9]);
          sm.catalog.createTable(w, { ...usersDef(engine), name: 'ghost' });
          ts.insert(w, [3, 'x', 3]);
        }), SqlError);
      kv.read((r) => {
        assert.deepEqual(plain(ts.scan(r, { index: 0 })), [[1, 'keep', 1]]);
        assert.deepEqual(plain(ts.scan(r, { index: 2 })), [[1, 'keep', 1]]);
      });
      assert.equal(sm.catalog.getTable('db', 'ghost'), undefined);
      assert.deepEqual(sm.catalog.listTables('db').map((t) => t.name), ['t1']);
    } finally {
      await sm.close();
    }
  });

  test(`${engine}: tables without a primary key use hidden row ids`, async () => {
    const def: Omit<TableDef, 'id'> = { ...usersDef(engine), name: 'heap', primaryKey: undefined, indexes: [{ name: 'k_score', unique: false, columns: [2], id: 1 }], nextIndexId: 2 };
    const { sm, ts, kv } = await setup(engine, open, def);
    try {
      kv.write((w) => {
        ts.insert(w, [1, 'same', 5]);
        ts.insert(w, [1, 'same', 5]);
        ts.insert(w, [2, 'other', 4]);
      });
      const rows = kv.read((r) => [...ts.scan(r, { index: 0 })]);
      assert.equal(rows.length, 3);
      assert.deepEqual(rows.map((r) => r[ROW_ID]), [1, 2, 3]);
      kv.write((w) => {
        ts.delete(w, rows[1]);
        ts.update(w, rows[0], [1, 'same', 6]);
      });
      kv.read((r) => {
        assert.deepEqual(plain(ts.scan(r, { index: 1 })), [[2, 'other', 4], [1, 'same', 6]]);
        assert.deepEqual([...(ts.getByRowId(r, 3) ?? [])], [2, 'other', 4]);
      });
      assert.throws(() => kv.write((w) => ts.delete(w, [1, 'same', 6] as StoredRow)), /row id/);
    } finally {
      await sm.close();
    }
  });

  test(`${engine}: addIndex builds from rows, fails cleanly on duplicates; dropIndex`, async () => {
    const { sm, table, ts, kv } = await setup(engine, open);
    try {
      kv.write((w) => {
        for (let i = 1; i <= 1200; i++) ts.insert(w, [i, `u${i}`, i % 7]);
      });
      const uniqueScore: IndexDef = { name: 'uq_score', unique: true, columns: [2], id: 3 };
      assert.match(dupMessage(() => kv.write((w) => ts.addIndex(w, uniqueScore))), /^Duplicate entry '\d' for key 't1.uq_score'$/);
      kv.read((r) => assert.equal([...r.range({})].length > 0, true));
      const byNameScore: IndexDef = { name: 'k_ns', unique: false, columns: [2, 1], id: 3 };
      const altered = kv.write((w) => {
        ts.addIndex(w, byNameScore);
        return sm.catalog.alterTable(w, { ...table, indexes: [...table.indexes, byNameScore], nextIndexId: 4 });
      });
      const ts2 = sm.tableStore(altered);
      kv.read((r) => {
        const hits = [...ts2.scan(r, { index: 3, lower: { values: [3, 'u1000'], inclusive: true }, upper: { values: [3], inclusive: true } })];
        assert.ok(hits.length > 0);
        assert.ok(hits.every((h) => h[2] === 3));
      });
      kv.write((w) => ts2.dropIndex(w, 3));
      kv.read((r) => assert.equal([...ts2.scan(r, { index: 3 })].length, 0));
    } finally {
      await sm.close();
    }
  });

  test(`${engine}: drop table deletes its rows; rebuildTable copies rows under a new id`, async () => {
    const { sm, table, ts, kv } = await setup(engine, open);
    try {
      kv.write((w) => {
        for (let i = 1; i <= 5; i++) ts.insert(w, [i, `n${i}`, i]);
        sm.catalog.nextAutoIncrement(w, table.id, 41);
      });
      const next: Omit<TableDef, 'id'> = { ...usersDef(engine), columns: [...usersDef(engine).columns, col('extra', 'varchar')] };
      const rebuilt = kv.write((w) => sm.rebuildTable(w, table, next, (row) => [...row, 'x']));
      assert.notEqual(rebuilt.id, table.id);
      assert.equal(sm.catalog.getTable('db', 't1')?.id, rebuilt.id);
      const ts2 = sm.tableStore(rebuilt);
      kv.read((r) => {
        assert.deepEqual(ts2.get(r, [3]), [3, 'n3', 3, 'x']);
        assert.equal(ts.count(r), 0, 'old rows are gone');
        assert.equal(sm.catalog.peekAutoIncrement(r, rebuilt.id), 42);
      });
      kv.write((w) => sm.catalog.dropTable(w, 'db', 't1'));
      kv.read((r) => {
        assert.equal(ts2.count(r), 0);
        assert.equal([...r.range({ start: Buffer.from([0, 0, 0, 1]) })].length, 0, 'no table keys left');
      });
    } finally {
      await sm.close();
    }
  });
}
