// The `mizzle` server end to end, as users drive it: the mysql2 driver (JSON columns too), the mariadb CLI, restarts, bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;

before(async () => {
  server = await startServerProcess();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

function connectAs(opts: Partial<mysql.ConnectionOptions> = {}): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ...opts });
}

test('mysql2: connect, DDL, DML, types converted by the driver, insert ids', async () => {
  const c = await connectAs({ supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  try {
    await c.query('CREATE DATABASE e2e');
    await c.query('USE e2e');
    await c.query(`CREATE TABLE t (
      id BIGINT AUTO_INCREMENT PRIMARY KEY, tiny TINYINT, u INT UNSIGNED, d DECIMAL(10,3), f DOUBLE,
      s VARCHAR(20), b VARBINARY(8), dt DATETIME, day DATE, flag BOOLEAN DEFAULT TRUE, UNIQUE KEY (s))`);
    const [ins] = await c.query("INSERT INTO t (tiny, u, d, f, s, b, dt, day) VALUES (-5, 4000000000, 12.5, 0.25, 'héllo', X'00ff', '2024-02-29 10:11:12', '2024-02-29')");
    assert.equal((ins as mysql.ResultSetHeader).insertId, 1);
    assert.equal((ins as mysql.ResultSetHeader).affectedRows, 1);
    const [rows, fields] = await c.query('SELECT * FROM t');
    const r = (rows as mysql.RowDataPacket[])[0];
    assert.equal(r.id, '1');
    assert.equal(r.tiny, -5);
    assert.equal(r.u, 4000000000);
    assert.equal(r.d, '12.500');
    assert.equal(r.f, 0.25);
    assert.equal(r.s, 'héllo');
    assert.deepEqual(r.b, Buffer.from([0, 255]));
    assert.equal(r.dt, '2024-02-29 10:11:12');
    assert.equal(r.day, '2024-02-29');
    assert.equal(r.flag, 1);
    const f = fields as mysql.FieldPacket[];
    assert.equal(f[0].name, 'id');
    assert.equal(f[0].table, 't');
    const [multi] = await c.query("INSERT INTO t (s) VALUES ('a'), ('b')");
    assert.equal((multi as mysql.ResultSetHeader).insertId, 2, 'the first generated id of a multi-row insert');
    const [[last]] = (await c.query('SELECT LAST_INSERT_ID() AS id')) as [mysql.RowDataPacket[], unknown];
    assert.equal(String(last.id), '2');
    await assert.rejects(c.query("INSERT INTO t (s) VALUES ('a')"), (e: { errno: number; sqlState: string; message: string }) => {
      assert.equal(e.errno, 1062);
      assert.equal(e.sqlState, '23000');
      assert.match(e.message, /Duplicate entry 'a' for key 't.s'/);
      return true;
    });
    const [upd] = await c.query("UPDATE t SET f = f * 2 WHERE s IN ('a', 'héllo')");
    // mysql2 sets CLIENT_FOUND_ROWS, so affected rows are the matched ones (as MySQL answers); changed rows exclude the NULL row.
    assert.equal((upd as mysql.ResultSetHeader).affectedRows, 2, 'both rows matched');
    assert.equal((upd as mysql.ResultSetHeader).changedRows, 1, 'NULL * 2 leaves the row unchanged');
  } finally {
    await c.end();
  }
});

test('mysql2: what drivers send on connect, and errors keep the connection usable', async () => {
  const c = await connectAs();
  try {
    await c.query('SET NAMES utf8mb4');
    await c.query('SET autocommit = 1');
    await c.query("SET SESSION sql_mode = 'STRICT_TRANS_TABLES,NO_ENGINE_SUBSTITUTION'");
    const [[v]] = (await c.query('SELECT @@version AS v, @@version_comment AS vc, @@max_allowed_packet AS m, DATABASE() AS db, USER() AS u, CONNECTION_ID() AS id')) as [mysql.RowDataPacket[], unknown];
    assert.match(v.v, /^8\.0\.\d+-mizzle/);
    assert.match(v.vc, /mizzle/);
    assert.equal(v.m, 67108864);
    assert.equal(v.db, null);
    assert.match(v.u, /^root@/);
    assert.equal(typeof v.id, 'number');
    await assert.rejects(c.query('SELEC 1'), (e: { errno: number; message: string }) => e.errno === 1064 && /near 'SELEC 1' at line 1/.test(e.message));
    await assert.rejects(c.query('SELECT * FROM nowhere.t'), (e: { errno: number }) => e.errno === 1146);
    await assert.rejects(c.query('USE nowhere'), (e: { errno: number }) => e.errno === 1049);
    await assert.rejects(c.query('CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW SET @a = 1'), (e: { errno: number }) => e.errno === 1235);
    const [[ok]] = (await c.query('SELECT 1 + 1 AS two')) as [mysql.RowDataPacket[], unknown];
    assert.equal(ok.two, 2);
    await c.ping();
  } finally {
    await c.end();
  }
});

test('mysql2: multi-statement queries only when the client asks for them', async () => {
  const plain = await connectAs();
  try {
    await assert.rejects(plain.query('SELECT 1; SELECT 2'), (e: { errno: number }) => e.errno === 1064);
  } finally {
    await plain.end();
  }
  const multi = await connectAs({ multipleStatements: true });
  try {
    const [results] = await multi.query('SELECT 1 AS a; SELECT 2 AS b');
    assert.deepEqual((results as mysql.RowDataPacket[][]).map((r) => r[0]), [{ a: 1 }, { b: 2 }]);
  } finally {
    await multi.end();
  }
});

test('mysql2: CONNECT_WITH_DB, changing databases, and an unknown database at connect', async () => {
  const setup = await connectAs();
  await setup.query('CREATE DATABASE IF NOT EXISTS withdb');
  await setup.end();
  const c = await connectAs({ database: 'withdb' });
  const [[r]] = (await c.query('SELECT DATABASE() AS db')) as [mysql.RowDataPacket[], unknown];
  assert.equal(r.db, 'withdb');
  await c.changeUser({ database: 'withdb' });
  await c.end();
  await assert.rejects(connectAs({ database: 'nope' }), (e: { errno: number }) => e.errno === 1049);
});

const MYSQL_TYPE_JSON = 245;
const MYSQL_TYPE_BLOB = 252;

test('mysql2: JSON columns and JSON function results arrive as type 245 with MySQL text, ->> as text', async () => {
  const c = await connectAs();
  try {
    await c.query('CREATE DATABASE jz');
    await c.query('USE jz');
    await c.query('CREATE TABLE t (id INT PRIMARY KEY, doc JSON)');
    await c.query(`INSERT INTO t VALUES (1, '{"name":"carrot","tags":["a","b"],"n":1.5}')`);
    // The raw text as the server sent it: MySQL's separators and key order (JSON columns come in charset binary, as from MySQL).
    const [raw, rawFields] = await c.query({ sql: "SELECT doc, doc->'$.tags', doc->>'$.name', JSON_OBJECT('k', 1) FROM t", rowsAsArray: true, typeCast: (f, next) => { void next; return f.string('utf8'); } });
    assert.deepEqual((raw as string[][])[0], ['{"n": 1.5, "name": "carrot", "tags": ["a", "b"]}', '["a", "b"]', 'carrot', '{"k": 1}']);
    const types = (rawFields as mysql.FieldPacket[]).map((f) => f.columnType);
    assert.deepEqual(types, [MYSQL_TYPE_JSON, MYSQL_TYPE_JSON, MYSQL_TYPE_BLOB, MYSQL_TYPE_JSON]);
    // mysql2 parses type 245 into objects by default.
    const [rows] = await c.query('SELECT doc FROM t');
    assert.deepEqual((rows as mysql.RowDataPacket[])[0].doc, { n: 1.5, name: 'carrot', tags: ['a', 'b'] });
    // Binary (prepared) rows, with the document as a parameter.
    await c.execute('INSERT INTO t VALUES (?, ?)', [2, '[1, {"x": null}]']);
    const [prepared, pf] = await c.execute("SELECT doc, doc->'$[1]' FROM t WHERE id = ?", [2]);
    assert.deepEqual((prepared as mysql.RowDataPacket[])[0].doc, [1, { x: null }]);
    assert.equal((pf as mysql.FieldPacket[])[0].columnType, MYSQL_TYPE_JSON);
    await assert.rejects(c.query("INSERT INTO t VALUES (3, '{bad')"), (e: { errno: number; sqlState: string; message: string }) => {
      assert.equal(e.errno, 3140);
      assert.equal(e.sqlState, '22032');
      assert.match(e.message, /^Invalid JSON text: "Missing a name for object member\." at position 1 in value for column/);
      return true;
    });
    await assert.rejects(c.query("SELECT JSON_EXTRACT(doc, '$.') FROM t"), (e: { errno: number; sqlState: string }) => {
      assert.equal(e.errno, 3143);
      assert.equal(e.sqlState, '42000');
      return true;
    });
  } finally {
    await c.end();
  }
});

test('a query over 16 MiB crosses packet boundaries intact', async () => {
  const c = await connectAs();
  try {
    const big = 'x'.repeat(17 * 1024 * 1024);
    const [[r]] = (await c.query(`SELECT LENGTH('${big}') AS n`)) as [mysql.RowDataPacket[], unknown];
    assert.equal(r.n, big.length);
  } finally {
    await c.end();
  }
});

test('garbage on the wire gets an error and does not hurt other clients', async () => {
  await new Promise<void>((resolve) => {
    const sock = connect(server.port, '127.0.0.1');
    sock.once('data', () => {
      // Answer the handshake with a malformed packet.
      sock.write(Buffer.from([5, 0, 0, 1, 0xde, 0xad, 0xbe, 0xef, 0x00]));
    });
    sock.on('error', () => resolve());
    sock.on('close', () => resolve());
    setTimeout(() => { sock.destroy(); resolve(); }, 3000);
  });
  const c = await connectAs();
  const [[r]] = (await c.query('SELECT 42 AS n')) as [mysql.RowDataPacket[], unknown];
  assert.equal(r.n, 42);
  await c.end();
});

function mariadb(args: string[], input?: string): string {
  return execFileSync('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-uroot', '--skip-ssl', ...args], { input, encoding: 'utf8', timeout: 20000 });
}

const haveMariadbCli = spawnSync('mariadb', ['--version']).status === 0;

test('the mariadb command-line client: batch script, SHOW statements, errors', { skip: !haveMariadbCli && 'mariadb client not installed' }, () => {
  const out = mariadb(['--table'], [
    'CREATE DATABASE cli;',
    'USE cli;',
    'CREATE TABLE p (id INT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(10) NOT NULL, qty INT DEFAULT 0);',
    "INSERT INTO p (name, qty) VALUES ('a', 1), ('b', 2);",
    'SELECT * FROM p ORDER BY id;',
    'SHOW DATABASES;',
    'SHOW TABLES;',
    'DESCRIBE p;',
    'SHOW COLUMNS FROM p;',
  ].join('\n'));
  assert.match(out, /\| id \| name \| qty\s+\|/);
  assert.match(out, /\|\s+1 \| a\s+\|\s+1 \|/);
  assert.match(out, /\| cli\s+\|/);
  assert.match(out, /\| Tables_in_cli \|/);
  assert.match(out, /\| id\s+\| int\s+\| NO\s+\| PRI \| NULL\s+\| auto_increment \|/);
  const err = spawnSync('mariadb', ['-h127.0.0.1', `-P${server.port}`, '-uroot', '--skip-ssl', '-e', 'SELECT * FROM cli.nope'], { encoding: 'utf8' });
  assert.notEqual(err.status, 0);
  assert.match(err.stderr, /ERROR 1146 \(42S02\).*Table 'cli.nope' doesn't exist/);
});

test('data survives a clean restart of the server process', async () => {
  const c = await connectAs();
  await c.query('CREATE DATABASE keep');
  await c.query('CREATE TABLE keep.k (id INT PRIMARY KEY, v VARCHAR(5))');
  await c.query("INSERT INTO keep.k VALUES (1, 'one'), (2, 'two')");
  await c.end();
  const code = await server.stop();
  assert.equal(code, 0, server.log());
  server = await startServerProcess({ datadir: server.datadir });
  const d = await connectAs();
  const [rows] = await d.query('SELECT id, v FROM keep.k ORDER BY id');
  assert.deepEqual(rows, [{ id: 1, v: 'one' }, { id: 2, v: 'two' }]);
  await d.end();
});
