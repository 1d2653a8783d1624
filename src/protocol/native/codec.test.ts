// The native codec, both ends: every message written is read back the same; frames are cut and refused as docs/protocol.md says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../base/value.js';
import { Flag, MessageType, SHARD_KEY_BYTES_MAX } from './constants.js';
import { FrameError, FrameReader, startFrame, endFrame, type Frame } from './frame.js';
import {
  readError, readHello, readOk, readQuery, readRedirect, readRows, readServerHello,
  writeError, writeHello, writeOk, writeQuery, writeRedirect, writeRows, writeServerHello, RowFrameWriter, type NativeColumn,
} from './messages.js';
import { WireWriter } from './wire-writer.js';
import { NativeProtocolError } from './wire-reader.js';

function frames(bytes: Buffer, max = 1 << 20): Frame[] {
  return new FrameReader(max).push(bytes);
}

test('handshake, query, OK, ERROR and REDIRECT messages read back as written', () => {
  const w = new WireWriter(8);
  writeHello(w, 0, { user: 'root', password: 'pä', database: 'db', clientName: 'test' });
  writeServerHello(w, 0, Flag.AUTOCOMMIT, { connectionId: 7, serverVersion: '8.0.36-mizzle', frameBytesMax: 1000, inFlightMax: 4 });
  writeQuery(w, 42, Flag.READ_ONLY, 'SELECT ?, ?, ?, ?, ?', [null, 1.5, 18446744073709551615n, 'x', new Uint8Array([0, 255])], Buffer.from('tenant-9'));
  writeOk(w, 43, Flag.IN_TRANSACTION, { rowsAffected: 3n, lastInsertId: 18446744073709551615n, warnings: 1, info: 'Rows matched: 3' });
  writeError(w, 44, 0, { code: 1064, sqlstate: '42000', message: 'syntax' });
  writeRedirect(w, 45, 0, { reason: 'read-only', host: '10.0.0.2', port: 4406, message: 'go there' });
  const f = frames(w.finish());
  assert.deepEqual(f.map((x) => x.type), [MessageType.HELLO, MessageType.SERVER_HELLO, MessageType.QUERY, MessageType.OK, MessageType.ERROR, MessageType.REDIRECT]);
  assert.deepEqual(readHello(f[0].payload), { user: 'root', password: 'pä', database: 'db', clientName: 'test' });
  assert.equal(readServerHello(f[1].payload).connectionId, 7);
  assert.equal(f[2].requestId, 42);
  assert.equal(f[2].flags, Flag.READ_ONLY);
  assert.equal(f[2].shardKey.toString(), 'tenant-9');
  assert.deepEqual(readQuery(f[2].payload), { sql: 'SELECT ?, ?, ?, ?, ?', params: [null, 1.5, 18446744073709551615n, 'x', Buffer.from([0, 255])] });
  assert.deepEqual(readOk(f[3].payload), { rowsAffected: 3n, lastInsertId: 18446744073709551615n, warnings: 1, info: 'Rows matched: 3' });
  assert.deepEqual(readError(f[4].payload), { code: 1064, sqlstate: '42000', message: 'syntax' });
  assert.deepEqual(readRedirect(f[5].payload), { reason: 'read-only', host: '10.0.0.2', port: 4406, message: 'go there' });
});

test('rows stream in chunks with NULL bitmaps, exact integers, bytes and ISO datetimes', () => {
  const columns: NativeColumn[] = [
    { name: 'i', type: 'int', nullable: false }, { name: 'b', type: 'bigint', nullable: true }, { name: 'd', type: 'decimal', nullable: true },
    { name: 'f', type: 'double', nullable: true }, { name: 'v', type: 'varbinary', nullable: true }, { name: 'dt', type: 'datetime', nullable: true },
    { name: 's', type: 'varchar', nullable: true }, { name: 'n', type: 'null', nullable: true }, { name: 'y', type: 'year', nullable: true },
  ];
  const rows = Array.from({ length: 2500 }, (_, k) => [k, k % 2 === 0 ? -9223372036854775808n : null, new Decimal(150n, 2), 0.1, Buffer.from([k & 255]), '2024-02-29 23:59:59.123', 'héllo', null, '2024']);
  const out: Buffer[] = [];
  writeRows((b) => out.push(Buffer.from(b)), 9, Flag.AUTOCOMMIT, columns, rows, 2, 1000, 1 << 20);
  const f = frames(Buffer.concat(out));
  assert.deepEqual(f.map((x) => [x.type, x.flags & Flag.MORE]), [[MessageType.ROWS, Flag.MORE], [MessageType.ROW_CHUNK, Flag.MORE], [MessageType.ROW_CHUNK, 0]]);
  const first = readRows(f[0].payload, f[0].flags);
  assert.deepEqual(first.columns, columns);
  const all = [first, readRows(f[1].payload, f[1].flags, first.columns), readRows(f[2].payload, f[2].flags, first.columns)];
  assert.equal(all[2].warnings, 2);
  const got = all.flatMap((p) => p.rows);
  assert.equal(got.length, 2500);
  assert.deepEqual(got[0], [0, -9223372036854775808n, '1.50', 0.1, new Uint8Array([0]), '2024-02-29T23:59:59.123', 'héllo', null, 2024]);
  assert.deepEqual(got[1].slice(0, 2), [1, null]);
});

test('an empty result is one ROWS frame with the columns and the warnings', () => {
  const out: Buffer[] = [];
  writeRows((b) => out.push(Buffer.from(b)), 1, 0, [{ name: 'a', type: 'int', nullable: true }], [], 0, 10, 1000);
  const f = frames(Buffer.concat(out));
  assert.equal(f.length, 1);
  assert.deepEqual(readRows(f[0].payload, f[0].flags), { columns: [{ name: 'a', type: 'int', nullable: true }], rows: [], warnings: 0 });
});

test('a streamed result: batches in frames marked MORE; the held last frame becomes the final one', () => {
  const out: Buffer[] = [];
  const rf = new RowFrameWriter([{ name: 'a', type: 'bigint', nullable: false }], 5, (b) => out.push(Buffer.from(b)), 3, 1 << 20);
  rf.rows([], 0);
  rf.rows([[1], [2], [3], [4]], Flag.IN_TRANSACTION);
  rf.rows([[5]], 0);
  assert.equal(out.length, 0, 'small frames are held until the end');
  rf.end([], Flag.AUTOCOMMIT, 7);
  assert.equal(out.length, 1, 'and leave in one write');
  const f = frames(Buffer.concat(out));
  assert.deepEqual(f.map((x) => [x.type, x.flags, x.requestId]), [
    [MessageType.ROWS, Flag.IN_TRANSACTION | Flag.MORE, 5], [MessageType.ROW_CHUNK, Flag.IN_TRANSACTION | Flag.MORE, 5], [MessageType.ROW_CHUNK, Flag.AUTOCOMMIT, 5],
  ]);
  const first = readRows(f[0].payload, f[0].flags);
  const parts = [first, ...f.slice(1).map((x) => readRows(x.payload, x.flags, first.columns))];
  assert.deepEqual(parts.map((p) => p.rows.length), [3, 1, 1]);
  assert.deepEqual(parts.flatMap((p) => p.rows), [[1], [2], [3], [4], [5]]);
  assert.equal(parts[2].warnings, 7);
});

test('a streamed result whose frames already left ends with an empty last frame', () => {
  const out: Buffer[] = [];
  // A 16-byte target: every frame leaves at once.
  const rf = new RowFrameWriter([{ name: 'a', type: 'int', nullable: true }], 6, (b) => out.push(Buffer.from(b)), 1000, 16);
  rf.rows([[1], [null]], 0);
  assert.ok(out.length >= 1);
  rf.end([], 0, 0);
  const f = frames(Buffer.concat(out));
  const first = readRows(f[0].payload, f[0].flags);
  const parts = [first, ...f.slice(1).map((x) => readRows(x.payload, x.flags, first.columns))];
  assert.deepEqual(parts.flatMap((p) => p.rows), [[1], [null]]);
  assert.deepEqual(parts.at(-1), { columns: first.columns, rows: [], warnings: 0 });
  assert.deepEqual(f.map((x) => x.flags & Flag.MORE), [...f.slice(1).map(() => Flag.MORE), 0]);
});

test('frames split anywhere are put back together', () => {
  const w = new WireWriter();
  for (let i = 0; i < 20; i++) writeQuery(w, i, 0, `SELECT ${'x'.repeat(i * 7)}`, [i]);
  const bytes = w.finish();
  const reader = new FrameReader(1 << 20);
  const got: Frame[] = [];
  for (let i = 0; i < bytes.length; i += 5) got.push(...reader.push(bytes.subarray(i, i + 5)));
  assert.deepEqual(got.map((f) => f.requestId), Array.from({ length: 20 }, (_, i) => i));
  assert.equal(reader.buffered, 0);
});

test('wrong magic, wrong version, oversized frames and long shard keys are refused from the header alone', () => {
  assert.throws(() => frames(Buffer.from('GET / HTTP/1.1\r\n\r\n')), (e: unknown) => e instanceof FrameError && e.fault === 'magic');
  assert.throws(() => frames(Buffer.from([0x4d, 0x5a, 9])), (e: unknown) => e instanceof FrameError && e.fault === 'version');
  const w = new WireWriter();
  writeQuery(w, 5, 0, 'SELECT 1'.padEnd(2000), undefined);
  // Only the header of the oversized frame arrived: refused at once, naming its request id.
  assert.throws(() => frames(w.finish().subarray(0, 16), 1000), (e: unknown) => e instanceof FrameError && e.fault === 'size' && e.requestId === 5);
  const h = Buffer.from(w.finish().subarray(0, 16));
  h.writeUInt16LE(SHARD_KEY_BYTES_MAX + 1, 10);
  assert.throws(() => frames(h), (e: unknown) => e instanceof FrameError && e.fault === 'shard-key');
  assert.throws(() => writeQuery(new WireWriter(), 1, 0, 'x', undefined, new Uint8Array(SHARD_KEY_BYTES_MAX + 1)), NativeProtocolError);
});

test('truncated and padded payloads are protocol errors, never wrong values', () => {
  const w = new WireWriter();
  writeQuery(w, 1, 0, 'SELECT ?', ['abc']);
  const f = frames(w.finish())[0];
  assert.throws(() => readQuery(f.payload.subarray(0, f.payload.length - 1)), NativeProtocolError);
  assert.throws(() => readQuery(Buffer.concat([f.payload, Buffer.from([0])])), NativeProtocolError);
  const bogus = new WireWriter();
  const at = startFrame(bogus, MessageType.ROWS, 0, 1);
  bogus.u16(1);
  bogus.text('a');
  bogus.u8(4);
  bogus.u8(1);
  bogus.u32(1_000_000_000);
  endFrame(bogus, at);
  const rf = frames(bogus.finish())[0];
  assert.throws(() => readRows(rf.payload, rf.flags), /claims 1000000000 rows/);
});
