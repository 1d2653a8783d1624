import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyspaceIdFromHex, parseShardName, shardNameOf, splitRange, KEYSPACE_ID_MAX } from './keyspace-id.js';
import { hashKeyspaceId } from './functions/hash.js';
import { rangeKeyspaceId } from './functions/range.js';
import { shardKeyBytes } from './shard-key.js';
import { parseTopology, ResolvedKeyspace, TopologyError } from './topology.js';
import { FileTopology } from './file-topology.js';

const ks = (shards: string[], sharding: object = { function: 'hash' }) => ({
  name: 'app',
  sharding,
  tables: { users: { shardKey: 'id' }, countries: { reference: true } },
  shards: shards.map((name, i) => ({ name, primary: { host: '127.0.0.1', port: 4400 + i } })),
});

test('shard names and key ranges read back and split evenly', () => {
  assert.deepEqual(parseShardName('-80'), { start: 0n, end: 0x8000000000000000n });
  assert.deepEqual(parseShardName('80-'), { start: 0x8000000000000000n, end: undefined });
  assert.equal(shardNameOf(parseShardName('40-c0')), '40-c0');
  assert.equal(keyspaceIdFromHex('c0'), 0xc000000000000000n);
  assert.deepEqual(splitRange(parseShardName('-'), 4).map(shardNameOf), ['-40', '40-80', '80-c0', 'c0-']);
  assert.deepEqual(splitRange(parseShardName('80-'), 2).map(shardNameOf), ['80-c0', 'c0-']);
  assert.throws(() => parseShardName('80-40'), /ends before/);
  assert.throws(() => parseShardName('zz-'), /not a shard name/);
});

test('keys route alike whatever type carries them, and hash is SHA-256 of the canonical text', () => {
  assert.deepEqual(shardKeyBytes(42), shardKeyBytes(42n));
  assert.deepEqual(shardKeyBytes('0042'), shardKeyBytes(42));
  assert.notDeepEqual(shardKeyBytes('A'), shardKeyBytes('a'));
  // sha256("42") = 73475cb40a568e8d…
  assert.equal(hashKeyspaceId(shardKeyBytes(42)), 0x73475cb40a568e8dn);
});

test('range keeps key order, negatives first', () => {
  const ids = [-5, -1, 0, 1, 1000, 2 ** 40].map((n) => rangeKeyspaceId(shardKeyBytes(n)));
  assert.deepEqual([...ids].sort((a, b) => (a < b ? -1 : 1)), ids);
  assert.equal(rangeKeyspaceId(shardKeyBytes(0)), 0x8000000000000000n);
  assert.ok(rangeKeyspaceId(shardKeyBytes('apple')) < rangeKeyspaceId(shardKeyBytes('banana')));
});

test('a keyspace resolves keys to the shard whose range holds their id', () => {
  const t = parseTopology({ keyspaces: { app: ks(['-40', '40-80', '80-']) } });
  const r = new ResolvedKeyspace(t.keyspaces.app);
  for (let k = 0; k < 200; k++) {
    const id = r.keyspaceId(k);
    const s = r.shardForKey(k);
    assert.ok(id >= s.range.start && (s.range.end === undefined || id < s.range.end), `key ${k}`);
  }
  assert.equal(r.shardForId(0n).name, '-40');
  assert.equal(r.shardForId(KEYSPACE_ID_MAX).name, '80-');
  assert.equal(r.shardForId(0x4000000000000000n).name, '40-80');
  assert.deepEqual(r.tableRule('USERS'), { shardKey: 'id' });
  assert.deepEqual(r.tableRule('countries'), { reference: true });
  assert.equal(r.tableRule('other'), undefined);
});

test('lookup places listed keys and hashes the rest', () => {
  const r = new ResolvedKeyspace(parseTopology([ks(['-80', '80-'], { function: 'lookup', lookup: { '7': 'f0' } })]).keyspaces.app);
  assert.equal(r.shardForKey(7).name, '80-');
  assert.equal(r.keyspaceId(8), hashKeyspaceId(shardKeyBytes(8)));
});

test('a topology with a gap, an overlap, no end or a bad field is refused with the reason', () => {
  assert.throws(() => parseTopology([ks(['-40', '80-'])]), (e: Error) => e instanceof TopologyError && /gap/.test(e.message));
  assert.throws(() => parseTopology([ks(['-80', '40-'])]), /overlaps/);
  assert.throws(() => parseTopology([ks(['-80'])]), /do not reach the end/);
  assert.throws(() => parseTopology([ks(['-'], { function: 'modulo' })]), /unknown sharding function 'modulo'/);
  assert.throws(() => parseTopology([{ ...ks(['-']), shards: [{ name: '-', primary: { host: 'h', port: 0 } }] }]), /port must be 1..65535/);
  assert.throws(() => parseTopology([ks(['-']), ks(['-'])]), /appears twice/);
});

test('a file topology is read, updated atomically and heard of by watchers', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-topo-'));
  const path = join(dir, 'topology.json');
  writeFileSync(path, JSON.stringify({ keyspaces: { app: ks(['-']) } }));
  const a = new FileTopology(path);
  const b = new FileTopology(path);
  await a.start();
  await b.start();
  try {
    // The file is polled without holding the process open; this timer does, and fails the test if b never hears.
    let timer: NodeJS.Timeout | undefined;
    const heard = new Promise<string[]>((resolve, reject) => {
      timer = setTimeout(() => reject(new Error('the change was not seen within a second')), 1000);
      b.onChange((t) => resolve(t.keyspaces.app.shards.map((s) => s.name)));
    }).finally(() => clearTimeout(timer));
    await a.update('app', (cur) => ({ ...cur!, shards: [{ ...cur!.shards[0], name: '-80' }, { ...cur!.shards[0], name: '80-' }] }));
    assert.deepEqual(await heard, ['-80', '80-']);
    await assert.rejects(a.update('app', (cur) => ({ ...cur!, shards: [cur!.shards[0]] })), /do not reach the end/);
    assert.equal(JSON.parse(readFileSync(path, 'utf8')).keyspaces.app.shards.length, 2);
  } finally {
    await a.close();
    await b.close();
  }
});
