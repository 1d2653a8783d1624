// The etcd topology against a real 3-member etcd cluster: watchers hear changes within a second, concurrent writers take turns, bad values are ignored, and routing survives members (or all of etcd) going down.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Etcd3 } from 'etcd3';
import { EtcdTopology, parseEtcdAddress } from './etcd-topology.js';
import { TopologyUnavailableError } from './topology-source.js';
import type { KeyspaceTopology, Topology } from './topology.js';
import { etcdAvailable, startEtcdCluster, type EtcdCluster } from '../testing/etcd-cluster.js';

const skip = etcdAvailable() ? false : '/usr/bin/etcd is not installed (apt-get install etcd-server)';

let cluster: EtcdCluster;
const opened: EtcdTopology[] = [];
const warnings: string[] = [];

before(async () => {
  if (!skip) cluster = await startEtcdCluster({ members: 3 });
});

after(async () => {
  for (const t of opened) await t.close();
  await cluster?.stop();
});

async function open(address = cluster.address): Promise<EtcdTopology> {
  const t = new EtcdTopology(address, { log: (m) => warnings.push(m) });
  opened.push(t);
  await t.start();
  return t;
}

function keyspace(name: string, primaryPort: number, shards = ['-80', '80-']): KeyspaceTopology {
  return { name, sharding: { function: 'hash' }, tables: { t: { shardKey: 'id' } }, shards: shards.map((s, i) => ({ name: s, primary: { host: '127.0.0.1', port: primaryPort + i }, replicas: [], state: 'serving' })) };
}

async function waitFor(what: string, ok: () => boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return Date.now() - start;
}

function rawClient(endpoints = cluster.endpoints): Etcd3 {
  return new Etcd3({ hosts: endpoints });
}

test('parseEtcdAddress takes members and a prefix, and names what is wrong', () => {
  assert.deepEqual(parseEtcdAddress('etcd://h1:2379,h2:2380/app/x'), { hosts: ['h1:2379', 'h2:2380'], prefix: '/app/x/' });
  assert.deepEqual(parseEtcdAddress('etcd://h1'), { hosts: ['h1:2379'], prefix: '/mizzle/' });
  assert.deepEqual(parseEtcdAddress('etcd://[::1]:2379/'), { hosts: ['[::1]:2379'], prefix: '/mizzle/' });
  assert.throws(() => parseEtcdAddress('etcd:///p'), /bad etcd address 'etcd:\/\/\/p': no etcd members/);
  assert.throws(() => parseEtcdAddress('etcd://h1:99999/p'), /port 99999 is not 1..65535/);
  assert.throws(() => parseEtcdAddress('etcd://h 1:2379/p'), /'h 1:2379' is not host:port/);
  assert.throws(() => parseEtcdAddress('http://h1:2379'), /must start with 'etcd:\/\/'/);
  assert.throws(() => parseEtcdAddress('etcd://h1//p'), /prefix must be a path/);
});

test('start rejects with TopologyUnavailableError when no member answers', { skip }, async () => {
  const t = new EtcdTopology('etcd://127.0.0.1:1/nothing/');
  const started = Date.now();
  await assert.rejects(t.start(), (e: Error) => e instanceof TopologyUnavailableError && /cannot read the topology/.test(e.message));
  assert.ok(Date.now() - started < 8000, `gave up after ${Date.now() - started} ms`);
  await t.close();
});

test('a watcher hears an update within a second, and a delete', { skip }, async () => {
  const writer = await open();
  const reader = await open();
  let heard: Topology | undefined;
  let heardAt = 0;
  reader.onChange((t) => {
    heard = t;
    heardAt = Date.now();
  });
  const written = await writer.update('shop', () => keyspace('shop', 5000));
  const wroteAt = Date.now();
  assert.deepEqual(written, keyspace('shop', 5000));
  await waitFor('the reader hears the new keyspace', () => heard?.keyspaces.shop !== undefined, 1000);
  assert.ok(heardAt - wroteAt < 1000, `heard ${heardAt - wroteAt} ms after the write`);
  process.stderr.write(`a watcher heard the change ${Math.max(0, heardAt - wroteAt)} ms after the write was acknowledged\n`);
  assert.deepEqual(reader.current().keyspaces.shop, keyspace('shop', 5000));
  assert.equal(reader.reachable(), true);
  // The writer's own view changes at once.
  assert.deepEqual(writer.current().keyspaces.shop, keyspace('shop', 5000));

  await writer.update('shop', () => undefined);
  await waitFor('the reader hears the delete', () => heard?.keyspaces.shop === undefined, 1000);
  // A fresh reader starts from what is stored.
  await writer.update('shop', () => keyspace('shop', 5100));
  const late = await open();
  assert.deepEqual(late.current().keyspaces.shop, keyspace('shop', 5100));
});

test('update creates only when absent and validates before writing', { skip }, async () => {
  const t = await open();
  await t.update('valid', () => keyspace('valid', 6000));
  await assert.rejects(t.update('valid', () => keyspace('valid', 6000, ['-80', '40-'])), /overlaps/);
  await assert.rejects(t.update('valid', () => keyspace('other', 6000)), /renames it to 'other'/);
  await assert.rejects(t.update('bad name!', () => undefined), /not a keyspace name/);
  // etcd's own refusal (a value over its 1.5 MiB request limit) is reported as such, not as an outage.
  const lookup: Record<string, string> = {};
  for (let i = 0; i < 80_000; i++) lookup[`tenant-${i}`] = '80';
  await assert.rejects(t.update('valid', () => ({ ...keyspace('valid', 6000), sharding: { function: 'lookup', lookup } })), (e: Error) => !(e instanceof TopologyUnavailableError) && /refused the change: .*too large/.test(e.message));
  assert.equal(t.reachable(), true);
  // The rejected changes wrote nothing.
  const raw = rawClient();
  const stored = await raw.get(`${parseEtcdAddress(cluster.address).prefix}keyspaces/valid`).json();
  raw.close();
  assert.deepEqual(stored, keyspace('valid', 6000));
});

test('two concurrent updaters both succeed, one after the other (compare-and-swap retried)', { skip }, async () => {
  const a = await open();
  const b = await open();
  await a.update('counter', () => keyspace('counter', 1000));
  const bump = (t: EtcdTopology) => t.update('counter', (cur) => {
    assert.ok(cur);
    return { ...cur, shards: cur.shards.map((s) => ({ ...s, primary: { ...s.primary, port: s.primary.port + 1 } })) };
  });
  // Each bump reads the port and adds one: a lost update would leave fewer than 2×10 increments.
  const rounds = 10;
  await Promise.all([a, b].map(async (t) => {
    for (let i = 0; i < rounds; i++) await bump(t);
  }));
  const stored = await open();
  assert.equal(stored.current().keyspaces.counter.shards[0].primary.port, 1000 + 2 * rounds);
  await waitFor('both see the final value', () => a.current().keyspaces.counter.shards[0].primary.port === 1020 && b.current().keyspaces.counter.shards[0].primary.port === 1020, 2000);
});

test('a bad value written to etcd is ignored, keeping the last good keyspace', { skip }, async () => {
  const reader = await open();
  const writer = await open();
  await writer.update('guarded', () => keyspace('guarded', 7000));
  await waitFor('reader has it', () => reader.current().keyspaces.guarded !== undefined, 1000);
  const key = `${parseEtcdAddress(cluster.address).prefix}keyspaces/guarded`;
  const raw = rawClient();
  const before = warnings.length;
  await raw.put(key).value('{not json');
  await raw.put(key).value(JSON.stringify(keyspace('guarded', 7000, ['-80', '40-'])));
  await raw.put(key).value(JSON.stringify(keyspace('elsewhere', 7000)));
  await raw.put(`${parseEtcdAddress(cluster.address).prefix}keyspaces/bad!name`).value('{}');
  await waitFor('each open source warns of the three bad values', () => warnings.length >= before + 6, 2000);
  assert.match(warnings.slice(before).join('\n'), /ignoring a bad value for keyspace guarded .*keeping the last good one/);
  assert.match(warnings.slice(before).join('\n'), /overlaps/);
  assert.deepEqual(reader.current().keyspaces.guarded, keyspace('guarded', 7000));
  // A process starting now sees no keyspace there rather than crashing.
  const fresh = await open();
  assert.equal(fresh.current().keyspaces.guarded, undefined);
  // An update replaces the bad value (its change sees nothing stored).
  await writer.update('guarded', (cur) => {
    assert.equal(cur, undefined);
    return keyspace('guarded', 7100);
  });
  await waitFor('reader has the repaired keyspace', () => reader.current().keyspaces.guarded?.shards[0].primary.port === 7100, 1000);
  raw.close();
});

/** The index of the member that leads the cluster now. */
async function leaderIndex(): Promise<number> {
  for (let i = 0; i < cluster.endpoints.length; i++) {
    const one = rawClient([cluster.endpoints[i]]);
    try {
      const status = await one.maintenance.status();
      if (status.leader === status.header.member_id) return i;
    } finally {
      one.close();
    }
  }
  throw new Error('no member says it leads');
}

test('the leader killed: reads and updates continue; a reader of that member alone catches up when it returns', { skip }, async () => {
  const writer = await open();
  const reader = await open();
  const victim = await leaderIndex();
  const survivors = cluster.endpoints.filter((_, i) => i !== victim);
  const onlyVictim = await open(`etcd://${cluster.endpoints[victim].replace('http://', '')}${parseEtcdAddress(cluster.address).prefix}`);
  await writer.update('survivor', () => keyspace('survivor', 8000));
  await waitFor('the lone-member reader has it', () => onlyVictim.current().keyspaces.survivor !== undefined, 1000);

  await cluster.kill(victim);
  const killedAt = Date.now();
  // Routing goes on with what is known.
  assert.deepEqual(reader.current().keyspaces.survivor, keyspace('survivor', 8000));
  // The two remaining members are a quorum: once they elect a leader, a change goes through.
  let changed;
  for (let attempt = 1; ; attempt++) {
    try {
      changed = await writer.update('survivor', () => keyspace('survivor', 8100));
      break;
    } catch (e) {
      // The election takes an election timeout or two; a refusal meanwhile must say etcd is unavailable.
      assert.ok(e instanceof TopologyUnavailableError, String(e));
      assert.ok(attempt < 5, `still refused after ${attempt} attempts: ${(e as Error).message}`);
    }
  }
  const acknowledgedAt = Date.now();
  assert.equal(changed?.shards[0].primary.port, 8100);
  const took = await waitFor('the reader hears the change', () => reader.current().keyspaces.survivor.shards[0].primary.port === 8100, 5000);
  process.stderr.write(`leader down: update acknowledged ${acknowledgedAt - killedAt} ms after the kill, heard ${took} ms later\n`);
  assert.equal(reader.reachable(), true);
  await waitFor('the lone-member reader notices', () => !onlyVictim.reachable(), 4000);
  assert.equal(onlyVictim.current().keyspaces.survivor.shards[0].primary.port, 8000);

  // Compact the history past that reader's revision: on return it must re-read, not replay.
  const raw = rawClient(survivors);
  await writer.update('survivor', () => keyspace('survivor', 8200));
  const head = await raw.get('anything').exec();
  await raw.kv.compact({ revision: head.header.revision, physical: true });
  raw.close();

  const warned = warnings.length;
  await cluster.restart(victim);
  await waitFor('the lone-member reader catches up', () => onlyVictim.current().keyspaces.survivor?.shards[0].primary.port === 8200, 10000);
  await waitFor('and says etcd answers', () => onlyVictim.reachable(), 5000);
  // And it follows new changes again.
  await writer.update('survivor', () => keyspace('survivor', 8300));
  await waitFor('the lone-member reader hears a new change', () => onlyVictim.current().keyspaces.survivor.shards[0].primary.port === 8300, 1000);
  // Its old watch, resumed at a compacted revision, is cancelled by etcd and made anew; changes keep arriving through the new one.
  await waitFor('the compacted watch is replaced', () => warnings.slice(warned).some((w) => /the watch was cancelled by etcd/.test(w)), 5000);
  await writer.update('survivor', () => keyspace('survivor', 8400));
  await waitFor('the lone-member reader hears a change through its new watch', () => onlyVictim.current().keyspaces.survivor.shards[0].primary.port === 8400, 1000);
});

test('etcd without a quorum (2 of 3 members down): changes are refused within 3 s, reads go on', { skip }, async () => {
  const writer = await open();
  const reader = await open();
  await writer.update('quorum', () => keyspace('quorum', 9500));
  await waitFor('reader has it', () => reader.current().keyspaces.quorum !== undefined, 1000);
  await Promise.all([1, 2].map((i) => cluster.kill(i)));
  const started = Date.now();
  await assert.rejects(writer.update('quorum', () => keyspace('quorum', 9600)), (e: Error) => e instanceof TopologyUnavailableError && /did not take the change|cannot take the change/.test(e.message));
  const refusedIn = Date.now() - started;
  process.stderr.write(`no quorum: update refused in ${refusedIn} ms\n`);
  assert.ok(refusedIn < 3000, `refused after ${refusedIn} ms`);
  await waitFor('reachable() turns false', () => !reader.reachable(), 4000);
  assert.equal(reader.current().keyspaces.quorum.shards[0].primary.port, 9500);
  await Promise.all([1, 2].map((i) => cluster.restart(i)));
  await writer.update('quorum', () => keyspace('quorum', 9700));
  await waitFor('the reader hears the change after the quorum returns', () => reader.current().keyspaces.quorum.shards[0].primary.port === 9700, 5000);
  await waitFor('reachable() again', () => reader.reachable(), 3000);
});

test('etcd entirely down: the last known topology stays, changes are refused quickly; on return the watch resumes and catches up', { skip }, async () => {
  const writer = await open();
  const reader = await open();
  await writer.update('steady', () => keyspace('steady', 9000));
  await waitFor('reader has it', () => reader.current().keyspaces.steady !== undefined, 1000);
  const known = reader.current();

  await Promise.all([0, 1, 2].map((i) => cluster.kill(i)));
  await waitFor('reachable() turns false', () => !reader.reachable(), 3000);
  assert.equal(reader.current(), known);
  const started = Date.now();
  await assert.rejects(writer.update('steady', () => keyspace('steady', 9100)), (e: Error) => e instanceof TopologyUnavailableError);
  const refusedIn = Date.now() - started;
  process.stderr.write(`etcd down: update refused in ${refusedIn} ms\n`);
  assert.ok(refusedIn < 3000, `refused after ${refusedIn} ms`);
  assert.deepEqual(writer.current().keyspaces.steady, keyspace('steady', 9000));

  // Each member needs a quorum to call itself healthy, so they come back together.
  await Promise.all([0, 1, 2].map((i) => cluster.restart(i)));
  // A change made by someone else right away, before the readers reconnect.
  const raw = rawClient();
  await raw.put(`${parseEtcdAddress(cluster.address).prefix}keyspaces/steady`).value(JSON.stringify(keyspace('steady', 9200)));
  await raw.put(`${parseEtcdAddress(cluster.address).prefix}keyspaces/newcomer`).value(JSON.stringify(keyspace('newcomer', 9300)));
  raw.close();
  const back = await waitFor('the reader catches up', () => reader.current().keyspaces.steady.shards[0].primary.port === 9200 && reader.current().keyspaces.newcomer !== undefined, 15000);
  process.stderr.write(`etcd back: the reader caught up ${back} ms after the cluster was healthy\n`);
  await waitFor('reachable() again', () => reader.reachable(), 5000);
  await writer.update('steady', () => keyspace('steady', 9400));
  await waitFor('the watch follows changes again', () => reader.current().keyspaces.steady.shards[0].primary.port === 9400, 1000);
});

test('close leaves nothing that keeps the process alive', { skip }, async () => {
  // Every source opened above is closed in after(); this one is opened and closed in a child that must exit by itself.
  const { spawnSync } = await import('node:child_process');
  const script = `import('${new URL('./etcd-topology.js', import.meta.url).href}').then(async ({ EtcdTopology }) => { const t = new EtcdTopology('${cluster.address}'); await t.start(); await t.close(); })`;
  const started = Date.now();
  const r = spawnSync(process.execPath, ['-e', script], { timeout: 15000, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Date.now() - started < 10000, `the child took ${Date.now() - started} ms to exit`);
});
