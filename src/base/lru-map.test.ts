import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LruMap } from './lru-map.js';

test('the least recently read or written entry is the one evicted', () => {
  const m = new LruMap<string, number>(3);
  m.set('a', 1);
  m.set('b', 2);
  m.set('c', 3);
  assert.equal(m.get('a'), 1); // order now b, c, a
  assert.equal(m.get('a'), 1); // read again while newest: order unchanged
  assert.deepEqual(m.set('d', 4), ['b', 2]);
  assert.equal(m.get('c'), 3); // order a, d, c
  assert.deepEqual(m.set('e', 5), ['a', 1]);
  assert.deepEqual([...m.values()], [4, 3, 5]);
});

test('taking or clearing the newest entry leaves reads reordering correctly', () => {
  const m = new LruMap<string, number>(2);
  m.set('a', 1);
  m.set('b', 2);
  assert.equal(m.take('b'), 2);
  m.set('c', 3); // order a, c
  assert.equal(m.get('a'), 1); // order c, a
  assert.deepEqual(m.set('d', 4), ['c', 3]);
  assert.deepEqual(m.clear(), [1, 4]);
  m.set('x', 9);
  m.set('y', 8);
  assert.equal(m.get('x'), 9); // order y, x
  assert.deepEqual(m.set('z', 7), ['y', 8]);
  assert.equal(m.get('missing'), undefined);
});
