// ops-http's listener on its own: readiness reasons, a failing scrape, two servers in one process, the text-format reader.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KernelApi, StatementEvent } from '../../kernel/plugin.js';
import { silentLogger } from '../../kernel/logger.js';
import { freePort } from '../../testing/server-process.js';
import { OpsHttpServer } from './ops-http.js';
import { parsePrometheusText } from './prometheus-text.js';

/** The part of the kernel ops-http reads, with switches for the states a probe must tell apart. */
function kernelState() {
  const state = { accepting: true, storage: true, statusFails: false };
  const kernel: Pick<KernelApi, 'serverVersion' | 'globalStatus' | 'accepting' | 'storageHealthy' | 'statusFresh'> = {
    serverVersion: 'test',
    statusFresh: async () => undefined,
    globalStatus: () => {
      if (state.statusFails) throw new Error('status unavailable');
      return [['Connections', 3], ['Threads_connected', 1], ['Storage_bytes', 4096], ['Filter_blocked', 2]];
    },
    accepting: () => state.accepting,
    storageHealthy: () => state.storage,
  };
  return { state, kernel: kernel as KernelApi };
}

async function started(kernel: KernelApi): Promise<{ server: OpsHttpServer; get: (path: string) => Promise<Response> }> {
  const port = await freePort();
  const server = new OpsHttpServer(kernel, { bind: '127.0.0.1', port }, silentLogger);
  await server.start();
  return { server, get: (path) => fetch(`http://127.0.0.1:${port}${path}`) };
}

const event = (over: Partial<StatementEvent>): StatementEvent => ({
  time: new Date(), sessionId: 1, user: 'u', host: 'h', schema: null, text: 'SELECT 1', kind: 'select', durationMs: 2,
  rowsSent: 1, rowsExamined: 0, rowsAffected: 0, errorCode: 0, digest: () => 'SELECT ?', ...over,
});

test('/ready says why it is not ready: not accepting, storage down', async () => {
  const { state, kernel } = kernelState();
  const { server, get } = await started(kernel);
  try {
    assert.equal((await get('/ready')).status, 200);
    state.accepting = false;
    let res = await get('/ready');
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'not ready', problems: ['not accepting clients (starting or shutting down)'] });
    state.accepting = true;
    state.storage = false;
    res = await get('/ready');
    assert.equal(res.status, 503);
    assert.deepEqual(await res.json(), { status: 'not ready', problems: ['storage does not answer'] });
    assert.equal((await get('/health')).status, 200, 'the process is up even when storage is not');
  } finally {
    await server.stop();
  }
});

test('a scrape that fails answers 500 and the listener keeps serving', async () => {
  const { state, kernel } = kernelState();
  const { server, get } = await started(kernel);
  try {
    state.statusFails = true;
    const res = await get('/metrics');
    assert.equal(res.status, 500);
    assert.equal((await get('/health')).status, 200);
    state.statusFails = false;
    assert.equal((await get('/metrics')).status, 200);
  } finally {
    await server.stop();
  }
});

test('two servers in one process keep separate registries; status rows and statement events show up', async () => {
  const a = await started(kernelState().kernel);
  const b = await started(kernelState().kernel);
  try {
    a.server.statement(event({ kind: 'insert', durationMs: 0.05, rowsAffected: 2 }));
    a.server.statement(event({ kind: 'select', durationMs: 3000, errorCode: 1146 }));
    a.server.statement(event({ kind: 'select', errorCode: 1045, blockedBy: 'query-guard' }));
    const ma = parsePrometheusText(await (await a.get('/metrics')).text());
    const mb = parsePrometheusText(await (await b.get('/metrics')).text());
    assert.equal(ma.get('mizzle_statements_total{kind="select"}'), 2);
    assert.equal(mb.get('mizzle_statements_total{kind="select"}'), undefined);
    assert.equal(ma.get('mizzle_statement_errors_total{code="1146"}'), 1);
    assert.equal(ma.get('mizzle_statements_blocked_total{plugin="query-guard"}'), 1);
    assert.equal(ma.get('mizzle_rows_affected_total'), 2);
    // 50 µs lands in the first bucket; 3 s only from the 5 s bucket on.
    assert.equal(ma.get('mizzle_statement_duration_seconds_bucket{le="0.0001",kind="insert"}'), 1);
    assert.equal(ma.get('mizzle_statement_duration_seconds_bucket{le="2.5",kind="select"}'), 1);
    assert.equal(ma.get('mizzle_statement_duration_seconds_bucket{le="5",kind="select"}'), 2);
    assert.equal(ma.get('mizzle_connections_total'), 3);
    assert.equal(ma.get('mizzle_storage_size_bytes'), 4096);
    assert.equal(ma.get('mizzle_global_status{variable="Filter_blocked"}'), 2);
    assert.equal(ma.get('mizzle_ready'), 1);
    assert.ok(ma.has('process_resident_memory_bytes'));
  } finally {
    await a.server.stop();
    await b.server.stop();
  }
});

test('the text-format reader rejects what a scraper would', () => {
  assert.throws(() => parsePrometheusText('metric{a="1" 1\n'), /not a sample/);
  assert.throws(() => parsePrometheusText('# TYPE m countr\nm 1\n'), /unknown type/);
  assert.throws(() => parsePrometheusText('m one\n'), /not a sample value/);
  const m = parsePrometheusText('# HELP m help text\n# TYPE m gauge\nm{a="x\\"y"} 1.5\nn +Inf\no Nan\n');
  assert.equal(m.get('m{a="x\\"y"}'), 1.5);
  assert.equal(m.get('n'), Infinity);
  assert.ok(Number.isNaN(m.get('o')));
});
