// Tests of auth-ldap: escaping and option checks, then mizzle end to end against a real slapd it starts on a free port.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../../kernel/config.js';
import { clearTextToken } from '../../protocol/mysql/index.js';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { cleartextLogin, logShows, loginRefused, loginSucceeds } from '../../testing/cleartext-login.js';
import { escapeDnValue, escapeFilterValue, ldapSettings, plugin } from './index.js';
import { createSlapd, opensslMissing, PEOPLE, ROOT_DN, ROOT_PASSWORD, slapdMissing, type Slapd } from './slapd-fixture.js';

const SPECIAL = "b0b:é'\"\\%*()=,+ \u{1F511}";
const USERS = [
  { uid: 'alice', password: 'alice-pw' },
  { uid: 'bob', password: SPECIAL },
  { uid: 'o,brien+x', password: 'ob-pw' },
  { uid: 'carol', password: 'carol-pw' },
];

// ------------------------------------------------------------------ units

test('DN values are escaped per RFC 4514', () => {
  assert.equal(escapeDnValue('alice'), 'alice');
  assert.equal(escapeDnValue('o,brien+x'), 'o\\,brien\\+x');
  assert.equal(escapeDnValue('a=b;c<d>e"f\\g'), 'a\\=b\\;c\\<d\\>e\\"f\\\\g');
  assert.equal(escapeDnValue('#lead'), '\\#lead');
  assert.equal(escapeDnValue(' both '), '\\ both\\ ');
  assert.equal(escapeDnValue('in side'), 'in side');
  assert.equal(escapeDnValue('nul\0x\n'), 'nul\\00x\\0a');
  assert.equal(escapeDnValue('héllo'), 'héllo');
  // The classic injection: closing the RDN and adding components of one's own.
  assert.equal(escapeDnValue('admin,ou=admins'), 'admin\\,ou\\=admins');
});

test('filter values are escaped per RFC 4515', () => {
  assert.equal(escapeFilterValue('alice'), 'alice');
  assert.equal(escapeFilterValue('*'), '\\2a');
  assert.equal(escapeFilterValue('a)(uid=*'), 'a\\29\\28uid=\\2a');
  assert.equal(escapeFilterValue('back\\slash\0'), 'back\\5cslash\\00');
  assert.equal(escapeFilterValue('é'), 'é');
});

test('options: exactly one of template or search, valid URIs and filters, else a ConfigError that names the option', () => {
  const base = { uri: 'ldap://127.0.0.1:389', starttls: false, tls_ca_file: '', tls_verify: true, bind_dn_template: '', search_base: '', search_filter: '(uid=%u)', search_bind_dn: '', search_bind_password: '', timeout_ms: 3000, cache_seconds: 60 };
  const bad = (over: Record<string, string | number | boolean>, re: RegExp) =>
    assert.throws(() => ldapSettings({ ...base, ...over }), (e: Error) => e instanceof ConfigError && re.test(e.message), JSON.stringify(over));
  bad({}, /exactly one of bind_dn_template .* or search_base/);
  bad({ bind_dn_template: 'uid=%u,dc=x', search_base: 'dc=x' }, /exactly one/);
  bad({ bind_dn_template: 'uid=alice,dc=x' }, /bind_dn_template must be a DN containing %u/);
  bad({ bind_dn_template: 'uid=%u,dc=x', uri: 'http://x' }, /auth-ldap\.uri must be ldap:/);
  bad({ bind_dn_template: 'uid=%u,dc=x', uri: 'ldaps://x', starttls: true }, /starttls is for ldap:\/\//);
  bad({ bind_dn_template: 'uid=%u,dc=x', tls_ca_file: '/nonexistent/ca.pem' }, /tls_ca_file: cannot read/);
  bad({ bind_dn_template: 'uid=%u,dc=x', timeout_ms: 0 }, /timeout_ms must be a positive/);
  bad({ bind_dn_template: 'uid=%u,dc=x', cache_seconds: -1 }, /cache_seconds must be 0 or more/);
  bad({ search_base: 'dc=x', search_filter: 'uid=%u' }, /search_filter must be a parenthesized filter/);
  bad({ search_base: 'dc=x', search_bind_dn: 'cn=reader,dc=x' }, /search_bind_password is empty/);
  const s = ldapSettings({ ...base, search_base: 'dc=x', search_bind_dn: 'cn=r,dc=x', search_bind_password: 'p' });
  assert.deepEqual(s.lookup, { mode: 'search', base: 'dc=x', filter: '(uid=%u)', bindDn: 'cn=r,dc=x', bindPassword: 'p' });
  assert.equal(plugin.manifest.options.find((o) => o.name === 'search_bind_password')?.secret, true);
  assert.equal(plugin.manifest.defaultEnabled, false);
});

// ------------------------------------------------------------------ end to end with slapd

const missing = slapdMissing();
let slapd: Slapd;
/** Template mode, no cache: every login asks the directory. */
let direct: ServerProcess;
/** Search mode with a search account, 30 s cache, configured through a conf.d file. */
let searching: ServerProcess;
let confDir: string;

before(async () => {
  if (missing) return;
  slapd = await createSlapd(USERS);
  await slapd.start();
  direct = await startServerProcess({
    args: [
      '--plugin-remove=auth-none', '--plugin-add=auth-ldap',
      `--auth-ldap.uri=${slapd.uri}`, `--auth-ldap.bind_dn_template=uid=%u,${PEOPLE}`,
      '--auth-ldap.timeout_ms=1000', '--auth-ldap.cache_seconds=0',
    ],
  });
  confDir = mkdtempSync(join(tmpdir(), 'mizzle-ldap-conf-'));
  writeFileSync(join(confDir, 'mizzle.cnf'), '[mizzle]\nplugin-remove = auth-none\nplugin-add = auth-ldap\n');
  // The operator's way: a conf.d snippet, as the README shows.
  mkdirSync(join(confDir, 'conf.d'));
  writeFileSync(
    join(confDir, 'conf.d', 'auth-ldap.cnf'),
    ['[auth-ldap]', `uri = ${slapd.uri}`, `search_base = ${PEOPLE}`, 'search_filter = (uid=%u)', `search_bind_dn = ${ROOT_DN}`, `search_bind_password = ${ROOT_PASSWORD}`, 'timeout_ms = 1000', 'cache_seconds = 30', ''].join('\n'),
  );
  searching = await startServerProcess({ args: [`--config=${join(confDir, 'mizzle.cnf')}`] });
});

after(async () => {
  if (missing) return;
  await direct?.stop();
  direct?.cleanup();
  await searching?.stop();
  searching?.cleanup();
  await slapd?.destroy();
  rmSync(confDir, { recursive: true, force: true });
});

const skip = missing ?? false;

/** mysql2 sends the word "undefined" for an empty clear-text password; this sends what a correct client sends. */
const EMPTY_PASSWORD = { authPlugins: { mysql_clear_password: () => () => clearTextToken('') } };

test('template mode: right password in, wrong or empty password and unknown users 1045', { skip }, async () => {
  await loginSucceeds(direct, 'alice', 'alice-pw');
  await loginSucceeds(direct, 'bob', SPECIAL);
  await loginSucceeds(direct, 'o,brien+x', 'ob-pw');
  await loginRefused(direct, 'alice', 'wrong');
  await loginRefused(direct, 'alice', 'Alice-pw');
  await loginRefused(direct, 'nobody', 'alice-pw');
  await loginRefused(direct, 'alice', '', EMPTY_PASSWORD);
  await logShows(direct, /empty password is refused \(it would be an unauthenticated LDAP bind\)/);
  // A user name that tries to rewrite the DN stays one escaped value.
  await loginRefused(direct, 'alice,ou=people', 'alice-pw');
  await loginRefused(direct, '*', 'alice-pw');
});

test('the mariadb CLI logs in as an operator would', { skip: skip || (spawnSync('mariadb', ['--version']).status !== 0 ? 'mariadb CLI not installed' : false) }, async () => {
  const run = (user: string, password: string) =>
    promisify(execFile)('mariadb', ['-h127.0.0.1', `-P${direct.port}`, `-u${user}`, `-p${password}`, '--skip-ssl', '-N', '-e', 'select 1'], { encoding: 'utf8', timeout: 10000 });
  assert.equal((await run('alice', 'alice-pw')).stdout.trim(), '1');
  await assert.rejects(run('alice', 'nope'), (e: Error & { stderr?: string }) => /ERROR 1045 \(28000\): Access denied for user 'alice'/.test(e.stderr ?? ''));
});

test('search mode: finds the entry, then binds as it; filter injection finds nothing; the search password is masked', { skip }, async () => {
  await loginSucceeds(searching, 'carol', 'carol-pw');
  await loginSucceeds(searching, 'o,brien+x', 'ob-pw');
  await loginRefused(searching, 'carol', 'wrong');
  await loginRefused(searching, 'nobody', 'x');
  await logShows(searching, /no entry matches \(uid=nobody\)/);
  // Unescaped, '*' would match every entry and 'x)(uid=carol' would find carol.
  await loginRefused(searching, '*', 'carol-pw');
  await logShows(searching, /no entry matches \(uid=\\2a\)/);
  await loginRefused(searching, 'x)(uid=carol', 'carol-pw');
  const c = await cleartextLogin(searching, 'carol', 'carol-pw');
  const [rows] = await c.query("show variables like 'auth_ldap_search_bind%'");
  assert.deepEqual(rows, [
    { Variable_name: 'auth_ldap_search_bind_dn', Value: ROOT_DN },
    { Variable_name: 'auth_ldap_search_bind_password', Value: '********' },
  ]);
  await c.end();
});

test('cache: with the directory down, a remembered user+password still logs in, a wrong password does not', { skip }, async () => {
  await loginSucceeds(searching, 'alice', 'alice-pw');
  await slapd.stop();
  try {
    await loginSucceeds(searching, 'alice', 'alice-pw');
    const took = await loginRefused(searching, 'alice', 'not-alice-pw');
    assert.ok(took < 900, `refused after ${took} ms`);
    await logShows(searching, /auth-ldap: LDAP server ldap:\/\/127\.0\.0\.1:\d+ unavailable: .*ECONNREFUSED/);
    // Not remembered: carol's earlier success was with the search-mode server, bob's never there.
    await loginRefused(searching, 'bob', SPECIAL);
  } finally {
    await slapd.start();
  }
});

test('directory down: 1045 at once (connection refused), the reason in the server log', { skip }, async () => {
  await slapd.stop();
  try {
    const took = await loginRefused(direct, 'alice', 'alice-pw');
    assert.ok(took < 900, `refused after ${took} ms`);
    await logShows(direct, /user=alice .*reason=auth-ldap: LDAP server \S+ unavailable: .*ECONNREFUSED/);
  } finally {
    await slapd.start();
  }
  await loginSucceeds(direct, 'alice', 'alice-pw');
});

test('directory hung: 1045 after timeout_ms, not a hang', { skip }, async () => {
  slapd.freeze();
  try {
    const took = await loginRefused(direct, 'alice', 'alice-pw');
    assert.ok(took >= 900 && took < 3000, `refused after ${took} ms`);
    await logShows(direct, /unavailable: no answer within 1000 ms/);
  } finally {
    slapd.thaw();
  }
  await loginSucceeds(direct, 'alice', 'alice-pw');
});

test('TLS: StartTLS and ldaps:// with the CA file log in; no TLS or an untrusted certificate is a denial', { skip: missing ?? opensslMissing() ?? false }, async () => {
  const secure = await createSlapd(USERS, { tls: true });
  const started: ServerProcess[] = [];
  const mizzleFor = async (args: string[]) => {
    const server = await startServerProcess({
      args: ['--plugin-remove=auth-none', '--plugin-add=auth-ldap', `--auth-ldap.bind_dn_template=uid=%u,${PEOPLE}`, '--auth-ldap.cache_seconds=0', ...args],
    });
    started.push(server);
    return server;
  };
  try {
    await secure.start();
    const ca = `--auth-ldap.tls_ca_file=${secure.certFile}`;
    const starttls = await mizzleFor([`--auth-ldap.uri=${secure.uri}`, '--auth-ldap.starttls=true', ca]);
    await loginSucceeds(starttls, 'alice', 'alice-pw');
    await loginRefused(starttls, 'alice', 'wrong');
    const ldaps = await mizzleFor([`--auth-ldap.uri=${secure.ldapsUri}`, ca]);
    await loginSucceeds(ldaps, 'bob', SPECIAL);
    const plain = await mizzleFor([`--auth-ldap.uri=${secure.uri}`]);
    await loginRefused(plain, 'alice', 'alice-pw');
    await logShows(plain, /user=alice .*refused the login of 'alice': .*confidentiality/i);
    const untrusted = await mizzleFor([`--auth-ldap.uri=${secure.ldapsUri}`]);
    await loginRefused(untrusted, 'alice', 'alice-pw');
    await logShows(untrusted, /user=alice .*unavailable: .*self[- ]signed certificate/);
  } finally {
    for (const server of started) {
      await server.stop();
      server.cleanup();
    }
    await secure.destroy();
  }
});
