// JSON end to end through the mysql2 driver: a JSON column's wire type (245) and value, in text and binary rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
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

const MYSQL_TYPE_JSON = 245;
const MYSQL_TYPE_BLOB = 252;

test('mysql2: JSON columns and JSON function results arrive as type 245 with MySQL text, ->> as text', async () => {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
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
