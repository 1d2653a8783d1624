// A full data directory: the failing commit gets a clear error, the server stays up, acknowledged data is intact.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startServerProcess } from '../testing/server-process.js';

/** A 2 MiB tmpfs that stands in for a full disk, one per test; mounting needs root, which CI has. */
function smallDisk(): string | undefined {
  const mountPoint = mkdtempSync(join(tmpdir(), 'mizzle-full-'));
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mountPoint]).status === 0) return mountPoint;
  rmSync(mountPoint, { recursive: true, force: true });
  return undefined;
}

function removeDisk(mountPoint: string): void {
  spawnSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
}

const mountPoint = smallDisk();
const mounted = mountPoint !== undefined;
const ddlMountPoint = smallDisk();
after(() => {
  if (mountPoint) removeDisk(mountPoint);
  if (ddlMountPoint) removeDisk(ddlMountPoint);
});

/** A connection to a new database `db` holding table t (id, and 1000 characters of padding). */
async function connectWithTable(port: number, db: string): Promise<mysql.Connection> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  await c.query(`CREATE DATABASE ${db}`);
  await c.query(`CREATE TABLE ${db}.t (id INT PRIMARY KEY, pad VARCHAR(1000))`);
  return c;
}

test('a full disk fails the commit with a MySQL error and corrupts nothing', { skip: !mounted && 'cannot mount a small tmpfs here (needs root)' }, async () => {
  const datadir = join(mountPoint ?? '', 'data');
  let server = await startServerProcess({ datadir });
  try {
    const c = await connectWithTable(server.port, 'f');
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
  }
});

test('a transaction that cannot be written when DDL commits it gets the storage error too', { skip: ddlMountPoint === undefined && 'cannot mount a small tmpfs here (needs root)' }, async () => {
  const datadir = join(ddlMountPoint ?? '', 'data');
  const server = await startServerProcess({ datadir });
  try {
    const c = await connectWithTable(server.port, 'g');
    await c.query('BEGIN');
    // More than the 2 MiB the disk has, written only when the transaction commits.
    for (let i = 0; i < 40; i++) {
      const values = Array.from({ length: 100 }, (_, j) => `(${i * 100 + j}, REPEAT('x', 1000))`).join(',');
      await c.query(`INSERT INTO g.t VALUES ${values}`);
    }
    const failure = await c.query('CREATE TABLE g.u (id INT)').then(
      () => assert.fail('the commit before CREATE TABLE succeeded on a full disk'),
      (e: { errno?: number; message?: string }) => e,
    );
    assert.ok(failure.errno === 1114 || failure.errno === 1030, `a storage error, got ${failure.errno} ${failure.message}`);
    const [[r]] = (await c.query('SELECT COUNT(*) AS n FROM g.t')) as [mysql.RowDataPacket[], unknown];
    assert.equal(r.n, 0, 'the server is up, and the transaction was rolled back');
    await c.end();
  } finally {
    await server.stop();
  }
});
