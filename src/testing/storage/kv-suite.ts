// A conformance suite every KvStore must pass; each engine's test file runs it against its own store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KvRange, KvReader, KvStore } from '../../storage/kv.js';
import { overlayReader, WriteSet } from '../../storage/write-set.js';

const b = (...xs: number[]): Buffer => Buffer.from(xs);
/** The first key byte of each entry, read at its own step (an engine may reuse entry buffers at the next one). */
function keysOf(r: KvReader, range: KvRange): number[] {
  const out: number[] = [];
  for (const e of r.range(range)) out.push(e.key[0]);
  return out;
}

/** Registers the KV conformance tests for one engine; `open` returns a fresh, empty store. */
export function kvSuite(engine: string, open: () => Promise<KvStore>): void {
  test(`${engine}: put/get/del and ordered ranges both ways`, async () => {
    const s = await open();
    try {
      s.write((w) => {
        for (let i = 0; i < 10; i++) w.put(b(i), b(i * 2));
      });
      s.read((r) => {
        assert.deepEqual(r.get(b(3)), b(6));
        assert.equal(r.get(b(42)), undefined);
        assert.deepEqual(keysOf(r, { start: b(2), end: b(5) }), [2, 3, 4]);
        assert.deepEqual(keysOf(r, { start: b(2), end: b(5), reverse: true }), [4, 3, 2]);
        assert.deepEqual(keysOf(r, { reverse: true }).length, 10);
        assert.deepEqual(keysOf(r, { end: b(2), reverse: true }), [1, 0]);
        assert.deepEqual(keysOf(r, { start: b(8) }), [8, 9]);
      });
      s.write((w) => {
        w.del(b(3));
        w.del(b(77));
        w.delRange(b(5), b(8));
      });
      assert.deepEqual(s.read((r) => keysOf(r, {})), [0, 1, 2, 4, 8, 9]);
    } finally {
      await s.close();
    }
  });

  test(`${engine}: a write that throws leaves nothing behind; reads in a write see its writes`, async () => {
    const s = await open();
    try {
      s.write((w) => w.put(b(1), b(1)));
      assert.throws(() =>
        s.write((w) => {
          w.put(b(2), b(2));
          assert.deepEqual(w.get(b(2)), b(2));
          assert.deepEqual(keysOf(w, {}), [1, 2]);
          w.put(b(1), b(9));
          w.delRange(b(0), b(2));
          throw new Error('boom');
        }), /boom/);
      s.read((r) => {
        assert.deepEqual(keysOf(r, {}), [1]);
        assert.deepEqual(r.get(b(1)), b(1));
      });
    } finally {
      await s.close();
    }
  });

  test(`${engine}: deleting while scanning a range, and caller buffers may be reused`, async () => {
    const s = await open();
    try {
      const key = Buffer.alloc(2);
      s.write((w) => {
        for (let i = 0; i < 300; i++) {
          key.writeUInt16BE(i, 0);
          w.put(key, key);
        }
      });
      s.write((w) => {
        for (const e of w.range({})) if (e.key.readUInt16BE(0) % 3 !== 0) w.del(e.key);
      });
      const left = s.read((r) => {
        const values: number[] = [];
        for (const e of r.range({})) values.push(e.value.readUInt16BE(0));
        return values;
      });
      assert.equal(left.length, 100);
      assert.ok(left.every((v, i) => v === i * 3));
      assert.ok(s.sizeBytes() > 0);
    } finally {
      await s.close();
    }
  });

  test(`${engine}: peek sees what get sees, and a range stays right when the caller peeks between its steps`, async () => {
    const s = await open();
    try {
      const value = (i: number) => Buffer.alloc(200 + i, i);
      s.write((w) => {
        for (let i = 0; i < 20; i++) w.put(b(i), value(i));
      });
      s.read((r) => {
        assert.deepEqual(r.peek(b(3)), value(3));
        assert.deepEqual(r.peek(b(3)), r.get(b(3)));
        assert.equal(r.peek(b(99)), undefined);
        const got = r.get(b(4));
        r.peek(b(5));
        assert.deepEqual(got, value(4), 'a buffer from get is the caller\'s to keep');
        let n = 0;
        for (const e of r.range({})) {
          const i = e.key[0];
          assert.deepEqual(e.value, value(i));
          assert.deepEqual(r.peek(b((i + 7) % 20)), value((i + 7) % 20));
          n++;
        }
        assert.equal(n, 20);
      });
    } finally {
      await s.close();
    }
  });

  test(`${engine}: a transaction's pending writes merge into a range even when the caller peeks between steps`, async () => {
    const s = await open();
    try {
      const value = (i: number) => Buffer.alloc(100 + i, i);
      s.write((w) => {
        for (let i = 0; i < 20; i += 2) w.put(b(i), value(i));
      });
      const ws = new WriteSet();
      for (let i = 1; i < 20; i += 4) ws.set(b(i), value(i));
      ws.set(b(4), null);
      s.read((base) => {
        const r = overlayReader(base, ws);
        for (const reverse of [false, true]) {
          const seen: number[] = [];
          for (const e of r.range({ reverse })) {
            const i = e.key[0];
            assert.deepEqual(e.value, value(i));
            r.peek(b((2 * i + 6) % 20)); // an even key: one the base holds
            seen.push(i);
          }
          const expected = [0, 1, 2, 5, 6, 8, 9, 10, 12, 13, 14, 16, 17, 18];
          assert.deepEqual(seen, reverse ? expected.reverse() : expected);
        }
      });
    } finally {
      await s.close();
    }
  });

  test(`${engine}: peek returns a Buffer for values of every size, including 16 MiB and more`, async () => {
    const s = await open();
    try {
      // lmdb-js serves values of 16 MiB and up from the memory map rather than its reusable buffer.
      const sizes = [0, 1, 300, 70_000, 17 * 1024 * 1024];
      s.write((w) => {
        for (const [i, n] of sizes.entries()) w.put(b(i), Buffer.alloc(n, i + 1));
      });
      s.read((r) => {
        for (const [i, n] of sizes.entries()) {
          const v = r.peek(b(i));
          assert.ok(Buffer.isBuffer(v), `peek of a ${n}-byte value gives a Buffer`);
          assert.equal(v.length, n);
          assert.equal(v.toString('latin1', 0, Math.min(n, 3)), String.fromCharCode(i + 1).repeat(Math.min(n, 3)));
          assert.ok(v.equals(r.get(b(i)) as Buffer));
        }
      });
    } finally {
      await s.close();
    }
  });
}
