// The change stream's two promises: it sends nothing more while the replica has not read the last frame, and a commit wakes it at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeFeed } from '../../kernel/plugin.js';
import { CommitSignal } from '../../kernel/replication/commit-signal.js';
import { FrameReader } from '../../protocol/native/frame.js';
import { readChanges, type ChangesFrame } from '../../protocol/native/messages.js';
import { ChangeStream } from './change-stream.js';

/** A log in memory behind a real commit signal. */
function memoryFeed(): { feed: ChangeFeed; commit(n: number): void; pages: number } {
  const log: { sequence: bigint; bytes: Buffer }[] = [];
  const signal = new CommitSignal();
  const state = {
    pages: 0,
    commit(n: number) {
      for (let i = 0; i < n; i++) log.push({ sequence: BigInt(log.length + 1), bytes: Buffer.alloc(100, log.length % 256) });
      signal.bump();
    },
    feed: {
      page: (from: bigint, maxCount: number, maxBytes: number) => {
        state.pages++;
        const out = [];
        let bytes = 0;
        for (const t of log.slice(Number(from) - 1)) {
          out.push(t);
          bytes += t.bytes.length;
          if (out.length >= maxCount || bytes >= maxBytes) break;
        }
        return out;
      },
      lastSequence: () => BigInt(log.length),
      get generation() {
        return signal.generation;
      },
      changedSince: (seen: number, ms: number) => signal.changedSince(seen, ms),
    } satisfies ChangeFeed,
  };
  return state;
}

/** A connection whose client reads only when told to. */
function slowReplica() {
  const frames: ChangesFrame[] = [];
  const reader = new FrameReader(64 * 1024 * 1024);
  let release: (() => void) | undefined;
  let blocked = true;
  const host = {
    open: true,
    write(bytes: Buffer) {
      for (const f of reader.push(bytes)) frames.push(readChanges(f.payload));
    },
    backlog: () => (blocked ? new Promise<void>((r) => (release = r)) : null),
  };
  return { host, frames, read() { blocked = false; release?.(); } };
}

const tick = (ms = 20) => new Promise((r) => setTimeout(r, ms));

test('a replica that does not read holds back the stream at one frame', async () => {
  const m = memoryFeed();
  m.commit(2000);
  const r = slowReplica();
  const stream = new ChangeStream(m.feed, 'uuid-1', r.host, 7);
  const running = stream.run(0n);
  await tick();
  assert.equal(r.frames.length, 1, 'one frame, then it waits for the replica');
  assert.equal(m.pages, 1, 'and reads no more of the log meanwhile');
  assert.equal(r.frames[0].transactions.length, 500);
  assert.equal(r.frames[0].lastSequence, 2000n);
  r.read();
  await tick();
  const sent = r.frames.flatMap((f) => f.transactions.map((t) => t.sequence));
  assert.deepEqual(sent, Array.from({ length: 2000 }, (_, i) => BigInt(i + 1)), 'every transaction once, in order');
  stream.stop();
  m.commit(1);
  await running;
});

test('a commit wakes a caught-up stream at once; with nothing to send it beats every second', async () => {
  const m = memoryFeed();
  const r = slowReplica();
  r.read();
  const stream = new ChangeStream(m.feed, 'uuid-1', r.host, 7);
  const running = stream.run(0n);
  await tick();
  assert.equal(r.frames.length, 0);
  const t0 = Date.now();
  m.commit(3);
  while (r.frames.length === 0 && Date.now() - t0 < 500) await tick(1);
  assert.ok(Date.now() - t0 < 200, `woken in ${Date.now() - t0} ms`);
  assert.deepEqual(r.frames[0].transactions.map((t) => t.sequence), [1n, 2n, 3n]);
  await tick(1200);
  const beat = r.frames[r.frames.length - 1];
  assert.equal(beat.transactions.length, 0, 'an empty frame: the source lives');
  assert.equal(beat.lastSequence, 3n);
  stream.stop();
  m.commit(1);
  await running;
});

test('a replica is refused a position the source does not have', () => {
  const m = memoryFeed();
  m.commit(5);
  assert.equal(ChangeStream.refusal(m.feed, 'me', { sourceUuid: '', afterSequence: 5n }), undefined);
  assert.equal(ChangeStream.refusal(m.feed, 'me', { sourceUuid: 'me', afterSequence: 0n }), undefined);
  assert.equal(ChangeStream.refusal(m.feed, 'me', { sourceUuid: '', afterSequence: 6n })?.code, 1236);
  assert.equal(ChangeStream.refusal(m.feed, 'me', { sourceUuid: 'other', afterSequence: 1n })?.code, 1236);
  assert.equal(ChangeStream.refusal(undefined, 'me', { sourceUuid: '', afterSequence: 0n })?.code, 1236);
});
