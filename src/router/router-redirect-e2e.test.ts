// `mizzle router` with a stale topology: the servers know shard 80- moved, the router does not; the key in the frame header makes the old server REDIRECT, and the router lands the statement on the new primary.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startNativeProtocolServer, type NativeProtocolServer } from '../testing/native-protocol-server.js';
import { startRouterProcess, type RouterProcess } from '../testing/sharded-keyspace.js';
import { freePort } from '../testing/server-process.js';
import { ResolvedKeyspace, type KeyspaceTopology } from '../sharding/topology.js';
import { refused } from '../testing/assertions.js';

const dir = mkdtempSync(join(tmpdir(), 'mizzle-router-redirect-'));
/** A: -80's primary everywhere; B: 80-'s primary in the router's (stale) topology; C: 80-'s primary in the servers' topology. */
let a: NativeProtocolServer;
let b: NativeProtocolServer;
let cServer: NativeProtocolServer;
let router: RouterProcess;
let client: mysql.Connection;
let routerKeyspace: KeyspaceTopology;

function keyspace(low: NativeProtocolServer | number, high: NativeProtocolServer | number): KeyspaceTopology {
  const at = (s: NativeProtocolServer | number) => (typeof s === 'number' ? { host: '127.0.0.1', port: s } : { host: '127.0.0.1', port: s.nativePort, mysqlPort: s.server.port });
  return {
    name: 'app',
    sharding: { function: 'hash' },
    tables: { users: { shardKey: 'id' } },
    shards: [
      { name: '-80', primary: at(low), replicas: [], state: 'serving' },
      { name: '80-', primary: at(high), replicas: [], state: 'serving' },
    ],
  };
}

function keyOn(shard: string, from: number): number {
  const resolved = new ResolvedKeyspace(routerKeyspace);
  let k = from;
  while (resolved.shardForKey(k).name !== shard) k++;
  return k;
}

async function direct(s: NativeProtocolServer): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: s.server.port, user: 'root', database: 'app' });
}

async function names(s: NativeProtocolServer, id: number): Promise<unknown> {
  const c = await direct(s);
  try {
    const [rows] = await c.query('SELECT name FROM users WHERE id = ?', [id]);
    return rows;
  } finally {
    await c.end();
  }
}

before(async () => {
  const [pa, pb, pc] = [await freePort(), await freePort(), await freePort()];
  const serversFile = join(dir, 'servers.json');
  writeFileSync(serversFile, JSON.stringify({ keyspaces: { app: keyspace(pa, pc) } }));
  const args = ['--topology', serversFile];
  [a, b, cServer] = await Promise.all([startNativeProtocolServer(args, pa), startNativeProtocolServer(args, pb), startNativeProtocolServer(args, pc)]);
  for (const s of [a, b, cServer]) {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: s.server.port, user: 'root' });
    await c.query('CREATE DATABASE app');
    await c.query('CREATE TABLE app.users (id INT PRIMARY KEY, name VARCHAR(40))');
    await c.end();
  }
  routerKeyspace = keyspace(a, b);
  const routerFile = join(dir, 'router.json');
  writeFileSync(routerFile, JSON.stringify({ keyspaces: { app: routerKeyspace } }));
  router = await startRouterProcess(['--topology', routerFile, '--keyspace', 'app']);
  client = await mysql.createConnection({ host: '127.0.0.1', port: router.port, user: 'root', database: 'app' });
});

after(async () => {
  await client?.end();
  await router?.stop();
  await Promise.all([a, b, cServer].map((s) => s?.stop()));
  rmSync(dir, { recursive: true, force: true });
});

test('a write the stale router sends to the old primary is redirected and lands on the new one, transparently', async () => {
  const key = keyOn('80-', 1);
  const [res] = await client.query('INSERT INTO users (id, name) VALUES (?, ?)', [key, 'moved']);
  assert.equal((res as mysql.ResultSetHeader).affectedRows, 1);
  assert.deepEqual(await names(cServer, key), [{ name: 'moved' }]);
  assert.deepEqual(await names(b, key), [], 'nothing ran on the server the shard left');
  // Reads and updates by key follow too, prepared statements as well.
  await client.execute('UPDATE users SET name = ? WHERE id = ?', ['updated', key]);
  const [rows] = await client.execute('SELECT name FROM users WHERE id = ?', [key]);
  assert.deepEqual(rows, [{ name: 'updated' }]);
  // The shard that did not move is untouched by all this.
  const low = keyOn('-80', 1);
  await client.query('INSERT INTO users (id, name) VALUES (?, ?)', [low, 'low']);
  assert.deepEqual(await names(a, low), [{ name: 'low' }]);
});

test('inside a transaction a REDIRECT is a clear error; the transaction is rolled back and the connection goes on', async () => {
  const key = keyOn('80-', 1000);
  await client.query('BEGIN');
  await refused(client.query('INSERT INTO users (id, name) VALUES (?, ?)', [key, 'in tx']), 1180, 'HY000', /redirected \(shard-moved\) to 127\.0\.0\.1:\d+ during the transaction, which is rolled back; run it again/);
  await client.query('COMMIT');
  assert.deepEqual(await names(cServer, key), []);
  assert.deepEqual(await names(b, key), []);
  // Run again outside the transaction, it lands where the shard is now.
  await client.query('INSERT INTO users (id, name) VALUES (?, ?)', [key, 'again']);
  assert.deepEqual(await names(cServer, key), [{ name: 'again' }]);
});
