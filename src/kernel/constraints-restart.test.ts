// FOREIGN KEY and CHECK constraints are part of the stored catalog: after a restart they are still shown and enforced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../testing/embedded.js';

test('foreign keys and checks survive a restart', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-constraints-'));
  try {
    const a = await startEmbedded({ datadir });
    const s = a.session();
    for (const sql of [
      'CREATE DATABASE shop',
      'USE shop',
      'CREATE TABLE customer (id INT PRIMARY KEY)',
      'CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, qty INT CHECK (qty > 0), CONSTRAINT fk_customer FOREIGN KEY (customer_id) REFERENCES customer (id) ON DELETE CASCADE)',
      'INSERT INTO customer VALUES (1), (2)',
      'INSERT INTO orders VALUES (10, 1, 3), (20, 2, 4)',
    ]) await a.run(s, sql);
    await a.stop({ keepData: true });

    const b = await startEmbedded({ datadir });
    const t = b.session('shop');
    await assert.rejects(b.run(t, 'INSERT INTO orders VALUES (30, 9, 1)'), (e: Error & { code?: number }) => {
      assert.equal(e.code, 1452);
      assert.equal(e.message, 'Cannot add or update a child row: a foreign key constraint fails (`shop`.`orders`, CONSTRAINT `fk_customer` FOREIGN KEY (`customer_id`) REFERENCES `customer` (`id`) ON DELETE CASCADE)');
      return true;
    });
    await assert.rejects(b.run(t, 'INSERT INTO orders VALUES (30, 1, 0)'), (e: Error & { code?: number }) => {
      assert.equal(e.code, 3819);
      assert.equal(e.message, "Check constraint 'orders_chk_1' is violated.");
      return true;
    });
    await b.run(t, 'DELETE FROM customer WHERE id = 1');
    const rows = await b.run(t, 'SELECT id FROM orders ORDER BY id');
    assert.equal(rows.kind, 'rows');
    if (rows.kind === 'rows') assert.deepEqual(rows.rows.map((r) => r[0]), [20]);
    const create = await b.run(t, 'SHOW CREATE TABLE orders');
    if (create.kind === 'rows') assert.match(String(create.rows[0][1]), /CONSTRAINT `fk_customer` FOREIGN KEY \(`customer_id`\) REFERENCES `customer` \(`id`\) ON DELETE CASCADE/);
    await b.stop({ keepData: true });
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});
