// Retention of the change log with real servers: purged in the background by age and by size, PURGE BINARY LOGS,
// SHOW BINARY LOGS / MASTER STATUS, a connected replica holds purging back, and one whose position was purged reports 1236.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { passesEventually } from '../testing/assertions.js';

/** Long enough for the once-a-second background check on a loaded machine. */
const PURGE_WAIT_MS = 20_000;

async function sql(server: ServerProcess, text: string): Promise<mysql.RowDataPacket[]> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  try {
    const [rows] = await c.query(text);
    return rows as mysql.RowDataPacket[];
  } finally {
    await c.end();
  }
}

/** A statement's warnings, asked on the same connection. */
async function withWarnings(server: ServerProcess, text: string): Promise<mysql.RowDataPacket[]> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  try {
    await c.query(text);
    const [w] = await c.query('SHOW WARNINGS');
    return w as mysql.RowDataPacket[];
  } finally {
    await c.end();
  }
}

async function sqlError(server: ServerProcess, text: string): Promise<{ errno: number; message: string }> {
  try {
    await sql(server, text);
  } catch (e) {
    return e as { errno: number; message: string };
  }
  throw new Error(`${text} succeeded`);
}

async function globalStatus(server: ServerProcess): Promise<Map<string, number>> {
  const rows = await sql(server, "SHOW GLOBAL STATUS LIKE 'Binlog%'");
  return new Map(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
}

/** SHOW BINARY LOGS' one row. */
async function binaryLogs(server: ServerProcess): Promise<{ first: bigint; last: bigint; transactions: number; bytes: number; row: mysql.RowDataPacket }> {
  const rows = await sql(server, 'SHOW BINARY LOGS');
  assert.equal(rows.length, 1);
  const row = rows[0];
  const seq = (id: unknown) => BigInt(String(id).split(':')[1]);
  return { first: seq(row.First_id), last: seq(row.Last_id), transactions: Number(row.Transactions), bytes: Number(row.File_size), row };
}

/** Waits until `check` passes (it throws until then), or fails with its last error. */
function eventually(check: () => Promise<void>, ms = PURGE_WAIT_MS): Promise<void> {
  return passesEventually(check, ms);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function commitEach(server: ServerProcess, n: number, from = 0): Promise<void> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  try {
    for (let i = 0; i < n; i++) await c.query('INSERT INTO r.t (v) VALUES (?)', [`row ${from + i} ${'x'.repeat(200)}`]);
  } finally {
    await c.end();
  }
}

test('the change log is purged in the background by age and by size; SHOW BINARY LOGS and the status say what is kept', { timeout: 120_000 }, async () => {
  const httpPort = await freePort();
  const server = await startServerProcess({ args: ['--binlog-expire-logs-seconds', '2', '--plugin-add', 'ops-http', `--ops-http.port=${httpPort}`] });
  try {
    const [{ u: uuid }] = await sql(server, 'SELECT @@server_uuid AS u, @@binlog_expire_logs_seconds AS e');
    assert.equal(Number((await sql(server, 'SELECT @@binlog_expire_logs_seconds AS e'))[0].e), 2);
    await sql(server, 'CREATE DATABASE r');
    await sql(server, 'CREATE TABLE r.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(300))');
    await commitEach(server, 30);
    const before = await binaryLogs(server);
    assert.equal(before.row.Log_name, `${uuid}:${before.first}-${before.last}`);
    assert.equal(before.row.Encrypted, 'No');
    assert.equal(before.transactions, Number(before.last - before.first + 1n));
    assert.ok(before.transactions >= 20, `most of the 32 transactions are still there (${before.transactions})`);
    assert.ok(before.bytes > 30 * 200, 'File_size counts the stored messages');
    const [master] = await sql(server, 'SHOW MASTER STATUS');
    assert.deepEqual([master.File, Number(master.Position), master.Executed_Gtid_Set], [before.row.Log_name, Number(before.last), `${uuid}:1-${before.last}`]);
    const [binlogStatus] = await sql(server, 'SHOW BINARY LOG STATUS');
    assert.equal(binlogStatus.File, master.File);

    // Older than 2 s: all but the newest go (it stays: the next sequence follows it).
    await eventually(async () => {
      const now = await binaryLogs(server);
      assert.equal(now.transactions, 1);
      assert.equal(now.first, before.last);
    });
    const status = await globalStatus(server);
    assert.equal(status.get('Binlog_kept_transactions'), 1);
    assert.equal(status.get('Binlog_first_sequence'), Number(before.last));
    assert.ok((status.get('Binlog_purged_transactions') ?? 0) >= Number(before.last) - 1);
    assert.ok(Math.abs((status.get('Binlog_last_purge_time') ?? 0) - Date.now() / 1000) < 60, 'the last purge is recent');
    const kept = await binaryLogs(server);
    assert.equal(status.get('Binlog_kept_bytes'), kept.bytes);
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    assert.match(metrics, new RegExp(`mizzle_global_status\\{variable="Binlog_kept_bytes"\\} ${kept.bytes}\\n`));
    assert.match(metrics, /mizzle_global_status\{variable="Binlog_last_purge_time"\} [1-9]\d+\n/);

    // By size: no age limit, at most 10 KB (each transaction is ~300 bytes).
    await sql(server, 'SET GLOBAL binlog_expire_logs_seconds = 0');
    await sql(server, 'SET GLOBAL max_binlog_total_size = 10000');
    await commitEach(server, 200, 100);
    await eventually(async () => {
      const now = await binaryLogs(server);
      assert.ok(now.bytes <= 10000, `${now.bytes} bytes kept`);
      assert.ok(now.transactions > 10, 'what fits stays');
      assert.equal(now.last, kept.last + 200n);
    });
    const rows = await sql(server, 'SELECT COUNT(*) AS n FROM r.t');
    assert.equal(Number(rows[0].n), 230, 'purging the log touches no data');
  } finally {
    await server.stop();
    server.cleanup();
  }
});

test('PURGE BINARY LOGS TO and BEFORE; their errors', { timeout: 120_000 }, async () => {
  const server = await startServerProcess({});
  try {
    const [{ u: uuid }] = await sql(server, 'SELECT @@server_uuid AS u');
    await sql(server, 'CREATE DATABASE r');
    await sql(server, 'CREATE TABLE r.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(300))');
    await commitEach(server, 20);
    const start = await binaryLogs(server);
    assert.equal(start.first, 1n, 'the default keeps 30 days');
    await sql(server, `PURGE BINARY LOGS TO '${uuid}:5'`);
    assert.equal((await binaryLogs(server)).first, 5n, 'TO keeps the named transaction, as MySQL keeps the named file');
    await sql(server, 'PURGE MASTER LOGS TO \'8\'');
    assert.equal((await binaryLogs(server)).first, 8n);
    await sql(server, 'PURGE BINARY LOGS TO \'3\'');
    assert.equal((await binaryLogs(server)).first, 8n, 'purging what is gone already does nothing');

    await sleep(1100);
    // The server's own clock and zone, as PURGE ... BEFORE reads the time.
    const [{ t: cut }] = await sql(server, "SELECT DATE_FORMAT(NOW(3), '%Y-%m-%d %H:%i:%s.%f') AS t");
    await sleep(50);
    await commitEach(server, 5, 100);
    const last = (await binaryLogs(server)).last;
    await sql(server, `PURGE BINARY LOGS BEFORE '${String(cut)}'`);
    assert.equal((await binaryLogs(server)).first, last - 4n, 'BEFORE removes what was committed before the time, keeps the rest');
    await sql(server, 'PURGE BINARY LOGS BEFORE NOW() + INTERVAL 1 DAY');
    assert.equal((await binaryLogs(server)).transactions, 1, 'all but the newest');

    assert.equal((await sqlError(server, "PURGE BINARY LOGS TO 'nonsense'")).errno, 1373);
    assert.equal((await sqlError(server, `PURGE BINARY LOGS TO '${uuid}:${last + 100n}'`)).errno, 1373);
    assert.equal((await sqlError(server, "PURGE BINARY LOGS TO '00000000-0000-0000-0000-000000000000:1'")).errno, 1373);
    assert.equal((await sqlError(server, "PURGE BINARY LOGS BEFORE 'not a time'")).errno, 1210);
    assert.equal((await sqlError(server, 'PURGE BINARY LOGS')).errno, 1064);
  } finally {
    await server.stop();
    server.cleanup();
  }
  const off = await startServerProcess({ args: ['--log-bin=false'] });
  try {
    assert.equal((await sqlError(off, 'SHOW BINARY LOGS')).errno, 1381);
    assert.equal((await sqlError(off, "PURGE BINARY LOGS TO '1'")).errno, 1381);
  } finally {
    await off.stop();
    off.cleanup();
  }
});

test('a connected replica holds purging back (unless binlog_retain_for_replicas is off); once it is gone its position is purged and, restarted, it reports 1236', { timeout: 180_000 }, async () => {
  const dirs = [mkdtempSync(join(tmpdir(), 'mizzle-primary-')), mkdtempSync(join(tmpdir(), 'mizzle-replica-'))];
  const nativePorts = [await freePort(), await freePort()];
  const native = (i: number) => ['--plugin-add', 'protocol-native', `--protocol-native.port=${nativePorts[i]}`];
  const primary = await startServerProcess({ datadir: dirs[0], args: native(0) });
  const replicaArgs = [...native(1), '--replica-of', `mizzle://root@127.0.0.1:${nativePorts[0]}`];
  let replica: ServerProcess | undefined;
  try {
    await sql(primary, 'CREATE DATABASE r');
    await sql(primary, 'CREATE TABLE r.t (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(300))');
    replica = await startServerProcess({ datadir: dirs[1], args: replicaArgs });
    const r = replica;
    // The age limit only once the replica follows: it starts from the first transaction.
    await eventually(async () => assert.equal((await sql(r, 'SHOW REPLICA STATUS'))[0].Replica_IO_Running, 'Yes'));
    await sql(primary, 'SET GLOBAL binlog_expire_logs_seconds = 1');
    await commitEach(primary, 150);
    const [{ n: total }] = await sql(primary, 'SELECT COUNT(*) AS n FROM r.t');
    await eventually(async () => {
      const [{ n }] = await sql(r, 'SELECT COUNT(*) AS n FROM r.t');
      assert.equal(n, total);
    });
    // Older than a second, yet the replica's stream keeps the last frames it sent.
    await sleep(3000);
    const held = await globalStatus(primary);
    assert.equal(held.get('Binlog_replica_streams_holding'), 1);
    const hold = held.get('Binlog_replica_hold_sequence') ?? 0;
    assert.ok(hold > 1, `the stream holds from ${hold}`);
    await eventually(async () => assert.equal((await binaryLogs(primary)).first, BigInt(hold), 'purged up to the hold, not beyond'));
    assert.ok((await binaryLogs(primary)).transactions > 1);
    // PURGE stops at the hold too, and says so.
    const last = (await binaryLogs(primary)).last;
    const warnings = await withWarnings(primary, `PURGE BINARY LOGS TO '${last}'`);
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].Code, 1867);
    assert.match(String(warnings[0].Message), /replica stream\(s\) still need them/);
    assert.equal((await binaryLogs(primary)).first, BigInt(hold));
    // Forced: with binlog_retain_for_replicas off the age limit wins over the hold (this replica is caught up, so it goes on).
    await sql(primary, 'SET GLOBAL binlog_retain_for_replicas = OFF');
    await eventually(async () => assert.equal((await binaryLogs(primary)).transactions, 1));
    assert.equal((await globalStatus(primary)).get('Binlog_replica_streams_holding'), 1, 'the stream still holds, but is not heeded');
    await sql(primary, 'SET GLOBAL binlog_retain_for_replicas = ON');

    // The replica goes away: nothing holds; more is written and the old is purged.
    await r.stop();
    replica = undefined;
    await commitEach(primary, 5, 100);
    await eventually(async () => {
      const s = await globalStatus(primary);
      assert.equal(s.get('Binlog_replica_streams_holding'), 0);
      assert.equal((await binaryLogs(primary)).transactions, 1);
    });

    // Restarted, it asks for what the primary no longer has: 1236, stopped, and SHOW REPLICA STATUS says why.
    replica = await startServerProcess({ datadir: dirs[1], args: replicaArgs });
    const again = replica;
    await eventually(async () => {
      const [s] = await sql(again, 'SHOW REPLICA STATUS');
      assert.equal(s.Last_IO_Errno, 1236);
      assert.match(String(s.Last_IO_Error), /^Got fatal error 1236 from source when reading data from binary log: 'Cannot replicate because the source purged required binary logs/);
      assert.equal(s.Replica_IO_Running, 'No');
      assert.equal(s.Last_Errno, 1236);
    });
  } finally {
    await replica?.stop();
    await primary.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
