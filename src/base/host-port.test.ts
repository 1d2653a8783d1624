// host:port text and URL hosts: IPv6 literals with and without brackets, bad ports refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostPortText, readHostPort, urlHost } from './host-port.js';

test('host:port reads names, IPv4 and bracketed IPv6, and refuses ports outside 1..65535', () => {
  assert.deepEqual(readHostPort(' db1:4406 '), { host: 'db1', port: 4406 });
  assert.deepEqual(readHostPort('[::1]:3306'), { host: '::1', port: 3306 });
  assert.equal(readHostPort('db1:0'), undefined);
  assert.equal(readHostPort('db1:65536'), undefined);
  assert.equal(readHostPort('::1:3306'), undefined);
  assert.equal(hostPortText({ host: '::1', port: 3306 }), '[::1]:3306');
  assert.equal(hostPortText({ host: 'db1', port: 4406 }), 'db1:4406');
});

test('a URL host loses the brackets of an IPv6 literal, and only those', () => {
  assert.equal(urlHost(new URL('mizzle://root@[::1]:4406/')), '::1');
  assert.equal(urlHost(new URL('mysql://db.example.com:3306/app')), 'db.example.com');
  assert.equal(urlHost(new URL('ldaps://10.0.0.7')), '10.0.0.7');
  assert.equal(urlHost(new URL('mysql:///app')), '');
});
