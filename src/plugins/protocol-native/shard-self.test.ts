// Which topology addresses a server takes for itself: --shard-advertise exactly, else its bind and port with loopback and wildcard binds explained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selfMatcher } from './shard-self.js';

const addr = (host: string, port: number) => ({ host, port });

test('--shard-advertise: only that host:port (case-insensitive, brackets ignored), whatever the bind', () => {
  const isSelf = selfMatcher('DB1.example:4406', '0.0.0.0', 4406);
  assert.equal(isSelf(addr('db1.example', 4406)), true);
  assert.equal(isSelf(addr('db1.example', 4407)), false);
  assert.equal(isSelf(addr('127.0.0.1', 4406)), false, 'no loopback guess when the operator said who this is');
  const v6 = selfMatcher('[fd00::1]:5000', '::', 1);
  assert.equal(v6(addr('fd00::1', 5000)), true);
  assert.equal(v6(addr('[FD00::1]', 5000)), true);
  assert.throws(() => selfMatcher('db1.example', '127.0.0.1', 1), /not host:port/);
});

test('a loopback bind answers to every loopback name on its port; another address only to itself', () => {
  const isSelf = selfMatcher('', '127.0.0.1', 4406);
  for (const host of ['127.0.0.1', 'localhost', 'LOCALHOST', '::1', '[::1]']) assert.equal(isSelf(addr(host, 4406)), true, host);
  assert.equal(isSelf(addr('127.0.0.1', 4407)), false);
  assert.equal(isSelf(addr('10.1.2.3', 4406)), false);
  const lan = selfMatcher('', '10.1.2.3', 4406);
  assert.equal(lan(addr('10.1.2.3', 4406)), true);
  assert.equal(lan(addr('127.0.0.1', 4406)), false);
});

test('a wildcard bind answers to loopback names and this host\'s interface addresses, on its port', () => {
  const isSelf = selfMatcher('', '0.0.0.0', 4406);
  assert.equal(isSelf(addr('localhost', 4406)), true);
  assert.equal(isSelf(addr('127.0.0.1', 4406)), true);
  assert.equal(isSelf(addr('127.0.0.1', 4407)), false);
  assert.equal(isSelf(addr('192.0.2.77', 4406)), false, 'a documentation address is no interface of this host');
});
