// The shop's tests on node:test, each on its own in-process copy of the fixture (no server, no Docker).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { Mizzle } from 'mizzle';
import mysql from 'mizzle/mysql2/promise';
import { seedShop } from './fixture.js';
import { addItem, totalPrice } from './shop.js';

let snapshot;
before(async () => {
  snapshot = await seedShop();
});

/** Runs `fn` with a mysql2 pool on a fresh copy of the fixture. */
async function withShop(fn) {
  const db = await Mizzle.open({ engine: 'memory', from: snapshot });
  const pool = mysql.createPool({ db, database: 'shop' });
  try {
    await fn(pool);
  } finally {
    await pool.end();
    await db.close();
  }
}

test('adding an item raises the total', () =>
  withShop(async (pool) => {
    assert.equal(await addItem(pool, 'pad', '2.00'), 3);
    assert.equal(await totalPrice(pool), '7.75');
  }));

test('each test starts from the fixture', () =>
  withShop(async (pool) => {
    assert.equal(await totalPrice(pool), '5.75');
  }));

test('a duplicate name is refused as MySQL refuses it', () =>
  withShop(async (pool) => {
    await assert.rejects(addItem(pool, 'pen', '9.99'), { code: 'ER_DUP_ENTRY', errno: 1062 });
  }));
