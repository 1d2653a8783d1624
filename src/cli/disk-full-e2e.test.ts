// A full data directory: the failing commit gets a clear error, the server stays up, acknowledged data is intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startServerProcess } from '../testing/server-process.js';

const mountPoint = mkdtempSync(join(tmpdir(), 'mizzle-full-'));
// A 2 MiB tmpfs stands in for a full disk; mounting needs root, which CI has.
const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]).status === 0;

test('a full disk fails the commit with a MySQL error and corrupts nothing', { skip: !mounted && 'cannot mount a small tmpfs here (needs root)' }, async () => {
  const datadir = join(mountPoint, 'data');
  let server = await startServerProcess({ datadir });
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await c.query('CREATE DATABASE f');
    await c.query('CREATE TABLE f.t (id INT PRIMARY KEY, pad VARCHAR(1000))');
    let acked = 0;
    let failure: { errno?: number; message?: string } | undefined;
    for (let i = 0; i < 10000 && !failure; i++) {
      try {
        await c.query('INSERT INTO f.t VALUES (?, ?)', [i, 'x'.repeat(1000)]);
        acked++;
      } catch (e) {
        failure = e as { errno?: number; message?: string };
      }
    }
    assert.ok(failure, 'the disk filled up');
    assert.ok(failure.errno === 1114 || failure.errno === 1030, `a storage error, got ${failure.errno} ${failure.message}`);
    const [[r]] = (await c.query('SELECT COUNT(*) AS n FROM f.t')) as [mysql.RowDataPacket[], unknown];
    assert.equal(r.n, acked, 'the server is up and holds every acknowledged row');
    await c.end();
    assert.equal(await server.stop(), 0, 'and shuts down cleanly');
    server = await startServerProcess({ datadir });
    const d = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    const [[again]] = (await d.query('SELECT COUNT(*) AS n, MAX(id) AS m FROM f.t')) as [mysql.RowDataPacket[], unknown];
    assert.equal(again.n, acked, 'after a restart too');
    assert.equal(again.m, acked - 1);
    await d.end();
  } finally {
    await server.stop();
    spawnSync('umount', [mountPoint]);
    rmSync(mountPoint, { recursive: true, force: true });
  }
});
