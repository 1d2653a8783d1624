// The change stream's two promises: it sends nothing more while the replica has not read the last frame, and a commit wakes it at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChangeFeed } from '../../kernel/plugin.js';
import { CommitSignal } from '../../kernel/replication/commit-signal.js';
import { StreamHolds } from '../../kernel/replication/stream-holds.js';
import { SqlError } from '../../base/errors.js';
import { FrameReader } from '../../protocol/native/frame.js';
import { readChanges, type ChangesFrame } from '../../protocol/native/messages.js';
import { ChangeStream, HELD_FRAMES } from './change-stream.js';

/** A log in memory behind a real commit signal. */
function memoryFeed(): { feed: ChangeFeed; commit(n: number): void; purgeBelow(seq: bigint): void; holds: StreamHolds; pages: number } {
  let log: { sequence: bigint; bytes: Buffer }[] = [];
  let last = 0n;
  const signal = new CommitSignal();
  const holds = new StreamHolds();
  const state = {
    pages: 0,
    holds,
    commit(n: number) {
      for (let i = 0; i < n; i++) log.push({ sequence: ++last, bytes: Buffer.alloc(100, Number(last % 256n)) });
      signal.bump();
    },
    purgeBelow(seq: bigint) {
      log = log.filter((t) => t.sequence >= seq);
    },
    feed: {
      page: (from: bigint, maxCount: number, maxBytes: number) => {
        state.pages++;
        const out = [];
        let bytes = 0;
        for (const t of log.filter((x) => x.sequence >= from)) {
          out.push(t);
          bytes += t.bytes.length;
          if (out.length >= maxCount || bytes >= maxBytes) break;
        }
        return out;
      },
      lastSequence: () => last,
      firstSequence: () => log[0]?.sequence ?? 0n,
      // Every transaction here first committed on server 'origin' with the same sequence.
      findOrigin: (o: { uuid: string; sequence: bigint }) => (o.uuid === 'origin' && o.sequence <= last ? { found: true as const, at: o.sequence } : { found: false as const, newest: o.uuid === 'origin' ? last : undefined }),
      hold: (seq: bigint) => holds.claim(seq),
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
  const code = (r: ReturnType<typeof ChangeStream.start>) => ('code' in r ? r.code : undefined);
  assert.deepEqual(ChangeStream.start(m.feed, 'me', { sourceUuid: '', afterSequence: 5n }), { after: 5n });
  assert.deepEqual(ChangeStream.start(m.feed, 'me', { sourceUuid: 'me', afterSequence: 0n }), { after: 0n });
  assert.equal(code(ChangeStream.start(m.feed, 'me', { sourceUuid: '', afterSequence: 6n })), 1236);
  assert.equal(code(ChangeStream.start(m.feed, 'me', { sourceUuid: 'other', afterSequence: 1n })), 1236);
  assert.equal(code(ChangeStream.start(undefined, 'me', { sourceUuid: '', afterSequence: 0n })), 1236);
});

test('a replica from another source continues after its newest transaction, found by origin; one ahead of this log is refused as diverged', () => {
  const m = memoryFeed();
  m.commit(5);
  assert.deepEqual(ChangeStream.start(m.feed, 'me', { sourceUuid: 'old-primary', afterSequence: 99n, history: { uuid: 'origin', sequence: 3n } }), { after: 3n });
  const ahead = ChangeStream.start(m.feed, 'me', { sourceUuid: '', afterSequence: 0n, history: { uuid: 'origin', sequence: 8n } });
  assert.ok(ahead instanceof Error);
  assert.equal(ahead.code, 1236);
  assert.match(ahead.message, /^Replica has transactions the source never received \(origin:6-8\): it diverged; restore it from a backup of the source/);
  const stranger = ChangeStream.start(m.feed, 'me', { sourceUuid: '', afterSequence: 0n, history: { uuid: 'elsewhere', sequence: 1n } });
  assert.match(stranger instanceof Error ? stranger.message : '', /\(elsewhere:1\): it diverged/);
});

test('a stream holds the log from what it may still have to send again; it lets go when it ends', async () => {
  const m = memoryFeed();
  m.commit(500 * (HELD_FRAMES + 4));
  const r = slowReplica();
  const stream = new ChangeStream(m.feed, 'uuid-1', r.host, 7);
  const running = stream.run(10n);
  await tick();
  assert.deepEqual(m.holds.lowest(), { sequence: 11n, streams: 1 }, 'before the replica reads, it needs all after its position');
  r.read();
  await tick(50);
  const frames = r.frames.filter((f) => f.transactions.length > 0);
  assert.ok(frames.length > HELD_FRAMES);
  assert.equal(m.holds.lowest()?.sequence, frames[frames.length - HELD_FRAMES].transactions[0].sequence, 'the first transaction of the oldest of the last frames');
  stream.stop();
  m.commit(1);
  await running;
  assert.equal(m.holds.lowest(), undefined);
});

test('a replica whose position was purged gets 1236, at the request and in the middle of a stream', async () => {
  const m = memoryFeed();
  m.commit(100);
  m.purgeBelow(50n);
  const refusal = ChangeStream.start(m.feed, 'uuid-1', { sourceUuid: '', afterSequence: 10n });
  assert.ok(refusal instanceof Error);
  assert.equal(refusal.code, 1236);
  assert.match(refusal.message, /purged required binary logs.*uuid-1:11.*starts at uuid-1:50/);
  assert.deepEqual(ChangeStream.start(m.feed, 'uuid-1', { sourceUuid: '', afterSequence: 49n }), { after: 49n }, 'the first kept transaction is what it needs next: fine');
  // A purge between the check and the first read (or a forced one) ends the stream with the same error.
  const r = slowReplica();
  r.read();
  const stream = new ChangeStream(m.feed, 'uuid-1', r.host, 7);
  await assert.rejects(stream.run(20n), (e: unknown) => e instanceof SqlError && e.code === 1236);
  assert.equal(m.holds.lowest(), undefined, 'its hold is released');
});
