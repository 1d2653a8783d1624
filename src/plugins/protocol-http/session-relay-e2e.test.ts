// protocol-http sessions from any connection: each request on a fresh connection (which, with worker threads, may reach any thread) finds its session.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { availableParallelism } from 'node:os';
import { startHttpProtocolServer, type HttpProtocolServer } from '../../testing/http-protocol-server.js';

// Unset or 0: one worker per core, mizzle's default.
const THREADS = Number(process.env.MIZZLE_THREADS ?? '0') || availableParallelism();

let h: HttpProtocolServer;

before(async () => {
  h = await startHttpProtocolServer();
  const r = await post('/v1/batch', { statements: [{ sql: 'CREATE DATABASE r' }, { sql: 'CREATE TABLE r.t (id INT PRIMARY KEY, v VARCHAR(20))' }] });
  assert.equal(r.status, 200, r.body);
});

after(async () => {
  await h.stop();
});

/** One request on a connection of its own, closed after the answer (no keep-alive). */
function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(h.url(path), { method: 'POST', agent: false, headers: { 'Content-Type': 'application/json', Connection: 'close', 'Content-Length': Buffer.byteLength(text), ...headers } }, (res) => {
      let answer = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { answer += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: answer }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

function json(r: { body: string }): Record<string, unknown> {
  return JSON.parse(r.body) as Record<string, unknown>;
}

test('a transaction opened on one connection is used from fresh ones: queries, NDJSON and batches, then committed', async () => {
  const begin = await post('/v1/query', { sql: 'BEGIN', database: 'r' });
  assert.equal(begin.status, 200, begin.body);
  const session = json(begin).session as string;
  assert.match(session, /^\d+\.[A-Za-z0-9_-]{43}$/);
  const rounds = 12;
  for (let i = 0; i < rounds; i++) {
    const ins = await post('/v1/query', { sql: 'INSERT INTO t VALUES (?, ?)', params: [i, `row ${i}`], session });
    assert.equal(ins.status, 200, ins.body);
    assert.equal(json(ins).session, session);
  }
  // Rows of the open transaction, streamed back through whichever thread took this connection.
  const streamed = await post('/v1/query', { sql: 'SELECT id, v FROM t ORDER BY id', session }, { Accept: 'application/x-ndjson' });
  assert.equal(streamed.status, 200);
  const lines = streamed.body.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(lines[0], { columns: [{ name: 'id', type: 'int', nullable: false }, { name: 'v', type: 'varchar', nullable: true }] });
  assert.equal(lines.slice(1, -1).flatMap((l) => l.rows as unknown[]).length, rounds);
  assert.deepEqual(lines[lines.length - 1], { done: true, rowsAffected: 0, lastInsertId: 0, warnings: 0, session });
  const batch = await post('/v1/batch', { statements: [{ sql: 'UPDATE t SET v = ? WHERE id = 0', params: ['changed'] }, { sql: 'SELECT v FROM t WHERE id = 0' }], session });
  assert.equal(batch.status, 200, batch.body);
  assert.deepEqual((json(batch).results as { rows: unknown[] }[])[1]!.rows, [['changed']]);
  // An error inside the session is the session's own answer, and the session stays.
  const dup = await post('/v1/query', { sql: 'INSERT INTO t VALUES (0, ?)', params: ['again'], session });
  assert.equal(dup.status, 400);
  assert.equal((json(dup).error as { code: number }).code, 1062);
  assert.equal(json(dup).session, session);

  const commit = await post('/v1/query', { sql: 'COMMIT', session });
  assert.equal(commit.status, 200, commit.body);
  assert.equal(json(commit).session, undefined);
  const count = await post('/v1/query', { sql: 'SELECT COUNT(*) FROM r.t' });
  // COUNT(*) is a BIGINT: a string in JSON.
  assert.deepEqual(json(count).rows, [[String(rounds)]]);
  // Ended: refused from every connection, whichever thread it reaches.
  for (let i = 0; i < 6; i++) {
    const late = await post('/v1/query', { sql: 'SELECT 1', session });
    assert.equal(late.status, 404);
    assert.equal((json(late).error as { code: number }).code, 4031);
  }
  if (THREADS > 1) {
    const status = JSON.parse((await (await fetch(h.url('/v1/status'))).text()) as string) as Record<string, number>;
    assert.ok(status.Http_requests_relayed > 0, `no request reached another thread: ${JSON.stringify(status)}`);
  }
});

test('a token naming a thread that holds no sessions, or of no shape, is refused like any unknown one', async () => {
  for (const session of [`99.${'A'.repeat(43)}`, `0.${'A'.repeat(43)}`, `1.${'A'.repeat(43)}`, `2.${'A'.repeat(43)}`, '1.short', 'x'.repeat(5000)]) {
    const r = await post('/v1/query', { sql: 'SELECT 1', session });
    assert.equal(r.status, 404, `${session.slice(0, 20)}: ${r.body}`);
    assert.equal((json(r).error as { code: number }).code, 4031);
  }
});
