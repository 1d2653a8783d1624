// Authentication that needs TLS: caching_sha2_password's full exchange (and its fast path after), mysql_clear_password from a non-loopback client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { outsideAddress } from '../../testing/outside-address.js';
import { join } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { AuthDecision, AuthRequest, Authenticator, StoredCredential } from '../../kernel/plugin.js';
import { generateCertificates } from '../../kernel/tls-files.js';
import { AuthMethod, Header, PacketWriter, Sha2Status, clearTextToken, sha2Token } from '../../protocol/mysql/index.js';
import { authenticateClient, type AuthAttempt, type AuthChannel } from './auth-exchange.js';
import { CannedKernel, startCannedServer } from './canned-kernel.js';
import { sha2RsaKeySource } from './sha2-rsa-key.js';
import { constants, publicEncrypt } from 'node:crypto';

/** A channel that keeps every packet payload the exchange writes and answers from a script. */
function scripted(answers: Buffer[]): AuthChannel & { sent: Buffer[]; asked: number } {
  const out = new PacketWriter();
  const ch = {
    out,
    sent: [] as Buffer[],
    asked: 0,
    flush() {
      if (out.length > 0) ch.sent.push(out.take().subarray(4));
    },
    async receive() {
      ch.asked++;
      return answers.shift() ?? null;
    },
  };
  return ch;
}

const SCRAMBLE = Buffer.alloc(20, 7);

function attempt(over: Partial<AuthAttempt>): AuthAttempt {
  return {
    user: 'carol', host: '10.1.2.3', loopback: false, secure: true, scramble: SCRAMBLE,
    clientMethod: AuthMethod.CACHING_SHA2, response: sha2Token('c0rrect', SCRAMBLE), preferredMethod: AuthMethod.CACHING_SHA2, ...over,
  };
}

/** A users-file entry that can check only the clear text (a scrypt hash without stage-2 digests). */
class ClearOnlyFile implements Authenticator {
  checks = 0;
  readonly credential: StoredCredential = {
    verifyClearText: (pw) => {
      this.checks++;
      return pw === 'c0rrect';
    },
  };
  async authenticate(): Promise<AuthDecision> {
    return { kind: 'verify', credential: this.credential };
  }
}

test('caching_sha2 over TLS: full authentication first (0x04, then the password), the fast path after', async () => {
  const auth = new ClearOnlyFile();
  const kernel = new CannedKernel(auth);
  const first = scripted([clearTextToken('c0rrect')]);
  assert.deepEqual(await authenticateClient(kernel, first, attempt({})), { ok: true });
  assert.deepEqual(first.sent, [Buffer.from([Header.AUTH_MORE_DATA, Sha2Status.PERFORM_FULL_AUTHENTICATION])]);
  assert.equal(auth.checks, 1);

  const again = scripted([]);
  const scramble2 = Buffer.alloc(20, 9);
  assert.deepEqual(await authenticateClient(kernel, again, attempt({ scramble: scramble2, response: sha2Token('c0rrect', scramble2) })), { ok: true });
  again.flush();
  assert.deepEqual(again.sent, [Buffer.from([Header.AUTH_MORE_DATA, Sha2Status.FAST_AUTH_SUCCESS])], 'fast path: no password asked');
  assert.equal(again.asked, 0);
  assert.equal(auth.checks, 1, 'the slow check did not run again');

  const wrong = scripted([clearTextToken('guess')]);
  const outcome = await authenticateClient(kernel, wrong, attempt({ response: sha2Token('guess', SCRAMBLE) }));
  assert.equal(outcome.ok, false);
  assert.equal(wrong.asked, 1, 'a scramble the cache does not match goes to full authentication');
});

test('caching_sha2 on a clear connection: a clear-text-only credential is refused without asking for the password', async () => {
  const ch = scripted([clearTextToken('c0rrect')]);
  const outcome = await authenticateClient(new CannedKernel(new ClearOnlyFile()), ch, attempt({ secure: false }));
  assert.equal(outcome.ok, false);
  assert.match(outcome.ok ? '' : outcome.reason, /needs a TLS connection/);
  assert.equal(ch.asked, 0);
});

test('a mysql_native_password client over TLS is switched to caching_sha2 for full authentication', async () => {
  const ch = scripted([sha2Token('c0rrect', SCRAMBLE), clearTextToken('c0rrect')]);
  const outcome = await authenticateClient(new CannedKernel(new ClearOnlyFile()), ch, attempt({ clientMethod: AuthMethod.NATIVE, response: Buffer.alloc(20, 1) }));
  assert.deepEqual(outcome, { ok: true });
  assert.equal(ch.sent[0][0], Header.AUTH_SWITCH);
  assert.ok(ch.sent[0].includes(Buffer.from(AuthMethod.CACHING_SHA2)));
});

/** An LDAP-like plugin: it must see the clear text. */
class ClearTextPlugin implements Authenticator {
  readonly seen: string[] = [];
  async authenticate(_req: AuthRequest): Promise<AuthDecision> {
    return { kind: 'verify-cleartext', check: async (pw) => (this.seen.push(pw), pw === 'sesame') };
  }
}

class TlsKernel extends CannedKernel {
  constructor(auth: Authenticator, private readonly context: SecureContext) {
    super(auth);
  }
  tlsContext(): SecureContext {
    return this.context;
  }
}

const outside = outsideAddress();

test('mysql_clear_password from a non-loopback client: accepted over TLS, refused in clear', { skip: outside ? false : 'no non-loopback address' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-tlsauth-'));
  generateCertificates(dir);
  const context = createSecureContext({ cert: readFileSync(join(dir, 'server-cert.pem')), key: readFileSync(join(dir, 'server-key.pem')) });
  const auth = new ClearTextPlugin();
  const server = await startCannedServer(new TlsKernel(auth, context), { bind: '0.0.0.0' });
  const host = outside as string;
  const ca = readFileSync(join(dir, 'ca.pem'));
  try {
    const c = await mysql.createConnection({ host, port: server.port, user: 'ok', password: 'sesame', enableCleartextPlugin: true, ssl: { ca, rejectUnauthorized: false } });
    assert.deepEqual(auth.seen, ['sesame']);
    await c.end();
    await assert.rejects(
      mysql.createConnection({ host, port: server.port, user: 'ok', password: 'sesame', enableCleartextPlugin: true }),
      (e: { errno?: number }) => e.errno === 1045,
    );
    assert.deepEqual(auth.seen, ['sesame'], 'the clear connection was refused before the password was asked for');
    if (spawnSync('mariadb', ['--version']).status === 0) {
      const out = await promisify(execFile)('mariadb', [`-h${host}`, `-P${server.port}`, '-uok', '-psesame', '--ssl', '-N', '-e', 'select user()'], { encoding: 'utf8', timeout: 10000 });
      assert.equal(out.stdout.trim(), 'ok');
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('caching_sha2 on a clear connection: the RSA public key on request (0x02), then the encrypted password; a plain one is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-rsa-'));
  try {
    const source = sha2RsaKeySource('', dir);
    const encrypted = (pem: Buffer, password: string) => {
      const plain = Buffer.from(password + '\0');
      for (let i = 0; i < plain.length; i++) plain[i] ^= SCRAMBLE[i % SCRAMBLE.length];
      return publicEncrypt({ key: pem, padding: constants.RSA_PKCS1_OAEP_PADDING }, plain);
    };
    const kernel = new CannedKernel(new ClearOnlyFile());
    const asks: Buffer[] = [Buffer.from([Sha2Status.REQUEST_PUBLIC_KEY])];
    const ch = scripted(asks);
    const pending = authenticateClient(kernel, ch, attempt({ secure: false, rsaKey: source }));
    // The public key goes out after the request; the client's encrypted answer is scripted once it is known.
    const origReceive = ch.receive.bind(ch);
    ch.receive = async () => {
      const pem = ch.sent.at(-1)?.subarray(1);
      if (ch.asked === 1 && pem && pem.toString().includes('BEGIN PUBLIC KEY')) asks.push(encrypted(pem, 'c0rrect'));
      return origReceive();
    };
    assert.deepEqual(await pending, { ok: true });
    assert.equal(ch.sent[0][1], Sha2Status.PERFORM_FULL_AUTHENTICATION);
    assert.match(ch.sent[1].subarray(1).toString(), /BEGIN PUBLIC KEY/);
    assert.match(readFileSync(join(dir, 'private_key.pem'), 'utf8'), /BEGIN PRIVATE KEY/);

    const plain = await authenticateClient(new CannedKernel(new ClearOnlyFile()), scripted([clearTextToken('c0rrect')]), attempt({ secure: false, rsaKey: source }));
    assert.equal(plain.ok, false, 'a clear-text password on a clear connection is never accepted');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
