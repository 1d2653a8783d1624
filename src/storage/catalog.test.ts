// Catalog tests: DDL errors, cache rollback, persistence across an lmdb close/reopen, engines side by side.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlError } from '../base/errors.js';
import { Decimal } from '../base/decimal.js';
import { LmdbStore } from '../plugins/storage-lmdb/lmdb-store.js';
import { MemoryStore } from '../plugins/storage-memory/memory-store.js';
import type { TableDef } from './table-def.js';
import { StorageManager } from './storage-manager.js';
import { valueFromJson, valueToJson } from './value-json.js';

const root = mkdtempSync(join(tmpdir(), 'mizzle-catalog-'));
after(() => rmSync(root, { recursive: true, force: true }));

function table(name: string, engine = 'lmdb'): Omit<TableDef, 'id'> {
  return {
    schema: 'shop',
    name,
    engine,
    columns: [
      { name: 'id', type: { kind: 'bigint', unsigned: true }, nullable: false, autoIncrement: true },
      { name: 'price', type: { kind: 'decimal', precision: 10, scale: 2 }, nullable: true, default: { kind: 'value', value: valueToJson(new Decimal(150n, 2)) } },
      { name: 'at', type: { kind: 'datetime' }, nullable: true, default: { kind: 'now' }, onUpdateNow: true },
    ],
    primaryKey: { name: 'PRIMARY', unique: true, columns: [0], id: 0 },
    indexes: [{ name: 'k_price', unique: false, columns: [1], id: 1 }],
    charset: 'utf8mb4',
    collation: 'utf8mb4_0900_ai_ci',
    comment: 'things we sell',
    nextIndexId: 2,
  };
}

function code(fn: () => unknown): number {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
  return 0;
}

test('value JSON round-trips exactly', () => {
  for (const v of [null, 1.5, 'x', 2n ** 64n - 1n, new Decimal(-150n, 2), Buffer.from([0, 255])]) {
    assert.deepEqual(valueFromJson(JSON.parse(JSON.stringify(valueToJson(v)))), v);
  }
  assert.throws(() => valueToJson(NaN), TypeError);
});

test('catalog persists schemas, tables, views, counters across reopen', async () => {
  const dir = join(root, 'persist');
  let sm = StorageManager.open({ engines: { lmdb: LmdbStore.open(dir, { sync: true, mapSize: 0 }) }, defaultEngine: 'lmdb' });
  const created = sm.primary.write((w) => {
    sm.catalog.createSchema(w, { name: 'shop', charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' });
    sm.catalog.createSchema(w, { name: 'Shop', charset: 'latin1', collation: 'latin1_swedish_ci' });
    const t = sm.catalog.createTable(w, table('items'));
    sm.catalog.createTable(w, table('Items'));
    sm.catalog.createView(w, { schema: 'shop', name: 'cheap', query: 'SELECT * FROM items WHERE price < 5' });
    assert.equal(sm.catalog.nextAutoIncrement(w, t.id), 1);
    assert.equal(sm.catalog.nextAutoIncrement(w, t.id, 10), 2);
    sm.catalog.observeAutoIncrement(w, t.id, 100);
    sm.catalog.observeAutoIncrement(w, t.id, 50);
    sm.tableStore(t).insert(w, [1, new Decimal(999n, 2), '2024-01-01 00:00:00']);
    return t;
  });
  await sm.close();

  sm = StorageManager.open({ engines: { LMDB: LmdbStore.open(dir, { sync: true, mapSize: 0 }) }, defaultEngine: 'lmdb' });
  try {
    const c = sm.catalog;
    assert.deepEqual(c.listSchemas().map((s) => s.name), ['Shop', 'shop'], 'schema names are case-sensitive');
    const t = c.getTable('shop', 'items');
    assert.deepEqual(t, created);
    assert.equal(c.getTable('shop', 'ITEMS'), undefined);
    assert.deepEqual(c.listTables('shop').map((x) => x.name), ['Items', 'items']);
    assert.deepEqual(valueFromJson((t!.columns[1].default as { kind: 'value'; value: never }).value), new Decimal(150n, 2));
    assert.equal(c.getView('shop', 'cheap')?.query, 'SELECT * FROM items WHERE price < 5');
    sm.primary.read((r) => {
      assert.equal(c.peekAutoIncrement(r, t!.id), 101);
      assert.deepEqual(sm.tableStore(t!).get(r, [1]), [1, new Decimal(999n, 2), '2024-01-01 00:00:00']);
    });
    // Table ids are never reused.
    const t3 = sm.primary.write((w) => c.createTable(w, table('more')));
    assert.ok(t3.id > created.id + 1);
    assert.ok(Object.isFrozen(t3) && Object.isFrozen(t3.columns[0].type));
  } finally {
    await sm.close();
  }
});

test('DDL errors carry MySQL codes; changes outside a write are refused', async () => {
  const sm = StorageManager.open({ engines: { memory: new MemoryStore() }, defaultEngine: 'memory' });
  const c = sm.catalog;
  sm.primary.write((w) => c.createSchema(w, { name: 'shop', charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' }));
  assert.equal(code(() => sm.primary.write((w) => c.createSchema(w, { name: 'shop', charset: 'utf8mb4', collation: 'x' }))), 1007);
  assert.equal(code(() => sm.primary.write((w) => c.dropSchema(w, 'nope'))), 1008);
  assert.equal(code(() => sm.primary.write((w) => c.createTable(w, { ...table('t'), schema: 'nope' }))), 1049);
  sm.primary.write((w) => c.createTable(w, table('t')));
  assert.equal(code(() => sm.primary.write((w) => c.createTable(w, table('t')))), 1050);
  assert.equal(code(() => sm.primary.write((w) => c.createView(w, { schema: 'shop', name: 't', query: 'SELECT 1' }))), 1050);
  assert.equal(code(() => sm.primary.write((w) => c.dropTable(w, 'shop', 'missing'))), 1051);
  assert.equal(code(() => sm.store('innodb')), 1286);
  assert.throws(() => sm.primary.read((r) => c.createTable(r as never, table('x'))), /inside catalog.store.write/);
  // Rename, then a rolled-back rename leaves the cache as it was.
  sm.primary.write((w) => c.renameTable(w, 'shop', 't', 'shop', 't2'));
  assert.throws(() => sm.primary.write((w) => {
    c.renameTable(w, 'shop', 't2', 'shop', 't3');
    c.dropSchema(w, 'shop');
    throw new Error('rollback');
  }), /rollback/);
  assert.deepEqual(c.listTables('shop').map((t) => t.name), ['t2']);
  assert.equal(c.getTableById(c.getTable('shop', 't2')!.id)?.name, 't2');
  await sm.close();
});

test('tables of another engine: rows live in that engine, catalog in the default one', async () => {
  const mem = new MemoryStore();
  const sm = StorageManager.open({ engines: { lmdb: LmdbStore.open(join(root, 'mixed'), { sync: false, mapSize: 0 }), memory: mem }, defaultEngine: 'lmdb' });
  try {
    const t = sm.primary.write((w) => {
      sm.catalog.createSchema(w, { name: 'shop', charset: 'utf8mb4', collation: 'utf8mb4_0900_ai_ci' });
      sm.catalog.createView(w, { schema: 'shop', name: 'v', query: 'SELECT 1' });
      return sm.catalog.createTable(w, table('fast', 'MEMORY'));
    });
    const store = sm.storeFor(t);
    assert.equal(store, mem);
    store.write((w) => {
      sm.tableStore(t).insert(w, [1, null, null]);
      sm.catalog.nextAutoIncrement(w, t.id);
    });
    assert.ok(mem.size > 0);
    sm.primary.read((r) => assert.equal([...r.range({ start: Buffer.from([0, 0, 0, 1]) })].length, 0, 'no rows in lmdb'));
    const dropped = sm.primary.write((w) => sm.catalog.dropSchema(w, 'shop'));
    assert.deepEqual(dropped.tables.map((x) => x.name), ['fast']);
    assert.deepEqual(dropped.views.map((x) => x.name), ['v']);
    assert.equal(mem.size, 0, 'dropping the schema deleted the memory rows and counters');
    assert.deepEqual(sm.catalog.listSchemas(), []);
  } finally {
    await sm.close();
  }
});
