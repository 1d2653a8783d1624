// Tests of COM_STMT_EXECUTE parameters: decoding every wire type against bytes from the protocol documentation, and the client end's encoding read back by the server's decoder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../base/decimal.js';
import type { Value } from '../../base/value.js';
import { PARAM_UNSIGNED, binaryParamOf, decodeExecuteParams, readBinaryParam, type BinaryParam } from './binary-params.js';
import { dec, payloadOf } from './codec-fixture.js';
import { Command, FieldType as T } from './constants.js';
import { PayloadReader, MalformedPacketError } from './payload-reader.js';
import {
  CursorType,
  parseExecuteHead,
  parseFetch,
  parseSendLongData,
  parseStatementId,
  writeExecute,
  writeFetch,
  writeSendLongData,
  writeStatementCommand,
  type ExecuteRequest,
} from './prepared-packets.js';

function hex(s: string): Buffer {
  return Buffer.from(s.replace(/\s+/g, ''), 'hex');
}

function one(type: number, bytes: string, unsigned = false): Value {
  const r = new PayloadReader(hex(bytes));
  const v = readBinaryParam(r, type, unsigned);
  assert.equal(r.remaining, 0, 'every byte consumed');
  return v;
}

test('integers: width by type, signed or unsigned by the flag, LONGLONG beyond 2^53 as bigint', () => {
  assert.equal(one(T.TINY, '01'), 1);
  assert.equal(one(T.TINY, 'ff'), -1);
  assert.equal(one(T.TINY, 'ff', true), 255);
  assert.equal(one(T.SHORT, '01 00'), 1);
  assert.equal(one(T.SHORT, '00 80'), -32768);
  assert.equal(one(T.SHORT, 'ff ff', true), 65535);
  assert.equal(one(T.YEAR, 'e8 07'), 2024);
  assert.equal(one(T.LONG, '01 00 00 00'), 1);
  assert.equal(one(T.LONG, 'ff ff ff ff'), -1);
  assert.equal(one(T.LONG, 'ff ff ff ff', true), 4294967295);
  assert.equal(one(T.INT24, 'ff ff ff ff'), -1, 'INT24 travels in 4 bytes');
  assert.equal(one(T.LONGLONG, '01 00 00 00 00 00 00 00'), 1);
  assert.equal(one(T.LONGLONG, 'ff ff ff ff ff ff ff ff'), -1);
  assert.equal(one(T.LONGLONG, 'ff ff ff ff ff ff 1f 00'), Number.MAX_SAFE_INTEGER);
  assert.equal(one(T.LONGLONG, '00 00 00 00 00 00 e0 ff'), -(2 ** 53));
  assert.equal(one(T.LONGLONG, '00 00 00 00 00 00 00 80'), -9223372036854775808n);
  assert.equal(one(T.LONGLONG, 'ff ff ff ff ff ff ff 7f'), 9223372036854775807n);
  assert.equal(one(T.LONGLONG, 'ff ff ff ff ff ff ff ff', true), 18446744073709551615n);
  assert.equal(one(T.LONGLONG, '00 00 00 00 00 00 00 80', true), 9223372036854775808n);
});

test('FLOAT, DOUBLE (10.2 from the documentation), DECIMAL as exact Decimal', () => {
  assert.equal(one(T.DOUBLE, '66 66 66 66 66 66 24 40'), 10.2);
  assert.equal(one(T.FLOAT, '33 33 23 41'), Math.fround(10.2));
  const d = one(T.NEWDECIMAL, '07 2d 31 32 2e 33 34 30');
  assert.ok(d instanceof Decimal);
  assert.equal(d.toString(), '-12.340');
  assert.equal(String(one(T.DECIMAL, '01 35')), '5');
  assert.equal(one(T.NEWDECIMAL, '03 61 62 63'), 'abc', 'not a number: left as text for the kernel to judge');
});

test('temporal values to canonical strings (documentation examples)', () => {
  assert.equal(one(T.DATETIME, '0b da 07 0a 11 13 1b 1e 01 00 00 00'), '2010-10-17 19:27:30.000001');
  assert.equal(one(T.DATETIME, '07 da 07 0a 11 13 1b 1e'), '2010-10-17 19:27:30');
  assert.equal(one(T.DATETIME, '04 da 07 0a 11'), '2010-10-17 00:00:00');
  assert.equal(one(T.TIMESTAMP, '00'), '0000-00-00 00:00:00');
  assert.equal(one(T.DATE, '04 da 07 0a 11'), '2010-10-17');
  assert.equal(one(T.DATE, '00'), '0000-00-00');
  assert.equal(one(T.DATE, '07 da 07 0a 11 01 02 03'), '2010-10-17 01:02:03', 'a DATE with a time of day keeps it');
  assert.equal(one(T.TIME, '0c 01 78 00 00 00 13 1b 1e 01 00 00 00'), '-2899:27:30.000001');
  assert.equal(one(T.TIME, '08 01 78 00 00 00 13 1b 1e'), '-2899:27:30');
  assert.equal(one(T.TIME, '08 00 00 00 00 00 01 02 03'), '01:02:03');
  assert.equal(one(T.TIME, '00'), '00:00:00');
  assert.throws(() => one(T.DATETIME, '05 00 00 00 00 00'), MalformedPacketError);
  assert.throws(() => one(T.TIME, '03 00 00 00'), MalformedPacketError);
});

test('string family: UTF-8 text, Buffers for bytes that are not UTF-8, BIT and GEOMETRY always bytes', () => {
  assert.equal(one(T.VAR_STRING, '03 66 6f 6f'), 'foo');
  assert.equal(one(T.STRING, '06 68 c3 a9 6c 6c 6f'), 'héllo');
  for (const t of [T.VARCHAR, T.ENUM, T.SET, T.JSON, T.TINY_BLOB, T.MEDIUM_BLOB, T.LONG_BLOB, T.BLOB]) {
    assert.equal(one(t, '02 6f 6b'), 'ok', `type ${t}`);
  }
  assert.deepEqual(one(T.BLOB, '03 00 ff 01'), Buffer.from([0, 0xff, 1]));
  assert.deepEqual(one(T.VAR_STRING, '02 c3 28'), Buffer.from([0xc3, 0x28]), 'invalid UTF-8 stays bytes');
  assert.deepEqual(one(T.BIT, '01 05'), Buffer.from([5]));
  assert.deepEqual(one(T.GEOMETRY, '02 41 42'), Buffer.from('AB'));
  assert.equal(one(T.BLOB, '00'), '');
  const long = 'x'.repeat(300);
  assert.equal(one(T.VAR_STRING, 'fc 2c 01' + Buffer.from(long).toString('hex')), long);
  assert.equal(one(T.NULL, ''), null);
  assert.throws(() => one(0x77, '00'), MalformedPacketError);
  assert.throws(() => one(T.VAR_STRING, '05 61'), MalformedPacketError);
});

/** A COM_STMT_EXECUTE payload: header, then the given parameter block. */
function execute(id: number, block: string): Buffer {
  const head = Buffer.alloc(10);
  head[0] = 0x17;
  head.writeUInt32LE(id, 1);
  head[5] = 0;
  head.writeUInt32LE(1, 6);
  return Buffer.concat([head, hex(block)]);
}

test('execute block: NULL bitmap, types bound once and reused, long data replacing values', () => {
  // 3 params: LONG 7, NULL (bit 1), VAR_STRING 'ab'.
  const p1 = parseExecuteHead(execute(9, '02 01 0300 0600 fd00 07000000 026162'));
  assert.equal(p1.statementId, 9);
  const d1 = decodeExecuteParams(p1.reader, 3, { previousTypes: null, longData: null });
  assert.deepEqual(d1.values, [7, null, 'ab']);
  assert.equal(d1.newTypes, true);
  assert.deepEqual([...(d1.types ?? [])], [3, 0, 6, 0, 0xfd, 0]);
  assert.equal(p1.reader.remaining, 0);

  // new-params-bound 0: the previous types decode the values.
  // (Param 1 was typed NULL, so it reads as NULL without bytes.)
  const p2 = parseExecuteHead(execute(9, '00 00 ffffffff 0178'));
  const d2 = decodeExecuteParams(p2.reader, 3, { previousTypes: d1.types, longData: null });
  assert.deepEqual(d2.values, [-1, null, 'x']);
  assert.equal(p2.reader.remaining, 0);
  assert.equal(d2.newTypes, false);

  // Unsigned flag.
  const p3 = parseExecuteHead(execute(9, `00 01 08${PARAM_UNSIGNED.toString(16)} ffffffffffffffff`));
  assert.deepEqual(decodeExecuteParams(p3.reader, 1, { previousTypes: null, longData: null }).values, [18446744073709551615n]);

  // Long data for param 0 (its bytes are absent from the packet; its NULL bit is ignored).
  const p4 = parseExecuteHead(execute(9, '01 01 fc00 0300 05000000'));
  const d4 = decodeExecuteParams(p4.reader, 2, { previousTypes: null, longData: [Buffer.from('long text')] });
  assert.deepEqual(d4.values, ['long text', 5]);
  const p5 = parseExecuteHead(execute(9, '00 01 fc00'));
  assert.deepEqual(decodeExecuteParams(p5.reader, 1, { previousTypes: null, longData: [Buffer.from([0xff, 0])] }).values, [Buffer.from([0xff, 0])]);

  // No types ever sent and a non-NULL value: malformed. All NULL needs no types.
  assert.throws(() => decodeExecuteParams(parseExecuteHead(execute(9, '00 00 01')).reader, 1, { previousTypes: null, longData: null }), MalformedPacketError);
  assert.deepEqual(decodeExecuteParams(parseExecuteHead(execute(9, '01 00')).reader, 1, { previousTypes: null, longData: null }).values, [null]);
  // Nine params: a two-byte bitmap.
  const nine = decodeExecuteParams(parseExecuteHead(execute(9, '00 00 01 ' + '0100'.repeat(9) + '010203040506070809')).reader, 9, { previousTypes: null, longData: null });
  assert.deepEqual(nine.values, [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const nineNull = decodeExecuteParams(parseExecuteHead(execute(9, 'ff 01 00 ' + '0100'.repeat(9))).reader, 9, { previousTypes: null, longData: null });
  assert.deepEqual(nineNull.values, new Array(9).fill(null));
  // Truncated value.
  assert.throws(() => decodeExecuteParams(parseExecuteHead(execute(9, '00 01 0300 0100')).reader, 1, { previousTypes: null, longData: null }), MalformedPacketError);
});

/** Encodes `req` with the client end and decodes it with the server's reader. */
function roundTrip(req: ExecuteRequest, previousTypes: Uint8Array | null = null, longData: (Buffer | null)[] | null = null) {
  const p = payloadOf((w) => writeExecute(w, req));
  assert.equal(p[0], Command.STMT_EXECUTE);
  const head = parseExecuteHead(p);
  assert.deepEqual([head.statementId, head.flags], [req.statementId, req.flags ?? 0]);
  const decoded = decodeExecuteParams(head.reader, req.params.length, { previousTypes, longData });
  assert.equal(head.reader.remaining, 0, 'every byte consumed');
  return decoded;
}

test('round trip: every parameter type, signed and unsigned, NULLs, through writeExecute and decodeExecuteParams', () => {
  const cases: [BinaryParam, Value][] = [
    [{ type: T.TINY, value: -128 }, -128],
    [{ type: T.TINY, unsigned: true, value: 255 }, 255],
    [{ type: T.SHORT, value: -32768 }, -32768],
    [{ type: T.SHORT, unsigned: true, value: 65535 }, 65535],
    [{ type: T.YEAR, unsigned: true, value: 2024 }, 2024],
    [{ type: T.INT24, value: -8388608 }, -8388608],
    [{ type: T.LONG, value: -2147483648 }, -2147483648],
    [{ type: T.LONG, unsigned: true, value: 4294967295 }, 4294967295],
    [{ type: T.LONGLONG, value: Number.MIN_SAFE_INTEGER }, Number.MIN_SAFE_INTEGER],
    [{ type: T.LONGLONG, value: -9223372036854775808n }, -9223372036854775808n],
    [{ type: T.LONGLONG, value: 9223372036854775807n }, 9223372036854775807n],
    [{ type: T.LONGLONG, unsigned: true, value: 18446744073709551615n }, 18446744073709551615n],
    [{ type: T.LONGLONG, unsigned: true, value: 2 ** 53 }, 2n ** 53n],
    [{ type: T.FLOAT, value: 10.2 }, Math.fround(10.2)],
    [{ type: T.DOUBLE, value: -1.5e300 }, -1.5e300],
    [{ type: T.DOUBLE, value: -0 }, -0],
    [{ type: T.NEWDECIMAL, value: dec('-12345678901234567890.123456789') }, dec('-12345678901234567890.123456789')],
    [{ type: T.DECIMAL, value: dec('0.500') }, dec('0.500')],
    [{ type: T.DATE, value: '2024-02-29' }, '2024-02-29'],
    [{ type: T.DATE, value: '0000-00-00' }, '0000-00-00'],
    [{ type: T.DATETIME, value: '2010-10-17 19:27:30' }, '2010-10-17 19:27:30'],
    [{ type: T.DATETIME, value: '2010-10-17 00:00:00' }, '2010-10-17 00:00:00'],
    // The server reads fractions as six digits: the parameter has no declared precision.
    [{ type: T.DATETIME, value: '2024-01-31 10:11:12.345' }, '2024-01-31 10:11:12.345000'],
    [{ type: T.TIMESTAMP, value: '1970-01-01 00:00:01.000001' }, '1970-01-01 00:00:01.000001'],
    [{ type: T.TIME, value: '12:34:56' }, '12:34:56'],
    [{ type: T.TIME, value: '-838:59:59' }, '-838:59:59'],
    [{ type: T.TIME, value: '-00:00:01.5' }, '-00:00:01.500000'],
    [{ type: T.TIME, value: '00:00:00' }, '00:00:00'],
    [{ type: T.VAR_STRING, value: 'héllo 😀' }, 'héllo 😀'],
    [{ type: T.STRING, value: '' }, ''],
    [{ type: T.BLOB, value: Buffer.from([0xff, 0, 0xfe]) }, Buffer.from([0xff, 0, 0xfe])],
    [{ type: T.BLOB, value: 'text in a BLOB parameter' }, 'text in a BLOB parameter'],
    [{ type: T.JSON, value: '{"a":1}' }, '{"a":1}'],
    [{ type: T.BIT, value: Buffer.from([5]) }, Buffer.from([5])],
    [{ type: T.GEOMETRY, value: Buffer.from('AB') }, Buffer.from('AB')],
    [{ type: T.VAR_STRING, value: null }, null],
    [{ type: T.NULL, value: null }, null],
    // Values of another runtime type are converted to the named one.
    [{ type: T.LONG, value: '42' }, 42],
    [{ type: T.DOUBLE, value: dec('2.5') }, 2.5],
    [{ type: T.VAR_STRING, value: 12 }, '12'],
  ];
  // One at a time, then all in one execute (a 6-byte NULL bitmap with NULLs in the middle).
  for (const [param, expected] of cases) assert.deepEqual(roundTrip({ statementId: 1, params: [param] }).values, [expected], JSON.stringify(param, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
  const all = roundTrip({ statementId: 0xffffffff, flags: CursorType.READ_ONLY, params: cases.map(([p]) => p) });
  assert.deepEqual(all.values, cases.map(([, e]) => e));
  assert.equal(all.newTypes, true);
  assert.deepEqual([...(all.types ?? [])], cases.flatMap(([p]) => [p.type, p.unsigned ? PARAM_UNSIGNED : 0]));
});

test('round trip: length-encoded parameter values at every size boundary', () => {
  for (const n of [0, 250, 251, 0xffff, 0x10000, 0xffffff, 0x1000000]) {
    const text = 'q'.repeat(n);
    const bytes = Buffer.alloc(n, 0xee);
    const got = roundTrip({ statementId: 3, params: [{ type: T.VAR_STRING, value: text }, { type: T.LONG_BLOB, value: bytes }] }).values;
    assert.ok(got[0] === text, `text of ${n}`);
    // Bytes that are not UTF-8 stay bytes; none at all read as the empty string.
    assert.ok(n === 0 ? got[1] === '' : Buffer.isBuffer(got[1]) && got[1].equals(bytes), `bytes of ${n}`);
  }
});

test('round trip: types left out (new-params-bound 0) decode with the previous ones; long data is neither sent nor NULL', () => {
  const first = roundTrip({ statementId: 9, params: [{ type: T.LONG, value: 7 }, { type: T.VAR_STRING, value: 'ab' }, { type: T.BLOB, value: null }] });
  assert.deepEqual(first.values, [7, 'ab', null]);
  const again = roundTrip({ statementId: 9, sendTypes: false, params: [{ type: T.LONG, value: -1 }, { type: T.VAR_STRING, value: null }, { type: T.BLOB, value: Buffer.from([0xff]) }] }, first.types);
  assert.deepEqual(again.values, [-1, null, Buffer.from([0xff])]);
  assert.equal(again.newTypes, false);
  const long = roundTrip({ statementId: 9, params: [{ type: T.LONG, value: 1 }, { type: T.BLOB, value: null, longData: true }] }, null, [null, Buffer.from('sent ahead')]);
  assert.deepEqual(long.values, [1, 'sent ahead']);
  assert.deepEqual(roundTrip({ statementId: 4, params: [] }).values, []);
});

test('types a client picks for plain Values, and their round trip', () => {
  const values: Value[] = [null, 0, -5, Number.MAX_SAFE_INTEGER, 1.5, 2 ** 60, -(2n ** 63n), 2n ** 64n - 1n, 'text', Buffer.from([0xff]), dec('1.50')];
  assert.deepEqual(values.map((v) => binaryParamOf(v).type), [T.NULL, T.LONGLONG, T.LONGLONG, T.LONGLONG, T.DOUBLE, T.DOUBLE, T.LONGLONG, T.LONGLONG, T.VAR_STRING, T.BLOB, T.NEWDECIMAL]);
  assert.deepEqual(values.map((v) => binaryParamOf(v).unsigned ?? false), values.map((v) => v === 2n ** 64n - 1n));
  assert.deepEqual(roundTrip({ statementId: 1, params: values.map(binaryParamOf) }).values, values);
});

test('the other COM_STMT_* requests round trip: SEND_LONG_DATA, FETCH, CLOSE, RESET', () => {
  for (const data of [Buffer.alloc(0), Buffer.from([0, 0xff]), Buffer.alloc(70000, 1)]) {
    const p = payloadOf((w) => writeSendLongData(w, 0xfffffffe, 0xffff, data));
    assert.equal(p[0], Command.STMT_SEND_LONG_DATA);
    assert.deepEqual(parseSendLongData(p), { statementId: 0xfffffffe, param: 0xffff, data });
  }
  const f = payloadOf((w) => writeFetch(w, 12, 0xffffffff));
  assert.equal(f[0], Command.STMT_FETCH);
  assert.deepEqual(parseFetch(f), { statementId: 12, rows: 0xffffffff });
  for (const code of [Command.STMT_CLOSE, Command.STMT_RESET]) {
    const p = payloadOf((w) => writeStatementCommand(w, code, 0x80000001));
    assert.deepEqual([p[0], parseStatementId(p), p.length], [code, 0x80000001, 5]);
  }
});
