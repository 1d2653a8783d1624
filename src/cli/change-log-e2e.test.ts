// The change log end to end: a real server's commits read back with `mizzle log read` (JSON, SQL, and by Python's protobuf), and after kill -9.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, 'mizzle.js');
const ROOT = join(HERE, '..', '..');

function logRead(datadir: string, ...args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, 'log', 'read', '--datadir', datadir, ...args], { encoding: 'buffer', maxBuffer: 64 << 20 }, (e, stdout, stderr) => {
      if (e) reject(new Error(`${e.message}\n${stderr.toString()}`));
      else resolve(stdout);
    });
  });
}

/** JSON lines with the server's uuid as U and without commit times, which differ per run. */
function normalized(json: string, uuid: string): string[] {
  return json.trim().split('\n').map((line) => {
    const t = JSON.parse(line) as { commit_time_ms?: number };
    assert.ok(typeof t.commit_time_ms === 'number' && t.commit_time_ms > 1_600_000_000_000);
    delete t.commit_time_ms;
    return JSON.stringify(t).split(uuid).join('U');
  });
}

async function serverUuid(c: mysql.Connection): Promise<string> {
  const [[row]] = (await c.query('SELECT @@server_uuid AS u')) as [mysql.RowDataPacket[], unknown];
  return String(row.u);
}

/** An interpreter with the protobuf module (Debian's python3-protobuf lives under /usr/bin/python3). */
function pythonWithProtobuf(): string | undefined {
  if (spawnSync('protoc', ['--version']).status !== 0) return undefined;
  for (const py of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(py, ['-c', 'import google.protobuf']).status === 0) return py;
  }
  return undefined;
}

test('committed changes, and only those, are logged one message per transaction; JSON, SQL and Python agree', { timeout: 120_000 }, async (t) => {
  const server = await startServerProcess();
  let uuid = '';
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    uuid = await serverUuid(c);
    await c.query('CREATE DATABASE shop');
    await c.query('USE shop');
    await c.query('CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(6,2))');
    await c.query("INSERT INTO item VALUES (1, 'pen', 1.50), (2, 'ink', NULL)");
    await c.query('UPDATE item SET price = 2.25 WHERE id = 2');
    await c.query('BEGIN');
    await c.query("INSERT INTO item VALUES (3, 'cap', 0.10)");
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    await c.query('DELETE FROM item WHERE id = 1');
    await c.query("INSERT INTO item VALUES (4, 'nib''s', 3.00)");
    await assert.rejects(c.query("INSERT INTO item VALUES (5, 'x', 1), (2, 'dup', 1)"), /Duplicate entry/);
    await c.query('COMMIT');
    await c.query('CREATE TEMPORARY TABLE scratch (a INT)');
    await c.query('INSERT INTO scratch VALUES (1)');
    await c.query('ALTER TABLE item ADD COLUMN qty INT');
    await c.query("INSERT INTO item VALUES (6, 'pad', 1.00, 7)");
    await c.query('DROP TABLE item');
    await c.end();
  } finally {
    assert.equal(await server.stop(), 0);
  }
  try {
    const json = (await logRead(server.datadir)).toString();
    assert.deepEqual(normalized(json, uuid), [
      '{"id":"U:1","origin":"U","changes":[{"type":"ddl","schema":"","statement":"CREATE DATABASE shop","tables":[],"dropped":[]}]}',
      '{"id":"U:2","origin":"U","changes":[{"type":"ddl","schema":"shop","statement":"CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(6,2))","tables":["shop.item"],"dropped":[]}]}',
      '{"id":"U:3","origin":"U","changes":[{"type":"insert","schema":"shop","table":"item","after":{"id":1,"name":"pen","price":"1.50"}},{"type":"insert","schema":"shop","table":"item","after":{"id":2,"name":"ink","price":null}}]}',
      '{"id":"U:4","origin":"U","changes":[{"type":"update","schema":"shop","table":"item","before":{"id":2,"name":"ink","price":null},"after":{"id":2,"name":"ink","price":"2.25"}}]}',
      '{"id":"U:5","origin":"U","changes":[{"type":"delete","schema":"shop","table":"item","before":{"id":1,"name":"pen","price":"1.50"}},{"type":"insert","schema":"shop","table":"item","after":{"id":4,"name":"nib\'s","price":"3.00"}}]}',
      '{"id":"U:6","origin":"U","changes":[{"type":"ddl","schema":"shop","statement":"ALTER TABLE item ADD COLUMN qty INT","tables":["shop.item"],"dropped":[]}]}',
      '{"id":"U:7","origin":"U","changes":[{"type":"insert","schema":"shop","table":"item","after":{"id":6,"name":"pad","price":"1.00","qty":7}}]}',
      '{"id":"U:8","origin":"U","changes":[{"type":"ddl","schema":"shop","statement":"DROP TABLE item","tables":[],"dropped":["shop.item"]}]}',
    ]);

    const sql = (await logRead(server.datadir, '--format', 'sql', '--from', `${uuid}:4`)).toString();
    assert.deepEqual(sql.split(uuid).join('U').replace(/committed \S+/g, 'committed T').trim().split('\n'), [
      '-- U:4 committed T',
      'BEGIN;',
      'UPDATE `shop`.`item` SET `price` = 2.25 WHERE `id` = 2;',
      'COMMIT;',
      '-- U:5 committed T',
      'BEGIN;',
      'DELETE FROM `shop`.`item` WHERE `id` = 1;',
      "INSERT INTO `shop`.`item` (`id`, `name`, `price`) VALUES (4, 'nib\\'s', 3.00);",
      'COMMIT;',
      '-- U:6 committed T',
      'USE `shop`;',
      'ALTER TABLE item ADD COLUMN qty INT;',
      '-- U:7 committed T',
      'BEGIN;',
      "INSERT INTO `shop`.`item` (`id`, `name`, `price`, `qty`) VALUES (6, 'pad', 1.00, 7);",
      'COMMIT;',
      '-- U:8 committed T',
      'USE `shop`;',
      'DROP TABLE item;',
    ]);

    const python = pythonWithProtobuf();
    if (python === undefined) {
      t.diagnostic('SKIPPED the Python decoder check: protoc or python3-protobuf is not installed (apt-get install protobuf-compiler python3-protobuf)');
      return;
    }
    const binary = await logRead(server.datadir, '--format', 'binary');
    const py = spawnSync(python, [join(ROOT, 'test', 'change-log', 'decode_change_log.py'), join(ROOT, 'proto')], { input: binary, encoding: 'utf8' });
    assert.equal(py.status, 0, py.stderr);
    const parse = (text: string) => text.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(parse(py.stdout), parse(json));
    assert.equal(parse(py.stdout).length, 8);
  } finally {
    server.cleanup();
  }
});

test('kill -9 under load with two worker threads: the log holds exactly the committed transactions, in one gap-free order', { timeout: 180_000 }, async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-log-crash-'));
  let server: ServerProcess = await startServerProcess({ datadir, args: ['--threads', '2'] });
  const acked = new Set<string>();
  try {
    const setup = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await setup.query('CREATE DATABASE crash');
    await setup.query('CREATE TABLE crash.a (w INT, seq INT, PRIMARY KEY (w, seq))');
    await setup.query('CREATE TABLE crash.b (w INT, seq INT, PRIMARY KEY (w, seq))');
    await setup.end();
    const stop = { now: false };
    const writers = Array.from({ length: 6 }, async (_, w) => {
      let c: mysql.Connection | undefined;
      try {
        c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'crash' });
        for (let seq = 0; !stop.now; seq++) {
          await c.query('BEGIN');
          await c.query('INSERT INTO a VALUES (?, ?)', [w, seq]);
          await c.query('INSERT INTO b VALUES (?, ?)', [w, seq]);
          await c.query('COMMIT');
          acked.add(`${w}:${seq}`);
        }
      } catch {
        // the server died under us: what was acknowledged is in `acked`
      } finally {
        c?.destroy();
      }
    });
    await new Promise((r) => setTimeout(r, 1500));
    await server.kill();
    stop.now = true;
    await Promise.all(writers);

    const lines = (await logRead(datadir)).toString().trim().split('\n').map((l) => JSON.parse(l) as { id: string; changes: { type: string; table?: string; after?: { w: number; seq: number } }[] });
    // Two DDL statements, then one message per committed transaction, each with both rows.
    const sequences = lines.map((l) => Number(l.id.split(':')[1]));
    assert.deepEqual(sequences, sequences.map((_, i) => i + 1), 'sequences are 1..N without gaps');
    const logged = new Set<string>();
    for (const l of lines.slice(3)) {
      assert.equal(l.changes.length, 2);
      const [x, y] = l.changes;
      assert.deepEqual([x.type, x.table, y.type, y.table], ['insert', 'a', 'insert', 'b']);
      assert.deepEqual(x.after, y.after);
      const key = `${x.after?.w}:${x.after?.seq}`;
      assert.ok(!logged.has(key), `${key} logged twice`);
      logged.add(key);
    }
    for (const k of acked) assert.ok(logged.has(k), `acknowledged commit ${k} is missing from the log`);

    server = await startServerProcess({ datadir });
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'crash' });
    const [rows] = (await c.query('SELECT w, seq FROM a')) as [mysql.RowDataPacket[], unknown];
    assert.deepEqual(new Set(rows.map((r) => `${r.w}:${r.seq}`)), logged, 'the table and the log hold the same transactions');
    await c.query('INSERT INTO a VALUES (-1, -1)');
    await c.end();
    await server.stop();
    const after = (await logRead(datadir, '--from', String(lines.length + 1))).toString().trim().split('\n');
    assert.equal(after.length, 1);
    assert.equal(JSON.parse(after[0]).id.split(':')[1], String(lines.length + 1), 'the sequence continues after the restart');
    assert.ok(acked.size > 10, `only ${acked.size} commits were acknowledged`);
  } finally {
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});
