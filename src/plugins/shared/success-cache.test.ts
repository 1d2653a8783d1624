// Tests of the success cache: hits only for the same user and password, expiry, size bound, no clear text kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { SuccessCache } from './success-cache.js';
import { LocalMap } from '../../kernel/shared-maps.js';

test('a remembered success answers the same password only, until it expires', async () => {
  let now = 1000;
  const store = new LocalMap(100);
  const cache = new SuccessCache(5000, store, () => now);
  await cache.remember('alice', 'right', await cache.generation());
  assert.equal(await cache.has('alice', 'right'), true);
  assert.equal(await cache.has('alice', 'wrong'), false);
  assert.equal(await cache.has('alice', ''), false);
  assert.equal(await cache.has('bob', 'right'), false);
  now += 4999;
  assert.equal(await cache.has('alice', 'right'), true);
  now += 1;
  assert.equal(await cache.has('alice', 'right'), false);
  assert.equal(store.size, 0, 'the expired entry is dropped');
});

test('ttl 0 disables it; the size is bounded, oldest out first; clear empties it', async () => {
  const off = new SuccessCache(0);
  await off.remember('alice', 'pw', await off.generation());
  assert.equal(await off.has('alice', 'pw'), false);
  const bounded = new LocalMap(2);
  const small = new SuccessCache(60_000, bounded);
  await small.remember('a', '1', await small.generation());
  await small.remember('b', '2', await small.generation());
  await small.remember('c', '3', await small.generation());
  assert.equal(bounded.size, 2);
  assert.equal(await small.has('a', '1'), false);
  assert.equal(await small.has('c', '3'), true);
  await small.clear();
  assert.equal(await small.has('c', '3'), false);
});

test('the password is not kept in clear, and the same password gets a different digest each time', async () => {
  const cache = new SuccessCache(60_000);
  await cache.remember('alice', 'very-secret-password', await cache.generation());
  const dump = inspect(cache, { depth: 10, showHidden: true });
  assert.ok(!dump.includes('very-secret-password'));
  assert.ok(!dump.includes(Buffer.from('very-secret-password').toString('hex')));
  const first = dump;
  await cache.remember('alice', 'very-secret-password', await cache.generation());
  assert.notEqual(inspect(cache, { depth: 10, showHidden: true }), first);
});

test('a success checked before a clear is not stored after it; one checked after is', async () => {
  const store = new LocalMap(100);
  const cache = new SuccessCache(60_000, store);
  const before = await cache.generation();
  await cache.clear();
  await cache.remember('alice', 'pw', before);
  assert.equal(await cache.has('alice', 'pw'), false, 'the clear came between the check and its result');
  assert.equal(store.size, 0);
  await cache.remember('alice', 'pw', await cache.generation());
  assert.equal(await cache.has('alice', 'pw'), true);
});
