// Tests of packet framing: headers, chunk boundaries, 16 MiB continuation split/join, the size bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_PACKET_PAYLOAD } from './constants.js';
import { PacketFramer, type FramerSink } from './framer.js';
import { PacketWriter } from './packet-writer.js';

interface Got {
  payloads: { payload: Buffer; seq: number }[];
  oversize: number[];
}

function collector(max = 64 * 1024 * 1024): { framer: PacketFramer; got: Got } {
  const got: Got = { payloads: [], oversize: [] };
  const sink: FramerSink = {
    onPayload: (payload, seq) => got.payloads.push({ payload: Buffer.from(payload), seq }),
    onOversize: (n) => got.oversize.push(n),
  };
  return { framer: new PacketFramer(sink, max), got };
}

function packet(payload: Buffer, seq: number): Buffer {
  const h = Buffer.from([payload.length & 0xff, (payload.length >> 8) & 0xff, (payload.length >> 16) & 0xff, seq]);
  return Buffer.concat([h, payload]);
}

test('several packets in one chunk, and one packet byte by byte', () => {
  const { framer, got } = collector();
  framer.push(Buffer.concat([packet(Buffer.from('abc'), 0), packet(Buffer.alloc(0), 1), packet(Buffer.from('xyz!'), 2)]));
  assert.deepEqual(got.payloads.map((p) => [p.payload.toString(), p.seq]), [['abc', 0], ['', 1], ['xyz!', 2]]);
  const bytes = packet(Buffer.from('hello world'), 7);
  for (const b of bytes) framer.push(Buffer.from([b]));
  assert.equal(got.payloads[3].payload.toString(), 'hello world');
  assert.equal(got.payloads[3].seq, 7);
});

test('writer splits at 0xFFFFFF and the framer joins, for sizes around the boundary', () => {
  for (const size of [MAX_PACKET_PAYLOAD - 1, MAX_PACKET_PAYLOAD, MAX_PACKET_PAYLOAD + 1, 2 * MAX_PACKET_PAYLOAD, 2 * MAX_PACKET_PAYLOAD + 5]) {
    const w = new PacketWriter();
    w.seq = 3;
    const data = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4093) data[i] = (i / 4093) & 0xff;
    data[size - 1] = 0x5a;
    w.begin().bytes(data).end();
    w.begin().u8(0x42).end();
    const wire = w.take();
    const packets = Math.floor(size / MAX_PACKET_PAYLOAD) + 1;
    assert.equal(wire.length, size + 4 * packets + 5, `wire size for ${size}`);
    // Exact multiples end with an empty packet.
    if (size % MAX_PACKET_PAYLOAD === 0) {
      const lastHeader = wire.subarray(size + 4 * (packets - 1), size + 4 * packets);
      assert.deepEqual([...lastHeader.subarray(0, 3)], [0, 0, 0]);
    }
    const { framer, got } = collector();
    // Feed in uneven chunks.
    for (let off = 0; off < wire.length; off += 1_000_003) framer.push(wire.subarray(off, Math.min(wire.length, off + 1_000_003)));
    assert.equal(got.payloads.length, 2, `payloads for ${size}`);
    assert.ok(got.payloads[0].payload.equals(data), `payload intact for ${size}`);
    assert.equal(got.payloads[0].seq, (3 + packets - 1) & 0xff);
    assert.equal(got.payloads[1].seq, (3 + packets) & 0xff);
    assert.deepEqual([...got.payloads[1].payload], [0x42]);
  }
});

test('a payload bigger than the bound is refused from its header, before the body arrives', () => {
  const { framer, got } = collector(1000);
  framer.push(packet(Buffer.alloc(1000), 0));
  assert.equal(got.payloads.length, 1);
  framer.push(Buffer.from([0xe9, 0x03, 0x00, 1])); // 1001 bytes declared
  assert.deepEqual(got.oversize, [1001]);
  framer.push(packet(Buffer.from('ignored'), 2));
  assert.equal(got.payloads.length, 1, 'nothing after an oversize packet');
});

test('the bound applies to the joined size of continuation packets', () => {
  const { framer, got } = collector(MAX_PACKET_PAYLOAD + 10);
  const first = Buffer.alloc(4 + MAX_PACKET_PAYLOAD);
  first.writeUIntLE(MAX_PACKET_PAYLOAD, 0, 3);
  framer.push(first);
  framer.push(Buffer.from([11, 0, 0, 1]));
  assert.deepEqual(got.oversize, [MAX_PACKET_PAYLOAD + 11]);
  assert.equal(got.payloads.length, 0);
});

test('halt: the bytes after the payload that asked for it are kept, in the same chunk and in later ones', () => {
  const got: Buffer[] = [];
  const framer: PacketFramer = new PacketFramer({
    onPayload: (payload) => {
      got.push(Buffer.from(payload));
      framer.halt();
    },
    onOversize: () => undefined,
  }, 1024);
  const hello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3]);
  framer.push(Buffer.concat([packet(Buffer.from('ssl-request'), 1), hello.subarray(0, 3)]));
  framer.push(hello.subarray(3));
  assert.deepEqual(got.map((b) => b.toString()), ['ssl-request'], 'nothing after the halt is framed');
  assert.deepEqual(framer.takeRest(), hello);
});

test('midPacket: true from the first header byte until the payload is whole (net_read_timeout runs only then)', () => {
  const { framer, got } = collector();
  assert.equal(framer.midPacket, false);
  const bytes = packet(Buffer.from('select 1'), 0);
  framer.push(bytes.subarray(0, 2));
  assert.equal(framer.midPacket, true, 'half a header');
  framer.push(bytes.subarray(2, 6));
  assert.equal(framer.midPacket, true, 'a header and part of the body');
  framer.push(bytes.subarray(6));
  assert.equal(framer.midPacket, false);
  assert.equal(got.payloads.length, 1);
  // A whole packet plus the start of the next leaves the framer owed the rest.
  framer.push(Buffer.concat([bytes, bytes.subarray(0, 5)]));
  assert.equal(framer.midPacket, true);
  assert.equal(got.payloads.length, 2);
});
