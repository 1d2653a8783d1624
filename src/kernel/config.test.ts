// Configuration: precedence of files, conf.d, environment and flags; plugin sections and typing errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig, pluginOptionValues, unknownTopLevel } from './config.js';
import type { PluginManifest } from './plugin.js';

const proto: PluginManifest = {
  name: 'mysql', kind: 'protocol', version: '1', description: 'x', defaultEnabled: true,
  options: [
    { name: 'port', type: 'number', default: 3306, description: 'p', alias: 'port' },
    { name: 'bind', type: 'string', default: '127.0.0.1', description: 'b', alias: 'bind' },
  ],
};
const auth: PluginManifest = {
  name: 'auth-file', kind: 'authentication', version: '1', description: 'x', defaultEnabled: false,
  options: [{ name: 'users_file', type: 'string', default: 'users', description: 'u' }],
};

test('defaults, then mizzle.cnf, then conf.d in name order, then env, then flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cfg-'));
  try {
    writeFileSync(join(dir, 'mizzle.cnf'), '# main\ndatadir = /from/file\nport = 1111\n[auth-file]\nusers_file = from-file\n');
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', '10-a.cnf'), 'port = 2222\n');
    writeFileSync(join(dir, 'conf.d', '20-b.cnf'), '[auth-file]\nusers_file = "from-confd"\n');
    let c = loadConfig([], {}, dir, [proto, auth]);
    assert.equal(c.kernel.datadir, '/from/file');
    assert.equal(pluginOptionValues(proto, c.raw).port, 2222);
    assert.equal(pluginOptionValues(auth, c.raw).users_file, 'from-confd');
    c = loadConfig([], { MIZZLE_PORT: '3333', MIZZLE_AUTH_FILE__USERS_FILE: 'from-env' }, dir, [proto, auth]);
    assert.equal(pluginOptionValues(proto, c.raw).port, 3333);
    assert.equal(pluginOptionValues(auth, c.raw).users_file, 'from-env');
    c = loadConfig(['--port', '4444', '--auth-file.users_file=from-flag', '--datadir=rel'], { MIZZLE_PORT: '3333' }, dir, [proto, auth]);
    assert.equal(pluginOptionValues(proto, c.raw).port, 4444);
    assert.equal(pluginOptionValues(auth, c.raw).users_file, 'from-flag');
    assert.equal(c.kernel.datadir, join(dir, 'rel'));
    assert.deepEqual(unknownTopLevel(c.raw, [proto, auth]), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('mistakes are configuration errors that name their source', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cfg-'));
  try {
    const c = loadConfig(['--port', 'abc', '--prot', '1'], {}, dir, [proto]);
    assert.throws(() => pluginOptionValues(proto, c.raw), (e: unknown) => e instanceof ConfigError && /flag --port: mysql option 'port' needs a number/.test(e.message));
    assert.deepEqual(unknownTopLevel(c.raw, [proto]), ["flag --prot: unknown option 'prot'"]);
    const d = loadConfig(['--mysql.nope=1'], {}, dir, [proto]);
    assert.throws(() => pluginOptionValues(proto, d.raw), /plugin 'mysql' has no option 'nope'/);
    assert.throws(() => loadConfig(['--config', join(dir, 'missing.cnf')], {}, dir, [proto]), /does not exist/);
    assert.throws(() => loadConfig(['--port', '3310', 'shell'], {}, dir, [proto]), (e: unknown) => e instanceof ConfigError && /unexpected argument 'shell'/.test(e.message));
    assert.throws(() => loadConfig(['-P3310'], {}, dir, [proto]), /unexpected argument '-P3310'/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('plugin-add and plugin-remove add up across mizzle.cnf, conf.d snippets, env and flags', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cfg-'));
  try {
    writeFileSync(join(dir, 'mizzle.cnf'), 'plugin-add = auth-file\n');
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', '10-log.cnf'), '[mizzle]\nplugin-add = log-file\n');
    writeFileSync(join(dir, 'conf.d', '20-ops.cnf'), 'plugin-add = ops-http\nplugin-remove = memory\n');
    const c = loadConfig(['--plugin-add=filter-safe'], { MIZZLE_PLUGIN_ADD: 'log-syslog' }, dir, [proto, auth]);
    assert.deepEqual(String(c.kernel['plugin-add']).split(','), ['auth-file', 'log-file', 'ops-http', 'log-syslog', 'filter-safe']);
    assert.equal(c.kernel['plugin-remove'], 'memory');
    // Other options still take the last value.
    writeFileSync(join(dir, 'conf.d', '30-dir.cnf'), 'datadir = /a\n');
    assert.equal(loadConfig(['--datadir=/b'], {}, dir, [proto, auth]).kernel.datadir, '/b');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the replication filters add up like plugin-add, and a [replication] section holds kernel options', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cfg-'));
  try {
    writeFileSync(join(dir, 'mizzle.cnf'), '[replication]\nreplica-of = mizzle://root@p:4406\nreplicate-do-db = a\nreplicate_do_db = b\n');
    const c = loadConfig(['--replicate-do-db', 'c', '--replicate-do-db=d,e', '--replicate-ignore-table', 'a.t'], { MIZZLE_REPLICATE_DO_DB: 'x' }, dir, [proto, auth]);
    assert.equal(c.kernel['replica-of'], 'mizzle://root@p:4406');
    assert.deepEqual(String(c.kernel['replicate-do-db']).split(','), ['a', 'b', 'x', 'c', 'd', 'e']);
    assert.equal(c.kernel['replicate-ignore-table'], 'a.t');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
