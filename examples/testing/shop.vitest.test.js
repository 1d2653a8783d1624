// The same tests on Vitest: a fresh copy of the fixture per test through beforeEach/afterEach.
import { beforeAll, beforeEach, afterEach, expect, test } from 'vitest';
import { Mizzle } from 'mizzle';
import mysql from 'mizzle/mysql2/promise';
import { seedShop } from './fixture.js';
import { addItem, totalPrice } from './shop.js';

let snapshot;
let db;
let pool;
beforeAll(async () => {
  snapshot = await seedShop();
});
beforeEach(async () => {
  db = await Mizzle.open({ engine: 'memory', from: snapshot });
  pool = mysql.createPool({ db, database: 'shop' });
});
afterEach(async () => {
  await pool.end();
  await db.close();
});

test('adding an item raises the total', async () => {
  expect(await addItem(pool, 'pad', '2.00')).toBe(3);
  expect(await totalPrice(pool)).toBe('7.75');
});

test('each test starts from the fixture', async () => {
  expect(await totalPrice(pool)).toBe('5.75');
});

test('a duplicate name is refused as MySQL refuses it', async () => {
  await expect(addItem(pool, 'pen', '9.99')).rejects.toMatchObject({ code: 'ER_DUP_ENTRY', errno: 1062 });
});
