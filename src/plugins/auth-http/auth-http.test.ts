// Tests of auth-http: option checks, then mizzle end to end against a real node:http endpoint started by the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import mysql from 'mysql2/promise';
import { ConfigError } from '../../kernel/config.js';
import { clearTextToken } from '../../protocol/mysql/index.js';
import { freePort, startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { logShows, loginRefused, loginSucceeds } from '../../testing/cleartext-login.js';
import { httpSettings, plugin } from './index.js';

interface MysqlErr {
  errno?: number;
  message: string;
}

const SPECIAL = "pä:ss wörd\\'\"%*()=&?#\u{1F511}";

test('options: a URL is required and must be http(s) without credentials; numbers are checked', () => {
  const base = { url: 'http://127.0.0.1:8080/auth', timeout_ms: 2000, cache_seconds: 0, tls_ca_file: '' };
  const bad = (over: Record<string, string | number>, re: RegExp) =>
    assert.throws(() => httpSettings({ ...base, ...over }), (e: Error) => e instanceof ConfigError && re.test(e.message), JSON.stringify(over));
  bad({ url: '' }, /auth-http\.url is not set/);
  bad({ url: 'ftp://x/' }, /must be an http:\/\/ or https:\/\/ URL/);
  bad({ url: 'not a url' }, /must be an http:\/\/ or https:\/\/ URL/);
  bad({ url: 'http://u:p@x/' }, /must not carry credentials/);
  bad({ timeout_ms: -5 }, /timeout_ms must be a positive/);
  bad({ cache_seconds: -1 }, /cache_seconds must be 0 or more/);
  bad({ tls_ca_file: '/nonexistent/ca.pem' }, /tls_ca_file: cannot read/);
  assert.equal(httpSettings(base).timeoutMs, 2000);
  assert.equal(plugin.manifest.defaultEnabled, false);
  assert.equal(plugin.manifest.options.find((o) => o.name === 'timeout_ms')?.default, 2000);
});

/** What the endpoint saw: the decoded Basic credentials of each request. */
const seen: { user: string; password: string; method: string; path: string }[] = [];
let endpoint: Server;
const sockets = new Set<Socket>();
let mizzle: ServerProcess;
let cached: ServerProcess;

/** Set by a test: the next request for 'held' is handed to it instead of being answered. */
let holdNext: ((res: ServerResponse) => void) | undefined;

/**
 * The endpoint decides by user name: 'ok' and 'pä' get 200 for their own password, 401 otherwise;
 * 'created' 201; 'forbidden' 403; 'broken' 500; 'moved' 302; 'slow' never answers;
 * 'held' gets 200, or is held for the test (holdNext).
 */
function answer(req: IncomingMessage, res: ServerResponse): void {
  const header = req.headers.authorization ?? '';
  const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
  if (!m) {
    res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end();
    return;
  }
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  seen.push({ user, password, method: req.method ?? '', path: req.url ?? '' });
  const passwords: Record<string, string> = { ok: 'sesame', pä: SPECIAL };
  if (user in passwords) {
    res.writeHead(passwords[user] === password ? 200 : 401).end(passwords[user] === password ? 'yes' : 'no');
    return;
  }
  if (user === 'created') return void res.writeHead(201).end();
  if (user === 'forbidden') return void res.writeHead(403).end();
  if (user === 'broken') return void res.writeHead(500).end('oops');
  if (user === 'moved') return void res.writeHead(302, { location: 'http://127.0.0.1:1/' }).end();
  if (user === 'slow') return; // never answers
  if (user === 'held' && holdNext) {
    // The test answers it, when it chooses.
    holdNext(res);
    holdNext = undefined;
    return;
  }
  if (user === 'held') return void res.writeHead(200).end();
  res.writeHead(401).end();
}

before(async () => {
  endpoint = createServer(answer);
  endpoint.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/mysql/auth?realm=db`;
  mizzle = await startServerProcess({
    args: ['--plugin-remove=auth-none', '--plugin-add=auth-http', `--auth-http.url=${url}`, '--auth-http.timeout_ms=700'],
  });
  cached = await startServerProcess({
    args: ['--plugin-remove=auth-none', '--plugin-add=auth-http', `--auth-http.url=${url}`, '--auth-http.timeout_ms=700', '--auth-http.cache_seconds=30'],
  });
});

after(async () => {
  await mizzle?.stop();
  mizzle?.cleanup();
  await cached?.stop();
  cached?.cleanup();
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => endpoint.close(() => resolve()));
});

test('2xx lets the user in; the endpoint gets a GET with Basic user:password, special characters intact', async () => {
  await loginSucceeds(mizzle, 'ok', 'sesame');
  assert.deepEqual(seen.at(-1), { user: 'ok', password: 'sesame', method: 'GET', path: '/mysql/auth?realm=db' });
  await loginSucceeds(mizzle, 'pä', SPECIAL);
  assert.deepEqual(seen.at(-1)?.password, SPECIAL);
  assert.equal(seen.at(-1)?.user, 'pä');
  await loginSucceeds(mizzle, 'created', 'anything');
});

test('401, 403, 500 and a redirect are denials', async () => {
  await loginRefused(mizzle, 'ok', 'wrong');
  await loginRefused(mizzle, 'forbidden', 'x');
  await loginRefused(mizzle, 'broken', 'x');
  await logShows(mizzle, /user=broken .*answered HTTP 500, which counts as a denial/);
  await loginRefused(mizzle, 'moved', 'x');
  await logShows(mizzle, /user=moved .*answered HTTP 302/);
});

test("an empty password and a user name with ':' are refused without asking the endpoint", async () => {
  const before = seen.length;
  const c = mysql.createConnection({ host: '127.0.0.1', port: mizzle.port, user: 'ok', authPlugins: { mysql_clear_password: () => () => clearTextToken('') } });
  await assert.rejects(c, (e: MysqlErr) => e.errno === 1045);
  await logShows(mizzle, /auth-http: an empty password is refused/);
  await loginRefused(mizzle, 'ok:sesame', 'x');
  await logShows(mizzle, /a user name with ':' cannot be sent/);
  assert.equal(seen.length, before);
});

test('a slow endpoint is a denial after timeout_ms', async () => {
  const took = await loginRefused(mizzle, 'slow', 'x');
  assert.ok(took >= 650 && took < 2500, `refused after ${took} ms`);
  await logShows(mizzle, /user=slow .*unavailable: no answer within 700 ms/);
});

test('a refused connection is a denial at once', async () => {
  const closedPort = await freePort();
  const nowhere = await startServerProcess({
    args: ['--plugin-remove=auth-none', '--plugin-add=auth-http', `--auth-http.url=http://127.0.0.1:${closedPort}/`],
  });
  try {
    const took = await loginRefused(nowhere, 'ok', 'sesame');
    assert.ok(took < 1500, `refused after ${took} ms`);
    await logShows(nowhere, /user=ok .*unavailable: ECONNREFUSED/);
  } finally {
    await nowhere.stop();
    nowhere.cleanup();
  }
});

test('cache: a remembered success skips the endpoint, for the same password only', async () => {
  await loginSucceeds(cached, 'ok', 'sesame');
  const asked = seen.length;
  await loginSucceeds(cached, 'ok', 'sesame');
  assert.equal(seen.length, asked, 'answered from the cache');
  await loginRefused(cached, 'ok', 'not-sesame');
  assert.equal(seen.length, asked + 1, 'a different password asks the endpoint');
  // SIGHUP empties it.
  cached.child.kill('SIGHUP');
  await logShows(cached, /auth-http: cache of successful logins cleared/);
  await loginSucceeds(cached, 'ok', 'sesame');
  assert.equal(seen.length, asked + 2);
});

test('cache: a success still in flight when SIGHUP clears the cache is not remembered', async () => {
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/`;
  const server = await startServerProcess({
    args: ['--plugin-remove=auth-none', '--plugin-add=auth-http', `--auth-http.url=${url}`, '--auth-http.timeout_ms=20000', '--auth-http.cache_seconds=30'],
  });
  const clears = () => server.log().split('auth-http: cache of successful logins cleared').length - 1;
  try {
    const held = new Promise<ServerResponse>((resolve) => (holdNext = resolve));
    const login = loginSucceeds(server, 'held', 'pw');
    const res = await held;
    // The endpoint has the request: the check started before the reload.
    server.child.kill('SIGHUP');
    const deadline = Date.now() + 5000;
    while (clears() === 0) {
      if (Date.now() > deadline) assert.fail(`no cache clear logged:\n${server.log().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    // Every thread's clear is in by now (each logs its own): the success below lands after all of them.
    await new Promise((r) => setTimeout(r, 300));
    res.writeHead(200).end();
    await login;
    const asked = seen.length;
    await loginSucceeds(server, 'held', 'pw');
    assert.equal(seen.length, asked + 1, 'the success checked before the reload was not remembered: the endpoint is asked again');
    await loginSucceeds(server, 'held', 'pw');
    assert.equal(seen.length, asked + 1, 'a success checked after the reload is remembered');
  } finally {
    holdNext = undefined;
    await server.stop();
    server.cleanup();
  }
});
