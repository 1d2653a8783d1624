// Test support for the codec tests: the payloads a PacketWriter holds, as the other end's framer delivers them.
import assert from 'node:assert/strict';
import { PacketFramer } from './framer.js';
import { PacketWriter } from './packet-writer.js';

/** Every payload in `bytes` (whole packets), continuations joined. */
export function payloadsIn(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  new PacketFramer({ onPayload: (p) => out.push(Buffer.from(p)), onOversize: () => assert.fail('oversize') }, 1 << 30).push(bytes);
  return out;
}

/** The payloads `build` writes. */
export function payloadsOf(build: (w: PacketWriter) => void): Buffer[] {
  const w = new PacketWriter();
  build(w);
  return payloadsIn(w.take());
}

/** The one payload `build` writes. */
export function payloadOf(build: (w: PacketWriter) => void): Buffer {
  const all = payloadsOf(build);
  assert.equal(all.length, 1, 'exactly one packet');
  return all[0];
}
