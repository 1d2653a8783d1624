// Client certificates per user (users file REQUIRE SSL / X509 / SUBJECT / ISSUER) end to end: a real server, certificates made with openssl, the mariadb CLI, mysql2 and PyMySQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { interpreterWith } from '../testing/check-script.js';
import { eventually } from '../testing/assertions.js';
import { passwdLine } from '../plugins/auth-file/index.js';

const run = promisify(execFile);
const noMariadb = spawnSync('mariadb', ['--version']).status === 0 ? false : 'mariadb CLI not installed';
const python = interpreterWith(['/usr/bin/python3', 'python3'], ['-c', 'import pymysql']);

const CLIENT_SUBJECT = '/C=SE/ST=Stockholm/O=MySQL demo client certificate/CN=client';
const CA_SUBJECT = '/CN=mizzle x509 test CA';

interface MysqlErr {
  errno?: number;
  message: string;
}

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, `openssl ${args.join(' ')}: ${r.stderr}`);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** A CA `name` (name.pem, name-key.pem). */
function makeCa(dir: string, name: string, subject: string): void {
  openssl(dir, ['req', '-x509', '-new', ...EC_KEY, '-keyout', `${name}-key.pem`, '-out', `${name}.pem`, '-days', '2', '-subj', subject]);
}

/** A certificate `name` (name-cert.pem, name-key.pem) signed by the CA `ca`, with `ext` as its extensions. */
function makeCert(dir: string, name: string, subject: string, ca: string, ext: string): void {
  openssl(dir, ['req', '-new', ...EC_KEY, '-keyout', `${name}-key.pem`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}-cert.pem`]);
}

const CLIENT_EXT = 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth\n';

let dir: string;
let server: ServerProcess;
let httpPort: number;
const file = (name: string) => join(dir, name);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mizzle-x509-'));
  makeCa(dir, 'ca', CA_SUBJECT);
  makeCa(dir, 'other-ca', '/CN=some other CA');
  makeCert(dir, 'server', '/CN=mizzle x509 test server', 'ca', 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n');
  makeCert(dir, 'client', CLIENT_SUBJECT, 'ca', CLIENT_EXT);
  makeCert(dir, 'client2', '/C=SE/O=Elsewhere/CN=client2', 'ca', CLIENT_EXT);
  // Same subject as the good client, signed by a CA the server does not trust.
  makeCert(dir, 'stranger', CLIENT_SUBJECT, 'other-ca', CLIENT_EXT);
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-x509-data-'));
  writeFileSync(join(datadir, 'users'), [
    'root:',
    `ssluser:${passwdLine('ssluser', 's3cret').split(':')[1]} REQUIRE SSL`,
    'x509user: REQUIRE X509',
    `certpw:${passwdLine('certpw', 'pw').split(':')[1]} require x509`,
    `subjuser: REQUIRE SUBJECT '${CLIENT_SUBJECT}' AND ISSUER '${CA_SUBJECT}'`,
    "wrongsubj: REQUIRE SUBJECT '/C=SE/CN=someone else'",
    '',
  ].join('\n'));
  httpPort = await freePort();
  server = await startServerProcess({
    datadir,
    args: ['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file', '--plugin-add', 'protocol-http', `--protocol-http.port=${httpPort}`, '--ssl-cert', file('server-cert.pem'), '--ssl-key', file('server-key.pem'), '--ssl-ca', file('ca.pem')],
  });
});

after(async () => {
  await server.stop();
  server.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

/** The server log says so, soon (with worker threads, a worker's lines reach it a moment after the client's error). */
async function logged(pattern: RegExp): Promise<void> {
  await eventually(() => server.log(), (log) => pattern.test(log), `the server log to match ${pattern}`);
}

function mariadb(user: string, args: string[], sql: string): Promise<{ stdout: string; stderr: string }> {
  return run('mariadb', ['-h127.0.0.1', `-P${server.port}`, `-u${user}`, ...args, '-N', '-B', '-e', sql], { encoding: 'utf8', timeout: 10000 });
}

const withCert = (name: string) => ['--ssl', `--ssl-ca=${file('ca.pem')}`, `--ssl-cert=${file(`${name}-cert.pem`)}`, `--ssl-key=${file(`${name}-key.pem`)}`];

test('mariadb CLI: an X509 user logs in with a client certificate, not without one nor with one from another CA', { skip: noMariadb }, async () => {
  const ok = await mariadb('x509user', withCert('client'), 'SELECT CURRENT_USER()');
  assert.match(ok.stdout, /^x509user@/);
  await assert.rejects(mariadb('x509user', ['--ssl', `--ssl-ca=${file('ca.pem')}`], 'SELECT 1'), /ERROR 1045 .*Access denied for user 'x509user'/);
  await assert.rejects(mariadb('x509user', ['--skip-ssl'], 'SELECT 1'), /ERROR 1045/);
  await assert.rejects(mariadb('x509user', withCert('stranger'), 'SELECT 1'), /ERROR 1045/);
  await logged(/x509user' requires X509: no client certificate that verifies against the server CA/);
  // Users without a requirement log in with or without a certificate.
  assert.equal((await mariadb('root', withCert('client2'), 'SELECT 7')).stdout.trim(), '7');
  assert.equal((await mariadb('root', ['--skip-ssl'], 'SELECT 8')).stdout.trim(), '8');
});

test('mariadb CLI: SUBJECT and ISSUER must match the certificate exactly', { skip: noMariadb }, async () => {
  assert.match((await mariadb('subjuser', withCert('client'), 'SELECT CURRENT_USER()')).stdout, /^subjuser@/);
  await assert.rejects(mariadb('subjuser', withCert('client2'), 'SELECT 1'), /ERROR 1045 .*Access denied for user 'subjuser'/);
  await assert.rejects(mariadb('wrongsubj', withCert('client'), 'SELECT 1'), /ERROR 1045/);
  await logged(new RegExp(`wrongsubj' requires SUBJECT '/C=SE/CN=someone else': the certificate's subject is '${CLIENT_SUBJECT}'`));
});

test('mysql2 with ssl { ca, cert, key }; an SSL user over a clear connection gets 1045', async () => {
  const base = { host: '127.0.0.1', port: server.port };
  const ssl = { ca: readFileSync(file('ca.pem')), cert: readFileSync(file('client-cert.pem')), key: readFileSync(file('client-key.pem')) };
  for (const user of ['x509user', 'subjuser']) {
    const c = await mysql.createConnection({ ...base, user, ssl });
    const [[r]] = (await c.query('SELECT CURRENT_USER() AS u')) as [mysql.RowDataPacket[], unknown];
    assert.match(String(r.u), new RegExp(`^${user}@`));
    await c.end();
  }
  const pw = await mysql.createConnection({ ...base, user: 'certpw', password: 'pw', ssl });
  await pw.end();
  await assert.rejects(mysql.createConnection({ ...base, user: 'certpw', password: 'wrong', ssl }), (e: MysqlErr) => e.errno === 1045);
  await assert.rejects(mysql.createConnection({ ...base, user: 'x509user', ssl: { ca: ssl.ca } }), (e: MysqlErr) => e.errno === 1045);

  const overTls = await mysql.createConnection({ ...base, user: 'ssluser', password: 's3cret', ssl: { ca: ssl.ca } });
  await overTls.end();
  await assert.rejects(mysql.createConnection({ ...base, user: 'ssluser', password: 's3cret' }), (e: MysqlErr) => e.errno === 1045 && /Access denied for user 'ssluser'/.test(e.message));
  await logged(/ssluser' requires SSL: the connection is not TLS/);
});

/** Runs PyMySQL: connects with `ssl` (a dict, or none), runs `sql`, prints the first row's columns tab-separated, or "error CODE". */
function pymysql(user: string, password: string, ssl: Record<string, string> | null, sql: string): string {
  const script = `
import sys, json, pymysql
a = json.loads(sys.argv[1])
try:
    c = pymysql.connect(host='127.0.0.1', port=a['port'], user=a['user'], password=a['password'], ssl=a['ssl'])
    cur = c.cursor()
    cur.execute(a['sql'])
    print('\\t'.join(str(v) for v in cur.fetchone()))
    c.close()
except pymysql.err.OperationalError as e:
    print('error', e.args[0])
`;
  const r = spawnSync(python!, ['-c', script, JSON.stringify({ port: server.port, user, password, ssl, sql })], { encoding: 'utf8', timeout: 20000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test('PyMySQL: TLS with CA verification, a client certificate for an X509 user, 1045 without it', { skip: python ? false : 'python3-pymysql not installed' }, () => {
  const ca = file('ca.pem');
  const cipher = pymysql('ssluser', 's3cret', { ca }, "SHOW STATUS LIKE 'Ssl_cipher'").split('\t');
  assert.equal(cipher[0], 'Ssl_cipher');
  assert.notEqual(cipher[1] ?? '', '', 'a TLS session');
  assert.match(pymysql('x509user', '', { ca, cert: file('client-cert.pem'), key: file('client-key.pem') }, 'SELECT CURRENT_USER()'), /^x509user@/);
  assert.equal(pymysql('x509user', '', { ca }, 'SELECT 1'), 'error 1045');
  assert.equal(pymysql('x509user', '', { ca, cert: file('stranger-cert.pem'), key: file('stranger-key.pem') }, 'SELECT 1'), 'error 1045');
  assert.equal(pymysql('ssluser', 's3cret', null, 'SELECT 1'), 'error 1045');
});

/** The HTTP status of a query over https:// as `user` (empty password), with curl's extra arguments (a client certificate). */
async function httpsStatus(user: string, extra: string[]): Promise<number> {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', file('ca.pem'), '-u', `${user}:`, ...extra,
    '-H', 'Content-Type: application/json', '--data-binary', JSON.stringify({ sql: 'SELECT 1' }), `https://localhost:${httpPort}/v1/query`], { encoding: 'utf8', timeout: 10000 });
  return Number(stdout);
}

test('HTTPS: the same requirement, with curl --cert', { skip: spawnSync('curl', ['--version']).status === 0 ? false : 'curl not installed' }, async () => {
  assert.equal(await httpsStatus('x509user', ['--cert', file('client-cert.pem'), '--key', file('client-key.pem')]), 200);
  assert.equal(await httpsStatus('x509user', []), 401);
  assert.equal(await httpsStatus('subjuser', ['--cert', file('client2-cert.pem'), '--key', file('client2-key.pem')]), 401);
});
