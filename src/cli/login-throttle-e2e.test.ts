// Login throttling: an address that fails max_connect_errors logins in a row is refused at connect with 1129 (and on
// HTTP before its credentials are read) until FLUSH HOSTS, while clients from other addresses log in undisturbed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { freePort, startServerProcess } from '../testing/server-process.js';

const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');
const ATTEMPTS = Number(process.env.THROTTLE_ATTEMPTS ?? 10_000);
const ATTACKER = '127.0.0.2';

/** mysql2 options that connect from `localAddress` (another loopback address than the good clients'). */
const from = (port: number, localAddress: string) => ({ stream: () => tcpConnect({ host: '127.0.0.1', port, localAddress }) });

/** An HTTP query from `localAddress` with Basic credentials: the status and the error code. */
function httpQuery(port: number, localAddress: string, user: string, password: string): Promise<{ status: number; code?: number }> {
  return new Promise((resolve, reject) => {
    const body = JSON.stringify({ sql: 'SELECT 1' });
    const req = request({ host: '127.0.0.1', port, localAddress, path: '/v1/query', method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, code: (JSON.parse(text) as { error?: { code: number } }).error?.code }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('a brute-force loop from one address is blocked after max_connect_errors; good clients log in throughout; FLUSH HOSTS lifts it', { timeout: 300_000 }, async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-throttle-'));
  const users = ['alice', 'root'].map((u) => execFileSync(process.execPath, [CLI, 'passwd', u], { input: `${u}-pass\n`, encoding: 'utf8' }).trim());
  writeFileSync(join(datadir, 'users'), users.join('\n') + '\n');
  const httpPort = await freePort();
  const server = await startServerProcess({
    datadir,
    args: ['--threads', '1', '--plugin-remove', 'auth-none', '--plugin-add', 'auth-file', '--mysql.default_auth=mysql_native_password', '--plugin-add', 'protocol-http', `--protocol-http.port=${httpPort}`],
  });
  try {
    const good = { host: '127.0.0.1', port: server.port, user: 'alice', password: 'alice-pass' };
    const root = await mysql.createConnection({ ...good, user: 'root', password: 'root-pass' });
    assert.equal(Number((await root.query({ sql: 'SELECT @@max_connect_errors', rowsAsArray: true }))[0] as unknown as number[][]), 100);

    let stop = false;
    let goodLogins = 0;
    const goodClient = (async () => {
      while (!stop) {
        const c = await mysql.createConnection(good);
        await c.query('SELECT 1');
        await c.end();
        goodLogins++;
      }
    })();
    const codes = new Map<number, number>();
    for (let i = 0; i < ATTEMPTS; i++) {
      try {
        const c = await mysql.createConnection({ ...good, password: `guess-${i}`, ...from(server.port, ATTACKER) });
        await c.end();
        assert.fail(`guess ${i} logged in`);
      } catch (e) {
        const errno = (e as { errno?: number }).errno ?? 0;
        codes.set(errno, (codes.get(errno) ?? 0) + 1);
        if (i < 100) assert.equal(errno, 1045, `attempt ${i}`);
        else assert.equal(errno, 1129, `attempt ${i}`);
      }
    }
    stop = true;
    await goodClient;
    assert.deepEqual([...codes].sort(), [[1045, 100], [1129, ATTEMPTS - 100]]);
    assert.ok(goodLogins > 0, 'good clients logged in while the attack ran');
    // The right password from the blocked address is refused too: it is the address that is blocked.
    await assert.rejects(mysql.createConnection({ ...good, ...from(server.port, ATTACKER) }), { errno: 1129 });
    assert.deepEqual(await httpQuery(httpPort, ATTACKER, 'alice', 'alice-pass'), { status: 403, code: 1129 });
    assert.equal((await httpQuery(httpPort, '127.0.0.1', 'alice', 'alice-pass')).status, 200);

    const status = Object.fromEntries(((await root.query({ sql: "SHOW GLOBAL STATUS WHERE Variable_name IN ('Login_failures', 'Hosts_blocked', 'Connections_refused_host_blocked')", rowsAsArray: true }))[0] as [string, string][]).map(([k, v]) => [k, Number(v)]));
    assert.deepEqual(status, { Connections_refused_host_blocked: ATTEMPTS - 100 + 2, Hosts_blocked: 1, Login_failures: 100 });

    // FLUSH HOSTS is an administrator's statement; after it the address may try again.
    const alice = await mysql.createConnection(good);
    await assert.rejects(alice.query('FLUSH HOSTS'), { errno: 1227 });
    await alice.end();
    await root.query('FLUSH HOSTS');
    const back = await mysql.createConnection({ ...good, ...from(server.port, ATTACKER) });
    await back.end();
    await root.end();
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(datadir, { recursive: true, force: true });
  }
});
