// Tests of OK, ERR and EOF packet layouts, and of reading them back at the client end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { payloadOf as one } from './codec-fixture.js';
import { MAX_PACKET_PAYLOAD, ServerStatus } from './constants.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';
import { isEndPacket, parseEnd, parseEof, parseErr, parseOk, truncateUtf8, writeEnd, writeEof, writeErr, writeOk, type OkFields } from './responses.js';

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

/** Counts at every length-encoded integer width boundary, and past 2^53 as bigints. */
const COUNTS: (number | bigint)[] = [0, 250, 251, 0xffff, 0x10000, 0xffffff, 0x1000000, 2 ** 32, Number.MAX_SAFE_INTEGER, 2n ** 53n + 1n, 2n ** 64n - 1n];

test('OK round trip: counts at every lenenc width, with and without info', () => {
  for (const affectedRows of COUNTS) {
    for (const info of [undefined, 'Rows matched: 1  Changed: 1  Warnings: 0', 'x'.repeat(300)]) {
      const f: OkFields = { affectedRows, insertId: COUNTS[COUNTS.length - 1 - COUNTS.indexOf(affectedRows)], status: ServerStatus.AUTOCOMMIT, warnings: 3, info };
      assert.deepEqual(parseOk(one((w) => writeOk(w, f))), { ...f, info: info ?? '' });
    }
  }
});

test('OK round trip with session state: the flag is set, the info kept even when empty, every change read back', () => {
  const sessionState = [
    { type: 0, data: Buffer.concat([Buffer.from([10]), Buffer.from('autocommit'), Buffer.from([3]), Buffer.from('OFF')]) },
    { type: 1, data: Buffer.from([4, ...Buffer.from('shop')]) },
    { type: 2, data: Buffer.from([1, 0x31]) },
    { type: 5, data: Buffer.alloc(300, 0x5f) },
  ];
  for (const info of ['', 'some info']) {
    const ok = parseOk(one((w) => writeOk(w, { affectedRows: 1, insertId: 0, status: ServerStatus.IN_TRANS, warnings: 0, info, sessionState })));
    assert.deepEqual(ok, { affectedRows: 1, insertId: 0, status: ServerStatus.IN_TRANS | ServerStatus.SESSION_STATE_CHANGED, warnings: 0, info, sessionState });
  }
  const none = parseOk(one((w) => writeOk(w, { affectedRows: 0, insertId: 0, status: 0, warnings: 0, sessionState: [] })));
  assert.deepEqual(none.sessionState, []);
  assert.equal(none.status, ServerStatus.SESSION_STATE_CHANGED);
});

test('OK with a 0xFE header ends a result set under DEPRECATE_EOF; EOF without; MORE_RESULTS_EXISTS survives both', () => {
  for (const deprecateEof of [true, false]) {
    for (const status of [ServerStatus.AUTOCOMMIT, ServerStatus.AUTOCOMMIT | ServerStatus.MORE_RESULTS_EXISTS, ServerStatus.CURSOR_EXISTS | ServerStatus.LAST_ROW_SENT]) {
      const p = one((w) => writeEnd(w, deprecateEof, 70000, status));
      assert.ok(isEndPacket(p));
      assert.deepEqual(parseEnd(p, deprecateEof), { warnings: 0xffff, status });
    }
  }
  // Read with the other setting, each is malformed rather than misread.
  assert.throws(() => parseEnd(one((w) => writeEnd(w, true, 0, 2)), false), MalformedPacketError);
  assert.throws(() => parseEnd(one((w) => writeOk(w, { affectedRows: 0, insertId: 0, status: 2, warnings: 0 })), true), MalformedPacketError);
  assert.deepEqual(parseEof(one((w) => writeEof(w, 1, 2))), { warnings: 1, status: 2 });
  // An OK is read as the header it must have: 0x00 for a command's OK, 0xFE for an end marker.
  assert.throws(() => parseOk(one((w) => writeEnd(w, true, 0, 2))), MalformedPacketError);
  assert.equal(parseOk(one((w) => writeEnd(w, true, 0, 2)), 0xfe).status, 2);
  // A row whose first value is 2^24 bytes or more also starts with 0xFE, but fills a whole packet.
  const row = Buffer.alloc(MAX_PACKET_PAYLOAD + 10);
  row[0] = 0xfe;
  assert.ok(!isEndPacket(row));
  assert.ok(!isEndPacket(Buffer.from([0x00, 0, 0, 2, 0, 0, 0])));
});

test('ERR round trip: code, SQLSTATE, message (truncated at 512 bytes), and one without a SQLSTATE', () => {
  const cases: [number, string, string][] = [[1146, '42S02', "Table 'a.b' doesn't exist"], [1045, '28000', "Access denied for user 'ü'@'h'"], [1105, 'HY000', ''], [1064, '42', 'short state is padded']];
  for (const [code, sqlState, message] of cases) {
    assert.deepEqual(parseErr(one((w) => writeErr(w, code, sqlState, message))), { code, sqlState: sqlState.padEnd(5, '0'), message });
  }
  assert.equal(Buffer.byteLength(parseErr(one((w) => writeErr(w, 1105, 'HY000', 'é'.repeat(400)))).message), 512);
  // Servers send ERR without the marker before the client has said it speaks protocol 4.1.
  const bare = Buffer.concat([Buffer.from([0xff, 0x10, 0x04]), Buffer.from('Too many connections')]);
  assert.deepEqual(parseErr(bare), { code: 1040, sqlState: 'HY000', message: 'Too many connections' });
  assert.throws(() => parseErr(Buffer.from([0x00, 1, 2])), MalformedPacketError);
});
