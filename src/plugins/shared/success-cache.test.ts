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
  await cache.remember('alice', 'right');
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
  await off.remember('alice', 'pw');
  assert.equal(await off.has('alice', 'pw'), false);
  const bounded = new LocalMap(2);
  const small = new SuccessCache(60_000, bounded);
  await small.remember('a', '1');
  await small.remember('b', '2');
  await small.remember('c', '3');
  assert.equal(bounded.size, 2);
  assert.equal(await small.has('a', '1'), false);
  assert.equal(await small.has('c', '3'), true);
  await small.clear();
  assert.equal(await small.has('c', '3'), false);
});

test('the password is not kept in clear, and the same password gets a different digest each time', async () => {
  const cache = new SuccessCache(60_000);
  await cache.remember('alice', 'very-secret-password');
  const dump = inspect(cache, { depth: 10, showHidden: true });
  assert.ok(!dump.includes('very-secret-password'));
  assert.ok(!dump.includes(Buffer.from('very-secret-password').toString('hex')));
  const first = dump;
  await cache.remember('alice', 'very-secret-password');
  assert.notEqual(inspect(cache, { depth: 10, showHidden: true }), first);
});
