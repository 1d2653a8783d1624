// Tests of auth-file: hash formats, the passwd line, the users file, startup errors and SIGHUP reloads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';
import type { Authenticator, KernelApi, StoredCredential, TransportInfo } from '../../kernel/plugin.js';
import { nativeStage2, sha2Stage2 } from '../../protocol/mysql/auth-methods.js';
import { recordingLogger } from '../protocol-mysql/canned-kernel.js';
import { FileAuthenticator, plugin } from './index.js';
import { HashFormatError, hashPassword, parseHash, passwdLine } from './password-hash.js';
import { parseUsersFile, UsersFileError } from './users-file.js';
import { startEmbedded } from '../../testing/embedded.js';

test('the salted line verifies the clear text and carries both stage-2 digests', () => {
  const line = passwdLine('alice', 'wonderland');
  assert.match(line, /^alice:\$mizzle-scrypt\$16384\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+\$[0-9a-f]{40}\$[0-9a-f]{64}$/);
  assert.notEqual(hashPassword('wonderland'), hashPassword('wonderland'), 'salted');
  const cred = parseHash(line.slice('alice:'.length));
  assert.ok(cred.verifyClearText?.('wonderland'));
  assert.ok(!cred.verifyClearText?.('Wonderland'));
  assert.deepEqual(cred.nativeStage2, nativeStage2('wonderland'));
  assert.deepEqual(cred.sha256Stage2, sha2Stage2('wonderland'));
  assert.throws(() => passwdLine('', 'x'), HashFormatError);
  assert.throws(() => passwdLine('a\nb', 'x'), HashFormatError);
});

test("MySQL's '*' hash, the empty hash, and malformed ones", () => {
  const cred = parseHash('*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19');
  assert.deepEqual(cred.nativeStage2, nativeStage2('password'));
  assert.equal(cred.sha256Stage2, undefined);
  assert.ok(cred.verifyClearText?.('password'));
  const empty: StoredCredential = parseHash('');
  assert.equal(empty.nativeStage2?.length, 0);
  for (const bad of ['*123', 'plaintext', '$mizzle-scrypt$16384$abc', '$mizzle-scrypt$1000$c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5$$', '$mizzle-scrypt$16384$c2FsdA==$a2V5a2V5a2V5a2V5a2V5a2V5$xyz$']) {
    assert.throws(() => parseHash(bad), HashFormatError, bad);
  }
});

test('the users file: comments, blank lines, ":" in user names, errors with line numbers', () => {
  const users = parseUsersFile(`# header\n\n  bob:*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19\r\nweird:name:\n`, 'users');
  assert.deepEqual([...users.keys()], ['bob', 'weird:name']);
  assert.throws(() => parseUsersFile('ok:\nnocolon\n', 'f'), (e: Error) => e instanceof UsersFileError && e.message.startsWith('f:2:'));
  assert.throws(() => parseUsersFile('a:\na:\n', 'f'), /f:2: user 'a' appears twice/);
  assert.throws(() => parseUsersFile('a:secret\n', 'f'), /f:1: unknown hash format/);
});

test('plugin: missing or malformed file is a startup error; users_file is relative to the datadir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-auth-file-'));
  try {
    const init = (options: Record<string, string>) => plugin.init({ options, datadir: dir, log: recordingLogger(), kernel: {} as KernelApi }) as Authenticator;
    assert.throws(() => init({ users_file: 'users' }), (e: Error) => e instanceof ConfigError && /cannot read the users file .*users: ENOENT/.test(e.message));
    writeFileSync(join(dir, 'users'), 'x:junk\n');
    assert.throws(() => init({ users_file: 'users' }), (e: Error) => e instanceof ConfigError && /users:1: unknown hash format/.test(e.message));
    writeFileSync(join(dir, 'users'), passwdLine('carol', 'pw') + '\n');
    const a = init({ users_file: 'users' });
    const d = await a.authenticate({ user: 'carol', host: '127.0.0.1', loopback: true, transport: { tls: false } });
    assert.equal(d.kind, 'verify');
    assert.equal((await a.authenticate({ user: 'nobody', host: '127.0.0.1', loopback: true, transport: { tls: false } })).kind, 'deny');

    // The reload hook (the kernel calls it on SIGHUP) picks up new users.
    writeFileSync(join(dir, 'users'), passwdLine('carol', 'pw') + '\n' + passwdLine('dave', 'pw2') + '\n');
    await a.reload?.();
    assert.equal((await a.authenticate({ user: 'dave', host: '127.0.0.1', loopback: true, transport: { tls: false } })).kind, 'verify');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('SIGHUP to a running server reloads the users file', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-auth-file-'));
  writeFileSync(join(datadir, 'users'), passwdLine('carol', 'pw') + '\n');
  const e = await startEmbedded({ datadir, args: ['--plugin-add=auth-file', '--plugin-remove=auth-none'] });
  try {
    assert.equal((await e.server.kernel.authenticate({ user: 'dave', host: '127.0.0.1', loopback: true, transport: { tls: false } })).kind, 'deny');
    writeFileSync(join(datadir, 'users'), passwdLine('carol', 'pw') + '\n' + passwdLine('dave', 'pw2') + '\n');
    process.emit('SIGHUP', 'SIGHUP');
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await e.server.kernel.authenticate({ user: 'dave', host: '127.0.0.1', loopback: true, transport: { tls: false } })).kind, 'verify');
  } finally {
    await e.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('a reload of a malformed file keeps the previous users and logs why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-auth-file-'));
  try {
    const path = join(dir, 'users');
    writeFileSync(path, 'erin:\n');
    const log = recordingLogger();
    const a = new FileAuthenticator(path, log);
    writeFileSync(path, 'erin:\nbroken line\n');
    assert.equal(a.reloadUsers(), false);
    assert.ok(log.lines.some((l) => l.level === 'error' && /users:2/.test(String(l.fields?.error))));
    assert.equal((await a.authenticate({ user: 'erin', host: 'h', loopback: true, transport: { tls: false } })).kind, 'verify');
    rmSync(path);
    assert.equal(a.reloadUsers(), false);
    assert.equal(a.userCount, 1);
    writeFileSync(path, 'frank:\n');
    assert.equal(a.reloadUsers(), true);
    assert.equal((await a.authenticate({ user: 'erin', host: 'h', loopback: true, transport: { tls: false } })).kind, 'deny');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("REQUIRE in the users file: MySQL's clauses, bad ones a load error naming the line", () => {
  const users = parseUsersFile([
    'a:',
    'b: REQUIRE NONE',
    'c:*2470C0C06DEE42FD1618BB99005ADCA2EC9D1E19 require ssl',
    'd: REQUIRE X509',
    "e:name: REQUIRE SUBJECT '/C=SE/O=It''s: here/CN=client' AND ISSUER \"/CN=ca\"",
    "f: REQUIRE ISSUER '/CN=ca'",
  ].join('\n'), 'f');
  assert.deepEqual(Object.fromEntries([...users].map(([u, e]) => [u, e.requirement])), {
    a: { kind: 'none' },
    b: { kind: 'none' },
    c: { kind: 'ssl' },
    d: { kind: 'x509' },
    'e:name': { kind: 'x509', subject: "/C=SE/O=It's: here/CN=client", issuer: '/CN=ca' },
    f: { kind: 'x509', issuer: '/CN=ca' },
  });
  for (const [bad, why] of [
    ['x: REQUIRE', /f:2: REQUIRE needs NONE/],
    ['x: REQUIRE TLS', /f:2: REQUIRE: expected NONE, SSL, X509/],
    ["x: REQUIRE SUBJECT '/CN=a", /f:2: REQUIRE: a quoted name is not closed/],
    ['x: REQUIRE SUBJECT /CN=a', /f:2: REQUIRE SUBJECT needs a quoted name/],
    ["x: REQUIRE SUBJECT 'a' SUBJECT 'b'", /f:2: REQUIRE SUBJECT is given twice/],
    ["x: REQUIRE CIPHER 'AES'", /CIPHER is not supported/],
    ['x: REQUIRE SSL X509', /f:2: REQUIRE: expected/],
  ] as const) {
    assert.throws(() => parseUsersFile(`ok:\n${bad}\n`, 'f'), (e: Error) => e instanceof UsersFileError && why.test(e.message), bad);
  }
});

test('a REQUIRE is checked against how the client connected; failures are denials that say why', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-auth-file-'));
  try {
    const path = join(dir, 'users');
    writeFileSync(path, "s: REQUIRE SSL\nx: REQUIRE X509\nsub: REQUIRE SUBJECT '/CN=client' AND ISSUER '/CN=ca'\n");
    const a = new FileAuthenticator(path, recordingLogger());
    const login = async (user: string, transport: TransportInfo) => {
      const d = await a.authenticate({ user, host: '10.0.0.1', loopback: false, transport });
      return d.kind === 'deny' ? d.reason : d.kind;
    };
    const cert = { subject: '/CN=client', issuer: '/CN=ca' };
    assert.match(await login('s', { tls: false }), /requires SSL: the connection is not TLS/);
    assert.equal(await login('s', { tls: true }), 'verify');
    assert.match(await login('x', { tls: false }), /requires X509: the connection is not TLS/);
    assert.match(await login('x', { tls: true }), /no client certificate/);
    assert.equal(await login('x', { tls: true, peerCertificate: cert }), 'verify');
    assert.equal(await login('sub', { tls: true, peerCertificate: cert }), 'verify');
    assert.match(await login('sub', { tls: true, peerCertificate: { ...cert, subject: '/CN=client2' } }), /subject is '\/CN=client2'/);
    assert.match(await login('sub', { tls: true, peerCertificate: { ...cert, issuer: '/CN=other' } }), /issuer is '\/CN=other'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
