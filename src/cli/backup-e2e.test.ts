// Online backup under write load: the copy starts as a new server and holds exactly the state at one commit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { startServerProcess } from '../testing/server-process.js';

const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');
const run = promisify(execFile);

async function state(port: number): Promise<{ a: Set<string>; b: Set<string>; total: number }> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'live' });
  const [a] = await c.query('SELECT w, seq FROM a');
  const [b] = await c.query('SELECT w, seq FROM b');
  const [[t]] = (await c.query('SELECT n FROM total')) as [mysql.RowDataPacket[], unknown];
  await c.end();
  const keys = (rows: unknown) => new Set((rows as mysql.RowDataPacket[]).map((r) => `${r.w}:${r.seq}`));
  return { a: keys(a), b: keys(b), total: Number(t.n) };
}

test('mizzle backup while clients write: the copy is consistent, compacted, and a new server', { timeout: 120_000 }, async () => {
  const dest = join(mkdtempSync(join(tmpdir(), 'mizzle-backup-')), 'copy');
  const live = await startServerProcess();
  let restored: Awaited<ReturnType<typeof startServerProcess>> | undefined;
  try {
    const setup = await mysql.createConnection({ host: '127.0.0.1', port: live.port, user: 'root' });
    for (const sql of ['CREATE DATABASE live', 'CREATE TABLE live.a (w INT, seq INT, PRIMARY KEY (w, seq))', 'CREATE TABLE live.b (w INT, seq INT, PRIMARY KEY (w, seq))', 'CREATE TABLE live.total (id INT PRIMARY KEY, n INT)', 'INSERT INTO live.total VALUES (1, 0)']) await setup.query(sql);
    await setup.end();
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: live.port, user: 'root', database: 'live' });
      for (let seq = 0; !stop; seq++) {
        await c.query('BEGIN');
        await c.query('INSERT INTO a VALUES (?, ?)', [w, seq]);
        await c.query('INSERT INTO b VALUES (?, ?)', [w, seq]);
        await c.query('UPDATE total SET n = n + 1 WHERE id = 1');
        await c.query('COMMIT');
      }
      await c.end();
    });
    await new Promise((r) => setTimeout(r, 300));
    const { stdout } = await run(process.execPath, [CLI, 'backup', '--datadir', live.datadir, '--to', dest]);
    assert.match(stdout, /backup of lmdb written to/);
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(writers);
    const after = await state(live.port);

    assert.ok(!existsSync(join(dest, 'server-uuid')), 'the copy gets a new identity');
    const info = JSON.parse(readFileSync(join(dest, 'backup-info'), 'utf8')) as { source_server_uuid: string };
    restored = await startServerProcess({ datadir: dest });
    const copy = await state(restored.port);
    assert.ok(copy.a.size > 0, 'the copy holds data');
    assert.deepEqual([...copy.a].sort(), [...copy.b].sort(), 'no transaction is half in the copy');
    assert.equal(copy.total, copy.a.size, 'the counter matches the rows: one commit');
    for (const k of copy.a) assert.ok(after.a.has(k), `row ${k} of the copy is in the live data`);
    assert.ok(after.a.size > copy.a.size, 'writes went on after the backup');
    assert.notEqual(readFileSync(join(dest, 'server-uuid'), 'utf8').trim(), info.source_server_uuid);
    await assert.rejects(run(process.execPath, [CLI, 'backup', '--datadir', live.datadir, '--to', dest]), /not empty/);
  } finally {
    await restored?.stop();
    await live.stop();
    live.cleanup();
    rmSync(join(dest, '..'), { recursive: true, force: true });
  }
});

test('beside a running server, mizzle backup and log read are served by the server over its admin socket; a dead server\'s datadir is copied directly', { timeout: 120_000 }, async () => {
  const { statSync } = await import('node:fs');
  const { createConnection } = await import('node:net');
  const root = mkdtempSync(join(tmpdir(), 'mizzle-admin-'));
  const live = await startServerProcess();
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: live.port, user: 'root' });
    await c.query('CREATE DATABASE d');
    await c.query('CREATE TABLE d.t (id INT PRIMARY KEY)');
    await c.query('INSERT INTO d.t VALUES (1), (2)');
    // Only the datadir's owner may use the socket: it can act on the server's files.
    const sock = join(live.datadir, 'admin.sock');
    assert.equal(statSync(sock).mode & 0o777, 0o600);

    const { stdout } = await run(process.execPath, [CLI, 'backup', '--datadir', live.datadir, '--to', join(root, 'one')]);
    assert.match(stdout, /change log up to sequence 3\b/);
    assert.match(live.log(), /admin request op=backup/, 'the running server made the copy, not a second process opening its storage');
    const log = await run(process.execPath, [CLI, 'log', 'read', '--datadir', live.datadir, '--format', 'sql']);
    assert.match(log.stdout, /INSERT INTO `d`.`t`/);

    // A bad request gets an error answer, and the server goes on.
    const answer = await new Promise<string>((resolve) => {
      const s = createConnection(sock);
      let text = '';
      s.on('connect', () => s.write('{"op":"format","dest":"/"}\n'));
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('end', () => resolve(text));
    });
    assert.deepEqual(JSON.parse(answer), { ok: false, error: 'not a request this server understands' });
    // A request that is served gets progress lines first, then its reply.
    const lines = await new Promise<string[]>((resolve) => {
      const s = createConnection(sock);
      let text = '';
      s.on('connect', () => s.write('{"op":"log","from":"0"}\n'));
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('end', () => resolve(text.trimEnd().split('\n')));
    });
    assert.deepEqual(JSON.parse(lines[0]!), { working: true });
    assert.equal(JSON.parse(lines[lines.length - 1]!).ok, true);
    // A destination that is not empty is refused by the server, with its reason.
    await assert.rejects(run(process.execPath, [CLI, 'backup', '--datadir', live.datadir, '--to', join(root, 'one')]), /not empty/);
    const [[row]] = (await c.query('SELECT COUNT(*) AS n FROM d.t')) as [mysql.RowDataPacket[], unknown];
    assert.equal(Number(row.n), 2);
    await c.end();

    // A stopped server (SIGSTOP) accepts on its socket but says nothing: the tool gives up with a clear error instead of waiting forever.
    live.child.kill('SIGSTOP');
    try {
      await assert.rejects(
        run(process.execPath, [CLI, 'backup', '--datadir', live.datadir, '--to', join(root, 'stopped')], { env: { ...process.env, MIZZLE_ADMIN_SILENCE_MS: '1500' }, timeout: 30_000 }),
        (e: Error & { stderr?: string; killed?: boolean }) => {
          assert.equal(e.killed, false, 'the tool ended by itself');
          assert.match(e.stderr ?? '', /does not answer on its admin socket \(it said nothing for 1\.5 s\)/);
          return true;
        },
      );
    } finally {
      live.child.kill('SIGCONT');
    }

    // kill -9 leaves the pid file and the socket behind: the datadir is copied directly.
    await live.kill();
    const offline = await run(process.execPath, [CLI, 'backup', '--datadir', live.datadir, '--to', join(root, 'two')]);
    assert.match(offline.stdout, /change log up to sequence 3\b/);
    assert.ok(existsSync(join(root, 'two', 'lmdb', 'data.mdb')));
  } finally {
    await live.stop().catch(() => undefined);
    live.cleanup();
    rmSync(root, { recursive: true, force: true });
  }
});
