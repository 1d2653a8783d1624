// Tests of auth-none: loopback clients in, others out unless allow_remote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../kernel/logger.js';
import type { Authenticator, KernelApi } from '../../kernel/plugin.js';
import { plugin } from './index.js';

function init(options: Record<string, boolean>): Authenticator {
  return plugin.init({ options, datadir: '/nonexistent', log: silentLogger, kernel: {} as KernelApi }) as Authenticator;
}

test('loopback clients are allowed with any user name', async () => {
  const a = init({ allow_remote: false });
  assert.deepEqual(await a.authenticate({ user: 'anyone', host: '127.0.0.1', loopback: true }), { kind: 'allow' });
  assert.deepEqual(await a.authenticate({ user: '', host: '::1', loopback: true }), { kind: 'allow' });
});

test('remote clients are denied with a reason, unless allow_remote', async () => {
  const d = await init({ allow_remote: false }).authenticate({ user: 'root', host: '10.1.2.3', loopback: false });
  assert.equal(d.kind, 'deny');
  assert.match(d.kind === 'deny' ? d.reason : '', /only loopback.*10\.1\.2\.3.*allow_remote/);
  assert.deepEqual(await init({ allow_remote: true }).authenticate({ user: 'root', host: '10.1.2.3', loopback: false }), { kind: 'allow' });
});

test('manifest: an authentication plugin, on by default, with allow_remote=false', () => {
  assert.equal(plugin.manifest.kind, 'authentication');
  assert.equal(plugin.manifest.defaultEnabled, true);
  assert.deepEqual(plugin.manifest.options.map((o) => [o.name, o.default]), [['allow_remote', false]]);
});
