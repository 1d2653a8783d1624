// Tests of OK, ERR and EOF packet layouts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketWriter } from './packet-writer.js';
import { PayloadReader } from './payload-reader.js';
import { truncateUtf8, writeEnd, writeErr, writeOk } from './responses.js';

function one(build: (w: PacketWriter) => void): Buffer {
  const w = new PacketWriter();
  build(w);
  return w.take().subarray(4);
}

test('OK: lenenc counts, status, warnings, length-encoded info', () => {
  const p = one((w) => writeOk(w, { affectedRows: 300, insertId: 2n ** 40n, status: 0x0003, warnings: 2, info: 'Rows matched: 1  Changed: 1  Warnings: 0' }));
  const r = new PayloadReader(p);
  assert.deepEqual([r.u8(), r.lenencInt(), r.lenencInt(), r.u16(), r.u16(), r.lenencString()], [0, 300, 2 ** 40, 3, 2, 'Rows matched: 1  Changed: 1  Warnings: 0']);
  assert.ok(r.atEnd());
  assert.deepEqual([...one((w) => writeOk(w, { affectedRows: 0, insertId: 0, status: 2, warnings: 0 }))], [0, 0, 0, 2, 0, 0, 0]);
});

test('ERR: code, #, SQLSTATE, message truncated to 512 bytes', () => {
  const p = one((w) => writeErr(w, 1146, '42S02', "Table 'a.b' doesn't exist"));
  assert.deepEqual([p[0], p.readUInt16LE(1), p.toString('latin1', 3, 9), p.toString('utf8', 9)], [0xff, 1146, '#42S02', "Table 'a.b' doesn't exist"]);
  assert.equal(one((w) => writeErr(w, 1105, 'HY000', 'é'.repeat(400))).length, 9 + 512);
  assert.equal(truncateUtf8('aé', 2), 'a');
});

test('end of a result set: EOF, or OK with 0xFE under DEPRECATE_EOF', () => {
  assert.deepEqual([...one((w) => writeEnd(w, false, 1, 0x0a))], [0xfe, 1, 0, 0x0a, 0]);
  assert.deepEqual([...one((w) => writeEnd(w, true, 1, 0x0a))], [0xfe, 0, 0, 0x0a, 0, 1, 0]);
});
