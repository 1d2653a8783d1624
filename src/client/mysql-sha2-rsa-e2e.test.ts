// caching_sha2_password's full authentication from mizzle's own mysql:// client on a clear connection: the RSA key exchange (asked for, or from a file), 2061 without either, the fast path after, and `mizzle sql`'s flags.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, MizzleError } from './index.js';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { passwdLine } from '../plugins/auth-file/index.js';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'cli', 'mizzle.js');
const run = promisify(execFile);

/** A users-file line that can check only a clear-text password (the two stage-2 digests cut): every first login is a full authentication. */
function scryptOnly(user: string): string {
  const line = passwdLine(user, 'c0rrect');
  const cut = line.replace(/\$[0-9a-f]{40}\$[0-9a-f]{64}$/, () => '$$');
  assert.notEqual(cut, line);
  return cut;
}


let server: ServerProcess;

before(async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-sha2-rsa-'));
  writeFileSync(join(datadir, 'users'), ['carol', 'dave', 'erin', 'frank', 'gina'].map(scryptOnly).join('\n') + '\n');
  server = await startServerProcess({ datadir, args: ['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file'] });
});

after(async () => {
  await server.stop();
  rmSync(server.datadir, { recursive: true, force: true });
});

/** CURRENT_USER() of a login with `user` and the URL's `query`, or the error it got. */
async function login(user: string, query: string, password = 'c0rrect'): Promise<string | MizzleError> {
  const c = connect(`mysql://${user}:${password}@127.0.0.1:${server.port}/?${query}`);
  try {
    const r = await c.query('SELECT CURRENT_USER()');
    return String(r.rows[0]?.[0]);
  } catch (e) {
    if (e instanceof MizzleError) return e;
    throw e;
  } finally {
    await c.close();
  }
}

function codeOf(r: string | MizzleError): number | string {
  return r instanceof MizzleError ? r.code : r;
}

test('clear connection: refused with 2061 without a key option; the key asked for; then the fast path needs none', async () => {
  const refused = await login('carol', 'ssl-mode=disabled');
  assert.ok(refused instanceof MizzleError);
  assert.equal(refused.code, 2061);
  assert.match(refused.message, /Authentication requires secure connection/);
  assert.match(String(await login('carol', 'ssl-mode=disabled&get-server-public-key=true')), /^carol@/);
  // The server cached the success: the next login takes the fast path, without any key, on whichever
  // worker thread it reaches (the cache is one for the server).
  assert.match(String(await login('carol', 'ssl-mode=disabled')), /^carol@/);
  assert.equal(codeOf(await login('dave', 'ssl-mode=disabled&get-server-public-key=true', 'wrong')), 1045);
});

test('clear connection with the server public key from a file; a file that is no key is a usage error', async () => {
  const key = join(server.datadir, 'public_key.pem');
  assert.match(String(await login('erin', `ssl-mode=disabled&server-public-key-path=${encodeURIComponent(key)}`)), /^erin@/);
  const notKey = join(server.datadir, 'users');
  assert.throws(() => connect(`mysql://erin:x@127.0.0.1:${server.port}/?server-public-key-path=${encodeURIComponent(notKey)}`), /is not a PEM public key/);
  assert.throws(() => connect(`mysql://erin:x@127.0.0.1:${server.port}/?get-server-public-key=maybe`), /must be true or false/);
});

test('over TLS the password goes as it is, no key needed', async () => {
  assert.match(String(await login('frank', 'ssl-mode=required')), /^frank@/);
});

test('mizzle sql --get-server-public-key and --server-public-key-path', async () => {
  const base = [CLI, 'sql', `mysql://gina:c0rrect@127.0.0.1:${server.port}/`, '--ssl-mode=disabled', '-N', '-e', 'SELECT 6 * 7'];
  await assert.rejects(run(process.execPath, base, { encoding: 'utf8' }), (e: { stderr: string }) => /2061|Authentication requires secure connection/.test(e.stderr));
  const asked = await run(process.execPath, [...base, '--get-server-public-key'], { encoding: 'utf8' });
  assert.equal(asked.stdout.trim(), '42');
  const fromFile = await run(process.execPath, [...base, `--server-public-key-path=${join(server.datadir, 'public_key.pem')}`], { encoding: 'utf8' });
  assert.equal(fromFile.stdout.trim(), '42');
});
