// applier-ndjson on a real server process: rows and DDL in commit order with their images, at least once across kill -9, retention held by the plugin's position.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { passesEventually, sqlOnce } from '../../testing/assertions.js';
import { cutTornTail } from './ndjson-file.js';

const ARRIVAL_MS = 20_000;

interface Line {
  id: string;
  commit_time_ms: number;
  changes: { type: string; schema: string; table?: string; statement?: string; before?: Record<string, unknown>; after?: Record<string, unknown> }[];
}

const sql = sqlOnce;

async function lastSequence(server: ServerProcess): Promise<number> {
  return Number((await sql(server, 'SHOW MASTER STATUS'))[0].Position);
}

async function firstKept(server: ServerProcess): Promise<number> {
  return Number((await sql(server, "SHOW GLOBAL STATUS LIKE 'Binlog_first_sequence'"))[0].Value);
}

async function status(server: ServerProcess): Promise<Record<string, number>> {
  const rows = await sql(server, "SHOW GLOBAL STATUS LIKE 'Applier_ndjson%'");
  return Object.fromEntries(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
}

/** The complete lines of the file (a reader reads up to the last newline: what follows is being written). */
function readLines(path: string): Line[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  return text.slice(0, text.lastIndexOf('\n') + 1).split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
}

const seq = (l: Line) => Number(l.id.slice(l.id.lastIndexOf(':') + 1));

/** Waits until the file holds the server's last sequence, then returns its lines. */
async function delivered(server: ServerProcess, path: string): Promise<Line[]> {
  const last = await lastSequence(server);
  let lines: Line[] = [];
  await passesEventually(async () => {
    lines = readLines(path);
    assert.equal(lines.length > 0 ? seq(lines[lines.length - 1]) : 0, last);
  }, ARRIVAL_MS);
  return lines;
}

test('each committed transaction is one line, in commit order, with its row images and schema changes', { timeout: 60_000 }, async () => {
  const server = await startServerProcess({ args: ['--plugin-add', 'applier-ndjson'] });
  const path = join(server.datadir, 'changes.ndjson');
  try {
    await sql(server, "CREATE DATABASE shop; CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(6,2)); INSERT INTO shop.items VALUES (1, 'pen', 1.50), (2, 'ink', 7.00)");
    await sql(server, "BEGIN; UPDATE shop.items SET price = 2.00 WHERE id = 1; DELETE FROM shop.items WHERE id = 2; COMMIT; ROLLBACK");
    await sql(server, 'ALTER TABLE shop.items ADD COLUMN qty INT');
    const lines = await delivered(server, path);
    assert.deepEqual(lines.map(seq), lines.map((_, i) => i + 1), 'ids contiguous from 1, no duplicates without a crash');
    const uuid = (await sql(server, 'SELECT @@server_uuid AS u'))[0].u as string;
    assert.ok(lines.every((l) => l.id.startsWith(`${uuid}:`) && l.commit_time_ms > 0));
    assert.equal(lines[0].changes[0].type, 'ddl');
    assert.match(String(lines[0].changes[0].statement), /CREATE DATABASE shop/);
    const insert = lines[2];
    assert.deepEqual(insert.changes.map((c) => [c.type, c.schema, c.table, c.after]), [
      ['insert', 'shop', 'items', { id: 1, name: 'pen', price: '1.50' }],
      ['insert', 'shop', 'items', { id: 2, name: 'ink', price: '7.00' }],
    ]);
    assert.deepEqual(lines[3].changes.map((c) => [c.type, c.before, c.after]), [
      ['update', { id: 1, name: 'pen', price: '1.50' }, { id: 1, name: 'pen', price: '2.00' }],
      ['delete', { id: 2, name: 'ink', price: '7.00' }, undefined],
    ]);
    assert.equal(lines[4].changes[0].type, 'ddl');
    const s = await status(server);
    assert.equal(s.Applier_ndjson_last_sequence, 5);
    assert.equal(s.Applier_ndjson_lag_transactions, 0);
    assert.equal(s.Applier_ndjson_running, 1);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('kill -9 mid-load, then a restart: every acknowledged transaction is in the file, ids contiguous, repeats only right after the restart point', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cdc-'));
  const args = ['--plugin-add', 'applier-ndjson'];
  let server = await startServerProcess({ datadir: dir, args });
  const path = join(dir, 'changes.ndjson');
  try {
    await sql(server, 'CREATE DATABASE load1; CREATE TABLE load1.t (id INT PRIMARY KEY, v VARCHAR(40))');
    const acknowledged: number[] = [];
    let stop = false;
    const writer = async (w: number) => {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
      c.on('error', () => undefined);
      for (let i = 0; !stop; i++) {
        const id = w * 1_000_000 + i;
        try {
          await c.query('INSERT INTO load1.t VALUES (?, ?)', [id, `row ${id}`]);
          acknowledged.push(id);
        } catch {
          return;
        }
      }
      await c.end().catch(() => undefined);
    };
    const writers = [1, 2, 3].map(writer);
    await passesEventually(async () => assert.ok(acknowledged.length >= 300), ARRIVAL_MS);
    await server.kill();
    stop = true;
    await Promise.all(writers);
    server = await startServerProcess({ datadir: dir, args });
    const lines = await delivered(server, path);
    // Contiguous: each line's sequence is the one before + 1, except where the restart went back to the stored position.
    const seqs = lines.map(seq);
    let backs = 0;
    for (let i = 1; i < seqs.length; i++) {
      if (seqs[i] === seqs[i - 1] + 1) continue;
      backs++;
      assert.ok(seqs[i] <= seqs[i - 1], `a gap after ${seqs[i - 1]}: ${seqs[i]}`);
    }
    assert.ok(backs <= 1, 'at most one step back, at the restart');
    assert.equal(seqs[0], 1);
    const inserted = new Set(lines.flatMap((l) => l.changes.filter((c) => c.type === 'insert').map((c) => Number(c.after?.id))));
    const missing = acknowledged.filter((id) => !inserted.has(id));
    assert.deepEqual(missing, [], 'every acknowledged insert was delivered');
    const rows = Number((await sql(server, 'SELECT COUNT(*) AS n FROM load1.t'))[0].n);
    assert.equal(inserted.size, rows, 'and nothing that did not commit');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the change log keeps what the plugin has not delivered, whatever the size limit', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cdc-'));
  const out = join(dir, 'out', 'later');
  // The file's directory does not exist yet: every delivery fails until it does.
  const server = await startServerProcess({ datadir: join(dir, 'data'), args: ['--plugin-add', 'applier-ndjson', `--applier-ndjson.file=${join(out, 'changes.ndjson')}`, '--max-binlog-total-size=1'] });
  try {
    await sql(server, 'CREATE DATABASE r; CREATE TABLE r.t (id INT PRIMARY KEY)');
    for (let i = 0; i < 20; i++) await sql(server, `INSERT INTO r.t VALUES (${i})`);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(await firstKept(server), 1, 'nothing purged past the plugin');
    assert.ok((await status(server)).Applier_ndjson_failures > 0);
    mkdirSync(out, { recursive: true });
    const lines = await delivered(server, join(out, 'changes.ndjson'));
    assert.deepEqual(lines.map(seq), lines.map((_, i) => i + 1));
    // Delivered: the size limit now purges down to the newest transaction.
    await passesEventually(async () => assert.equal(await firstKept(server), lines.length), ARRIVAL_MS);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with binlog_retain_for_replicas off the size limit wins: a plugin whose next transaction was purged stops, loudly', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cdc-'));
  const server = await startServerProcess({ datadir: join(dir, 'data'), args: ['--plugin-add', 'applier-ndjson', `--applier-ndjson.file=${join(dir, 'missing', 'changes.ndjson')}`, '--max-binlog-total-size=1', '--binlog-retain-for-replicas=false'] });
  try {
    await sql(server, 'CREATE DATABASE r; CREATE TABLE r.t (id INT PRIMARY KEY); INSERT INTO r.t VALUES (1); INSERT INTO r.t VALUES (2)');
    await passesEventually(async () => assert.equal((await status(server)).Applier_ndjson_running, 0), ARRIVAL_MS);
    assert.match(server.log(), /applier-ndjson: the change log no longer holds sequence 1 \(it starts at \d+\); applier-ndjson stopped/);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a torn last line (kill -9 mid-write) is cut back to the last complete line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cdc-'));
  try {
    const path = join(dir, 'f.ndjson');
    writeFileSync(path, '{"a":1}\n{"a":2}\n{"a":');
    assert.equal(cutTornTail(path), 5);
    assert.equal(readFileSync(path, 'utf8'), '{"a":1}\n{"a":2}\n');
    assert.equal(cutTornTail(path), 0);
    writeFileSync(path, 'no newline at all');
    cutTornTail(path);
    assert.equal(readFileSync(path, 'utf8'), '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
