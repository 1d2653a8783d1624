// `mizzle router` following its topology: writes to a frozen shard wait until it serves again (or fail with 1205 after the bound), and a shard's moved primary gets the next statements.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import mysql from 'mysql2/promise';
import { startShardedKeyspace, type RouterProcess, type ShardedKeyspace } from '../testing/sharded-keyspace.js';
import { startNativeProtocolServer, type NativeProtocolServer } from '../testing/native-protocol-server.js';
import { ResolvedKeyspace, type KeyspaceTopology } from '../sharding/topology.js';
import { refused } from '../testing/assertions.js';

let ks: ShardedKeyspace;
let router: RouterProcess;
let c: mysql.Connection;
let spare: NativeProtocolServer | undefined;

function keyspace(): KeyspaceTopology {
  return (JSON.parse(readFileSync(ks.topologyPath, 'utf8')) as { keyspaces: Record<string, KeyspaceTopology> }).keyspaces.app;
}

/** Replaces the topology file whole, as an operator's tool would. */
function changeShard(name: string, change: (s: KeyspaceTopology['shards'][number]) => void): void {
  const k = keyspace();
  const s = k.shards.find((x) => x.name === name);
  assert.ok(s !== undefined);
  change(s);
  writeFileSync(`${ks.topologyPath}.tmp`, JSON.stringify({ keyspaces: { app: k } }));
  renameSync(`${ks.topologyPath}.tmp`, ks.topologyPath);
}

function keyOn(shard: string, from: number): number {
  const resolved = new ResolvedKeyspace(keyspace());
  let k = from;
  while (resolved.shardForKey(k).name !== shard) k++;
  return k;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  ks = await startShardedKeyspace('app', { users: { shardKey: 'id' } });
  router = await ks.startRouter();
  c = await mysql.createConnection({ host: '127.0.0.1', port: router.port, user: 'root' });
  await c.query('CREATE DATABASE app');
  await c.query('USE app');
  await c.query('CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40))');
  for (let id = 1; id <= 20; id++) await c.query('INSERT INTO users (id, name) VALUES (?, ?)', [id, `u${id}`]);
});

after(async () => {
  await c?.end();
  await ks?.stop();
  await spare?.stop();
});

test('a write to a frozen shard waits until the shard serves again; reads go on', async () => {
  const key = keyOn('80-', 100);
  const readKey = keyOn('80-', 1);
  changeShard('80-', (s) => (s.state = 'frozen'));
  await sleep(800); // the file topology is polled every 250 ms
  const started = Date.now();
  let doneAt = 0;
  const write = c.query('INSERT INTO users (id, name) VALUES (?, ?)', [key, 'waited']).then(() => (doneAt = Date.now()));
  const other = await mysql.createConnection({ host: '127.0.0.1', port: router.port, user: 'root', database: 'app' });
  try {
    const [rows] = await other.query('SELECT name FROM users WHERE id = ?', [readKey]);
    assert.deepEqual(rows, [{ name: `u${readKey}` }]);
  } finally {
    await other.end();
  }
  await sleep(700);
  assert.equal(doneAt, 0, 'the write waited while the shard was frozen');
  changeShard('80-', (s) => (s.state = 'serving'));
  await write;
  assert.ok(doneAt - started >= 700, `the write finished after the thaw (${doneAt - started} ms)`);
  const [rows] = await c.query('SELECT name FROM users WHERE id = ?', [key]);
  assert.deepEqual(rows, [{ name: 'waited' }]);
});

test('a write to a shard frozen past the bound is refused with 1205', async () => {
  changeShard('-80', (s) => (s.state = 'frozen'));
  await sleep(800);
  try {
    const started = Date.now();
    await refused(c.query('INSERT INTO users (id, name) VALUES (?, ?)', [keyOn('-80', 200), 'x']), 1205, 'HY000', /frozen/);
    assert.ok(Date.now() - started >= 4_500);
  } finally {
    changeShard('-80', (s) => (s.state = 'serving'));
    await sleep(800);
  }
});

test("a shard's primary moved in the topology gets the next statements, on the same client connection", async () => {
  spare = await startNativeProtocolServer();
  const old = ks.shards.find((s) => s.name === '80-');
  assert.ok(old !== undefined);
  // The copy a move would make: the shard's rows on the new server.
  const from = await mysql.createConnection({ host: '127.0.0.1', port: old.server.server.port, user: 'root', database: 'app' });
  const to = await mysql.createConnection({ host: '127.0.0.1', port: spare.server.port, user: 'root' });
  try {
    await to.query('CREATE DATABASE app');
    await to.query('USE app');
    await to.query('CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40))');
    const [rows] = await from.query('SELECT id, name FROM users');
    for (const r of rows as { id: number; name: string }[]) await to.query('INSERT INTO users VALUES (?, ?)', [r.id, r.name]);
    const nativePort = spare.nativePort;
    const mysqlPort = spare.server.port;
    changeShard('80-', (s) => (s.primary = { host: '127.0.0.1', port: nativePort, mysqlPort }));
    await sleep(800);
    const key = keyOn('80-', 300);
    await c.query('INSERT INTO users (id, name) VALUES (?, ?)', [key, 'after move']);
    const [onNew] = await to.query('SELECT name FROM users WHERE id = ?', [key]);
    const [onOld] = await from.query('SELECT name FROM users WHERE id = ?', [key]);
    assert.deepEqual(onNew, [{ name: 'after move' }]);
    assert.deepEqual(onOld, []);
    const [count] = await c.query('SELECT COUNT(*) AS n FROM users');
    assert.equal(Number((count as { n: number }[])[0].n), 20 + 2);
  } finally {
    await from.end();
    await to.end();
  }
});

test('a shard whose primary is down fails its statements with 2013 naming the shard; other shards go on', async () => {
  assert.ok(spare !== undefined, 'runs after the move above');
  await spare.server.stop();
  await refused(c.query('SELECT name FROM users WHERE id = ?', [keyOn('80-', 1)]), 2013, 'HY000', /shard 80-/);
  const key = keyOn('-80', 1);
  const [rows] = await c.query('SELECT name FROM users WHERE id = ?', [key]);
  assert.deepEqual(rows, [{ name: `u${key}` }]);
  await refused(c.query('SELECT COUNT(*) FROM users'), 2013, 'HY000', /shard 80-/);
});
