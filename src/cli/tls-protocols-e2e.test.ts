// TLS on the HTTP and native protocols end to end: curl and openssl s_client, the client library over https:// and mizzles://, a wiretap, require_secure_transport, tls=required/disabled, passwords from off loopback, SIGHUP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { outsideAddress } from '../testing/outside-address.js';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { connect, MizzleError } from '../client/index.js';
import { connect as connectFetchOnly } from '../client/http.js';
import { generateCertificates } from '../kernel/tls-files.js';
import { freePort, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { wiretap } from '../testing/wiretap.js';

const run = promisify(execFile);
const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');

interface Ports {
  server: ServerProcess;
  http: number;
  native: number;
}

/** mizzle with both protocols on free ports (worker threads as MIZZLE_THREADS says, unless `args` say). */
async function startBoth(args: string[] = [], datadir?: string): Promise<Ports> {
  const [http, native] = [await freePort(), await freePort()];
  const server = await startServerProcess({
    datadir,
    args: ['--plugin-add', 'protocol-http', `--protocol-http.port=${http}`, '--plugin-add', 'protocol-native', `--protocol-native.port=${native}`, ...args],
  });
  return { server, http, native };
}

/** curl POST /v1/query; the HTTP status (0 when curl failed, e.g. an untrusted certificate), the body and curl's exit code. */
async function curl(url: string, sql: string, ...extra: string[]): Promise<{ status: number; body: string; exit: number }> {
  try {
    const { stdout } = await run('curl', ['-sS', '-H', 'Content-Type: application/json', ...extra, '--data-binary', JSON.stringify({ sql }), '-w', '\n%{http_code}', `${url}/v1/query`], { timeout: 10000 });
    const cut = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut), exit: 0 };
  } catch (e) {
    return { status: 0, body: String((e as { stderr?: string }).stderr ?? e), exit: Number((e as { code?: number }).code) };
  }
}

/** The session's TLS version as the server sees it over `url` ('' on a clear connection). */
async function sslVersion(url: string): Promise<string> {
  const c = connect(url);
  try {
    const r = await c.query("SHOW STATUS LIKE 'Ssl_version'");
    return String(r.rows[0]?.[1]);
  } finally {
    await c.close();
  }
}

function sClient(port: number, ca: string): { stdout: string; stderr: string } {
  const r = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-CAfile', ca, '-verify_hostname', 'localhost', '-verify_return_error'], { input: '', encoding: 'utf8', timeout: 10000 });
  return { stdout: r.stdout, stderr: r.stderr };
}

/** A scratch directory with a CA and server certificate of its own. */
function otherCertificates(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-othercerts-'));
  generateCertificates(dir);
  return dir;
}

async function rejectsWith(p: Promise<unknown>, check: (e: MizzleError) => void): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof MizzleError, String(e));
    check(e);
    return true;
  });
}

test('HTTP and HTTPS on one port, native clear and TLS on one port: curl, openssl s_client and the client library', async (t) => {
  const b = await startBoth();
  const ca = join(b.server.datadir, 'ca.pem');
  const other = otherCertificates();
  const https = `https://localhost:${b.http}`;
  try {
    assert.match(b.server.log(), new RegExp(`listening: protocol-http http://127\\.0\\.0\\.1:${b.http} and https://127\\.0\\.0\\.1:${b.http}`));
    assert.match(b.server.log(), new RegExp(`listening: protocol-native mizzle://127\\.0\\.0\\.1:${b.native} \\(TLS: mizzles://\\)`));

    await t.test('curl --cacert gets HTTPS with the generated certificate; plain curl is refused the certificate; http:// stays clear', async () => {
      const tls = await curl(https, "SHOW STATUS LIKE 'Ssl_version'", '--cacert', ca);
      assert.equal(tls.status, 200, tls.body);
      assert.match(JSON.parse(tls.body).rows[0][1], /^TLSv1\.[23]$/);
      const untrusted = await curl(https, 'SELECT 1');
      assert.equal(untrusted.exit, 60, `curl exit ${untrusted.exit}: ${untrusted.body}`);
      const clear = await curl(`http://127.0.0.1:${b.http}`, "SHOW STATUS LIKE 'Ssl_version'");
      assert.equal(clear.status, 200, clear.body);
      assert.deepEqual(JSON.parse(clear.body).rows, [['Ssl_version', '']]);
    });

    await t.test('openssl s_client verifies both ports\' certificate', () => {
      for (const port of [b.http, b.native]) {
        const ok = sClient(port, ca);
        assert.match(ok.stdout, /Verify return code: 0 \(ok\)/, ok.stderr);
        assert.match(ok.stdout, /New, TLSv1\.[23], Cipher is \S+/);
        assert.doesNotMatch(sClient(port, join(other, 'ca.pem')).stdout, /Verify return code: 0 \(ok\)/);
      }
    });

    await t.test('client library over https://: ?ssl-ca verifies (host name or IP), ssl-mode=required skips it, a CA that did not sign is refused', async () => {
      assert.match(await sslVersion(`${https}/?ssl-ca=${ca}`), /^TLSv1\.[23]$/);
      assert.match(await sslVersion(`https://127.0.0.1:${b.http}/?ssl-ca=${ca}`), /^TLSv1\.[23]$/);
      assert.match(await sslVersion(`https://127.0.0.1:${b.http}/?ssl-mode=required`), /^TLSv1\.[23]$/);
      await rejectsWith(sslVersion(`${https}/?ssl-ca=${join(other, 'ca.pem')}`), (e) => assert.match(e.message, /certificate/));
      await rejectsWith(sslVersion(`${https}/`), (e) => assert.match(e.message, /certificate/));
      // A stream's rows arrive over TLS too.
      const c = connect(`${https}/?ssl-ca=${ca}`);
      let n = 0;
      for await (const row of c.stream('SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3')) n += Number(row[0]);
      await c.close();
      assert.equal(n, 6);
      assert.throws(() => connectFetchOnly(`${https}/?ssl-ca=${ca}`), /need mizzle\/client \(Node\)/);
      assert.throws(() => connect(`http://127.0.0.1:${b.http}/?ssl-mode=required`), /for https:\/\/ URLs/);
    });

    await t.test('client library over the native protocol: mizzles:// verifies, mizzle:// prefers TLS, ssl-mode=disabled is clear', async () => {
      assert.match(await sslVersion(`mizzles://root@localhost:${b.native}/?ssl-ca=${ca}`), /^TLSv1\.[23]$/);
      assert.match(await sslVersion(`mizzle://root@127.0.0.1:${b.native}/?ssl-mode=verify-ca&ssl-ca=${ca}`), /^TLSv1\.[23]$/);
      assert.match(await sslVersion(`mizzle://root@127.0.0.1:${b.native}/`), /^TLSv1\.[23]$/);
      assert.equal(await sslVersion(`mizzle://root@127.0.0.1:${b.native}/?ssl-mode=disabled`), '');
      await rejectsWith(sslVersion(`mizzles://root@localhost:${b.native}/`), (e) => assert.match(e.message, /certificate/));
      await rejectsWith(sslVersion(`mizzles://root@localhost:${b.native}/?ssl-ca=${join(other, 'ca.pem')}`), (e) => assert.match(e.message, /certificate/));
      assert.throws(() => connect(`mizzles://root@localhost:${b.native}/?ssl-mode=disabled`), /mizzles:\/\/ is always TLS/);
      assert.throws(() => connect(`mizzle://root@localhost:${b.native}/?ssl-mode=required&ssl-ca=${ca}`), /ssl-ca is checked only with/);
      // Prepared statements, parameters and pipelined sessions work the same inside TLS.
      const c = connect(`mizzles://root@localhost:${b.native}/?ssl-ca=${ca}`);
      const r = await Promise.all([1, 2, 3].map((k) => c.execute('SELECT ? * 2', [k])));
      await c.close();
      assert.deepEqual(r.map((x) => x.rows[0][0]), [2, 4, 6]);
      const status = connect(`mizzles://root@localhost:${b.native}/?ssl-ca=${ca}`);
      const counted = Number((await status.query("SHOW GLOBAL STATUS LIKE 'Native_tls_connections'")).rows[0][1]);
      await status.close();
      assert.ok(counted >= 4, `Native_tls_connections ${counted}`);
    });

    await t.test('client library over mysql://: TLS preferred by default, ?ssl-ca verifies, ssl-mode=disabled is clear', async () => {
      assert.match(await sslVersion(`mysql://root@127.0.0.1:${b.server.port}/`), /^TLSv1\.[23]$/);
      assert.match(await sslVersion(`mysql://root@localhost:${b.server.port}/?ssl-ca=${ca}`), /^TLSv1\.[23]$/);
      assert.equal(await sslVersion(`mysql://root@127.0.0.1:${b.server.port}/?ssl-mode=disabled`), '');
      await rejectsWith(sslVersion(`mysql://root@localhost:${b.server.port}/?ssl-ca=${join(other, 'ca.pem')}`), (e) => assert.match(e.message, /certificate/));
      await rejectsWith(sslVersion(`mysql://root@localhost:${b.server.port}/?ssl-mode=verify-identity`), (e) => assert.match(e.message, /certificate/));
    });

    await t.test('mizzle sql over mysql://, mizzles:// and https:// with --ssl-ca', async () => {
      const sql = (...args: string[]) => run(process.execPath, [CLI, 'sql', ...args, '-N', '-e', "SHOW STATUS LIKE 'Ssl_version'"], { encoding: 'utf8', timeout: 15000 });
      assert.match((await sql(`mizzles://root@localhost:${b.native}/`, `--ssl-ca=${ca}`)).stdout, /Ssl_version\tTLSv1\.[23]/);
      assert.match((await sql('--protocol=https', '-h', 'localhost', '-P', String(b.http), `--ssl-ca=${ca}`)).stdout, /Ssl_version\tTLSv1\.[23]/);
      assert.match((await sql('-h', 'localhost', '-P', String(b.server.port), '--ssl-mode=verify-identity', `--ssl-ca=${ca}`)).stdout, /Ssl_version\tTLSv1\.[23]/);
    });

    await t.test('a wiretap on a TLS session sees none of the SQL text or results; on a clear one it does', async () => {
      const secret = `needle_${randomBytes(6).toString('hex')}`;
      for (const [target, tls, url] of [
        [b.http, true, (p: number) => `https://localhost:${p}/?ssl-ca=${ca}`],
        [b.http, false, (p: number) => `http://127.0.0.1:${p}/`],
        [b.native, true, (p: number) => `mizzles://root@localhost:${p}/?ssl-ca=${ca}`],
        [b.native, false, (p: number) => `mizzle://root@127.0.0.1:${p}/?ssl-mode=disabled`],
        [b.server.port, true, (p: number) => `mysql://root@localhost:${p}/?ssl-ca=${ca}`],
        [b.server.port, false, (p: number) => `mysql://root@127.0.0.1:${p}/?ssl-mode=disabled`],
      ] as const) {
        const tap = await wiretap(target);
        try {
          const c = connect(url(tap.port));
          assert.deepEqual((await c.query(`SELECT '${secret}' AS s`)).rows, [[secret]]);
          await c.close();
          const seen = tap.bytes().toString('latin1');
          assert.equal(seen.includes(secret), !tls, `${url(tap.port)}: ${tls ? 'the SQL text is not on the wire' : 'the clear capture does show it (the check can see)'}`);
        } finally {
          tap.close();
        }
      }
    });

    await t.test('require_secure_transport: clear HTTP gets 403 with 3159, a clear native HELLO 3159; TLS clients go on', async () => {
      const admin = connect(`mizzles://root@localhost:${b.native}/?ssl-ca=${ca}`);
      await admin.query('SET GLOBAL require_secure_transport = ON');
      try {
        const clear = await curl(`http://127.0.0.1:${b.http}`, 'SELECT 1');
        assert.equal(clear.status, 403, clear.body);
        assert.deepEqual(JSON.parse(clear.body).error, { code: 3159, sqlstate: '08004', message: 'Connections using insecure transport are prohibited while --require_secure_transport=ON.' });
        await rejectsWith(sslVersion(`mizzle://root@127.0.0.1:${b.native}/?ssl-mode=disabled`), (e) => {
          assert.equal(e.code, 3159);
          assert.equal(e.sqlstate, '08004');
        });
        assert.equal((await curl(https, 'SELECT 1', '--cacert', ca)).status, 200);
        assert.match(await sslVersion(`mizzle://root@127.0.0.1:${b.native}/`), /^TLSv1\.[23]$/, 'preferred is TLS, so it is let in');
      } finally {
        await admin.query('SET GLOBAL require_secure_transport = OFF');
        await admin.close();
      }
      assert.equal((await curl(`http://127.0.0.1:${b.http}`, 'SELECT 1')).status, 200);
    });
  } finally {
    await b.server.stop();
    b.server.cleanup();
    rmSync(other, { recursive: true, force: true });
  }
});

test('tls=required refuses clear clients of that port only; tls=disabled speaks clear, and mizzle:// falls back to it; --ssl=false servers', async () => {
  const b = await startBoth(['--protocol-http.tls=required', '--protocol-native.tls=disabled']);
  const ca = join(b.server.datadir, 'ca.pem');
  try {
    assert.match(b.server.log(), new RegExp(`protocol-http https://127\\.0\\.0\\.1:${b.http} \\(TLS required\\)`));
    assert.match(b.server.log(), new RegExp(`protocol-native mizzle://127\\.0\\.0\\.1:${b.native}\\n`));
    const clear = await curl(`http://127.0.0.1:${b.http}`, 'SELECT 1');
    assert.equal(clear.status, 403);
    assert.equal(JSON.parse(clear.body).error.code, 3159);
    assert.match(JSON.parse(clear.body).error.message, /--protocol-http\.tls=required/);
    assert.equal((await curl(`https://localhost:${b.http}`, 'SELECT 1', '--cacert', ca)).status, 200);
    assert.equal(await sslVersion(`mizzle://root@127.0.0.1:${b.native}/`), '', 'preferred fell back to clear');
    await rejectsWith(sslVersion(`mizzles://root@localhost:${b.native}/?ssl-ca=${ca}`), (e) => assert.equal(e.kind, 'connection'));
  } finally {
    await b.server.stop();
    b.server.cleanup();
  }
  // A port that must be TLS without a certificate could serve nobody: the server does not start.
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-notls-'));
  try {
    await assert.rejects(startBoth(['--ssl=false', '--protocol-native.tls=required'], datadir), /protocol-native\.tls=required needs the server certificate/);
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
  // A server without TLS: preferred clients connect in clear, those that require TLS are refused.
  const clear = await startBoth(['--ssl=false']);
  try {
    assert.equal(await sslVersion(`mysql://root@127.0.0.1:${clear.server.port}/`), '');
    assert.equal(await sslVersion(`mizzle://root@127.0.0.1:${clear.native}/`), '');
    await rejectsWith(sslVersion(`mysql://root@127.0.0.1:${clear.server.port}/?ssl-mode=required`), (e) => assert.match(e.message, /does not offer TLS/));
    await rejectsWith(sslVersion(`mizzle://root@127.0.0.1:${clear.native}/?ssl-mode=required`), (e) => assert.equal(e.kind, 'connection'));
  } finally {
    await clear.server.stop();
    clear.server.cleanup();
  }
});

const outside = outsideAddress();

test('a password from off loopback: accepted over HTTPS and native TLS, refused in clear', { skip: outside ? false : 'no non-loopback address' }, async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-tlspw-'));
  const line = execFileSync(process.execPath, [CLI, 'passwd', 'carol'], { input: 's3cret\n', encoding: 'utf8' }).trim();
  writeFileSync(join(datadir, 'users'), `${line}\n`);
  const b = await startBoth(['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file', '--protocol-http.bind=0.0.0.0', '--protocol-native.bind=0.0.0.0'], datadir);
  const ca = join(datadir, 'ca.pem');
  const host = outside as string;
  try {
    const who = async (url: string) => {
      const c = connect(url);
      try {
        return String((await c.query('SELECT CURRENT_USER()')).rows[0][0]);
      } finally {
        await c.close();
      }
    };
    // The certificate names localhost and this host's name, not necessarily this address: check the CA only.
    assert.match(await who(`https://carol:s3cret@${host}:${b.http}/?ssl-mode=verify-ca&ssl-ca=${ca}`), /^carol@/);
    assert.match(await who(`mizzles://carol:s3cret@${host}:${b.native}/?ssl-mode=verify-ca&ssl-ca=${ca}`), /^carol@/);
    await rejectsWith(who(`http://carol:s3cret@${host}:${b.http}/`), (e) => {
      assert.equal(e.code, 1045);
      assert.match(e.message, /accepted only from loopback; use https:\/\//);
    });
    await rejectsWith(who(`mizzle://carol:s3cret@${host}:${b.native}/?ssl-mode=disabled`), (e) => {
      assert.equal(e.code, 1045);
      assert.match(e.message, /connect with TLS/);
    });
    await rejectsWith(who(`mizzles://carol:wrong@${host}:${b.native}/?ssl-mode=verify-ca&ssl-ca=${ca}`), (e) => assert.equal(e.code, 1045));
  } finally {
    await b.server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('SIGHUP: new HTTPS and native TLS connections get the re-read certificate on every worker', async () => {
  const first = otherCertificates();
  const second = otherCertificates();
  const live = mkdtempSync(join(tmpdir(), 'mizzle-livecerts-'));
  for (const f of ['server-cert.pem', 'server-key.pem']) copyFileSync(join(first, f), join(live, f));
  const b = await startBoth(['--ssl-cert', join(live, 'server-cert.pem'), '--ssl-key', join(live, 'server-key.pem'), '--threads', '2']);
  const nativeUrl = (dir: string) => `mizzles://root@localhost:${b.native}/?ssl-ca=${join(dir, 'ca.pem')}`;
  const httpsUrl = (dir: string) => `https://localhost:${b.http}/?ssl-ca=${join(dir, 'ca.pem')}`;
  /** Which workers answered `n` fresh native TLS connections. */
  const workersOver = async (dir: string, n: number) => {
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const c = connect(nativeUrl(dir));
      seen.add(Number((await c.query('SELECT @@mizzle_worker_thread')).rows[0][0]));
      await c.close();
    }
    return seen;
  };
  try {
    assert.equal((await workersOver(first, 8)).size, 2, 'both workers served native TLS clients');
    assert.match(await sslVersion(httpsUrl(first)), /^TLSv1\.[23]$/);
    await rejectsWith(sslVersion(nativeUrl(second)), (e) => assert.match(e.message, /certificate/));
    for (const f of ['server-cert.pem', 'server-key.pem']) copyFileSync(join(second, f), join(live, f));
    b.server.child.kill('SIGHUP');
    const deadline = Date.now() + 10000;
    while ((b.server.log().match(/TLS certificate reloaded/g) ?? []).length < 3) {
      assert.ok(Date.now() < deadline, 'the main thread and both workers reload');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal((await workersOver(second, 8)).size, 2, 'both workers serve the new certificate');
    for (let i = 0; i < 4; i++) assert.match(await sslVersion(httpsUrl(second)), /^TLSv1\.[23]$/);
    await rejectsWith(sslVersion(nativeUrl(first)), (e) => assert.match(e.message, /certificate/));
    await rejectsWith(sslVersion(httpsUrl(first)), (e) => assert.match(e.message, /certificate/));
    const s = spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${b.http}`, '-CAfile', join(second, 'ca.pem'), '-verify_return_error'], { input: '', encoding: 'utf8', timeout: 10000 });
    assert.match(s.stdout, /Verify return code: 0 \(ok\)/);
  } finally {
    await b.server.stop();
    b.server.cleanup();
    for (const d of [first, second, live]) rmSync(d, { recursive: true, force: true });
  }
});

test('client library mysql://: caching_sha2_password full authentication inside TLS, then the fast path in clear', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-sha2client-'));
  // Without the stage-2 digests only the scrypt hash is left: the password itself must reach the server.
  const line = execFileSync(process.execPath, [CLI, 'passwd', 'dave'], { input: 'c0rrect\n', encoding: 'utf8' }).trim();
  const scryptOnly = line.replace(/\$[0-9a-f]{40}\$[0-9a-f]{64}$/, () => '$$');
  assert.notEqual(scryptOnly, line);
  writeFileSync(join(datadir, 'users'), `${scryptOnly}\n`);
  // Two worker threads: the fast-path cache is one for the server, so a clear login on either worker finds dave's success.
  const server = await startServerProcess({ datadir, args: ['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file', '--threads', '2'] });
  const ca = join(datadir, 'ca.pem');
  const clearUrl = `mysql://dave:c0rrect@127.0.0.1:${server.port}/?ssl-mode=disabled`;
  try {
    // Neither TLS nor a way to the server's RSA key (?get-server-public-key, ?server-public-key-path): MySQL's client error 2061.
    await rejectsWith(sslVersion(clearUrl), (e) => {
      assert.equal(e.code, 2061);
      assert.match(e.message, /Authentication requires secure connection/);
    });
    await rejectsWith(sslVersion(`mysql://dave:wrong@localhost:${server.port}/?ssl-ca=${ca}`), (e) => assert.equal(e.code, 1045));
    assert.match(await sslVersion(`mysql://dave:c0rrect@localhost:${server.port}/?ssl-ca=${ca}`), /^TLSv1\.[23]$/);
    for (let i = 0; i < 4; i++) assert.equal(await sslVersion(clearUrl), '', `after a full authentication the fast path needs no TLS (login ${i + 1})`);
  } finally {
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});
