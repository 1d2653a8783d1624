// The mizzle:// pool's pipelining against a real server: callers share connections, a slow or abandoned call holds up nobody new, whole loans stay whole.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, MizzleError, type Client } from '../index.js';
import { startNativeProtocolServer, type NativeProtocolServer } from '../../testing/native-protocol-server.js';

let server: NativeProtocolServer;
let admin: Client;

before(async () => {
  server = await startNativeProtocolServer();
  admin = connect(`mysql://root@127.0.0.1:${server.server.port}/`, { poolSize: 1 });
  await admin.query('CREATE DATABASE app');
  await admin.query('CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(10))');
  await admin.query("INSERT INTO app.t VALUES (1,'a'),(2,'b'),(3,'c'),(4,'d'),(5,'e'),(6,'f'),(7,'g'),(8,'h')");
});

after(async () => {
  await admin.close();
  await server.stop();
});

/** Native connections the server has accepted so far. */
async function nativeConnections(): Promise<number> {
  const r = await admin.query("SHOW GLOBAL STATUS LIKE 'Native_connections'");
  return Number(r.rows[0]![1]);
}

/** Eight callers at once, each reading its own row. */
async function eightCallers(c: Client): Promise<void> {
  const answers = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((id) => c.query('SELECT v FROM t WHERE id = ?', [id])));
  assert.deepEqual(answers.map((a) => a.rows), ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((v) => [[v]]));
}

test('eight callers at once share connections, four calls to one by default, each getting its own answer; pipeline=8 puts all on one, pipeline=1 gives each its own', async () => {
  const before = await nativeConnections();
  const shared = connect(server.url('app'), { poolSize: 8 });
  await eightCallers(shared);
  await eightCallers(shared);
  await shared.close();
  assert.equal(await nativeConnections(), before + 2);

  const one = connect(`${server.url('app')}?pipeline=8`, { poolSize: 8 });
  await eightCallers(one);
  await one.close();
  assert.equal(await nativeConnections(), before + 2 + 1);

  const single = connect(`${server.url('app')}?pipeline=1`, { poolSize: 8 });
  await eightCallers(single);
  await single.close();
  assert.equal(await nativeConnections(), before + 2 + 1 + 8);

  assert.throws(() => connect(`${server.url('app')}?pipeline=0`), (e: unknown) => e instanceof MizzleError && /pipeline in the URL must be a whole number from 1 to 1000/.test(e.message));
});

test('calls made while a slow statement runs go to another connection, not behind it', async () => {
  const c = connect(server.url('app'), { poolSize: 4 });
  try {
    await c.query('SELECT 1');
    let slowDone = false;
    const slow = c.query('SELECT SLEEP(1.5)').then(() => { slowDone = true; });
    // Past the pool's stall time, so the busy connection is passed over.
    await new Promise((r) => setTimeout(r, 200));
    await eightCallers(c);
    assert.equal(slowDone, false, 'the point selects waited for the slow statement');
    await slow;
  } finally {
    await c.close();
  }
});

test('a shared call that times out fails alone: the calls beside it are answered, and the client goes on', async () => {
  const c = connect(server.url('app'), { poolSize: 2 });
  try {
    const [slow, beside] = await Promise.allSettled([c.query('SELECT SLEEP(0.6)', [], { timeoutMs: 100 }), c.query('SELECT v FROM t WHERE id = ?', [3])]);
    assert.equal(slow.status, 'rejected');
    assert.ok(slow.status === 'rejected' && slow.reason instanceof MizzleError && slow.reason.kind === 'timeout');
    assert.deepEqual(beside.status === 'fulfilled' && beside.value.rows, [['c']]);
    await eightCallers(c);
  } finally {
    await c.close();
  }
});

test('a transaction keeps its connection to itself while other callers pipeline', async () => {
  const c = connect(server.url('app'), { poolSize: 3 });
  try {
    await c.transaction(async (tx) => {
      await tx.query("INSERT INTO t VALUES (100, 'tx')");
      // Others, at the same time, do not see the uncommitted row: they are not on the transaction's session.
      const seen = await Promise.all([0, 1, 2, 3].map(() => c.query('SELECT COUNT(*) FROM t WHERE id = 100')));
      assert.deepEqual(seen.map((r) => r.rows), [[[0]], [[0]], [[0]], [[0]]]);
      await tx.query('DELETE FROM t WHERE id = 100');
    });
    await eightCallers(c);
  } finally {
    await c.close();
  }
});
