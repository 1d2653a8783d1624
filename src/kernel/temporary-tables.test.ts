// Temporary tables belong to the session that created them and end with it, also across a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbedded } from '../testing/embedded.js';

test('a temporary table is seen only by its session, shadows the base table, and is dropped when the session closes', async () => {
  const db = await startEmbedded();
  try {
    const admin = db.session();
    await db.run(admin, 'CREATE DATABASE tt');
    const a = db.session('tt');
    const b = db.session('tt');
    await db.run(a, 'CREATE TABLE t (id INT)');
    await db.run(a, 'INSERT INTO t VALUES (1)');
    await db.run(a, 'CREATE TEMPORARY TABLE t (id INT, note VARCHAR(5))');
    await db.run(a, "INSERT INTO t VALUES (2, 'mine')");
    await db.run(a, 'CREATE TEMPORARY TABLE only_a (x INT)');
    assert.deepEqual(await db.rows(a, 'SELECT id, note FROM t'), [[2, 'mine']]);
    assert.deepEqual(await db.rows(b, 'SELECT * FROM t'), [[1]], 'another session sees the base table');
    await assert.rejects(db.run(b, 'SELECT * FROM only_a'), /Table 'tt.only_a' doesn't exist/);
    // b may have its own temporary table of the same name
    await db.run(b, 'CREATE TEMPORARY TABLE only_a (y INT)');
    await db.run(b, 'INSERT INTO only_a VALUES (9)');
    assert.deepEqual(await db.rows(a, 'SELECT COUNT(*) FROM only_a'), [[0]]);
    assert.deepEqual(await db.rows(admin, "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'tt'"), [[1]]);

    a.close();
    const c = db.session('tt');
    assert.deepEqual(await db.rows(c, 'SELECT * FROM t'), [[1]]);
    await assert.rejects(db.run(c, 'SELECT * FROM only_a'), /doesn't exist/);
    assert.deepEqual(await db.rows(b, 'SELECT * FROM only_a'), [[9]], "b's table outlives a's session");
    const stored = db.server.kernel.storage.catalog.listTables('tt').map((t) => t.name).sort();
    assert.deepEqual(stored.length, 2, `a's temporary tables left the catalog: ${stored.join(', ')}`);
    // COM_RESET_CONNECTION drops them as a new connection would find none
    b.reset();
    await assert.rejects(db.run(b, 'SELECT * FROM only_a'), /doesn't exist/);
    assert.deepEqual(db.server.kernel.storage.catalog.listTables('tt').map((t) => t.name), ['t']);
    await db.run(b, 'CREATE TEMPORARY TABLE again (z INT)');
    b.close();
    assert.deepEqual(db.server.kernel.storage.catalog.listTables('tt').map((t) => t.name), ['t']);
  } finally {
    await db.stop();
  }
});

test('temporary tables left by sessions of a stopped server are gone after a restart', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-temporary-'));
  try {
    const a = await startEmbedded({ datadir });
    const s = a.session();
    await a.run(s, 'CREATE DATABASE tt');
    await a.run(s, 'CREATE TEMPORARY TABLE tt.scratch (id INT) ENGINE=lmdb');
    await a.run(s, 'INSERT INTO tt.scratch VALUES (1)');
    assert.equal(a.server.kernel.storage.catalog.listTables('tt').length, 1);
    await a.stop({ keepData: true });

    const b = await startEmbedded({ datadir });
    assert.deepEqual(b.server.kernel.storage.catalog.listTables('tt'), []);
    await assert.rejects(b.run(b.session('tt'), 'SELECT * FROM scratch'), /doesn't exist/);
    await b.stop({ keepData: true });
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});
