// Failover as real processes: a primary and two replicas under writes, kill -9 of the primary, PROMOTE of one replica,
// the other re-pointed with CHANGE REPLICATION SOURCE TO, every acknowledged write there exactly once, the old primary fenced off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from '../testing/server-process.js';
import { caughtUp, dataHash, eventually, sql, startNode, startReplica, status, tempDir, type Node } from '../testing/replication-nodes.js';

const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');
const run = promisify(execFile);

/** Writes rows (and bumps a counter row) on `node` until stopped; keeps the ids the server acknowledged. */
function writeLoad(node: Node, firstId: number): { acknowledged: number[]; bumps: number; stop(): Promise<void> } {
  const state = { acknowledged: [] as number[], bumps: 0, stop: async () => undefined as void };
  let stopping = false;
  const done = (async () => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: node.server.port, user: 'root' });
    try {
      for (let id = firstId; !stopping; id++) {
        await c.query('INSERT INTO app.t VALUES (?, ?)', [id, `row ${id}`]);
        state.acknowledged.push(id);
        if (id % 5 === 0) {
          await c.query('UPDATE app.counter SET n = n + 1 WHERE id = 1');
          state.bumps++;
        }
      }
    } finally {
      await c.end();
    }
  })();
  state.stop = async () => {
    stopping = true;
    await done;
  };
  return state;
}

async function mysqlError(node: Node, text: string, user = 'root', password = ''): Promise<{ errno?: number; message: string }> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: node.server.port, user, password });
  try {
    await c.query(text);
  } catch (e) {
    return e as { errno?: number; message: string };
  } finally {
    await c.end();
  }
  assert.fail(`${text} succeeded`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('failover: PROMOTE a replica, re-point the other, writes continue; the returning old primary is refused as diverged', { timeout: 240_000 }, async () => {
  const dirs = [tempDir('mizzle-old-primary-'), tempDir('mizzle-r1-'), tempDir('mizzle-r2-')];
  const nodes: Node[] = [];
  try {
    const primary = await startNode(dirs[0], await freePort());
    nodes.push(primary);
    await sql(primary, 'CREATE DATABASE app');
    await sql(primary, 'CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(40))');
    await sql(primary, 'CREATE TABLE app.counter (id INT PRIMARY KEY, n INT)');
    await sql(primary, 'INSERT INTO app.counter VALUES (1, 0)');
    const r1 = await startReplica(dirs[1], await freePort(), primary);
    const r2 = await startReplica(dirs[2], await freePort(), primary);
    nodes.push(r1, r2);

    // Writes flow; replica 2 stops first (it will be behind replica 1), then the load ends and replica 1 has it all.
    const load = writeLoad(primary, 1);
    await sleep(700);
    await sql(r2, 'STOP REPLICA');
    await sleep(700);
    await load.stop();
    assert.ok(load.acknowledged.length > 20, `a real load: ${load.acknowledged.length} rows`);
    await caughtUp(r1, primary);
    await sql(r1, 'STOP REPLICA');
    const behind = (await sql(r2, 'SELECT COUNT(*) AS n FROM app.t'))[0].n as number;
    assert.ok(behind < load.acknowledged.length, `replica 2 is behind (${behind} of ${load.acknowledged.length})`);
    // Writes nobody else receives: the old primary diverges.
    await sql(primary, "INSERT INTO app.t VALUES (-1, 'lost'), (-2, 'lost')");
    await sql(primary, "INSERT INTO app.t VALUES (-3, 'lost')");
    const oldUuid = String((await sql(primary, 'SELECT @@server_uuid AS u'))[0].u);
    const oldLast = BigInt(String((await sql(primary, 'SHOW BINARY LOGS')).at(-1)?.Last_id ?? '').split(':')[1] ?? '0');
    await primary.server.kill();

    // Errors first: PROMOTE or CHANGE by a non-administrator, CHANGE while running, a bad port.
    await sql(r1, "CREATE USER IF NOT EXISTS 'app'@'%' IDENTIFIED BY 'pw'").catch(() => undefined);
    assert.equal((await mysqlError(r1, 'PROMOTE', 'app', 'pw')).errno, 1227);
    assert.equal((await mysqlError(r1, 'CHANGE REPLICATION SOURCE TO SOURCE_PORT = 4406', 'app', 'pw')).errno, 1227);
    assert.equal((await mysqlError(r1, 'CHANGE REPLICATION SOURCE TO SOURCE_PORT = 70000')).errno, 1210);
    assert.equal((await mysqlError(r1, "CHANGE REPLICATION SOURCE TO SOURCE_HOSTNAME = 'x'")).errno, 1210);

    // PROMOTE replica 1: it takes writes, shows no replica status, logs with its own ids.
    const { stdout } = await run(process.execPath, [CLI, 'promote', `127.0.0.1:${r1.nativePort}`]);
    assert.match(stdout, /promoted/);
    assert.deepEqual(await sql(r1, 'SHOW REPLICA STATUS'), []);
    assert.deepEqual(await sql(r1, 'SELECT @@read_only AS ro, @@super_read_only AS sro'), [{ ro: 0, sro: 0 }]);
    assert.equal((await mysqlError(r1, 'PROMOTE')).errno, 1200, 'PROMOTE on a primary');
    const newUuid = String((await sql(r1, 'SELECT @@server_uuid AS u'))[0].u);

    // Replica 2 follows replica 1 from where it was: the old primary's ids, found in replica 1's log.
    await sql(r2, `CHANGE REPLICATION SOURCE TO SOURCE_HOST = '127.0.0.1', SOURCE_PORT = ${r1.nativePort}, SOURCE_USER = 'root'`);
    await sql(r2, 'START REPLICA');
    assert.equal((await mysqlError(r2, `CHANGE REPLICATION SOURCE TO SOURCE_PORT = ${r1.nativePort}`)).errno, 3021, 'CHANGE while running');
    const load2 = writeLoad(r1, 100_000);
    await sleep(700);
    await load2.stop();
    await caughtUp(r2, r1);
    const s2 = await status(r2);
    assert.equal(s2.Source_UUID, newUuid);
    assert.equal(s2.Source_Port, r1.nativePort);

    // Every acknowledged write exactly once on both; the old primary's last writes nowhere.
    const expected = [...load.acknowledged, ...load2.acknowledged].sort((a, b) => a - b);
    for (const node of [r1, r2]) {
      const ids = (await sql(node, 'SELECT id FROM app.t ORDER BY id')).map((r) => r.id as number);
      assert.deepEqual(ids, expected);
      assert.deepEqual(await sql(node, 'SELECT n FROM app.counter'), [{ n: load.bumps + load2.bumps }]);
    }
    assert.equal(await dataHash(r2), await dataHash(r1));

    // A restart with the old flags (--replica-of the dead primary) keeps the stored source.
    await r2.server.stop();
    const r2again = await startReplica(dirs[2], r2.nativePort, primary);
    nodes[2] = r2again;
    await sql(r1, "INSERT INTO app.t VALUES (200000, 'after the restart')");
    await caughtUp(r2again, r1);
    assert.equal((await status(r2again)).Source_Port, r1.nativePort);

    // The old primary comes back (a primary by its flags, started --read-only so it takes no writes) and is pointed at the new one: refused, nothing applied.
    const old = await startNode(dirs[0], primary.nativePort, ['--read-only']);
    nodes[0] = old;
    assert.equal((await mysqlError(old, "INSERT INTO app.t VALUES (-4, 'x')")).errno, 1290, '--read-only');
    const oldHash = await dataHash(old);
    await sql(old, 'SET GLOBAL super_read_only = 0, read_only = 0');
    await sql(old, `CHANGE REPLICATION SOURCE TO SOURCE_HOST = '127.0.0.1', SOURCE_PORT = ${r1.nativePort}`);
    assert.equal((await mysqlError(old, "INSERT INTO app.t VALUES (-4, 'x')")).errno, 1290, 'read-only once it is a replica');
    await sql(old, 'START REPLICA');
    let last: Record<string, unknown> = {};
    await eventually(async () => {
      last = await status(old);
      assert.equal(last.Last_IO_Errno, 1236);
    });
    // Its last two transactions (the three 'lost' rows) never reached the new primary.
    const first = oldLast - 1n;
    assert.match(String(last.Last_IO_Error), new RegExp(`Replica has transactions the source never received \\(${oldUuid}:${first}-${oldLast}\\): it diverged; restore it from a backup of the source`));
    assert.equal(last.Replica_IO_Running, 'No');
    assert.equal(await dataHash(old), oldHash, 'nothing applied on top of a diverged history');
  } finally {
    for (const n of nodes) await n.server.stop().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('switchover the MySQL way: STOP REPLICA, RESET REPLICA ALL, read_only off on the replica; the old primary, caught up, becomes its replica at runtime', { timeout: 120_000 }, async () => {
  const dirs = [tempDir('mizzle-a-'), tempDir('mizzle-b-')];
  const nodes: Node[] = [];
  try {
    const a = await startNode(dirs[0], await freePort());
    nodes.push(a);
    await sql(a, 'CREATE DATABASE app');
    await sql(a, 'CREATE TABLE app.t (id INT PRIMARY KEY)');
    await sql(a, 'INSERT INTO app.t VALUES (1), (2)');
    const b = await startReplica(dirs[1], await freePort(), a);
    nodes.push(b);
    await caughtUp(b, a);
    // A stops taking writes first, so B has everything A has.
    await sql(a, 'SET GLOBAL super_read_only = 1');
    assert.equal((await mysqlError(b, 'RESET REPLICA ALL')).errno, 1198, 'RESET REPLICA while running');
    await sql(b, 'STOP REPLICA');
    await sql(b, 'RESET REPLICA ALL');
    assert.deepEqual(await sql(b, 'SHOW REPLICA STATUS'), []);
    assert.equal((await mysqlError(b, 'START REPLICA')).errno, 1200);
    assert.equal((await mysqlError(b, 'INSERT INTO app.t VALUES (3)')).errno, 1290, 'read_only stays until it is turned off, as in MySQL');
    await sql(b, 'SET GLOBAL super_read_only = OFF, read_only = OFF');
    await sql(b, 'INSERT INTO app.t VALUES (3)');
    // A, a primary started without --replica-of, follows B from its own newest transaction.
    await sql(a, 'SET GLOBAL super_read_only = 0');
    await sql(a, `CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = ${b.nativePort}`);
    assert.deepEqual(await sql(a, 'SELECT @@read_only AS ro, @@super_read_only AS sro'), [{ ro: 1, sro: 1 }]);
    await sql(a, 'START REPLICA');
    await sql(b, 'INSERT INTO app.t VALUES (4)');
    await caughtUp(a, b);
    assert.deepEqual((await sql(a, 'SELECT id FROM app.t ORDER BY id')).map((r) => r.id as number), [1, 2, 3, 4]);
    // A restart without --replica-of keeps following the stored source.
    await a.server.stop();
    const a2 = await startNode(dirs[0], a.nativePort);
    nodes[0] = a2;
    await sql(b, 'INSERT INTO app.t VALUES (5)');
    await caughtUp(a2, b);
    assert.equal((await status(a2)).Source_Port, b.nativePort);
  } finally {
    for (const n of nodes) await n.server.stop().catch(() => undefined);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
