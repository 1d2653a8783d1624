// `mizzle shard init/put/show/delete` against a real 3-member etcd cluster, bad input included, and a mizzle server started with --topology etcd://… that keeps serving through an etcd outage.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NativeReply } from '../protocol/native/client-end.js';
import { etcdAvailable, startEtcdCluster, type EtcdCluster } from '../testing/etcd-cluster.js';
import { startNativeProtocolServer } from '../testing/native-protocol-server.js';
import { startServerProcess } from '../testing/server-process.js';
import { runMizzle, type MizzleRun } from '../testing/run-mizzle.js';

const skip = etcdAvailable() ? false : '/usr/bin/etcd is not installed (apt-get install etcd-server)';

let cluster: EtcdCluster;
let dir: string;

before(async () => {
  if (skip) return;
  cluster = await startEtcdCluster();
  dir = mkdtempSync(join(tmpdir(), 'mizzle-shard-cli-'));
});

after(async () => {
  await cluster?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const mizzle = runMizzle;
type Run = MizzleRun;

function rowsOf(r: NativeReply): unknown[][] {
  assert.equal(r.kind, 'rows');
  return r.kind === 'rows' ? r.rows : [];
}

const shard = (sub: string, ...args: string[]) => mizzle(['shard', sub, '--topology', cluster.address, ...args]);

function oneLineError(r: Run, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit ${r.code}, expected ${code}: ${r.stderr}`);
  assert.match(r.stderr, pattern);
  if (code === 1) assert.equal(r.stderr.trimEnd().split('\n').length, 1, `not one line: ${r.stderr}`);
}

test('init creates a keyspace of equal shards, show prints it, and a second init is refused', { skip }, async () => {
  const r = await shard('init', 'shop', '--shards', '4', '--primaries', '127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,[::1]:7004', '--table', 'orders=customer_id', '--table', 'customers=id', '--reference', 'countries');
  assert.equal(r.code, 0, r.stderr);
  const created = JSON.parse(r.stdout);
  assert.deepEqual(created.shards.map((s: { name: string }) => s.name), ['-40', '40-80', '80-c0', 'c0-']);
  assert.deepEqual(created.shards.map((s: { primary: { host: string; port: number } }) => `${s.primary.host}:${s.primary.port}`), ['127.0.0.1:7001', '127.0.0.1:7002', '127.0.0.1:7003', '::1:7004']);
  assert.deepEqual(created.tables, { orders: { shardKey: 'customer_id' }, customers: { shardKey: 'id' }, countries: { reference: true } });
  assert.deepEqual(created.sharding, { function: 'hash' });

  const shown = await shard('show', 'shop');
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual(JSON.parse(shown.stdout), created);
  const all = await shard('show');
  assert.deepEqual(JSON.parse(all.stdout).keyspaces.shop, created);

  oneLineError(await shard('init', 'shop', '--shards', '1', '--primaries', '127.0.0.1:7001'), 1, /keyspace shop already exists/);
  // One shard covers everything; the range function is accepted.
  const single = await shard('init', 'single', '--shards', '1', '--primaries', 'db1:4406', '--function', 'range', '--mysql-ports', '3306');
  assert.equal(single.code, 0, single.stderr);
  assert.deepEqual(JSON.parse(single.stdout).shards, [{ name: '-', primary: { host: 'db1', port: 4406, mysqlPort: 3306 }, replicas: [], state: 'serving' }]);
});

test('init: usage mistakes exit 2 before etcd is asked', { skip }, async () => {
  oneLineError(await shard('init', 'k', '--primaries', 'h:1'), 2, /--shards N is required/);
  oneLineError(await shard('init', 'k', '--shards', '2', '--primaries', 'h:1'), 2, /--primaries lists 1 server for 2 shards/);
  oneLineError(await shard('init', 'k', '--shards', '0', '--primaries', 'h:1'), 2, /--shards takes 1 to 256, not '0'/);
  oneLineError(await shard('init', 'k', '--shards', '1', '--primaries', 'h:99999'), 2, /is not a port/);
  oneLineError(await shard('init', 'k', '--shards', '1', '--primaries', 'h:1', '--function', 'modulo'), 2, /--function is one of hash, range, lookup, not 'modulo'/);
  oneLineError(await shard('init', 'k', '--shards', '1', '--primaries', 'h:1', '--table', 'orders'), 2, /--table takes name=column/);
  oneLineError(await shard('init', 'bad name', '--shards', '1', '--primaries', 'h:1'), 2, /name must be a database name/);
  oneLineError(await shard('init', '--shards', '1', '--primaries', 'h:1'), 2, /KEYSPACE is missing/);
  oneLineError(await shard('init', 'k', '--shards', '1', '--primaries', 'h:1', '--colour', 'red'), 2, /unknown option --colour/);
  oneLineError(await mizzle(['shard', 'init', 'k', '--shards', '1', '--primaries', 'h:1']), 2, /--topology is required/);
  const help = await mizzle(['shard', '--help']);
  assert.equal(help.code, 0);
  for (const sub of ['show', 'init', 'put', 'delete']) assert.match(help.stdout, new RegExp(`^  ${sub} `, 'm'));
  const initHelp = await mizzle(['shard', 'init', '--help']);
  assert.equal(initHelp.code, 0);
  assert.match(initHelp.stdout, /usage: mizzle shard init --topology ADDRESS KEYSPACE --shards N/);
  // Nothing was written.
  const shown = await shard('show', 'k');
  oneLineError(shown, 1, /no keyspace 'k'/);
});

test('put writes a keyspace from a file or standard input; bad input exits 1 with the reason', { skip }, async () => {
  const keyspace = {
    name: 'blog',
    sharding: { function: 'hash' },
    tables: { posts: { shardKey: 'author_id' } },
    shards: [
      { name: '-80', primary: { host: '127.0.0.1', port: 8001 }, replicas: [{ host: '127.0.0.1', port: 8101 }], state: 'serving' },
      { name: '80-', primary: { host: '127.0.0.1', port: 8002 }, replicas: [], state: 'serving' },
    ],
  };
  const file = join(dir, 'blog.json');
  writeFileSync(file, JSON.stringify(keyspace));
  const r = await shard('put', file);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), keyspace);

  // Overlapping shards: refused with the reason, and the stored keyspace is untouched.
  writeFileSync(file, JSON.stringify({ ...keyspace, shards: [keyspace.shards[0], { ...keyspace.shards[1], name: '40-' }] }));
  oneLineError(await shard('put', file), 1, /keyspace blog: shard 40- overlaps the one before it/);
  writeFileSync(file, JSON.stringify({ ...keyspace, shards: [keyspace.shards[0]] }));
  oneLineError(await shard('put', file), 1, /do not reach the end of the keyspace/);
  writeFileSync(file, '{"name": "blog", ');
  oneLineError(await shard('put', file), 1, /blog\.json is not JSON/);
  oneLineError(await shard('put', join(dir, 'missing.json')), 1, /cannot read .*missing\.json/);
  oneLineError(await shard('put', '-'), 1, /standard input is not JSON/);
  oneLineError(await shard('put'), 2, /KEYSPACE_FILE is missing/);
  assert.deepEqual(JSON.parse((await shard('show', 'blog')).stdout), keyspace);

  // Standard input replaces it (a replica promoted by hand, say).
  const changed = { ...keyspace, shards: [{ ...keyspace.shards[0], primary: { host: '127.0.0.1', port: 8101 }, replicas: [] }, keyspace.shards[1]] };
  const viaStdin = await mizzle(['shard', 'put', '--topology', cluster.address, '-'], JSON.stringify(changed));
  assert.equal(viaStdin.code, 0, viaStdin.stderr);
  assert.deepEqual(JSON.parse((await shard('show', 'blog')).stdout), changed);
});

test('delete needs --force, removes the keyspace, and says when there is none', { skip }, async () => {
  assert.equal((await shard('init', 'doomed', '--shards', '2', '--primaries', 'a:1,b:2')).code, 0);
  oneLineError(await shard('delete', 'doomed'), 2, /stops all routing to it .*add --force/);
  const r = await shard('delete', 'doomed', '--force');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /keyspace doomed deleted/);
  oneLineError(await shard('show', 'doomed'), 1, /no keyspace 'doomed'/);
  oneLineError(await shard('delete', 'doomed', '--force'), 1, /no keyspace 'doomed'/);
});

test('an unreachable etcd: the command exits 1 with one line, within seconds', { skip }, async () => {
  const started = Date.now();
  const r = await mizzle(['shard', 'show', '--topology', 'etcd://127.0.0.1:1/nowhere/']);
  oneLineError(r, 1, /cannot read the topology from etcd 127\.0\.0\.1:1\/nowhere\//);
  assert.ok(Date.now() - started < 15_000);
  oneLineError(await mizzle(['shard', 'show', '--topology', 'etcd://:1/x']), 1, /bad etcd address/);
});

for (const threads of ['1', '2']) {
  test(`a server with --topology etcd://… starts, serves through an etcd outage, and show prints what init wrote (MIZZLE_THREADS=${threads})`, { skip }, async () => {
    const prefix = `${cluster.address}threads${threads}/`;
    const init = await mizzle(['shard', 'init', 'app', '--topology', prefix, '--shards', '2', '--primaries', '127.0.0.1:9001,127.0.0.1:9002']);
    assert.equal(init.code, 0, init.stderr);
    const server = await startNativeProtocolServer(['--topology', prefix, '--threads', threads]);
    try {
      const c = await server.connect();
      assert.deepEqual(rowsOf(await c.request('SELECT 1 AS one')), [[1]]);
      // etcd goes away entirely: the server keeps serving (routing on the last known topology).
      await Promise.all([0, 1, 2].map((i) => cluster.kill(i)));
      await new Promise((r) => setTimeout(r, 2500));
      assert.deepEqual(rowsOf(await c.request('SELECT 2 AS two')), [[2]]);
      assert.equal(server.server.child.exitCode, null);
      assert.match(server.server.log(), /etcd does not answer .*routing continues on the last known topology/);
      await Promise.all([0, 1, 2].map((i) => cluster.restart(i)));
      assert.deepEqual(rowsOf(await c.request('SELECT 3 AS three')), [[3]]);
      c.destroy();
      const shown = await mizzle(['shard', 'show', '--topology', prefix, 'app']);
      assert.equal(shown.code, 0, shown.stderr);
      assert.deepEqual(JSON.parse(shown.stdout), JSON.parse(init.stdout));
    } finally {
      await server.stop();
    }
  });
}

test('a server with an unreachable etcd, or a bad address, refuses to start with a clear message', { skip }, async () => {
  await assert.rejects(startServerProcess({ args: ['--topology', 'etcd://127.0.0.1:1/nowhere/'], timeoutMs: 30_000 }), /--topology etcd:\/\/127\.0\.0\.1:1\/nowhere\/: cannot read the topology/);
  await assert.rejects(startServerProcess({ args: ['--topology', 'etcd://:1/x'], timeoutMs: 30_000 }), (e: Error) => /--topology etcd:\/\/:1\/x: bad etcd address/.test(e.message) && !/fatal/.test(e.message));
});
