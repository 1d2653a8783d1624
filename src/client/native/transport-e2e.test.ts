// The mizzle:// transport against real servers: REDIRECTs followed (bounded, loops refused, never out of a transaction), streams, time limits and cancellation.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, MizzleError } from '../index.js';
import { freePort } from '../../testing/server-process.js';
import { startNativeProtocolServer, type NativeProtocolServer } from '../../testing/native-protocol-server.js';

let primary: NativeProtocolServer;
let replica: NativeProtocolServer;

before(async () => {
  primary = await startNativeProtocolServer();
  replica = await startNativeProtocolServer(['--protocol-native.read_only=true', `--protocol-native.redirect_to=127.0.0.1:${primary.nativePort}`]);
  // Through the MySQL protocol: protocol-native's read_only option does not apply to it.
  for (const s of [primary, replica]) {
    const c = connect(`mysql://root@127.0.0.1:${s.server.port}/`);
    await c.query('CREATE DATABASE app');
    await c.query('CREATE TABLE app.t (id INT PRIMARY KEY, who VARCHAR(10))');
    await c.query('CREATE TABLE app.d (n INT PRIMARY KEY)');
    await c.query('INSERT INTO app.d VALUES (0),(1),(2),(3),(4),(5),(6),(7),(8),(9)');
    await c.close();
  }
});

after(async () => {
  await Promise.all([primary.stop(), replica.stop()]);
});

function isError(kind: MizzleError['kind'], code?: number, message?: RegExp) {
  return (e: unknown) => e instanceof MizzleError && e.kind === kind && (code === undefined || e.code === code) && (message === undefined || message.test(e.message));
}

test('a write sent to a read-only server is followed to the one its REDIRECT names, and later sessions go there too', async () => {
  const c = connect(replica.url('app'), { poolSize: 1 });
  try {
    const ins = await c.query("INSERT INTO t VALUES (1, 'client')");
    assert.equal(ins.rowsAffected, 1);
    const onPrimary = connect(primary.url('app'));
    assert.deepEqual((await onPrimary.query('SELECT id, who FROM t')).rows, [[1, 'client']]);
    await onPrimary.close();
    const onReplica = connect(`mysql://root@127.0.0.1:${replica.server.port}/app`);
    assert.deepEqual((await onReplica.query('SELECT COUNT(*) AS n FROM t')).rows, [[0]]);
    await onReplica.close();
    // The same client now reads from the server it was sent to.
    assert.deepEqual((await c.query('SELECT COUNT(*) FROM t')).rows, [[1]]);
  } finally {
    await c.close();
  }
});

test('maxRedirects=0 refuses to follow, and a redirect inside a transaction is not followed', async () => {
  const c = connect(`${replica.url('app')}?maxRedirects=0`);
  await assert.rejects(c.query("INSERT INTO t VALUES (2, 'x')"), isError('connection', 2003, /more than 0 redirects/));
  await c.close();
  // A read-only server answers a write in a transaction 1290 itself: the transaction lives there.
  const r = connect(replica.url('app'));
  await assert.rejects(r.transaction(async (tx) => {
    await tx.query('SELECT 1');
    await tx.query("INSERT INTO t VALUES (3, 'x')");
  }), isError('server', 1290));
  await r.close();
});

test('a redirect to a server that cannot be reached is a connection error; the client still reads where it is', async (t) => {
  const dead = await freePort();
  const ro = await startNativeProtocolServer(['--protocol-native.read_only=true', `--protocol-native.redirect_to=127.0.0.1:${dead}`]);
  t.after(() => ro.stop());
  const c = connect(ro.url(), { timeoutMs: 5000 });
  await assert.rejects(c.query('CREATE DATABASE nowhere_to_go'), isError('connection', 2003, new RegExp(`${dead}`)));
  assert.deepEqual((await c.query('SELECT 6')).rows, [[6]]);
  await c.close();
});

test('a redirect loop is detected and reported, not followed forever', async (t) => {
  const [pa, pb] = await Promise.all([freePort(), freePort()]);
  const a = await startNativeProtocolServer(['--protocol-native.read_only=true', `--protocol-native.redirect_to=127.0.0.1:${pb}`], pa);
  const b = await startNativeProtocolServer(['--protocol-native.read_only=true', `--protocol-native.redirect_to=127.0.0.1:${pa}`], pb);
  t.after(() => Promise.all([a.stop(), b.stop()]));
  const c = connect(a.url());
  await assert.rejects(c.query('CREATE DATABASE loopdb'), isError('connection', 2003, /redirect loop/));
  // Reads still work where the client is.
  assert.deepEqual((await c.query('SELECT 7')).rows, [[7]]);
  await c.close();
});

test('stream: a large result arrives row by row; stopping early leaves the client usable', async () => {
  const c = connect(primary.url('app'), { poolSize: 1 });
  try {
    let n = 0;
    let sum = 0;
    const s = c.stream("SELECT a.n*10000+b.n*1000+x.n*100+y.n*10+z.n AS n, REPEAT('x', 100) AS pad FROM d a, d b, d x, d y, d z");
    for await (const row of s) {
      n++;
      sum += row[0] as number;
    }
    assert.equal(n, 100000);
    assert.equal(sum, (99999 * 100000) / 2);
    assert.deepEqual(s.columns?.map((x) => x.name), ['n', 'pad']);
    let seen = 0;
    for await (const _row of c.stream('SELECT a.n FROM d a, d b, d x, d y, d z, d w')) {
      if (++seen >= 1) break;
    }
    assert.deepEqual((await c.query('SELECT 8')).rows, [[8]]);
    // An error is thrown from the iterator.
    await assert.rejects(async () => {
      for await (const _r of c.stream('SELECT * FROM nowhere')) void _r;
    }, isError('server', 1146));
  } finally {
    await c.close();
  }
});

test('a call past its time limit or aborted rejects as timeout / aborted; the client goes on', async () => {
  const c = connect(primary.url('app'), { poolSize: 1 });
  try {
    await assert.rejects(c.query('SELECT SLEEP(5)', undefined, { timeoutMs: 200 }), isError('timeout', 3024));
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 100);
    await assert.rejects(c.query('SELECT SLEEP(5)', undefined, { signal: ctl.signal }), isError('aborted', 1317));
    assert.deepEqual((await c.query('SELECT 9')).rows, [[9]]);
  } finally {
    await c.close();
  }
});
