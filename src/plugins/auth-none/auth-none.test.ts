// Tests of auth-none: loopback clients in, others out unless allow_remote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { ConfigError } from '../../kernel/config.js';
import { silentLogger } from '../../kernel/logger.js';
import type { Authenticator, KernelApi } from '../../kernel/plugin.js';
import { startServerProcess } from '../../testing/server-process.js';
import { plugin } from './index.js';

function init(options: Record<string, boolean>, bindAddress = '127.0.0.1'): Authenticator {
  const kernel = { getGlobalVariable: (name: string) => (name === 'bind_address' ? bindAddress : null) } as KernelApi;
  return plugin.init({ options, datadir: '/nonexistent', log: silentLogger, kernel }) as Authenticator;
}

test('loopback clients are allowed with any user name', async () => {
  const a = init({ allow_remote: false });
  assert.deepEqual(await a.authenticate({ user: 'anyone', host: '127.0.0.1', loopback: true, transport: { tls: false } }), { kind: 'allow' });
  assert.deepEqual(await a.authenticate({ user: '', host: '::1', loopback: true, transport: { tls: false } }), { kind: 'allow' });
});

test('remote clients are denied with a reason, unless allow_remote', async () => {
  const d = await init({ allow_remote: false }).authenticate({ user: 'root', host: '10.1.2.3', loopback: false, transport: { tls: false } });
  assert.equal(d.kind, 'deny');
  assert.match(d.kind === 'deny' ? d.reason : '', /only loopback.*10\.1\.2\.3.*allow_remote/);
  assert.deepEqual(await init({ allow_remote: true }).authenticate({ user: 'root', host: '10.1.2.3', loopback: false, transport: { tls: false } }), { kind: 'allow' });
});

test('manifest: an authentication plugin, on by default, with allow_remote=false', () => {
  assert.equal(plugin.manifest.kind, 'authentication');
  assert.equal(plugin.manifest.defaultEnabled, true);
  assert.deepEqual(plugin.manifest.options.map((o) => [o.name, o.default]), [['allow_remote', false]]);
});

test('init refuses a non-loopback bind address unless allow_remote', () => {
  for (const bind of ['0.0.0.0', '::', '192.0.2.10', '']) {
    assert.throws(() => init({ allow_remote: false }, bind), (e: Error) => e instanceof ConfigError && /non-loopback bind address/.test(e.message), bind);
    assert.doesNotThrow(() => init({ allow_remote: true }, bind));
  }
  for (const bind of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost']) assert.doesNotThrow(() => init({ allow_remote: false }, bind), bind);
});

test('mizzle --bind=0.0.0.0 with auth-none exits non-zero and says why; with allow_remote it starts', async () => {
  await assert.rejects(startServerProcess({ args: ['--bind=0.0.0.0'] }), (e: Error) => /exited with [1-9]/.test(e.message) && /auth-none .*refuses to start with a non-loopback bind address \(0\.0\.0\.0\)/.test(e.message));
  const server = await startServerProcess({ args: ['--bind=0.0.0.0', '--auth-none.allow_remote=true'] });
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    const [rows] = await c.query('select @@bind_address as b, @@auth_none_allow_remote as r');
    assert.deepEqual(rows, [{ b: '0.0.0.0', r: 'ON' }]);
    await c.end();
    assert.match(server.log(), /allow_remote is on/);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
