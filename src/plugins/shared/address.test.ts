// Tests of client address handling: the host shown to users and the loopback check auth-none relies on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clientHost, isLoopbackAddress } from './address.js';

test('loopback addresses', () => {
  for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopbackAddress(a), a);
  for (const a of ['10.0.0.1', '128.0.0.1', '::2', '::ffff:10.0.0.1', '1127.0.0.1', 'unknown']) assert.ok(!isLoopbackAddress(a), a);
});

test('IPv4-mapped IPv6 addresses are shown as IPv4', () => {
  assert.equal(clientHost('::ffff:10.0.0.7'), '10.0.0.7');
  assert.equal(clientHost('fe80::1'), 'fe80::1');
  assert.equal(clientHost(undefined), 'unknown');
});
