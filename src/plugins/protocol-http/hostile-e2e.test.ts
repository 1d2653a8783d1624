// protocol-http under hostile clients: bad JSON, wrong types, smuggled statements, huge bodies, slowloris, garbage, stolen tokens, wrong passwords.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect, type Client } from '../../client/index.js';
import { passwdLine } from '../auth-file/password-hash.js';
import { startHttpProtocolServer, type HttpProtocolServer } from '../../testing/http-protocol-server.js';

const MAX_BODY = 65536;
let h: HttpProtocolServer;
let bystander: Client;
let bystanderMysql: Client;

before(async () => {
  h = await startHttpProtocolServer([`--protocol-http.max_body_bytes=${MAX_BODY}`, '--protocol-http.header_timeout_ms=800', '--protocol-http.request_timeout_ms=1500']);
  bystander = connect(h.url());
  bystanderMysql = connect(`mysql://root@127.0.0.1:${h.server.port}`);
});

after(async () => {
  await bystander.close();
  await bystanderMysql.close();
  await h.stop();
});

/** Other clients, on both protocols, still get answers. */
async function othersUnaffected(): Promise<void> {
  assert.deepEqual((await bystander.query('SELECT 1 + 1 AS two')).rows, [[2]]);
  assert.deepEqual((await bystanderMysql.query('SELECT 1 + 1 AS two')).rows, [[2]]);
}

function errorOf(json: unknown): { code: number; sqlstate: string; message: string } {
  return (json as { error: { code: number; sqlstate: string; message: string } }).error;
}

/** Opens a raw TCP connection to the HTTP port and collects what the server sends until it closes. */
function raw(port: number): { socket: Socket; answer: Promise<string> } {
  const socket = tcpConnect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  const answer = new Promise<string>((resolve) => {
    let text = '';
    socket.on('data', (d: Buffer) => { text += d.toString(); });
    socket.on('close', () => resolve(text));
  });
  return { socket, answer };
}

test('bad JSON, wrong types and unknown fields: 400 with what is wrong', async () => {
  const cases: [string, number, RegExp][] = [
    ['{"sql": "SELECT 1"', 1835, /not JSON/],
    ['', 1835, /empty/],
    ['[1,2]', 1210, /JSON object/],
    ['{"sql": 42}', 1210, /sql must be a string/],
    ['{"sql": "SELECT ?", "params": "1"}', 1210, /params must be an array/],
    ['{"sql": "SELECT ?", "params": [{"x": 1}]}', 1210, /params\[0\]/],
    ['{"sql": "SELECT 1", "database": ["a"]}', 1210, /database/],
    ['{"sql": "SELECT 1", "evil": true}', 1210, /unknown field 'evil'/],
    ['{"__proto__": {"sql": "SELECT 1"}}', 1210, /sql must be a string|unknown field/],
  ];
  for (const [body, code, message] of cases) {
    const r = await h.post('/v1/query', body);
    assert.equal(r.status, 400, body);
    assert.equal(errorOf(r.json).code, code, body);
    assert.match(errorOf(r.json).message, message, body);
  }
  await othersUnaffected();
});

test('two statements in one request are refused, with or without parameters, and nothing runs', async () => {
  await bystander.query('CREATE DATABASE IF NOT EXISTS h');
  await bystander.query('CREATE TABLE IF NOT EXISTS h.t (a VARCHAR(60))');
  for (const body of [{ sql: 'INSERT INTO h.t VALUES (1); DROP TABLE h.t' }, { sql: 'INSERT INTO h.t VALUES (?); DROP TABLE h.t', params: [1] }]) {
    const r = await h.post('/v1/query', body);
    assert.equal(r.status, 400);
    assert.equal(errorOf(r.json).code, 1064);
  }
  // A parameter is a value, never SQL.
  const evil = "1'); DROP TABLE h.t; --";
  assert.equal((await h.post('/v1/query', { sql: 'INSERT INTO h.t VALUES (?)', params: [evil] })).status, 200);
  assert.deepEqual((await bystander.query('SELECT a FROM h.t')).rows, [[evil]]);
});

test('wrong method, path and content type; a web form cannot post here', async () => {
  assert.equal((await fetch(h.url('/v1/query'))).status, 405);
  assert.equal((await h.post('/v2/nothing', { sql: 'SELECT 1' })).status, 404);
  const form = await h.post('/v1/query', '{"sql": "SELECT 1"}', { 'Content-Type': 'text/plain' });
  assert.equal(form.status, 415);
  const urlencoded = await h.post('/v1/query', 'sql=SELECT+1', { 'Content-Type': 'application/x-www-form-urlencoded' });
  assert.equal(urlencoded.status, 415);
});

test('huge bodies: refused with 413 whether declared or streamed, without reading them whole', async () => {
  const declared = await h.post('/v1/query', JSON.stringify({ sql: `SELECT '${'x'.repeat(MAX_BODY)}'` }));
  assert.equal(declared.status, 413);
  assert.equal(errorOf(declared.json).code, 1153);
  // Chunked, no Content-Length: counted as it arrives.
  const chunks = new ReadableStream<Uint8Array>({
    start(c) {
      for (let i = 0; i < 64; i++) c.enqueue(new TextEncoder().encode('x'.repeat(16384)));
      c.close();
    },
  });
  const streamed = await fetch(h.url('/v1/query'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: chunks, duplex: 'half' } as RequestInit).catch((e: Error) => e);
  if (streamed instanceof Response) assert.equal(streamed.status, 413);
  // (the server may close the connection before fetch finished sending: also a refusal)
  await othersUnaffected();
});

test('slowloris: headers or a body dribbled in too slowly are cut off with 408; others are served meanwhile', async () => {
  const slowHeaders = raw(h.httpPort);
  slowHeaders.socket.write('POST /v1/query HTTP/1.1\r\nHost: x\r\n');
  const drip = setInterval(() => slowHeaders.socket.write('X-A: b\r\n'), 200);
  const slowBody = raw(h.httpPort);
  slowBody.socket.write('POST /v1/query HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"sql"');
  const drip2 = setInterval(() => slowBody.socket.write(' '), 200);
  const started = Date.now();
  await othersUnaffected();
  const [a, b] = await Promise.all([slowHeaders.answer, slowBody.answer]);
  clearInterval(drip);
  clearInterval(drip2);
  assert.ok(Date.now() - started < 5000, 'cut off within the time limits');
  assert.match(a, /^HTTP\/1\.1 408/);
  assert.match(b, /^HTTP\/1\.1 408/);
  assert.match(a, /"code":1159/);
});

test('not HTTP at all: 400 and closed', async () => {
  const g = raw(h.httpPort);
  g.socket.write('\x01\x03\x01garbage that is not a request line\r\n\r\n');
  assert.match(await g.answer, /^HTTP\/1\.1 400/);
  await othersUnaffected();
});

test('garbage that starts like a TLS handshake: closed without an HTTP answer; others are served', async () => {
  const g = raw(h.httpPort);
  g.socket.write('\x16\x03\x01garbage that is not a TLS hello\r\n\r\n');
  assert.doesNotMatch(await g.answer, /HTTP\/1\.1/);
  await othersUnaffected();
});

test('unknown, made-up and ended session tokens are refused alike', async () => {
  for (const session of ['nope', 'A'.repeat(43), '../../etc/passwd']) {
    const r = await h.post('/v1/query', { sql: 'COMMIT', session });
    assert.equal(r.status, 404);
    assert.equal(errorOf(r.json).code, 4031);
  }
  const begin = await h.post('/v1/query', { sql: 'BEGIN' });
  const token = (begin.json as { session: string }).session;
  await h.post('/v1/query', { sql: 'COMMIT', session: token });
  assert.equal((await h.post('/v1/query', { sql: 'SELECT 1', session: token })).status, 404);
});

test('status counters count what was refused', async () => {
  const c = (await (await fetch(h.url('/v1/status'))).json()) as Record<string, number>;
  assert.ok(c.Http_malformed >= 8, JSON.stringify(c));
  assert.ok(c.Http_timed_out >= 2, JSON.stringify(c));
  assert.ok(c.Http_limit_refused >= 1, JSON.stringify(c));
});

test('with auth-file: no, wrong or non-Basic credentials are 401; the right ones work; a session is bound to its user', async (t) => {
  const users = join(h.server.datadir, 'users');
  writeFileSync(users, passwdLine('ann', 's3cret') + '\n' + passwdLine('bob', 'pw') + '\n');
  const a = await startHttpProtocolServer(['--plugin-remove', 'auth-none', '--plugin-add', 'auth-file', `--auth-file.users_file=${users}`]);
  t.after(() => a.stop());
  const basic = (u: string, p: string) => ({ Authorization: `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}` });
  const none = await a.post('/v1/query', { sql: 'SELECT 1' });
  assert.equal(none.status, 401);
  assert.match(none.headers.get('www-authenticate') ?? '', /^Basic/);
  assert.equal(errorOf(none.json).code, 1045);
  assert.equal((await a.post('/v1/query', { sql: 'SELECT 1' }, basic('ann', 'wrong'))).status, 401);
  assert.equal((await a.post('/v1/query', { sql: 'SELECT 1' }, { Authorization: 'Bearer abc' })).status, 401);
  const ok = await a.post('/v1/query', { sql: 'SELECT CURRENT_USER() AS u' }, basic('ann', 's3cret'));
  assert.equal(ok.status, 200);
  assert.match(JSON.stringify(ok.json), /ann/);
  const token = ((await a.post('/v1/query', { sql: 'BEGIN' }, basic('ann', 's3cret'))).json as { session: string }).session;
  assert.equal((await a.post('/v1/query', { sql: 'SELECT 1', session: token }, basic('bob', 'pw'))).status, 404, 'bob cannot use ann\'s token');
  assert.equal((await a.post('/v1/query', { sql: 'ROLLBACK', session: token }, basic('ann', 's3cret'))).status, 200);
  const client = connect(`http://ann:s3cret@127.0.0.1:${a.httpPort}/`);
  assert.deepEqual((await client.query('SELECT 7 AS n')).rows, [[7]]);
  await client.close();
});
