// Replicas that follow a primary, as real processes on loopback: rows and DDL arrive, writes are refused, STOP/START,
// kill -9 of the replica mid-stream (every transaction applied exactly once), a replica from a backup, an apply error, a primary that goes away.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import mysql from 'mysql2/promise';
import { freePort } from '../testing/server-process.js';
import { caughtUp, dataHash, eventually, sql, startNode, startReplica, status, tempDir, type Node } from '../testing/replication-nodes.js';
import { NativeClientConnection } from '../protocol/native/client-end.js';

const CLI = join(fileURLToPath(import.meta.url), '..', 'mizzle.js');
const run = promisify(execFile);

test('a replica follows its primary: rows and DDL arrive, status, writes refused with 1290 and REDIRECT, STOP/START REPLICA, an apply error', { timeout: 120_000 }, async () => {
  const dirs = [tempDir('mizzle-primary-'), tempDir('mizzle-replica-')];
  const primary = await startNode(dirs[0], await freePort());
  let replica: Node | undefined;
  try {
    await sql(primary, 'CREATE DATABASE shop');
    await sql(primary, 'CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(40), price DECIMAL(10,2), seen DATETIME, note TEXT, raw VARBINARY(8))');
    await sql(primary, "INSERT INTO shop.items VALUES (1, 'pen', 1.50, '2024-01-31 12:00:00', NULL, X'00ff'), (2, 'it''s', 2.25, NULL, 'line\\nbreak', NULL)");
    replica = await startReplica(dirs[1], await freePort(), primary);
    const r = replica;
    // What was written before the replica started, and what is written after.
    await sql(primary, "UPDATE shop.items SET price = 9.99, note = 'é' WHERE id = 1");
    await sql(primary, 'DELETE FROM shop.items WHERE id = 2');
    await sql(primary, 'CREATE TABLE shop.log (a INT, b DOUBLE)');
    await sql(primary, 'INSERT INTO shop.log VALUES (1, 0.1), (1, 0.1), (2, NULL)');
    await sql(primary, 'DELETE FROM shop.log WHERE a = 1 LIMIT 1');
    await sql(primary, 'ALTER TABLE shop.items ADD COLUMN stock INT NOT NULL DEFAULT 7');
    await sql(primary, 'CREATE INDEX by_name ON shop.items (name)');
    await sql(primary, 'CREATE TABLE shop.copy AS SELECT id, name FROM shop.items');
    await sql(primary, 'CREATE TABLE shop.gone (a INT PRIMARY KEY)');
    await sql(primary, 'INSERT INTO shop.gone VALUES (1), (2)');
    await sql(primary, 'RENAME TABLE shop.gone TO shop.renamed');
    await sql(primary, 'TRUNCATE TABLE shop.renamed');
    await sql(primary, 'INSERT INTO shop.renamed VALUES (3)');
    await sql(primary, 'CREATE VIEW shop.cheap AS SELECT id FROM shop.items WHERE price < 5');
    await sql(primary, 'CREATE TABLE shop.g (id INT PRIMARY KEY, a INT, b INT AS (a * 2) STORED, c INT AS (a + 1) VIRTUAL)');
    await sql(primary, 'INSERT INTO shop.g (id, a) VALUES (1, 10), (2, 20)');
    await sql(primary, 'UPDATE shop.g SET a = 11 WHERE id = 1');
    await sql(primary, 'CREATE DATABASE scratch');
    await sql(primary, 'CREATE TABLE scratch.x (a INT)');
    await sql(primary, 'DROP DATABASE scratch');
    await caughtUp(r, primary);
    assert.deepEqual(await sql(r, 'SELECT id, name FROM shop.copy'), [{ id: 1, name: 'pen' }], 'CREATE TABLE ... SELECT');
    assert.deepEqual(await sql(r, 'SELECT a FROM shop.renamed'), [{ a: 3 }], 'RENAME and TRUNCATE');
    assert.deepEqual(await sql(r, 'SELECT id FROM shop.cheap'), [], 'the view exists');
    assert.deepEqual(await sql(r, "SHOW DATABASES LIKE 'scratch'"), [], 'DROP DATABASE');
    assert.deepEqual(await sql(r, 'SELECT id, a, b, c FROM shop.g ORDER BY id'), [{ id: 1, a: 11, b: 22, c: 12 }, { id: 2, a: 20, b: 40, c: 21 }], 'generated columns are computed here');
    const [item] = await sql(r, 'SELECT * FROM shop.items WHERE id = 1');
    assert.equal(item.name, 'pen');
    assert.equal(item.price, '9.99');
    assert.equal(item.note, 'é');
    assert.equal(item.stock, 7, 'the ALTER ran on the replica');
    assert.deepEqual(await sql(r, 'SELECT a, b FROM shop.log ORDER BY a'), [{ a: 1, b: 0.1 }, { a: 2, b: null }]);

    const s = await status(r);
    assert.equal(s.Replica_IO_Running, 'Yes');
    assert.equal(s.Replica_SQL_Running, 'Yes');
    assert.equal(s.Source_Host, '127.0.0.1');
    assert.equal(Number(s.Source_Port), primary.nativePort);
    assert.equal(s.Seconds_Behind_Source, 0);
    assert.equal(s.Lag_ms, 0);
    const [uuid] = await sql(primary, 'SELECT @@server_uuid AS u');
    assert.equal(s.Source_UUID, uuid.u);
    assert.equal(s.Last_Applied_Id, s.Source_Last_Id);
    assert.match(String(s.Executed_Gtid_Set), new RegExp(`^${uuid.u}:1-\\d+$`));
    assert.deepEqual(await sql(primary, 'SHOW REPLICA STATUS'), [], 'a primary has no replica status');
    const counters = new Map((await sql(r, "SHOW GLOBAL STATUS LIKE 'Replica%'")).map((x) => [x.Variable_name, Number(x.Value)]));
    assert.equal(counters.get('Replica_io_running'), 1, 'SHOW STATUS (and so /metrics) has the replica\'s numbers');
    assert.equal(counters.get('Replica_lag_transactions'), 0);
    assert.equal(counters.get('Replica_applied_sequence'), Number(String(s.Last_Applied_Id).split(':')[1]));

    // Clients cannot write to the replica: 1290 on the MySQL protocol, REDIRECT to the primary on the native one.
    await assert.rejects(sql(r, "INSERT INTO shop.items (id, name) VALUES (50, 'no')"), (e: { errno?: number; message: string }) => e.errno === 1290 && /super-read-only/.test(e.message));
    await assert.rejects(sql(r, 'CREATE TABLE shop.nope (a INT)'), (e: { errno?: number }) => e.errno === 1290);
    const native = await NativeClientConnection.connect({ host: '127.0.0.1', port: r.nativePort, user: 'root', password: '', database: null });
    try {
      const reply = await native.request("INSERT INTO shop.items (id, name) VALUES (51, 'no')");
      assert.equal(reply.kind, 'redirect');
      if (reply.kind === 'redirect') {
        assert.equal(reply.redirect.reason, 'not-primary');
        assert.equal(reply.redirect.port, primary.nativePort);
      }
      const read = await native.request('SELECT COUNT(*) FROM shop.items');
      assert.equal(read.kind, 'rows', 'reads are served by the replica');
    } finally {
      native.destroy();
    }

    // Only an administrator may follow the change log, and only from a position the source has.
    const follow = async (user: string, sourceUuid: string, after: bigint): Promise<unknown> => {
      const c = await NativeClientConnection.connect({ host: '127.0.0.1', port: primary.nativePort, user, password: '', database: null });
      try {
        return await c.follow({ sourceUuid, afterSequence: after }, async () => undefined);
      } finally {
        c.destroy();
      }
    };
    await assert.rejects(follow('bob', '', 0n), (e: { code?: number }) => e.code === 1227);
    await assert.rejects(follow('root', '', 1_000_000n), (e: { code?: number; message: string }) => e.code === 1236 && /log ends at/.test(e.message));
    await assert.rejects(follow('root', '00000000-0000-0000-0000-000000000000', 1n), (e: { code?: number; message: string }) => e.code === 1236 && /not of this server/.test(e.message));
    const processes = await sql(r, 'SHOW PROCESSLIST');
    assert.ok(processes.some((p) => p.User === 'system user'), 'the applier shows in the process list');

    // STOP REPLICA: nothing more arrives; START REPLICA: it catches up.
    await sql(r, 'STOP REPLICA');
    const c = await mysql.createConnection({ host: '127.0.0.1', port: r.server.port, user: 'root' });
    await c.query('STOP REPLICA');
    const [warnings] = (await c.query('SHOW WARNINGS')) as [mysql.RowDataPacket[], unknown];
    await c.end();
    assert.equal(warnings[0]?.Code, 3084, 'stopping a stopped replica is a note');
    await assert.rejects(sql(primary, 'START REPLICA'), (e: { errno?: number }) => e.errno === 1200);
    const stopped = await status(r);
    assert.equal(stopped.Replica_IO_Running, 'No');
    assert.equal(stopped.Replica_SQL_Running, 'No');
    assert.equal(stopped.Seconds_Behind_Source, null);
    await sql(primary, "INSERT INTO shop.items (id, name) VALUES (3, 'while stopped')");
    await new Promise((res) => setTimeout(res, 500));
    assert.deepEqual(await sql(r, 'SELECT id FROM shop.items WHERE id = 3'), []);
    await sql(r, 'START REPLICA');
    await caughtUp(r, primary);

    // An apply error stops the applier with a clear Last_Error (the server goes on); START REPLICA retries.
    await sql(r, 'SET GLOBAL super_read_only = 0');
    await sql(r, 'SET GLOBAL read_only = 0');
    await sql(r, "INSERT INTO shop.items (id, name) VALUES (4, 'replica only')");
    await sql(primary, "INSERT INTO shop.items (id, name) VALUES (4, 'from primary')");
    await sql(primary, "INSERT INTO shop.items (id, name) VALUES (5, 'after it')");
    await eventually(async () => {
      const e = await status(r);
      assert.equal(e.Replica_SQL_Running, 'No');
      assert.equal(e.Last_SQL_Errno, 1062);
      assert.match(String(e.Last_SQL_Error), /Duplicate entry '4'/);
    });
    assert.deepEqual(await sql(r, 'SELECT name FROM shop.items WHERE id IN (4, 5) ORDER BY id'), [{ name: 'replica only' }], 'the failed transaction left nothing');
    await sql(r, 'DELETE FROM shop.items WHERE id = 4');
    await sql(r, 'SET GLOBAL super_read_only = 1');
    await sql(r, 'START REPLICA');
    await caughtUp(r, primary);
    assert.equal((await status(r)).Last_SQL_Errno, 0);

    // KILL of the applier's session: the next transaction stops it with an error; START REPLICA begins with a new session.
    const [applier] = (await sql(r, 'SHOW PROCESSLIST')).filter((p) => p.User === 'system user');
    await sql(r, `KILL ${Number(applier.Id)}`);
    await sql(primary, "INSERT INTO shop.items (id, name) VALUES (6, 'after the kill')");
    await eventually(async () => assert.equal((await status(r)).Replica_SQL_Running, 'No'));
    await sql(r, 'START REPLICA');
    await caughtUp(r, primary);
  } finally {
    await replica?.server.stop();
    await primary.server.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

/** Writers on the primary: each transaction inserts into two tables and bumps a counter, until stopped. */
function writeLoad(primary: Node, writers: number): { stop(): Promise<number> } {
  let stop = false;
  let committed = 0;
  const loops = Array.from({ length: writers }, async (_, w) => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: primary.server.port, user: 'root', database: 'work' });
    for (let seq = 0; !stop; seq++) {
      await c.query('BEGIN');
      await c.query('INSERT INTO a VALUES (?, ?, ?)', [w, seq, `row ${w}/${seq}`]);
      await c.query('INSERT INTO b VALUES (?, ?)', [w, seq]);
      await c.query('UPDATE total SET n = n + 1 WHERE id = 1');
      if (seq % 5 === 4) await c.query('DELETE FROM b WHERE w = ? AND seq = ?', [w, seq - 2]);
      await c.query('COMMIT');
      committed++;
    }
    await c.end();
  });
  return {
    async stop() {
      stop = true;
      await Promise.all(loops);
      return committed;
    },
  };
}

/** Writers that go on until the server is gone; `ended` gives the (w:seq) of every transaction whose COMMIT was acknowledged. */
function ackedLoad(primary: Node, writers: number): { ended: Promise<string[]> } {
  const done: string[] = [];
  const loops = Array.from({ length: writers }, async (_, i) => {
    const w = 100 + i;
    const c = await mysql.createConnection({ host: '127.0.0.1', port: primary.server.port, user: 'root', database: 'work' });
    c.on('error', () => undefined);
    try {
      for (let seq = 0; ; seq++) {
        await c.query('BEGIN');
        await c.query('INSERT INTO a VALUES (?, ?, ?)', [w, seq, 'acked']);
        await c.query('UPDATE total SET n = n + 1 WHERE id = 1');
        await c.query('COMMIT');
        done.push(`${w}:${seq}`);
      }
    } catch {
      // The server went away: what was acknowledged before is in `done`.
    }
  });
  return { ended: Promise.all(loops).then(() => done) };
}

async function createLoadSchema(primary: Node): Promise<void> {
  for (const text of ['CREATE DATABASE work', 'CREATE TABLE work.a (w INT, seq INT, t VARCHAR(40), PRIMARY KEY (w, seq))', 'CREATE TABLE work.b (w INT, seq INT, PRIMARY KEY (w, seq))', 'CREATE TABLE work.total (id INT PRIMARY KEY, n INT)', 'INSERT INTO work.total VALUES (1, 0)']) {
    await sql(primary, text);
  }
}

test('kill -9 of a replica mid-stream, then a restart: every transaction applied exactly once; kill -9 of the primary: reconnected, nothing acknowledged lost', { timeout: 180_000 }, async () => {
  const dirs = [tempDir('mizzle-primary-'), tempDir('mizzle-replica-')];
  const primaryPort = await freePort();
  let primary = await startNode(dirs[0], primaryPort);
  const replicaPort = await freePort();
  let replica: Node | undefined;
  try {
    await createLoadSchema(primary);
    replica = await startReplica(dirs[1], replicaPort, primary);
    const load = writeLoad(primary, 4);
    await new Promise((r) => setTimeout(r, 700));
    await replica.server.kill();
    await new Promise((r) => setTimeout(r, 400));
    replica = await startReplica(dirs[1], replicaPort, primary);
    await new Promise((r) => setTimeout(r, 500));
    const committed = await load.stop();
    assert.ok(committed > 20, `the load committed transactions (${committed})`);
    await caughtUp(replica, primary);
    const [t] = await sql(replica, 'SELECT n FROM work.total');
    const [a] = await sql(replica, 'SELECT COUNT(*) AS c FROM work.a');
    assert.equal(Number(t.n), committed, 'every transaction once: the counter matches the commits');
    assert.equal(Number(a.c), committed);
    // The replica's own log keeps the origin: it could feed replicas of its own.
    const { stdout } = await run(process.execPath, [CLI, 'log', 'read', '--datadir', dirs[1], '--format', 'json']);
    const [uuid] = await sql(primary, 'SELECT @@server_uuid AS u');
    const entries = stdout.trim().split('\n').map((l) => JSON.parse(l) as { origin: string; changes: { type: string; table?: string }[] });
    assert.ok(entries.every((e) => e.origin === uuid.u), 'every entry names the primary as its origin');
    const inserts = entries.flatMap((e) => e.changes).filter((c) => c.type === 'insert' && c.table === 'a').length;
    assert.equal(inserts, committed, 'the replica logged each applied row once');

    // kill -9 of the primary mid-commit: the replica keeps trying (Connecting, Last_IO_Error), continues when
    // the primary is back, and holds every transaction the primary acknowledged.
    const acked = ackedLoad(primary, 4);
    await new Promise((r) => setTimeout(r, 500));
    await primary.server.kill();
    const acknowledged = await acked.ended;
    assert.ok(acknowledged.length > 0);
    await eventually(async () => {
      const s = await status(replica as Node);
      assert.equal(s.Replica_IO_Running, 'Connecting');
      assert.notEqual(s.Last_IO_Error, '');
    });
    primary = await startNode(dirs[0], primaryPort);
    await sql(primary, 'UPDATE work.total SET n = n + 1000 WHERE id = 1');
    await caughtUp(replica, primary);
    assert.equal((await status(replica)).Replica_IO_Running, 'Yes');
    const present = new Set((await sql(replica, 'SELECT w, seq FROM work.a WHERE w >= 100')).map((x) => `${x.w}:${x.seq}`));
    for (const k of acknowledged) assert.ok(present.has(k), `acknowledged transaction ${k} is on the replica`);

    // A primary that goes quiet without closing the connection (SIGSTOP: no heartbeats): the replica notices and reconnects.
    primary.server.child.kill('SIGSTOP');
    try {
      await eventually(async () => assert.match(String((await status(replica as Node)).Last_IO_Error), /sent nothing/), 30_000);
    } finally {
      primary.server.child.kill('SIGCONT');
    }
    await sql(primary, 'UPDATE work.total SET n = n + 1 WHERE id = 1');
    await caughtUp(replica, primary);
  } finally {
    await replica?.server.stop();
    await primary.server.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});

test('a replica started on a backup image continues from the sequence the backup recorded; a replica of it follows too', { timeout: 120_000 }, async () => {
  const dirs = [tempDir('mizzle-primary-'), tempDir('mizzle-backup-')];
  const image = join(dirs[1], 'image');
  const primary = await startNode(dirs[0], await freePort());
  let replica: Node | undefined;
  let chained: Node | undefined;
  try {
    await createLoadSchema(primary);
    const load = writeLoad(primary, 2);
    await new Promise((r) => setTimeout(r, 300));
    const { stdout } = await run(process.execPath, [CLI, 'backup', '--datadir', dirs[0], '--to', image]);
    assert.match(stdout, /change log up to sequence \d+/);
    await new Promise((r) => setTimeout(r, 300));
    const committed = await load.stop();
    const info = JSON.parse(readFileSync(join(image, 'backup-info'), 'utf8')) as { source_server_uuid: string; sequence: string };
    const [uuid] = await sql(primary, 'SELECT @@server_uuid AS u');
    assert.equal(info.source_server_uuid, uuid.u);
    assert.ok(BigInt(info.sequence) > 5n, 'the backup holds some of the load');
    // The primary first: a CI run once found the replica one commit short of `committed` after it had
    // caught up with the primary's data, which points at the primary (a lost update, or a fresh session
    // not seeing an acknowledged commit); this assertion tells the two apart if it happens again.
    const [p] = await sql(primary, 'SELECT n FROM work.total');
    if (Number(p.n) !== committed) {
      await new Promise((r) => setTimeout(r, 1000));
      const [later] = await sql(primary, 'SELECT n FROM work.total');
      assert.fail(`the primary counts ${String(p.n)} (a second later ${String(later.n)}) of ${committed} acknowledged commits`);
    }
    replica = await startReplica(image, await freePort(), primary);
    await caughtUp(replica, primary);
    const [t] = await sql(replica, 'SELECT n FROM work.total');
    assert.equal(Number(t.n), committed);
    // It began after the backup's sequence (replaying the log from 1 would have failed on CREATE DATABASE).
    const s = await status(replica);
    assert.equal(s.Last_Error, '');
    assert.equal(s.Last_Applied_Id, s.Source_Last_Id);

    // A replica of the replica: its change log (the image's entries, then what it applied) feeds another.
    chained = await startReplica(join(dirs[1], 'chained'), await freePort(), replica);
    await sql(primary, 'UPDATE work.total SET n = n + 1 WHERE id = 1');
    await caughtUp(replica, primary);
    await caughtUp(chained, primary);
    const [r2] = await sql(replica, 'SELECT @@server_uuid AS u');
    assert.equal((await status(chained)).Source_UUID, r2.u);
  } finally {
    await chained?.server.stop();
    await replica?.server.stop();
    await primary.server.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
