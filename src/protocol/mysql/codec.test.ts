// Tests of the payload reader and packet writer: fixed and length-encoded integers and strings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';

function payloadOf(build: (w: PacketWriter) => void): Buffer {
  const w = new PacketWriter(16);
  w.begin();
  build(w);
  w.end();
  return w.take().subarray(4);
}

test('length-encoded integers at every width boundary', () => {
  const cases: [number, number][] = [
    [0, 1], [250, 1], [251, 3], [0xffff, 3], [0x10000, 4], [0xffffff, 4], [0x1000000, 9], [2 ** 32, 9], [Number.MAX_SAFE_INTEGER, 9],
  ];
  for (const [v, size] of cases) {
    const p = payloadOf((w) => w.lenencInt(v));
    assert.equal(p.length, size, `size of ${v}`);
    assert.equal(new PayloadReader(p).lenencInt(), v);
  }
  const big = payloadOf((w) => w.lenencInt(2n ** 64n - 1n));
  assert.deepEqual([...big], [0xfe, 255, 255, 255, 255, 255, 255, 255, 255]);
  assert.equal(new PayloadReader(payloadOf((w) => w.lenencInt(7n))).lenencInt(), 7);
  assert.throws(() => new PayloadReader(big).lenencInt(), MalformedPacketError);
  assert.equal(new PayloadReader(Buffer.from([0xfb])).lenencInt(), null);
  assert.throws(() => new PayloadReader(Buffer.from([0xff])).lenencInt(), MalformedPacketError);
});

test('length-encoded strings: short, long, multi-byte, empty', () => {
  const long = 'x'.repeat(300) + 'é';
  for (const s of ['', 'a', 'héllo wörld ✓ 😀', 'é'.repeat(83), 'é'.repeat(84), long]) {
    const p = payloadOf((w) => w.lenencString(s).u8(0x77));
    const r = new PayloadReader(p);
    assert.equal(r.lenencString(), s);
    assert.equal(r.u8(), 0x77);
    assert.ok(r.atEnd());
  }
  const p = payloadOf((w) => w.lenencBytes(Buffer.from([0, 1, 2])).nulString('abc').u16(0x1234).u24(0xabcdef).u32(0xdeadbeef).u64(5n));
  const r = new PayloadReader(p);
  assert.deepEqual([...(r.lenencBytes() ?? [])], [0, 1, 2]);
  assert.equal(r.nulString(), 'abc');
  assert.equal(r.u16(), 0x1234);
  assert.equal(r.u24(), 0xabcdef);
  assert.equal(r.u32(), 0xdeadbeef);
  assert.equal(r.u64(), 5n);
});

test('reading past the end is a MalformedPacketError, never garbage', () => {
  assert.throws(() => new PayloadReader(Buffer.from([1])).u16(), MalformedPacketError);
  assert.throws(() => new PayloadReader(Buffer.from([5, 1, 2])).lenencString(), MalformedPacketError);
  assert.throws(() => new PayloadReader(Buffer.from('abc')).nulBytes(), MalformedPacketError);
  assert.equal(new PayloadReader(Buffer.from('abc')).nulString(), 'abc', 'a final unterminated string is tolerated');
});

test('the writer grows and keeps earlier packets intact; sequence ids wrap', () => {
  const w = new PacketWriter(8);
  w.seq = 254;
  w.begin().str('first').end();
  w.begin().bytes(Buffer.alloc(100, 1)).end();
  w.begin().end();
  const out = w.take();
  assert.deepEqual([...out.subarray(0, 9)], [5, 0, 0, 254, ...Buffer.from('first')]);
  assert.deepEqual([...out.subarray(9, 13)], [100, 0, 0, 255]);
  assert.deepEqual([...out.subarray(113)], [0, 0, 0, 0]);
  assert.equal(w.length, 0);
});

test('integers as length-encoded decimal text', () => {
  for (const v of [0, -0, 7, 9, 10, 99, 100, -1, -10, -123456, 2 ** 31, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]) {
    const p = payloadOf((w) => w.lenencDecimal(v));
    assert.equal(new PayloadReader(p).lenencString(), String(v));
  }
});

test('short strings, ASCII and not, take the same bytes either way', () => {
  for (const s of ['abc', 'x'.repeat(32), 'x'.repeat(31) + 'é', 'é', '\u007f\u0080']) {
    const p = payloadOf((w) => w.lenencString(s));
    assert.equal(p[0], Buffer.byteLength(s));
    assert.equal(p.toString('utf8', 1), s);
  }
});
