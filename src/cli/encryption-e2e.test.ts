// Encryption at rest: an encrypted datadir's files hold none of its strings, a wrong or missing key stops the start
// and changes nothing, backups stay encrypted and open with the same key, and the key never comes from a file of settings.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');
const KEY = 'b3f1c0ffee'.repeat(7).slice(0, 64);
const MARKER_TEXT = 'plaintext-canary-7f3a';
const folders: string[] = [];
/** Every server a test started: a failed assertion must not leave one running (its file would never end). */
const servers: ServerProcess[] = [];
async function start(opts: Parameters<typeof startServerProcess>[0]): Promise<ServerProcess> {
  const s = await startServerProcess(opts);
  servers.push(s);
  return s;
}
after(async () => {
  for (const s of servers) if (s.child.exitCode === null && s.child.signalCode === null) await s.kill();
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

function folder(): string {
  const f = mkdtempSync(join(tmpdir(), 'mizzle-at-rest-'));
  folders.push(f);
  return f;
}

/** Every file under `dir`, read whole. */
function filesUnder(dir: string): Buffer[] {
  const out: Buffer[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push(readFileSync(p));
  }
  return out;
}

const holds = (dir: string, text: string) => filesUnder(dir).some((b) => b.includes(text));
const digestOf = (dir: string) => createHash('sha256').update(Buffer.concat(filesUnder(join(dir, 'lmdb')))).digest('hex');

async function fill(server: ServerProcess): Promise<void> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE vault');
  await c.query('CREATE TABLE vault.notes (id INT PRIMARY KEY, body VARCHAR(100), KEY (body))');
  for (let i = 0; i < 200; i++) await c.query('INSERT INTO vault.notes VALUES (?, ?)', [i, `${MARKER_TEXT} number ${i}`]);
  await c.end();
}

async function count(server: ServerProcess): Promise<number> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  const [[row]] = (await c.query(`SELECT COUNT(*) AS n FROM vault.notes WHERE body LIKE '${MARKER_TEXT}%'`)) as [mysql.RowDataPacket[], unknown];
  await c.end();
  return Number(row.n);
}

/** Runs the mizzle command and returns its exit code and stderr. */
function mizzle(args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

test('an encrypted datadir holds none of its strings; the same data in clear does (the check can fail)', { timeout: 120_000 }, async () => {
  const clearDir = folder();
  const clear = await start({ datadir: clearDir });
  await fill(clear);
  await clear.stop();
  assert.ok(holds(clearDir, MARKER_TEXT), 'unencrypted files show the strings');

  const dir = folder();
  const env = { MIZZLE_LMDB__ENCRYPTION_KEY: KEY };
  const server = await start({ datadir: dir, env });
  await fill(server);
  assert.equal(await count(server), 200);
  await server.stop();
  assert.equal(holds(dir, MARKER_TEXT), false, 'no inserted string in any file of the encrypted datadir');
  assert.equal(holds(dir, KEY), false, 'the key is not written anywhere');

  // A missing or wrong key: a clear error at start, and the files are as they were.
  const before = digestOf(dir);
  const missing = mizzle(['--datadir', dir, '--port', '0']);
  assert.notEqual(missing.status, 0);
  assert.match(missing.stderr, /is encrypted; give its key/);
  const wrong = mizzle(['--datadir', dir, '--port', '0'], { MIZZLE_LMDB__ENCRYPTION_KEY: 'f'.repeat(64) });
  assert.notEqual(wrong.status, 0);
  assert.match(wrong.stderr, /not the key of the data/);
  assert.equal(digestOf(dir), before, 'a refused start changed nothing');

  // The right key, from a file this time.
  const keyFile = join(folder(), 'key');
  writeFileSync(keyFile, KEY + '\n', { mode: 0o600 });
  const again = await start({ datadir: dir, args: [`--lmdb.encryption_key_file=${keyFile}`] });
  assert.equal(await count(again), 200);

  // A backup of it stays encrypted and opens with the same key only.
  const copy = join(folder(), 'copy');
  const backup = mizzle(['backup', '--datadir', dir, '--to', copy, `--lmdb.encryption_key_file=${keyFile}`]);
  assert.equal(backup.status, 0, backup.stderr);
  await again.stop();
  assert.equal(holds(copy, MARKER_TEXT), false, 'no inserted string in the backup');
  assert.match(mizzle(['--datadir', copy, '--port', '0']).stderr, /is encrypted; give its key/);
  const restored = await start({ datadir: copy, env });
  assert.equal(await count(restored), 200);
  await restored.stop();

  // Encryption is for a new datadir: an existing clear one is refused, unchanged.
  const clearBefore = digestOf(clearDir);
  const convert = mizzle(['--datadir', clearDir, '--port', '0'], env);
  assert.notEqual(convert.status, 0);
  assert.match(convert.stderr, /holds unencrypted data/);
  assert.equal(digestOf(clearDir), clearBefore);
});

test('the key itself never comes from mizzle.cnf or a flag, and a short key is refused', () => {
  const dir = folder();
  writeFileSync(join(dir, 'mizzle.cnf'), `[lmdb]\nencryption_key = ${KEY}\n`);
  const fromFile = mizzle(['--datadir', dir, '--port', '0', '--config', join(dir, 'mizzle.cnf')]);
  assert.notEqual(fromFile.status, 0);
  assert.match(fromFile.stderr, /may only come from the environment/);
  const fromFlag = mizzle(['--datadir', folder(), '--port', '0', `--lmdb.encryption_key=${KEY}`]);
  assert.notEqual(fromFlag.status, 0);
  assert.match(fromFlag.stderr, /may only come from the environment/);
  const short = mizzle(['--datadir', folder(), '--port', '0'], { MIZZLE_LMDB__ENCRYPTION_KEY: 'tooshort' });
  assert.notEqual(short.status, 0);
  assert.match(short.stderr, /at least 32 bytes/);
});
