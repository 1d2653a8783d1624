// String literals holding raw bytes that are not UTF-8, as drivers send binary values in statement text
// (PyMySQL and mysqlclient: _binary'…' or plain '…'; PHP's mysqli_real_escape_string): stored byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith } from '../../testing/embedded.js';
import { decodeKeepingBytes } from '../../base/raw-bytes-text.js';

/** A statement as the server decodes it from the wire: `parts` are text or raw bytes. */
const statement = (...parts: (string | number[])[]) =>
  decodeKeepingBytes(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p)))));

test('raw bytes in _binary and plain literals are stored and compared byte for byte', async () => {
  const { db, session: s } = await startEmbeddedWith(['CREATE DATABASE r', 'USE r', 'CREATE TABLE t (id INT PRIMARY KEY, b VARBINARY(16), blb BLOB, txt VARCHAR(10))']);
  try {
    await db.run(s, statement("INSERT INTO t VALUES (1, _binary'", [0x00, 0xff, 0x80], "', '", [0xfe, 0x41], "', 'ñé')"));
    assert.deepEqual(await db.rows(s, 'SELECT HEX(b), HEX(blb), txt, LENGTH(b) FROM t'), [['00FF80', 'FE41', 'ñé', 3]]);
    assert.deepEqual(await db.rows(s, statement("SELECT id FROM t WHERE b = '", [0x00, 0xff, 0x80], "'")), [[1]]);
    assert.deepEqual(await db.rows(s, statement("SELECT HEX('", [0xc3], "'), LENGTH(_binary'", [0xff], "é')")), [['C3', 3]]);
  } finally {
    await db.stop();
  }
});
