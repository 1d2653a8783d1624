// Data survives a clean stop and a fresh start on the same datadir, with counters and definitions intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../testing/embedded.js';

test('committed rows, schema and AUTO_INCREMENT survive a restart', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-restart-'));
  try {
    const a = await startEmbedded({ datadir });
    const s = a.session();
    for (const sql of [
      'CREATE DATABASE shop',
      'USE shop',
      'CREATE TABLE item (id BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(20) UNIQUE, price DECIMAL(8,2))',
      "INSERT INTO item (name, price) VALUES ('pen', 1.25), ('ink', 9.99)",
      "UPDATE item SET price = 2.50 WHERE name = 'pen'",
    ]) await a.run(s, sql);
    const uuid = a.server.kernel.serverUuid;
    await a.stop({ keepData: true });

    const b = await startEmbedded({ datadir });
    const t = b.session('shop');
    const rows = await b.run(t, 'SELECT id, name, price FROM item ORDER BY id');
    assert.equal(rows.kind, 'rows');
    if (rows.kind === 'rows') assert.deepEqual(rows.rows.map((r) => [r[0], r[1], String(r[2])]), [[1, 'pen', '2.50'], [2, 'ink', '9.99']]);
    await b.run(t, "INSERT INTO item (name, price) VALUES ('pad', 3)");
    const next = await b.run(t, 'SELECT LAST_INSERT_ID()');
    if (next.kind === 'rows') assert.equal(next.rows[0][0], 3);
    await assert.rejects(b.run(t, "INSERT INTO item (name) VALUES ('pen')"), /Duplicate entry 'pen' for key 'item.name'/);
    assert.equal(b.server.kernel.serverUuid, uuid, 'the server UUID is kept in the datadir');
    await b.stop({ keepData: true });
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('a second server on the same datadir is refused', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-lock-'));
  const a = await startEmbedded({ datadir });
  try {
    await assert.rejects(startEmbedded({ datadir }), /in use by another mizzle server/);
  } finally {
    await a.stop({ keepData: true });
    rmSync(datadir, { recursive: true, force: true });
  }
});
