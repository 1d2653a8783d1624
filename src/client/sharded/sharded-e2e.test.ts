// Sharded routing against real servers on loopback with a file topology: rows land on their key's shard, wrong servers REDIRECT, a moved primary is followed, frozen shards hold writes, replica reads reach replicas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlError } from '../../base/errors.js';
import { FileTopology } from '../../sharding/file-topology.js';
import type { KeyspaceTopology } from '../../sharding/topology.js';
import { freePort } from '../../testing/server-process.js';
import { passesEventually } from '../../testing/assertions.js';
import type { NativeClientConnection } from '../../protocol/native/client-end.js';
import { startNativeProtocolServer, type NativeProtocolServer } from '../../testing/native-protocol-server.js';
import { connect, connectSharded, MizzleError, type Client, type ShardedClient } from '../index.js';

/** How long a topology change may take to reach a server or client (file polled every 250 ms, a loaded machine). */
const SEEN_MS = 5000;
const ROWS = 200;

const dir = mkdtempSync(join(tmpdir(), 'mizzle-shardroute-'));
const topologyFile = join(dir, 'topology.json');
let topology: FileTopology;
/** A: primary of -80; B: primary of 80-; C: replica of A (replication), the topology's replica of -80. */
let a: NativeProtocolServer;
let b: NativeProtocolServer;
let c: NativeProtocolServer;
let sharded: ShardedClient;
const direct = new Map<NativeProtocolServer, Client>();

const at = (s: NativeProtocolServer) => ({ host: '127.0.0.1', port: s.nativePort });

function keyspace(ports: { low: number; lowReplicas: number[]; high: number }, lowState: 'serving' | 'frozen' = 'serving'): KeyspaceTopology {
  return {
    name: 'app',
    sharding: { function: 'hash' },
    tables: { users: { shardKey: 'id' } },
    shards: [
      { name: '-80', primary: { host: '127.0.0.1', port: ports.low }, replicas: ports.lowReplicas.map((port) => ({ host: '127.0.0.1', port })), state: lowState },
      { name: '80-', primary: { host: '127.0.0.1', port: ports.high }, replicas: [], state: 'serving' },
    ],
  };
}

async function rowsOn(s: NativeProtocolServer, sql: string): Promise<unknown[][]> {
  return (await direct.get(s)!.query(sql)).rows;
}

async function ids(s: NativeProtocolServer): Promise<number[]> {
  return (await rowsOn(s, 'SELECT id FROM app.users ORDER BY id')).map((r) => Number(r[0]));
}

/** The first ids (from `from`) whose keys fall in `shard`. */
function idsIn(shard: string, count: number, from = 1): number[] {
  const out: number[] = [];
  for (let id = from; out.length < count; id++) if (sharded.shardFor(id).shard === shard) out.push(id);
  return out;
}

async function setLow(change: (ks: KeyspaceTopology) => void): Promise<void> {
  await topology.update('app', (ks) => {
    const next = structuredClone(ks!);
    change(next);
    return next;
  });
}

before(async () => {
  const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()];
  topology = new FileTopology(topologyFile);
  writeFileSync(topologyFile, JSON.stringify({ keyspaces: { app: keyspace({ low: pa, lowReplicas: [pc], high: pb }) } }));
  await topology.start();
  const args = ['--topology', topologyFile];
  [a, b] = await Promise.all([startNativeProtocolServer(args, pa), startNativeProtocolServer(args, pb)]);
  for (const s of [a, b]) {
    direct.set(s, connect(`mysql://root@127.0.0.1:${s.server.port}/`));
    await rowsOn(s, 'CREATE DATABASE app');
    await rowsOn(s, 'CREATE TABLE app.users (id INT PRIMARY KEY, name VARCHAR(40))');
  }
  c = await startNativeProtocolServer([...args, '--replica-of', `mizzle://root@127.0.0.1:${pa}`], pc);
  direct.set(c, connect(`mysql://root@127.0.0.1:${c.server.port}/`));
  sharded = await connectSharded({ topology: topologyFile, keyspace: 'app', timeoutMs: 20_000 });
});

after(async () => {
  await sharded?.close();
  await topology?.close();
  for (const cl of direct.values()) await cl.close();
  await Promise.all([a, b, c].filter((s) => s !== undefined).map((s) => s.stop()));
  rmSync(dir, { recursive: true, force: true });
});

test('the sharded client puts each of 200 rows on its key\'s shard, and each server holds exactly those', async () => {
  await Promise.all(Array.from({ length: ROWS }, (_, i) => sharded.execute('INSERT INTO users (id, name) VALUES (?, ?)', [i + 1, `user ${i + 1}`], { shardKey: i + 1 })));
  const expected: Record<string, number[]> = { '-80': [], '80-': [] };
  for (let id = 1; id <= ROWS; id++) expected[sharded.shardFor(id).shard].push(id);
  assert.ok(expected['-80'].length > 50 && expected['80-'].length > 50, 'the hash spreads the keys');
  assert.deepEqual(await ids(a), expected['-80']);
  assert.deepEqual(await ids(b), expected['80-']);
  // Reads go to the key's shard too: each key finds its row.
  for (const id of [expected['-80'][0], expected['80-'][0]]) {
    assert.deepEqual((await sharded.query('SELECT name FROM users WHERE id = ?', [id], { shardKey: id })).rows, [[`user ${id}`]]);
  }
  const streamed: unknown[][] = [];
  const id = expected['80-'][1];
  for await (const row of sharded.stream('SELECT id, name FROM users WHERE id = ?', [id], { shardKey: String(id) })) streamed.push(row);
  assert.deepEqual(streamed, [[id, `user ${id}`]]);
  assert.deepEqual(sharded.shardFor(id).primary, at(b));
  // A statement for every shard, by name: the counts add up.
  assert.deepEqual(sharded.shards().map((x) => [x.shard, x.primary.port]), [['-80', a.nativePort], ['80-', b.nativePort]]);
  let total = 0;
  for (const x of sharded.shards()) total += Number((await sharded.query('SELECT COUNT(*) FROM users', [], { shard: x.shard })).rows[0][0]);
  assert.equal(total, ROWS);
  await assert.rejects(sharded.query('SELECT 1', [], { shard: '-40' }), /no shard -40/);
  // Without a key, a keyspace of two shards cannot say where a statement goes.
  await assert.rejects(sharded.query('SELECT COUNT(*) FROM users'), (e: MizzleError) => e.kind === 'usage' && /2 shards/.test(e.message));
  // The replica of -80 follows A.
  await passesEventually(async () => assert.deepEqual(await ids(c), expected['-80']), 15_000);
});

test('a transaction runs on its key\'s primary: committed there, or rolled back when the work throws', async () => {
  const [x, y] = idsIn('80-', 2, 1000);
  await sharded.transaction(async (tx) => {
    await tx.execute('INSERT INTO users VALUES (?, ?)', [x, 'tx']);
    await tx.execute('UPDATE users SET name = ? WHERE id = ?', ['tx2', x]);
  }, { shardKey: x });
  assert.deepEqual(await rowsOn(b, `SELECT name FROM app.users WHERE id = ${x}`), [['tx2']]);
  await assert.rejects(sharded.transaction(async (tx) => {
    await tx.execute('INSERT INTO users VALUES (?, ?)', [y, 'gone']);
    throw new Error('changed my mind');
  }, { shardKey: y }), /changed my mind/);
  assert.deepEqual(await rowsOn(b, `SELECT COUNT(*) FROM app.users WHERE id = ${y}`), [[0]]);
});

test('a server answers REDIRECT shard-moved naming the primary for a key it does not own; unkeyed requests and other databases run as before', async () => {
  const [low] = idsIn('-80', 1);
  const [high] = idsIn('80-', 1);
  const key = (id: number) => Buffer.from(String(id));
  const onB = await b.connect({ database: 'app' });
  try {
    const r = await onB.request('SELECT name FROM users WHERE id = ?', [low], { shardKey: key(low) });
    assert.equal(r.kind, 'redirect');
    assert.deepEqual(r.kind === 'redirect' ? { ...r.redirect, message: '' } : undefined, { reason: 'shard-moved', host: '127.0.0.1', port: a.nativePort, message: '' });
    // Its own key runs; no key runs as today (this server has only its own rows).
    assert.deepEqual((await onB.request('SELECT name FROM users WHERE id = ?', [high], { shardKey: key(high) })).kind, 'rows');
    const all = await onB.request('SELECT COUNT(*) FROM users');
    assert.deepEqual(all.kind === 'rows' ? all.rows : undefined, [[(await ids(b)).length]]);
    // A key for a database that is not a keyspace is not checked.
    await onB.request('CREATE DATABASE other');
    await onB.request('USE other');
    assert.equal((await onB.request('SELECT 1', [], { shardKey: key(low) })).kind, 'rows');
  } finally {
    onB.destroy();
  }
});

test('READ_ONLY reads with replica: true go to the shard\'s replica; without the flag the replica redirects to the primary', async () => {
  const [low] = idsIn('-80', 1);
  const [high] = idsIn('80-', 1);
  const port = (await sharded.query('SELECT @@port', [], { shardKey: low, replica: true })).rows[0][0];
  assert.equal(Number(port), c.server.port, 'answered by the replica');
  assert.equal(Number((await sharded.query('SELECT @@port', [], { shardKey: low })).rows[0][0]), a.server.port, 'answered by the primary');
  // 80- has no replica: its primary answers.
  assert.equal(Number((await sharded.query('SELECT @@port', [], { shardKey: high, replica: true })).rows[0][0]), b.server.port);
  const onC = await c.connect({ database: 'app' });
  try {
    const write = await onC.request('SELECT @@port', [], { shardKey: Buffer.from(String(low)) });
    assert.deepEqual(write.kind === 'redirect' ? [write.redirect.reason, write.redirect.port] : write.kind, ['shard-moved', a.nativePort]);
    const other = await onC.request('SELECT @@port', [], { shardKey: Buffer.from(String(high)), flags: 0x0001 });
    assert.deepEqual(other.kind === 'redirect' ? [other.redirect.reason, other.redirect.port] : other.kind, ['shard-moved', b.nativePort]);
  } finally {
    onC.destroy();
  }
});

test('a frozen shard holds writes until the topology serves it again, and refuses them with 1205 past the bound', async () => {
  const [low, low2, low3] = idsIn('-80', 3, 2000);
  await setLow((ks) => { ks.shards[0].state = 'frozen'; });
  await passesEventually(async () => assert.equal(sharded.shardFor(low).state, 'frozen'), SEEN_MS);
  // Reads are not held.
  assert.equal((await sharded.query('SELECT COUNT(*) FROM users', [], { shardKey: low })).rows.length, 1);
  const started = Date.now();
  let settled = false;
  const write = sharded.execute('INSERT INTO users VALUES (?, ?)', [low, 'held'], { shardKey: low }).finally(() => { settled = true; });
  await new Promise((r) => setTimeout(r, 700));
  assert.equal(settled, false, 'the write waits while the shard is frozen');
  assert.deepEqual(await rowsOn(a, `SELECT COUNT(*) FROM app.users WHERE id = ${low}`), [[0]]);
  // A client that does not hold (a plain native connection) is held by the server, then refused with 1205.
  await passesEventually(async () => {
    const onA = await a.connect({ database: 'app' });
    try {
      const t0 = Date.now();
      const e = await onA.request('INSERT INTO users VALUES (?, ?)', [low2, 'x'], { shardKey: Buffer.from(String(low2)) }).then(() => undefined, (x: unknown) => x);
      assert.ok(e instanceof SqlError, `refused, not ${String(e)}`);
      assert.equal(e.code, 1205);
      assert.match(e.message, /frozen/);
      assert.ok(Date.now() - t0 >= 1500, 'held about 2 s first');
    } finally {
      onA.destroy();
    }
  }, SEEN_MS);
  // A call whose time limit passes while the shard is frozen fails with 1205 and sends nothing.
  await assert.rejects(sharded.execute('INSERT INTO users VALUES (?, ?)', [low3, 'late'], { shardKey: low3, timeoutMs: 500 }), (e: MizzleError) => {
    assert.equal(e.code, 1205);
    assert.equal(e.kind, 'timeout');
    assert.match(e.message, /frozen/);
    return true;
  });
  await setLow((ks) => { ks.shards[0].state = 'serving'; });
  await write;
  assert.ok(Date.now() - started >= 700);
  assert.deepEqual(await rowsOn(a, `SELECT name FROM app.users WHERE id IN (${low}, ${low2}, ${low3}) ORDER BY id`), [['held']]);
});

test('a shard whose primary moves to its (promoted) replica: the old server redirects, and a client with the old topology follows without an error', async () => {
  const [low, low2, low3] = idsIn('-80', 3, 3000);
  const expected = await passesEventually(async () => assert.deepEqual(await ids(c), await ids(a)), 15_000).then(() => ids(a));
  // A client whose topology stays as it was: it will send -80's keys to A.
  const staleFile = join(dir, 'stale.json');
  copyFileSync(topologyFile, staleFile);
  const stale = await connectSharded({ topology: staleFile, keyspace: 'app', timeoutMs: 20_000 });
  try {
    assert.deepEqual(stale.shardFor(low).primary, at(a));
    // A transaction open on A when the shard moves: its next statement is redirected, which fails it (rolled back).
    let moved!: () => void;
    let begun!: () => void;
    const flipped = new Promise<void>((r) => { moved = r; });
    const inserted = new Promise<void>((r) => { begun = r; });
    const cutOff = sharded.transaction(async (tx) => {
      await tx.execute('INSERT INTO users VALUES (?, ?)', [low3, 'lost']);
      begun();
      await flipped;
      await tx.execute('UPDATE users SET name = ? WHERE id = ?', ['lost again', low3]);
    }, { shardKey: low3 });
    await Promise.race([inserted, cutOff.then(() => assert.fail('the transaction ended before the move'))]);
    // Promote C: it stops following A and takes writes; then the topology names it -80's primary.
    await rowsOn(c, 'STOP REPLICA');
    await rowsOn(c, 'SET GLOBAL super_read_only = 0');
    await rowsOn(c, 'SET GLOBAL read_only = 0');
    await setLow((ks) => {
      ks.shards[0].primary = at(c);
      ks.shards[0].replicas = [];
    });
    // A has seen the move once every one of its threads has: with worker threads each reads the topology itself, and the
    // transaction's session may be on any of them. Connections are opened (and kept, so that they spread over the workers)
    // until one on each worker is redirected.
    const threads = Number((await rowsOn(a, 'SELECT @@mizzle_threads'))[0][0]);
    const onA: { connection: NativeClientConnection; worker: number }[] = [];
    try {
      await passesEventually(async () => {
        if (onA.length < threads * 4) {
          const connection = await a.connect({ database: 'app' });
          const w = await connection.request('SELECT @@mizzle_worker_thread');
          onA.push({ connection, worker: w.kind === 'rows' ? Number(w.rows[0][0]) : -1 });
        }
        const redirected = new Set<number>();
        for (const { connection, worker } of onA) {
          const r = await connection.request('SELECT 1', [], { shardKey: Buffer.from(String(low)) });
          if (r.kind === 'redirect' && r.redirect.reason === 'shard-moved' && r.redirect.port === c.nativePort) redirected.add(worker);
          else assert.equal(r.kind, 'redirect', `worker ${worker} of A has not seen the move`);
        }
        assert.equal(redirected.size, threads, `redirected on workers ${[...redirected].join(', ')} of ${threads}`);
      }, SEEN_MS);
    } finally {
      for (const { connection } of onA) connection.destroy();
    }
    moved();
    await assert.rejects(cutOff, (e: MizzleError) => {
      assert.equal(e.code, 2013);
      assert.match(e.message, /moved to 127\.0\.0\.1:\d+ during the transaction/);
      return true;
    });
    assert.deepEqual(await rowsOn(a, `SELECT COUNT(*) FROM app.users WHERE id = ${low3}`), [[0]], 'rolled back on A');
    // The stale client goes to A, is redirected, and the write lands on C.
    await stale.execute('INSERT INTO users VALUES (?, ?)', [low, 'moved'], { shardKey: low });
    assert.deepEqual(await rowsOn(c, `SELECT name FROM app.users WHERE id = ${low}`), [['moved']]);
    assert.deepEqual(await rowsOn(a, `SELECT COUNT(*) FROM app.users WHERE id = ${low}`), [[0]]);
    assert.deepEqual((await stale.query('SELECT COUNT(*) FROM users', [], { shardKey: low })).rows, [[expected.length + 1]]);
    const streamed: unknown[][] = [];
    for await (const row of stale.stream('SELECT name FROM users WHERE id = ?', [low], { shardKey: low })) streamed.push(row);
    assert.deepEqual(streamed, [['moved']]);
    // The live client sees the change and goes to C directly.
    await passesEventually(async () => assert.deepEqual(sharded.shardFor(low2).primary, at(c)), SEEN_MS);
    await sharded.execute('INSERT INTO users VALUES (?, ?)', [low2, 'direct'], { shardKey: low2 });
    assert.deepEqual(await rowsOn(c, `SELECT name FROM app.users WHERE id = ${low2}`), [['direct']]);
  } finally {
    await stale.close();
  }
});

test('connectSharded refuses a topology it cannot read, a keyspace the topology lacks, and bad options', async () => {
  await assert.rejects(connectSharded({ topology: join(dir, 'missing.json'), keyspace: 'app' }), (e: MizzleError) => e.code === 2003 && /Cannot read the topology/.test(e.message));
  await assert.rejects(connectSharded({ topology: topologyFile, keyspace: 'nope' }), (e: MizzleError) => e.kind === 'usage' && /Keyspace nope is not in the topology/.test(e.message));
  await assert.rejects(connectSharded({ topology: topology, keyspace: 'app', poolSize: 0 }), /poolSize must be/);
  await assert.rejects(sharded.query('SELECT 1', [], { shardKey: 'x'.repeat(300) }), /at most 256 bytes/);
  await assert.rejects(sharded.query('SELECT 1', [], { shardKey: 1, shard: '-80' }), /not both/);
});
