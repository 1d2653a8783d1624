// auth-file end to end: `mizzle passwd` writes the users file, the server checks logins by both wire methods.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { startServerProcess } from '../testing/server-process.js';

const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');

test('auth-file: right password by both methods, wrong password and unknown user get 1045', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-auth-'));
  const line = execFileSync(process.execPath, [CLI, 'passwd', 'alice'], { input: 's3cret\n', encoding: 'utf8' }).trim();
  assert.match(line, /^alice:\$mizzle-scrypt\$/);
  assert.ok(!line.includes('s3cret'), 'the password itself is never stored');
  writeFileSync(join(datadir, 'users'), `# users\n${line}\n`);
  try {
    for (const method of ['caching_sha2_password', 'mysql_native_password']) {
      const server = await startServerProcess({ datadir, args: ['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file', `--mysql.default_auth=${method}`] });
      try {
        const base = { host: '127.0.0.1', port: server.port, user: 'alice' };
        const c = await mysql.createConnection({ ...base, password: 's3cret' });
        const [[r]] = (await c.query('SELECT CURRENT_USER() AS u')) as [mysql.RowDataPacket[], unknown];
        assert.match(r.u, /^alice@/, method);
        await c.end();
        await assert.rejects(mysql.createConnection({ ...base, password: 'wrong' }), (e: { errno: number; message: string }) => e.errno === 1045 && /Access denied for user 'alice'/.test(e.message));
        await assert.rejects(mysql.createConnection({ ...base, user: 'mallory', password: 'x' }), (e: { errno: number }) => e.errno === 1045);
        const out = execFileSync('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-ualice', '-ps3cret', '--skip-ssl', '-N', '-e', 'SELECT 40 + 2'], { encoding: 'utf8' });
        assert.equal(out.trim(), '42', method);
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('a malformed users file stops the server at startup with the line at fault', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-auth-'));
  writeFileSync(join(datadir, 'users'), 'bob:not-a-hash\n');
  try {
    await assert.rejects(startServerProcess({ datadir, args: ['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file'], timeoutMs: 5000 }), /users/);
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});
