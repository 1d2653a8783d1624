// The mysql_clear_password exchange: real clients (mysql2, the mariadb CLI) against a canned kernel whose plugin sees the password.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import type { AuthDecision, AuthRequest, Authenticator } from '../../kernel/plugin.js';
import { AuthMethod, PacketWriter, clearTextToken } from '../../protocol/mysql/index.js';
import { authenticateClient, type AuthAttempt, type AuthChannel } from './auth-exchange.js';
import { CannedKernel, recordingLogger, startCannedServer } from './canned-kernel.js';
import type { MysqlProtocolServer } from './server.js';

interface MysqlErr {
  errno?: number;
  code?: string;
  message: string;
}

const SPECIAL = "pä:ss wörd\\'\"%*()\u{1F511}";

/** A plugin that needs the clear text: 'ok' knows 'sesame' (and SPECIAL); 'boom' fails; 'slow' never answers. */
class ClearTextAuthenticator implements Authenticator {
  readonly seen: string[] = [];
  async authenticate(req: AuthRequest): Promise<AuthDecision> {
    return {
      kind: 'verify-cleartext',
      check: async (password: string) => {
        this.seen.push(password);
        if (req.user === 'boom') throw new Error('auth server unreachable (test)');
        if (req.user === 'slow') return new Promise<boolean>(() => undefined);
        return req.user === 'ok' && (password === 'sesame' || password === SPECIAL);
      },
    };
  }
}

const auth = new ClearTextAuthenticator();
const log = recordingLogger();
let server: MysqlProtocolServer;

before(async () => {
  // connect_timeout=2 gives a plugin 1 s to answer.
  server = await startCannedServer(new CannedKernel(auth), { connect_timeout: 2 }, log);
});

after(async () => {
  await server.stop();
});

function connect(user: string, password: string, extra: Record<string, unknown> = {}) {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user, password, enableCleartextPlugin: true, ...extra });
}

/**
 * mysql2's built-in clear-text plugin sends the word "undefined" for an empty password,
 * so an empty one is sent through its authPlugins hook, as a client that gets it right would.
 */
const EMPTY_CLEAR_TEXT = { authPlugins: { mysql_clear_password: () => () => clearTextToken('') } };

async function denied(user: string, password: string, extra: Record<string, unknown> = {}): Promise<MysqlErr> {
  const e = (await connect(user, password, extra).then(
    async (c) => {
      await c.end();
      throw new Error(`${user} logged in`);
    },
    (err: MysqlErr) => err,
  )) as MysqlErr;
  assert.equal(e.errno, 1045, e.message);
  return e;
}

test('mysql2: the server switches to mysql_clear_password and the plugin sees the password as typed', async () => {
  const c = await connect('ok', 'sesame');
  const [rows] = await c.query('select user()');
  assert.deepEqual(rows, [{ 'user()': 'ok' }]);
  await c.end();
  const d = await connect('ok', SPECIAL);
  await d.end();
  assert.equal(auth.seen.at(-1), SPECIAL);
});

test('mysql2: a wrong password, an empty one, a failing and a silent plugin all get 1045 and a logged reason', async () => {
  const wrong = await denied('ok', 'nope');
  assert.match(wrong.message, /Access denied for user 'ok'@'127\.0\.0\.1' \(using password: YES\)/);
  const empty = await denied('ok', '', EMPTY_CLEAR_TEXT);
  assert.match(empty.message, /using password: NO/);
  assert.equal(auth.seen.at(-1), '');
  await denied('boom', 'x');
  assert.ok(log.lines.some((l) => l.msg === 'mysql access denied' && l.fields?.user === 'boom' && /unreachable \(test\)/.test(String(l.fields?.reason))));
  const t0 = Date.now();
  await denied('slow', 'x');
  const took = Date.now() - t0;
  assert.ok(took >= 900 && took < 1900, `denied after ${took} ms`);
  assert.ok(log.lines.some((l) => l.fields?.user === 'slow' && /did not answer within 1000 ms/.test(String(l.fields?.reason))));
});

test('mysql2: without enableCleartextPlugin the client itself refuses to send the password', async () => {
  const e = (await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'ok', password: 'sesame' }).then(
    () => assert.fail('connected'),
    (err: MysqlErr) => err,
  )) as MysqlErr;
  assert.equal(e.code, 'MYSQL_CLEAR_PASSWORD_NOT_ENABLED');
});

test('mysql2: COM_CHANGE_USER goes through the same exchange', async () => {
  const c = await connect('ok', 'sesame');
  await c.changeUser({ user: 'ok', password: SPECIAL });
  assert.equal(auth.seen.at(-1), SPECIAL);
  await assert.rejects(c.changeUser({ user: 'ok', password: 'bad' }), (e: MysqlErr) => e.errno === 1045);
  c.destroy();
});

/** A channel that records what the exchange writes and answers from a script. */
function scriptedChannel(answers: Buffer[]): AuthChannel & { written: number } {
  const out = new PacketWriter();
  const ch = {
    out,
    written: 0,
    flush() {
      if (out.length > 0) {
        ch.written++;
        out.take();
      }
    },
    async receive() {
      return answers.shift() ?? null;
    },
  };
  return ch;
}

function attempt(over: Partial<AuthAttempt>): AuthAttempt {
  return {
    user: 'ok', host: '10.0.0.7', loopback: false, secure: false, scramble: Buffer.alloc(20, 1),
    clientMethod: AuthMethod.CACHING_SHA2, response: Buffer.alloc(32, 2), preferredMethod: AuthMethod.CACHING_SHA2, ...over,
  };
}

test('a non-loopback client on a clear connection is refused before it is asked for the clear text', async () => {
  const before = auth.seen.length;
  const ch = scriptedChannel([clearTextToken('sesame')]);
  const outcome = await authenticateClient(new CannedKernel(auth), ch, attempt({}));
  assert.equal(outcome.ok, false);
  assert.match(outcome.ok ? '' : outcome.reason, /only over TLS or from loopback clients/);
  assert.equal(ch.written, 0, 'no AuthSwitchRequest sent');
  assert.equal(auth.seen.length, before, 'the plugin never saw a password');
});

test('a non-loopback client over TLS is asked for the clear text and checked', async () => {
  const ch = scriptedChannel([clearTextToken('sesame')]);
  const outcome = await authenticateClient(new CannedKernel(auth), ch, attempt({ secure: true }));
  assert.deepEqual(outcome, { ok: true });
  assert.equal(ch.written, 1, 'one AuthSwitchRequest to mysql_clear_password');
  const wrong = await authenticateClient(new CannedKernel(auth), scriptedChannel([clearTextToken('nope')]), attempt({ secure: true }));
  assert.equal(wrong.ok, false);
});

test('a client that already answered with mysql_clear_password is not asked again', async () => {
  const ch = scriptedChannel([]);
  const outcome = await authenticateClient(new CannedKernel(auth), ch, attempt({ loopback: true, host: '127.0.0.1', clientMethod: AuthMethod.CLEAR_TEXT, response: clearTextToken('sesame') }));
  assert.deepEqual(outcome, { ok: true });
  assert.equal(ch.written, 0);
});

const hasMariadb = spawnSync('mariadb', ['--version']).status === 0;

test('mariadb CLI: logs in through mysql_clear_password', { skip: hasMariadb ? false : 'mariadb CLI not installed' }, async () => {
  const run = (user: string, password: string, extra: string[] = []) =>
    promisify(execFile)('mariadb', ['-h127.0.0.1', `-P${server.port}`, `-u${user}`, `-p${password}`, '--skip-ssl', ...extra, '-N', '-e', 'select user()'], { encoding: 'utf8', timeout: 10000 });
  assert.equal((await run('ok', 'sesame')).stdout.trim(), 'ok');
  assert.equal((await run('ok', SPECIAL, ['--default-auth=mysql_clear_password'])).stdout.trim(), 'ok');
  await assert.rejects(run('ok', 'wrong'), (e: Error & { stderr?: string }) => /ERROR 1045/.test(e.stderr ?? ''));
});
