// Online shard moves on real servers with the topology in a real 3-member etcd cluster, under a write load through the sharded client library: a split and moves lose no acknowledged write, put every row on the shard that owns it, and hold writes for a bounded time (the bench measures the < 1 s target), through an etcd leader's death and a whole-etcd outage; a killed primary's replica is promoted by failover; a failed cut-over is undone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../client/index.js';
import { passesEventually } from '../testing/assertions.js';
import { etcdAvailable, startEtcdCluster, type EtcdCluster } from '../testing/etcd-cluster.js';
import { startServerProcess } from '../testing/server-process.js';
import { KEYSPACE, ShardCluster, TABLE, failoverAfterKill, splitThenMove } from '../testing/shard-moves-scenario.js';

/**
 * A bound a cut-over's write unavailability must keep even on a loaded CI machine (other tests run
 * beside this one). The target, under 1 s, is a speed figure: `npm run bench:shard-moves`
 * measures it on a quiet machine, writes it to bench/results and fails when it is missed.
 */
const UNAVAILABLE_MAX_MS = 3000;
const skip = etcdAvailable() ? false : '/usr/bin/etcd is not installed (apt-get install etcd-server)';

let etcd: EtcdCluster | undefined;

before(async () => {
  if (!skip) etcd = await startEtcdCluster({ members: 3 });
});

after(async () => {
  await etcd?.stop();
});

test('on etcd: a split and two moves under load through the sharded client keep every acknowledged write exactly once, on its owner, with writes held for a bounded time; routing survives the etcd leader\'s death and a whole-etcd outage, during which shard commands are refused', { skip, timeout: 300_000 }, async () => {
  const r = await splitThenMove(etcd);
  const detail = JSON.stringify({ ...r, cutOvers: r.cutOvers.map(({ output: _o, ...x }) => x), missing: r.missing.slice(0, 10), wrongValue: r.wrongValue.slice(0, 10), extra: r.extra.slice(0, 10) });
  assert.ok(r.acked > 200, `the load wrote something: ${detail}`);
  assert.deepEqual(r.missing, [], `acknowledged rows missing: ${detail}`);
  assert.deepEqual(r.wrongValue, [], `rows without their last acknowledged value: ${detail}`);
  assert.deepEqual(r.extra, [], `rows nobody acknowledged: ${detail}`);
  assert.deepEqual(r.misplaced, [], `rows on a shard that does not own them: ${detail}`);
  assert.deepEqual(r.duplicated, [], `rows on two shards: ${detail}`);
  assert.deepEqual(Object.keys(r.rowsPerShard).sort(), ['-80', '80-']);
  assert.equal(r.cutOvers.length, 3);
  for (const c of r.cutOvers) {
    assert.ok(c.commandMs < UNAVAILABLE_MAX_MS, `${c.what}: frozen → serving took ${c.commandMs} ms\n${c.output}`);
    assert.ok(c.clientMaxWaitMs < UNAVAILABLE_MAX_MS, `${c.what}: a write waited ${c.clientMaxWaitMs} ms\n${c.output}`);
    // The client itself held the writes and followed the redirects: none came back to the load as an error.
    assert.deepEqual(c.clientErrors, [], `${c.what}: the sharded client failed writes`);
  }
  // The split removed the rows of '80-' that B's backup seed copied.
  assert.match(r.cutOvers[0].output, /removed [1-9]\d* rows of other children/);
  const o = r.etcd;
  assert.ok(o !== undefined);
  assert.ok(o.withoutLeader.writes > 20, `writes went on without the etcd leader: ${detail}`);
  assert.ok(o.withoutEtcd.writes > 20, `writes went on with etcd down: ${detail}`);
  assert.deepEqual(o.unreadableWithoutEtcd, [], `reads went on with etcd down: ${detail}`);
  for (const [what, refusal] of [['move', o.moveRefused], ['init', o.initRefused]] as const) {
    assert.equal(refusal.code, 1, `${what} with etcd down: ${refusal.out}`);
    assert.match(refusal.out, new RegExp(`^mizzle shard ${what}: cannot read the topology from etcd .*\\n$`), `${what} with etcd down says why in one line`);
  }
});

test('on etcd: after kill -9 of a primary, failover promotes its replica in etcd: every write it had applied is there and writes through the sharded client resume on it', { skip, timeout: 180_000 }, async () => {
  const r = await failoverAfterKill(etcd);
  const detail = JSON.stringify({ ...r, missingReplicated: r.missingReplicated.slice(0, 10), missingAfterFailover: r.missingAfterFailover.slice(0, 10) });
  assert.ok(r.replicatedBeforeKill > 50, detail);
  assert.deepEqual(r.missingReplicated, [], `replicated, acknowledged writes lost: ${detail}`);
  assert.ok(r.afterFailover > 0, `writes resumed on the promoted replica: ${detail}`);
  assert.deepEqual(r.missingAfterFailover, [], detail);
  assert.equal(r.primaryAfter, r.replicaPort, `etcd names the promoted replica as primary: ${detail}`);
  assert.match(r.output, /promoted 127\.0\.0\.1:\d+ to primary of app\/-/);
  assert.match(r.output, /127\.0\.0\.1:\d+ now follows 127\.0\.0\.1:\d+/, 'the other replica is re-pointed');
  assert.deepEqual(r.secondMissing, [], `the re-pointed replica has every row of the new primary: ${detail}`);
  assert.deepEqual(r.secondExtra, [], detail);
  assert.equal(r.refusedWhileAlive.code, 1, r.refusedWhileAlive.out);
  assert.match(r.refusedWhileAlive.out, /the primary 127\.0\.0\.1:\d+ answers: use 'mizzle shard move'/);
});

test('with a topology file: failover --watch promotes the replica by itself once the primary has not answered for --dead-ms', { timeout: 180_000 }, async () => {
  const r = await failoverAfterKill(undefined, true);
  const detail = JSON.stringify({ ...r, missingReplicated: r.missingReplicated.slice(0, 10), missingAfterFailover: r.missingAfterFailover.slice(0, 10) });
  assert.match(r.output, /watching 127\.0\.0\.1:\d+.*has not answered for 1000 ms.*promoted 127\.0\.0\.1:\d+ to primary of app\/-/s);
  assert.deepEqual(r.missingReplicated, [], detail);
  assert.ok(r.afterFailover > 0, detail);
  assert.deepEqual(r.missingAfterFailover, [], detail);
  assert.equal(r.primaryAfter, r.replicaPort, detail);
  assert.deepEqual(r.secondMissing, [], detail);
  assert.deepEqual(r.secondExtra, [], detail);
});

test('a move refuses a target that follows nobody, and undoes a cut-over whose target cannot catch up within the freeze', { timeout: 180_000 }, async () => {
  const c = await ShardCluster.open();
  try {
    const [na, nx, nr] = [await c.nativePort(), await c.nativePort(), await c.nativePort()];
    await c.writeTopology(na);
    const a = await c.start(na);
    await c.sql(a, `CREATE DATABASE ${KEYSPACE}`);
    await c.sql(a, `CREATE TABLE ${TABLE} (id BIGINT PRIMARY KEY, v INT NOT NULL)`);
    await c.sql(a, `INSERT INTO ${TABLE} VALUES (1, 0), (2, 0)`);
    await c.start(nx);
    const refused = await c.shard(['move', KEYSPACE, '-', '--to', `127.0.0.1:${nx.port}`]);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /follows no source: start it with --replica-of/);
    // One thread: the applier must meet the reader's row lock, which it did not with --threads 2 (the applier runs in the main thread).
    const r = await c.start(nr, ['--replica-of', `mizzle://root@127.0.0.1:${na.port}`, '--threads', '1']);
    await c.caughtUp(r, a);
    // A reader on the replica holds row 1's lock: the applier cannot apply the next update of it.
    const locker = connect(`mizzle://root@127.0.0.1:${nr.port}/?maxRedirects=0`);
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const locked = new Promise<void>((resolve, reject) => {
      locker.transaction(async (tx) => {
        await tx.query(`SELECT v FROM ${TABLE} WHERE id = 1 FOR UPDATE`);
        resolve();
        await held;
      }).catch(reject);
    });
    await locked;
    await c.sql(a, `UPDATE ${TABLE} SET v = 1 WHERE id = 1`);
    const undone = await c.shard(['move', KEYSPACE, '-', '--to', `127.0.0.1:${nr.port}`, '--freeze-ms', '300']);
    assert.equal(undone.code, 1, undone.out);
    assert.match(undone.out, /did not apply .* within the freeze .*undone: app\/- is served by 127\.0\.0\.1:\d+ again/s);
    // The topology and the source are as before: serving, on A, writable.
    await passesEventually(async () => {
      await c.topology.start();
      const shard = c.topology.current().keyspaces[KEYSPACE].shards[0];
      assert.deepEqual([shard.name, shard.primary.port, shard.state], ['-', na.port, 'serving']);
    }, 5000);
    await c.sql(a, `INSERT INTO ${TABLE} VALUES (3, 0)`);
    release();
    await locker.close();
    // Once the replica can apply again, the same move goes through.
    await c.caughtUp(r, a);
    const moved = await c.shard(['move', KEYSPACE, '-', '--to', `127.0.0.1:${nr.port}`]);
    assert.equal(moved.code, 0, moved.out);
    assert.deepEqual((await c.sql(r, `SELECT id, v FROM ${TABLE} ORDER BY id`)).map(([id, v]) => [Number(id), Number(v)]), [[1, 1], [2, 0], [3, 0]]);
    await c.sql(r, `INSERT INTO ${TABLE} VALUES (4, 0)`);
    await assert.rejects(c.sql(a, `INSERT INTO ${TABLE} VALUES (5, 0)`), /read-only/);
  } finally {
    await c.close();
  }
});

test('--replica-keyrange needs --topology and --replica-of, and a well-formed KEYSPACE/SHARD', { timeout: 60_000 }, async () => {
  await assert.rejects(startServerProcess({ args: ['--replica-keyrange', 'app/-80', '--replica-of', 'mizzle://root@127.0.0.1:1'] }), /--replica-keyrange app\/-80 needs --topology/);
  await assert.rejects(startServerProcess({ args: ['--replica-keyrange', 'app/-80'] }), /needs --replica-of/);
  await assert.rejects(startServerProcess({ args: ['--replica-keyrange', 'app', '--replica-of', 'mizzle://root@127.0.0.1:1', '--topology', '/nonexistent.json'] }), /'app' is not KEYSPACE\/SHARD/);
});

test('under super_read_only a transaction that wrote does not commit (a frozen primary cannot acknowledge a write its successor lacks)', { timeout: 60_000 }, async () => {
  const c = await ShardCluster.open();
  try {
    const n = await c.nativePort();
    await c.writeTopology(n);
    const a = await c.start(n);
    await c.sql(a, `CREATE DATABASE ${KEYSPACE}`);
    await c.sql(a, `CREATE TABLE ${TABLE} (id BIGINT PRIMARY KEY, v INT NOT NULL)`);
    const client = connect(`mizzle://root@127.0.0.1:${n.port}/?maxRedirects=0`);
    try {
      await assert.rejects(client.transaction(async (tx) => {
        await tx.query(`INSERT INTO ${TABLE} VALUES (1, 0)`);
        await c.sql(a, 'SET GLOBAL super_read_only = 1');
      }), (e: Error & { code?: number }) => e.code === 1290 && /super-read-only .*rolled back/.test(e.message));
      // A transaction that only read still ends normally.
      await client.transaction(async (tx) => {
        await tx.query(`SELECT * FROM ${TABLE}`);
      });
      await c.sql(a, 'SET GLOBAL super_read_only = 0');
      assert.deepEqual(await c.sql(a, `SELECT id FROM ${TABLE}`), []);
    } finally {
      await client.close();
    }
  } finally {
    await c.close();
  }
});
