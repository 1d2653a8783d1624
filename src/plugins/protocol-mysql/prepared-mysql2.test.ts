// Prepared statements end to end: mysql2's execute() against the real mizzle server, every column type both ways.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';

interface MysqlErr {
  errno: number;
  message: string;
}

let server: ServerProcess;

before(async () => {
  server = await startServerProcess();
  const c = await connect();
  await c.query('CREATE DATABASE ps');
  await c.end();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

function connect(opts: mysql.ConnectionOptions = {}): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', ...opts });
}

async function rejectsWith(p: Promise<unknown>, errno: number): Promise<void> {
  await assert.rejects(p, (e: MysqlErr) => {
    assert.equal(e.errno, errno, e.message);
    return true;
  });
}

const TYPES_TABLE = `CREATE TABLE ps.t (
  id INT PRIMARY KEY AUTO_INCREMENT,
  ti TINYINT, tu TINYINT UNSIGNED, si SMALLINT, mi MEDIUMINT, i INT, iu INT UNSIGNED,
  bi BIGINT, bu BIGINT UNSIGNED, d DECIMAL(12,3), f FLOAT, db DOUBLE,
  c CHAR(5), vc VARCHAR(50), tx TEXT, vb VARBINARY(10), bl BLOB,
  da DATE, dt DATETIME, dt6 DATETIME(6), ts TIMESTAMP NULL, tm TIME, tm3 TIME(3), yr YEAR,
  js JSON, bt BIT(8), en ENUM('a','b','c'), st SET('x','y'))`;

const INSERT = `INSERT INTO ps.t (ti, tu, si, mi, i, iu, bi, bu, d, f, db, c, vc, tx, vb, bl, da, dt, dt6, ts, tm, tm3, yr, js, bt, en, st)
  VALUES (${new Array(27).fill('?').join(', ')})`;

test('every column type: INSERT with execute() parameters, SELECT back through binary rows', async () => {
  const c = await connect({ supportBigNumbers: true, bigNumberStrings: true, dateStrings: true });
  await c.query(TYPES_TABLE);
  const when = new Date(2024, 0, 31, 10, 11, 12, 345);
  const full = [
    -5, 250, -32768, -8388608, -2147483648, 4294967295,
    '-9223372036854775808', '18446744073709551615', '123456789.125', 1.5, 2.25,
    'abc', 'héllo wörld', 'x'.repeat(1000), Buffer.from([0, 0xff, 1]), Buffer.from([0xde, 0xad, 0xbe, 0xef]),
    '2024-02-29', when, '2024-01-31 10:11:12.123456', '2001-02-03 04:05:06', '-838:59:59', '12:34:56.789', 2024,
    '{"a": [1, 2]}', 65, 'b', 'x,y',
  ];
  const [res] = await c.execute<mysql.ResultSetHeader>(INSERT, full);
  assert.equal(res.affectedRows, 1);
  assert.equal(res.insertId, 1);
  const [nulls] = await c.execute<mysql.ResultSetHeader>(INSERT, new Array(27).fill(null));
  assert.equal(nulls.insertId, 2);

  const [rows] = await c.execute<mysql.RowDataPacket[]>('SELECT * FROM ps.t WHERE id = ?', [1]);
  assert.equal(rows.length, 1);
  const r = rows[0];
  assert.equal(r.id, 1);
  assert.equal(r.ti, -5);
  assert.equal(r.tu, 250);
  assert.equal(r.si, -32768);
  assert.equal(r.mi, -8388608);
  assert.equal(r.i, -2147483648);
  assert.equal(r.iu, 4294967295);
  assert.equal(r.bi, '-9223372036854775808');
  assert.equal(r.bu, '18446744073709551615');
  assert.equal(r.d, '123456789.125');
  assert.equal(r.f, 1.5);
  assert.equal(r.db, 2.25);
  assert.equal(r.c, 'abc');
  assert.equal(r.vc, 'héllo wörld');
  assert.equal(r.tx, 'x'.repeat(1000));
  assert.deepEqual(r.vb, Buffer.from([0, 0xff, 1]));
  assert.deepEqual(r.bl, Buffer.from([0xde, 0xad, 0xbe, 0xef]));
  assert.equal(r.da, '2024-02-29');
  assert.equal(r.dt, '2024-01-31 10:11:12', 'DATETIME(0) rounds the .345 mysql2 sent');
  assert.equal(r.dt6, '2024-01-31 10:11:12.123456');
  assert.equal(r.ts, '2001-02-03 04:05:06');
  assert.equal(r.tm, '-838:59:59');
  assert.equal(r.tm3, '12:34:56.789');
  assert.equal(r.yr, 2024);
  assert.deepEqual(r.js, { a: [1, 2] });
  assert.deepEqual(r.bt, Buffer.from([65]));
  assert.equal(r.en, 'b');
  assert.equal(r.st, 'x,y');

  const [nullRows] = await c.execute<mysql.RowDataPacket[]>('SELECT * FROM ps.t WHERE id = ?', [2]);
  const n = nullRows[0];
  for (const [k, v] of Object.entries(n)) if (k !== 'id') assert.equal(v, null, k);

  // Without dateStrings/bigNumbers: mysql2 builds Dates and numbers from the binary values.
  const plain = await connect();
  const [pr] = await plain.execute<mysql.RowDataPacket[]>('SELECT bi, d, dt, da FROM ps.t WHERE id = ?', [1]);
  assert.equal(pr[0].d, '123456789.125');
  assert.ok(pr[0].dt instanceof Date);
  assert.equal((pr[0].dt as Date).getTime(), new Date(2024, 0, 31, 10, 11, 12).getTime());
  await plain.end();
  await c.end();
});

test('re-executing a cached statement with new values; results typed by the values', async () => {
  const c = await connect({ dateStrings: true });
  await c.query('CREATE TABLE ps.kv (k INT PRIMARY KEY, v VARCHAR(20), n DOUBLE)');
  for (let k = 1; k <= 20; k++) {
    await c.execute('INSERT INTO ps.kv VALUES (?, ?, ?)', [k, `v${k}`, k / 4]);
  }
  for (let k = 1; k <= 20; k++) {
    const [rows] = await c.execute<mysql.RowDataPacket[]>('SELECT v, n FROM ps.kv WHERE k = ?', [k]);
    assert.deepEqual(rows.map((x) => ({ ...x })), [{ v: `v${k}`, n: k / 4 }]);
  }
  const [range] = await c.execute<mysql.RowDataPacket[]>('SELECT k FROM ps.kv WHERE k BETWEEN ? AND ? ORDER BY k', [5, 8]);
  assert.deepEqual(range.map((x) => x.k), [5, 6, 7, 8]);
  const [upd] = await c.execute<mysql.ResultSetHeader>('UPDATE ps.kv SET v = ? WHERE k > ?', ['big', 15]);
  assert.equal(upd.affectedRows, 5);
  const [del] = await c.execute<mysql.ResultSetHeader>('DELETE FROM ps.kv WHERE k = ?', [20]);
  assert.equal(del.affectedRows, 1);
  const [expr] = await c.execute<mysql.RowDataPacket[]>('SELECT ? AS s, ? AS n, CONCAT(?, ?) AS c', ['x', null, 'a', 'b']);
  assert.deepEqual({ ...expr[0] }, { s: 'x', n: null, c: 'ab' });
  const [none] = await c.execute<mysql.RowDataPacket[]>('SELECT v FROM ps.kv WHERE k = ?', [999]);
  assert.deepEqual(none, []);
  await c.end();
});

test('a prepared statement stays right across DDL between its executions (dropped and added indexes, moved columns)', async () => {
  const c = await connect();
  const other = await connect();
  await c.query('CREATE TABLE ps.ddl (id INT PRIMARY KEY, k INT, v VARCHAR(10), KEY k (k))');
  for (let i = 1; i <= 30; i++) await c.query('INSERT INTO ps.ddl VALUES (?, ?, ?)', [i, i % 5, `v${i}`]);
  const sql = 'SELECT id, v FROM ps.ddl WHERE k = ? AND id > ? ORDER BY id';
  const expected = [{ id: 23, v: 'v23' }, { id: 28, v: 'v28' }];
  const run = async () => (await c.execute<mysql.RowDataPacket[]>(sql, [3, 20]))[0].map((x) => ({ ...x }));
  assert.deepEqual(await run(), expected);
  // Each change comes from another connection, so only the table definition tells this one.
  await other.query('DROP INDEX k ON ps.ddl');
  assert.deepEqual(await run(), expected, 'after the index it was planned with is dropped');
  await other.query('CREATE INDEX kv ON ps.ddl (v)');
  await other.query('CREATE INDEX k2 ON ps.ddl (k, id)');
  assert.deepEqual(await run(), expected, 'after new indexes appear');
  await other.query('ALTER TABLE ps.ddl ADD COLUMN extra INT FIRST');
  assert.deepEqual(await run(), expected, 'after the columns move');
  await other.end();
  await c.end();
});

test('a 17 MB row: read back by primary key and by index, as text and as binary rows, then updated', async () => {
  // Past 16 MiB, LMDB hands values out of its memory map and the protocol splits packets.
  const c = await connect();
  await c.query('CREATE TABLE ps.big (id INT PRIMARY KEY, k INT, b LONGTEXT, KEY (k))');
  await c.query("INSERT INTO ps.big VALUES (1, 5, REPEAT('x', 17000000))");
  const [byKey] = await c.query<mysql.RowDataPacket[]>('SELECT id, LENGTH(b) AS n FROM ps.big WHERE id = 1');
  assert.deepEqual(byKey.map((x) => ({ ...x })), [{ id: 1, n: 17000000 }]);
  const [byIndex] = await c.execute<mysql.RowDataPacket[]>('SELECT b FROM ps.big WHERE k = ?', [5]);
  assert.equal(byIndex[0].b.length, 17000000);
  assert.equal(byIndex[0].b.slice(0, 3) + byIndex[0].b.slice(-3), 'xxxxxx');
  const [upd] = await c.execute<mysql.ResultSetHeader>('UPDATE ps.big SET b = ? WHERE id = ?', ['small', 1]);
  assert.equal(upd.affectedRows, 1);
  const [after] = await c.query<mysql.RowDataPacket[]>('SELECT b FROM ps.big WHERE id = 1');
  assert.equal(after[0].b, 'small');
  await c.end();
});

test('BEGIN / COMMIT / ROLLBACK as prepared statements, with status flags', async () => {
  const c = await connect();
  await c.query('CREATE TABLE ps.tx (k INT PRIMARY KEY)');
  await c.execute('BEGIN');
  await c.execute('INSERT INTO ps.tx VALUES (?)', [1]);
  await c.execute('COMMIT');
  await c.execute('START TRANSACTION');
  await c.execute('INSERT INTO ps.tx VALUES (?)', [2]);
  await c.execute('ROLLBACK');
  const [rows] = await c.execute<mysql.RowDataPacket[]>('SELECT k FROM ps.tx ORDER BY k');
  assert.deepEqual(rows.map((r) => r.k), [1]);
  await c.end();
});

test('LIMIT ? and OFFSET ? bound by execute(), as ORMs paginate: plain, union, derived table, subquery, UPDATE/DELETE', async () => {
  const c = await connect();
  await c.query('CREATE TABLE ps.page (id INT PRIMARY KEY, v INT)');
  await c.query('INSERT INTO ps.page VALUES (1, 10), (2, 20), (3, 30), (4, 40)');
  const ids = async (sql: string, params: (string | number)[]) => ((await c.execute(sql, params))[0] as { id: number }[]).map((r) => r.id);
  assert.deepEqual(await ids('SELECT id FROM ps.page ORDER BY id LIMIT ?', [2]), [1, 2]);
  assert.deepEqual(await ids('SELECT id FROM ps.page ORDER BY id LIMIT ? OFFSET ?', [2, 1]), [2, 3]);
  assert.deepEqual(await ids('SELECT id FROM ps.page ORDER BY id LIMIT ?, ?', ['3', '5']), [4]);
  assert.deepEqual(await ids('SELECT id FROM ps.page WHERE v > ? ORDER BY id LIMIT ?', [15, 1]), [2]);
  assert.deepEqual(await ids('SELECT id FROM (SELECT id FROM ps.page ORDER BY id LIMIT ?) x', [1]), [1]);
  assert.deepEqual(await ids('SELECT id FROM ps.page UNION SELECT 9 ORDER BY id DESC LIMIT ?', [1]), [9]);
  const [del] = (await c.execute('DELETE FROM ps.page WHERE id > ? ORDER BY id LIMIT ?', [2, 1])) as [mysql.ResultSetHeader, unknown];
  assert.equal(del.affectedRows, 1);
  await c.end();
});

test('UPDATE that matches rows but changes none: affected rows are the matched rows under CLIENT_FOUND_ROWS (mysql2 sets it), the changed ones without', async () => {
  const c = await connect();
  await c.query('CREATE TABLE ps.fr (id INT PRIMARY KEY, v INT)');
  await c.query('INSERT INTO ps.fr VALUES (1, 1), (2, 1), (3, 2)');
  const [same] = (await c.execute('UPDATE ps.fr SET v = 1 WHERE id <= ?', [2])) as [mysql.ResultSetHeader, unknown];
  assert.equal(same.affectedRows, 2);
  assert.equal(same.changedRows, 0);
  await c.end();
  const plain = await connect({ flags: ['-FOUND_ROWS'] });
  const [r] = (await plain.query('UPDATE ps.fr SET v = 1 WHERE id <= 3')) as [mysql.ResultSetHeader, unknown];
  assert.equal(r.affectedRows, 1);
  assert.equal(r.info, 'Rows matched: 3  Changed: 1  Warnings: 0');
  await plain.end();
});

test('errors: syntax at prepare 1064, wrong parameter count, errors at execute leave the connection usable', async () => {
  const c = await connect();
  await rejectsWith(c.execute('SELEC 1'), 1064);
  await rejectsWith(c.prepare('SELECT * FROM ps.nowhere WHERE x = ?'), 1146);
  const stmt = await c.prepare('SELECT ? + ? AS s');
  await rejectsWith(stmt.execute([1]), 1210);
  const [ok] = await stmt.execute([1, 2]);
  assert.deepEqual((ok as mysql.RowDataPacket[])[0].s, 3);
  await c.query('CREATE TABLE ps.u (k INT PRIMARY KEY)');
  await c.execute('INSERT INTO ps.u VALUES (?)', [1]);
  await rejectsWith(c.execute('INSERT INTO ps.u VALUES (?)', [1]), 1062);
  const [after] = await c.execute<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM ps.u');
  assert.equal(Number(after[0].n), 1);
  stmt.close();
  await c.end();
});

test('many connections preparing statements, then disconnecting: nothing leaks, the server stays healthy', async () => {
  for (let round = 0; round < 3; round++) {
    const conns = await Promise.all(Array.from({ length: 20 }, () => connect()));
    await Promise.all(conns.map(async (c, i) => {
      for (let j = 0; j < 10; j++) {
        const [rows] = await c.execute<mysql.RowDataPacket[]>(`SELECT ? + ${j} AS x`, [i]);
        assert.equal(Number(rows[0].x), i + j);
      }
    }));
    await Promise.all(conns.map((c) => (round === 2 ? c.end() : Promise.resolve(c.destroy()))));
  }
  const c = await connect();
  const [rows] = await c.query<mysql.RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Prepared_stmt_count'");
  if (rows.length > 0) assert.equal(Number(rows[0].Value), 0);
  await c.end();
});
