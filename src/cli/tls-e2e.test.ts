// TLS on the MySQL protocol end to end: generated certificates, the mariadb CLI, mysql2, openssl s_client, require_secure_transport, SIGHUP, worker threads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { wiretap } from '../testing/wiretap.js';
import { generateCertificates } from '../kernel/tls-files.js';
import { Capability, PacketWriter, parseHandshakeV10, writeSslRequest } from '../protocol/mysql/index.js';
import { fileURLToPath } from 'node:url';

const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');

const run = promisify(execFile);
const hasMariadb = spawnSync('mariadb', ['--version']).status === 0;
const noMariadb = hasMariadb ? false : 'mariadb CLI not installed';

interface MysqlErr {
  errno?: number;
  sqlState?: string;
  message: string;
}

function mariadb(server: ServerProcess, args: string[], sql: string): Promise<{ stdout: string; stderr: string }> {
  return run('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-uroot', ...args, '-N', '-B', '-e', sql], { encoding: 'utf8', timeout: 10000 });
}

async function sslStatus(c: mysql.Connection): Promise<Record<string, string>> {
  const [rows] = (await c.query("SHOW SESSION STATUS LIKE 'Ssl_%'")) as [mysql.RowDataPacket[], unknown];
  return Object.fromEntries(rows.map((r) => [String(r.Variable_name), String(r.Value)]));
}

/** A scratch directory with a CA and server certificate of its own (a different CA from any server's). */
function otherCertificates(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-othercerts-'));
  generateCertificates(dir);
  return dir;
}

test('certificates are generated into the datadir once and reused after a restart', async () => {
  const server = await startServerProcess();
  const ca = join(server.datadir, 'ca.pem');
  let first: string;
  try {
    first = readFileSync(ca, 'utf8');
    assert.match(first, /BEGIN CERTIFICATE/);
    assert.equal(statSync(join(server.datadir, 'server-key.pem')).mode & 0o077, 0, 'the key is readable by its owner only');
    assert.match(server.log(), /generated a self-signed CA and server certificate/);
  } finally {
    await server.stop();
  }
  const again = await startServerProcess({ datadir: server.datadir });
  try {
    assert.equal(readFileSync(ca, 'utf8'), first, 'the same CA after the restart');
    assert.doesNotMatch(again.log(), /generated a self-signed/);
    const c = await mysql.createConnection({ host: '127.0.0.1', port: again.port, user: 'root', ssl: { ca: first } });
    assert.notEqual((await sslStatus(c)).Ssl_cipher, '');
    await c.end();
  } finally {
    await again.stop();
    rmSync(server.datadir, { recursive: true, force: true });
  }
});

test('clients over TLS: mariadb --ssl and --ssl-verify-server-cert, mysql2 with ssl.ca, openssl s_client -starttls mysql', async (t) => {
  const server = await startServerProcess();
  const other = otherCertificates();
  const ca = join(server.datadir, 'ca.pem');
  try {
    await t.test('mysql2 verifies the generated CA; Ssl_cipher and Ssl_version are set, clear sessions see them empty', async () => {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ssl: { ca: readFileSync(ca) } });
      const s = await sslStatus(c);
      assert.match(s.Ssl_version, /^TLSv1\.[23]$/);
      assert.notEqual(s.Ssl_cipher, '');
      const [[g]] = (await c.query("SHOW GLOBAL STATUS LIKE 'Ssl_cipher'")) as [mysql.RowDataPacket[], unknown];
      assert.equal(g.Value, '', 'the global scope has no cipher, as in MySQL');
      const [[expiry]] = (await c.query("SHOW STATUS LIKE 'Ssl_server_not_after'")) as [mysql.RowDataPacket[], unknown];
      assert.equal(new Date(String(expiry.Value)).getUTCFullYear(), new Date().getUTCFullYear() + 10, 'the generated certificate is valid for ten years');
      const [[v]] = (await c.query('SELECT @@have_ssl AS h')) as [mysql.RowDataPacket[], unknown];
      assert.equal(v.h, 'YES');
      await c.end();
      const clear = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
      const cs = await sslStatus(clear);
      assert.deepEqual([cs.Ssl_cipher, cs.Ssl_version], ['', '']);
      await clear.end();
    });
    await t.test('mysql2 refuses a server its CA did not sign', async () => {
      await assert.rejects(mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ssl: { ca: readFileSync(join(other, 'ca.pem')) } }), /certificate/i);
    });
    await t.test('mariadb --ssl, and --ssl-verify-server-cert with --ssl-ca', { skip: noMariadb }, async () => {
      const plain = await mariadb(server, ['--ssl'], "SHOW STATUS LIKE 'Ssl_cipher'");
      assert.match(plain.stdout, /^Ssl_cipher\t\S+/);
      const verified = await mariadb(server, ['--ssl', `--ssl-ca=${ca}`, '--ssl-verify-server-cert'], "SHOW STATUS LIKE 'Ssl_version'");
      assert.match(verified.stdout, /Ssl_version\tTLSv1\.[23]/);
      await assert.rejects(mariadb(server, ['--ssl', `--ssl-ca=${join(other, 'ca.pem')}`, '--ssl-verify-server-cert'], 'SELECT 1'), /SSL|TLS|certificate/i);
    });
    await t.test('openssl s_client -starttls mysql verifies the certificate', async () => {
      const r = spawnSync('openssl', ['s_client', '-starttls', 'mysql', '-connect', `127.0.0.1:${server.port}`, '-CAfile', ca, '-verify_hostname', 'localhost', '-verify_return_error'], { input: '', encoding: 'utf8', timeout: 10000 });
      assert.match(r.stdout, /Verify return code: 0 \(ok\)/, r.stderr);
      assert.match(r.stdout, /New, TLSv1\.[23], Cipher is \S+/);
      const bad = spawnSync('openssl', ['s_client', '-starttls', 'mysql', '-connect', `127.0.0.1:${server.port}`, '-CAfile', join(other, 'ca.pem'), '-verify_return_error'], { input: '', encoding: 'utf8', timeout: 10000 });
      assert.doesNotMatch(bad.stdout, /Verify return code: 0 \(ok\)/);
    });
    await t.test('a capture of a TLS session holds none of the SQL text or results; a clear one does', async () => {
      const secret = `needle_${randomBytes(6).toString('hex')}`;
      const sql = `SELECT '${secret}' AS s`;
      for (const tls of [true, false]) {
        const tap = await wiretap(server.port);
        try {
          const c = await mysql.createConnection({ host: '127.0.0.1', port: tap.port, user: 'root', ssl: tls ? { ca: readFileSync(ca) } : undefined });
          const [[r]] = (await c.query(sql)) as [mysql.RowDataPacket[], unknown];
          assert.equal(r.s, secret);
          await c.end();
          const seen = tap.bytes().toString('latin1');
          assert.equal(seen.includes(secret), !tls, tls ? 'the SQL text is not on the wire' : 'the clear capture does show it (the check can see)');
        } finally {
          tap.close();
        }
      }
    });
    await t.test('random bytes after an SSLRequest close that client only', async () => {
      const garbage = await sendGarbageAfterSslRequest(server.port);
      assert.equal(garbage, 'closed');
      const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ssl: { ca: readFileSync(ca) } });
      const [[r]] = (await c.query('SELECT 6 * 7 AS x')) as [mysql.RowDataPacket[], unknown];
      assert.equal(r.x, 42);
      await c.end();
      assert.equal(server.child.exitCode, null, 'the server is still running');
    });
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(other, { recursive: true, force: true });
  }
});

/** Greeting in, SSLRequest and 2 KiB of noise out; resolves 'closed' when the server hangs up, 'open' if it does not within 5 s. */
function sendGarbageAfterSslRequest(port: number): Promise<'closed' | 'open'> {
  return new Promise((resolve, reject) => {
    const s: Socket = tcpConnect(port, '127.0.0.1');
    let greeted = false;
    const timer = setTimeout(() => {
      s.destroy();
      resolve('open');
    }, 5000);
    s.on('error', () => undefined);
    s.on('data', (chunk: Buffer) => {
      if (greeted) return;
      greeted = true;
      const greeting = parseHandshakeV10(chunk.subarray(4, 4 + chunk.readUIntLE(0, 3)));
      if ((greeting.capabilities & Capability.SSL) === 0) {
        clearTimeout(timer);
        s.destroy();
        reject(new Error('the greeting does not offer CLIENT_SSL'));
        return;
      }
      const w = new PacketWriter();
      w.seq = 1;
      writeSslRequest(w, Capability.PROTOCOL_41 | Capability.SECURE_CONNECTION | Capability.PLUGIN_AUTH, 1 << 24, 45);
      s.write(Buffer.concat([w.take(), randomBytes(2048)]));
    });
    s.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

test('require_secure_transport: clear clients get 3159, TLS clients log in; SET GLOBAL turns it off', async () => {
  const server = await startServerProcess({ args: ['--require-secure-transport'] });
  const ca = readFileSync(join(server.datadir, 'ca.pem'));
  try {
    await assert.rejects(mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' }), (e: MysqlErr) => {
      assert.equal(e.errno, 3159);
      assert.equal(e.sqlState, '08004');
      assert.equal(e.message, 'Connections using insecure transport are prohibited while --require_secure_transport=ON.');
      return true;
    });
    if (hasMariadb) await assert.rejects(mariadb(server, ['--skip-ssl'], 'SELECT 1'), /ERROR 3159 \(08004\)/);
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ssl: { ca } });
    const [[v]] = (await c.query('SELECT @@global.require_secure_transport AS r')) as [mysql.RowDataPacket[], unknown];
    assert.equal(Number(v.r), 1);
    await c.query('SET GLOBAL require_secure_transport = OFF');
    await c.end();
    const clear = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await clear.query('SET GLOBAL require_secure_transport = ON');
    await clear.end();
    await assert.rejects(mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' }), (e: MysqlErr) => e.errno === 3159);
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('--ssl-cert/--ssl-key files are re-read on SIGHUP; a broken file keeps the old certificate', async () => {
  const first = otherCertificates();
  const second = otherCertificates();
  const live = mkdtempSync(join(tmpdir(), 'mizzle-livecerts-'));
  for (const f of ['server-cert.pem', 'server-key.pem']) copyFileSync(join(first, f), join(live, f));
  const server = await startServerProcess({ args: ['--ssl-cert', join(live, 'server-cert.pem'), '--ssl-key', join(live, 'server-key.pem'), '--threads', '2'] });
  const connectWith = (dir: string) => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ssl: { ca: readFileSync(join(dir, 'ca.pem')) } });
  try {
    assert.doesNotMatch(server.log(), /generated a self-signed/, 'given files are used, nothing is generated');
    // Every worker serves TLS with the given certificate.
    const workers = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const c = await connectWith(first);
      const [[r]] = (await c.query('SELECT @@mizzle_worker_thread AS w')) as [mysql.RowDataPacket[], unknown];
      workers.add(Number(r.w));
      assert.notEqual((await sslStatus(c)).Ssl_cipher, '');
      await c.end();
    }
    assert.equal(workers.size, 2, 'both workers served TLS clients');
    await assert.rejects(connectWith(second), /certificate/i);
    for (const f of ['server-cert.pem', 'server-key.pem']) copyFileSync(join(second, f), join(live, f));
    server.child.kill('SIGHUP');
    await waitFor(() => (server.log().match(/TLS certificate reloaded/g) ?? []).length >= 3, 'the main thread and both workers reload');
    for (let i = 0; i < 4; i++) (await connectWith(second)).destroy();
    await assert.rejects(connectWith(first), /certificate/i);
    copyFileSync(join(first, 'ca.pem'), join(live, 'server-key.pem'));
    server.child.kill('SIGHUP');
    await waitFor(() => /reloading the TLS certificate failed/.test(server.log()), 'the failed reload is logged');
    for (let i = 0; i < 4; i++) (await connectWith(second)).destroy();
  } finally {
    await server.stop();
    server.cleanup();
    for (const d of [first, second, live]) rmSync(d, { recursive: true, force: true });
  }
});

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('caching_sha2_password full authentication over TLS and with the RSA key exchange, for a hash that checks only the clear text', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-sha2-'));
  // Without the two stage-2 digests only the scrypt hash is left: the password itself must reach the server.
  const scryptOnly = (user: string) => {
    const line = execFileSync(process.execPath, [CLI, 'passwd', user], { input: 'c0rrect\n', encoding: 'utf8' }).trim();
    const cut = line.replace(/\$[0-9a-f]{40}\$[0-9a-f]{64}$/, () => '$$');
    assert.notEqual(cut, line);
    return cut;
  };
  // carol logs in first on a clear connection, dave first over TLS, frank with the mariadb CLI in clear: each does a full authentication.
  writeFileSync(join(datadir, 'users'), `${scryptOnly('carol')}\n${scryptOnly('dave')}\n${scryptOnly('frank')}\n`);
  const server = await startServerProcess({ datadir, args: ['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file'] });
  const ca = readFileSync(join(datadir, 'ca.pem'));
  try {
    const base = { host: '127.0.0.1', port: server.port, user: 'carol' };
    // On a clear connection the password goes encrypted with the server's RSA key (mysql2 asks for it), made on first need.
    // First, before any login fills the fast-path cache.
    assert.ok(!existsSync(join(datadir, 'private_key.pem')), 'the RSA key is not made before it is needed');
    const clear = await mysql.createConnection({ ...base, password: 'c0rrect' });
    const [[who]] = (await clear.query('SELECT CURRENT_USER() AS u')) as [mysql.RowDataPacket[], unknown];
    assert.match(who.u, /^carol@/);
    await clear.end();
    assert.match(readFileSync(join(datadir, 'public_key.pem'), 'utf8'), /BEGIN PUBLIC KEY/);
    for (let i = 0; i < 2; i++) {
      const c = await mysql.createConnection({ ...base, user: 'dave', password: 'c0rrect', ssl: { ca } });
      const [[r]] = (await c.query('SELECT CURRENT_USER() AS u')) as [mysql.RowDataPacket[], unknown];
      assert.match(r.u, /^dave@/);
      await c.end();
    }
    await assert.rejects(mysql.createConnection({ ...base, user: 'dave', password: 'wrong', ssl: { ca } }), (e: MysqlErr) => e.errno === 1045);
    await assert.rejects(mysql.createConnection({ ...base, password: 'wrong' }), (e: MysqlErr) => e.errno === 1045);
    if (hasMariadb) {
      const out = await run('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-ucarol', '-pc0rrect', '--ssl', `--ssl-ca=${join(datadir, 'ca.pem')}`, '--ssl-verify-server-cert', '-N', '-e', 'SELECT 40 + 2'], { encoding: 'utf8' });
      assert.equal(out.stdout.trim(), '42');
      const rsa = await run('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-ufrank', '-pc0rrect', '--skip-ssl', '-N', '-e', "SHOW STATUS LIKE 'Ssl_cipher'"], { encoding: 'utf8' });
      assert.equal(rsa.stdout.trim(), 'Ssl_cipher', 'logged in on a clear connection');
    }
  } finally {
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('without the openssl command the server starts with TLS off and says so, as MySQL 8 does', async () => {
  const server = await startServerProcess({ env: { PATH: '/nonexistent' } });
  try {
    assert.match(server.log(), /TLS is off: generating the TLS certificate needs the openssl command/);
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    const [rows] = await c.query({ sql: "SHOW VARIABLES LIKE 'have_ssl'", rowsAsArray: true });
    assert.deepEqual(rows, [['have_ssl', 'DISABLED']]);
    await c.end();
  } finally {
    await server.stop();
    server.cleanup();
  }
});
