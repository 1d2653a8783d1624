// Tests of authz-own-schema: the decisions, and the plugin end to end over the wire as an operator would use it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { AccessRequest, Authorizer, KernelApi } from '../../kernel/plugin.js';
import { recordingLogger } from '../protocol-mysql/canned-kernel.js';
import { startServerProcess } from '../../testing/server-process.js';
import { connectionsTo, firstColumn } from '../../testing/assertions.js';
import { OwnSchemaAuthorizer, plugin } from './index.js';
import { parseAdminList } from './authz-own-schema.js';

const req = (user: string, object: AccessRequest['object'], name: string, action: string, table?: string): AccessRequest => ({ user, host: '127.0.0.1', object, name, table, action });

test('decisions: own schema and its tables, information_schema read-only, admins everything, PROCESS for admins only', () => {
  const a = new OwnSchemaAuthorizer(['root', 'ops']);
  for (const action of ['USAGE', 'CREATE', 'DROP']) assert.equal(a.authorize(req('alice', 'schema', 'alice', action)), true, action);
  for (const action of ['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'CREATE', 'DROP', 'ALTER', 'INDEX', 'CREATE VIEW']) {
    assert.equal(a.authorize(req('alice', 'table', 'alice', action, 't')), true, action);
    assert.equal(a.authorize(req('alice', 'table', 'bob', action, 't')), false, action);
  }
  assert.equal(a.authorize(req('alice', 'schema', 'bob', 'USAGE')), false);
  assert.equal(a.authorize(req('alice', 'schema', 'carol', 'CREATE')), false, 'CREATE DATABASE only of their own name');
  assert.equal(a.authorize(req('alice', 'schema', 'Alice', 'USAGE')), false, 'names compare exactly');
  assert.equal(a.authorize(req('alice', 'schema', 'alice2', 'USAGE')), false);
  assert.equal(a.authorize(req('alice', 'schema', 'information_schema', 'USAGE')), true);
  assert.equal(a.authorize(req('alice', 'table', 'INFORMATION_SCHEMA', 'SELECT', 'tables')), true);
  assert.equal(a.authorize(req('alice', 'schema', 'information_schema', 'DROP')), false);
  assert.equal(a.authorize(req('alice', 'table', 'information_schema', 'INSERT', 'tables')), false);
  assert.equal(a.authorize(req('alice', 'process', 'bob', 'PROCESS')), false);
  assert.equal(a.authorize(req('ops', 'process', 'bob', 'PROCESS')), true);
  assert.equal(a.authorize(req('root', 'table', 'bob', 'DROP', 't')), true);
  assert.deepEqual(parseAdminList(' root, ,ops ,'), ['root', 'ops']);
  assert.equal((plugin.init({ options: { admin_users: 'x' }, datadir: '/nonexistent', log: recordingLogger(), kernel: {} as KernelApi }) as Authorizer).authorize(req('x', 'schema', 'y', 'DROP')), true);
});


test('authz-own-schema end to end: users confined to their schema, admins see all, PROCESSLIST and KILL', async () => {
  const server = await startServerProcess({ args: ['--plugin-add=authz-own-schema', '--authz-own-schema.admin_users=root, dba'] });
  const connections = connectionsTo(server);
  const connect = connections.connect;
  try {
    const root = await connect('root');
    for (const sql of ['CREATE DATABASE alice', 'CREATE DATABASE bob', 'CREATE TABLE bob.t (id INT PRIMARY KEY, secret VARCHAR(20))', "INSERT INTO bob.t VALUES (1, 'bob''s')"]) await root.query(sql);
    const [[vars]] = (await root.query("SHOW VARIABLES LIKE 'authz_own_schema_admin_users'")) as [mysql.RowDataPacket[], unknown];
    assert.equal(vars.Value, 'root, dba', 'the option is a read-only variable');

    // alice sees her schema and information_schema only.
    const alice = await connect('alice');
    assert.deepEqual(await firstColumn(alice, 'SHOW DATABASES'), ['alice', 'information_schema']);
    await assert.rejects(alice.query('SELECT * FROM bob.t'), (e: { errno: number; message: string }) => e.errno === 1142 && /^SELECT command denied to user 'alice'@'[^']+' for table 't'$/.test(e.message));
    await assert.rejects(alice.query('USE bob'), (e: { errno: number; message: string }) => e.errno === 1044 && /^Access denied for user 'alice'@'[^']+' to database 'bob'$/.test(e.message));
    await assert.rejects(alice.query('SHOW TABLES FROM bob'), (e: { errno: number }) => e.errno === 1044);
    await assert.rejects(alice.query('CREATE DATABASE carol'), (e: { errno: number }) => e.errno === 1044);
    await assert.rejects(alice.query('DROP TABLE bob.t'), (e: { errno: number; message: string }) => e.errno === 1142 && e.message.startsWith('DROP command denied'));
    await assert.rejects(connect('alice', 'bob'), (e: { errno: number }) => e.errno === 1044);
    await alice.query('USE alice');
    await alice.query('CREATE TABLE notes (id INT PRIMARY KEY, body TEXT)');
    await alice.query("INSERT INTO notes VALUES (1, 'mine')");
    assert.deepEqual(await firstColumn(alice, 'SELECT body FROM notes'), ['mine']);
    // Copying bob's rows into her own schema is still a read of bob.t.
    await assert.rejects(alice.query('INSERT INTO notes SELECT id, secret FROM bob.t'), (e: { errno: number }) => e.errno === 1142);
    await assert.rejects(alice.query('CREATE VIEW peek AS SELECT * FROM bob.t'), (e: { errno: number }) => e.errno === 1142);

    // carol may create the schema of her own name, and nothing else.
    const carol = await connect('carol');
    await carol.query('CREATE DATABASE carol');
    await carol.query('USE carol');
    assert.deepEqual(await firstColumn(carol, 'SHOW DATABASES'), ['carol', 'information_schema']);

    // Admins see every schema and every table.
    assert.deepEqual(await firstColumn(root, 'SHOW DATABASES'), ['alice', 'bob', 'carol', 'information_schema']);
    const dba = await connect('dba', 'bob');
    assert.deepEqual(await firstColumn(dba, 'SELECT secret FROM t'), ["bob's"]);

    // Sessions: alice sees only hers; admins see all; alice cannot kill bob's (1095), an admin can.
    const bob = await connect('bob', 'bob');
    const bobId = (await firstColumn(bob, 'SELECT CONNECTION_ID()'))[0];
    const aliceId = (await firstColumn(alice, 'SELECT CONNECTION_ID()'))[0];
    assert.deepEqual(await firstColumn(alice, 'SHOW PROCESSLIST'), [aliceId]);
    const all = await firstColumn(root, 'SHOW FULL PROCESSLIST');
    assert.ok(all.includes(aliceId) && all.includes(bobId), `root sees ${JSON.stringify(all)}`);
    await assert.rejects(alice.query(`KILL ${String(bobId)}`), (e: { errno: number }) => e.errno === 1095);
    assert.deepEqual(await firstColumn(bob, 'SELECT 1'), [1], "bob's session survived");
    const alice2 = await connect('alice');
    await alice2.query(`KILL ${String(aliceId)}`);
    await assert.rejects(alice.query('SELECT 1'), 'a user may kill their own sessions');
    await dba.query(`KILL ${String(bobId)}`);
    await assert.rejects(bob.query('SELECT 1'), 'an admin may kill anyone');

    assert.match(server.log(), /access denied by authorization .*plugin=authz-own-schema user=alice .*name=bob/);
  } finally {
    await connections.closeAll();
    await server.stop();
    server.cleanup();
  }
});
