// Tests of RelayOrder: the workers' batches merged by their numbers, a gap waited for (bounded), late events delivered.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { RelayOrder } from './relay-order.js';
import type { RelayedEvent } from './messages.js';

/** An audit event standing for number `n` (only its user is looked at). */
const ev = (n: number): RelayedEvent => ({ event: 'connect', time: new Date(0), sessionId: n, user: `u${n}`, host: 'h', protocol: 'mysql' }) as unknown as RelayedEvent;
const users = (events: RelayedEvent[]) => events.map((e) => (e as { user: string }).user);

test('batches from two workers come out in the order of their numbers, whichever batch arrives first', () => {
  const out: string[] = [];
  const order = new RelayOrder(2, (events) => out.push(...users(events)), 60_000);
  order.received(1, [1, 3], [ev(1), ev(3)]);
  assert.deepEqual(out, [], 'number 0 is missing: nothing goes out');
  order.received(0, [0, 2, 4], [ev(0), ev(2), ev(4)]);
  assert.deepEqual(out, ['u0', 'u1', 'u2', 'u3', 'u4']);
  order.received(1, [5], [ev(5)]);
  assert.deepEqual(out.at(-1), 'u5');
  order.flush();
});

test('a number that never comes holds the others back for the gap time only; it is delivered when it comes after all', async () => {
  const out: string[] = [];
  const order = new RelayOrder(2, (events) => out.push(...users(events)), 30);
  order.received(0, [1, 2], [ev(1), ev(2)]);
  assert.deepEqual(out, []);
  await sleep(80);
  assert.deepEqual(out, ['u1', 'u2']);
  order.received(1, [0, 3], [ev(0), ev(3)]);
  assert.deepEqual(out, ['u1', 'u2', 'u0', 'u3'], 'the late one at once, then the next in order');
  order.flush();
});

test('flush delivers everything held, in order; numbers wrap below 2^32', () => {
  const out: string[] = [];
  const order = new RelayOrder(2, (events) => out.push(...users(events)), 60_000);
  order.received(0, [5, 7], [ev(5), ev(7)]);
  order.received(1, [6], [ev(6)]);
  order.flush();
  assert.deepEqual(out, ['u5', 'u6', 'u7']);
  const wrapping = new RelayOrder(1, (events) => out.push(...users(events)), 60_000);
  wrapping.flush();
  out.length = 0;
  const w = new RelayOrder(2, (events) => out.push(...users(events)), 60_000);
  w.received(0, [0xfffffffe], [ev(1)]);
  w.received(1, [0xffffffff, 0], [ev(2), ev(3)]);
  w.flush();
  assert.deepEqual(out, ['u1', 'u2', 'u3']);
});

test('a gap that opens after delivery moved on gets the whole gap time, not what was left of an earlier wait', async () => {
  const out: string[] = [];
  const order = new RelayOrder(2, (events) => out.push(...users(events)), 150);
  // Number 0 is missing for a while; worker 1's events wait.
  order.received(1, [1, 3], [ev(1), ev(3)]);
  await sleep(100);
  // 0 arrives: 0 and 1 go out, and now 2 is missing (worker 0 has it, its batch not sent yet).
  order.received(0, [0], [ev(0)]);
  assert.deepEqual(out, ['u0', 'u1']);
  // The first wait's timer would have fired 50 ms from here; the new gap must still be waited for.
  await sleep(80);
  assert.deepEqual(out, ['u0', 'u1'], 'number 3 is not sent ahead of 2 before the gap time');
  order.received(0, [2], [ev(2)]);
  assert.deepEqual(out, ['u0', 'u1', 'u2', 'u3']);
  order.flush();
});
