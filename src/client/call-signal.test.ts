import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { callSignal, isCallEnd } from './call-signal.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a call past its time limit gets a timeout signal, also on a slot an earlier call used', async () => {
  for (let round = 0; round < 3; round++) {
    const quick = callSignal({}, 40);
    assert.equal(quick.signal?.aborted, false);
    quick.done();
    const slow = callSignal({}, 40);
    await sleep(80);
    assert.equal(slow.signal?.aborted, true, `round ${round}`);
    assert.ok(isCallEnd(slow.signal?.reason));
    assert.match(String((slow.signal?.reason as Error).message), /longer than 40 ms/);
    slow.done();
  }
});

test('a slot first used with a long limit still fires on time for a later call with a short one', async () => {
  const long = callSignal({}, 60_000);
  long.done();
  const short = callSignal({}, 30);
  let waited: ReturnType<typeof setTimeout> | undefined;
  const fired = await Promise.race([
    new Promise<boolean>((resolve) => short.signal!.addEventListener('abort', () => resolve(true), { once: true })),
    new Promise<boolean>((resolve) => { waited = setTimeout(() => resolve(false), 5000); }),
  ]);
  clearTimeout(waited);
  assert.equal(fired, true, 'the short limit fired, not the long one');
  short.done();
});

test('a call that ends in time is never aborted later, though its slot timer fires afterwards', async () => {
  const sig = callSignal({}, 30);
  const signal = sig.signal!;
  sig.done();
  await sleep(80);
  assert.equal(signal.aborted, false);
});

test('calls running at once get signals of their own; a fired one is not handed out again', async () => {
  const a = callSignal({}, 30);
  const b = callSignal({}, 60_000);
  assert.notEqual(a.signal, b.signal);
  await sleep(70);
  assert.equal(a.signal?.aborted, true);
  assert.equal(b.signal?.aborted, false);
  a.done();
  b.done();
  const next = [callSignal({}, 60_000), callSignal({}, 60_000)];
  for (const n of next) assert.equal(n.signal?.aborted, false);
  for (const n of next) n.done();
});

test("the caller's own signal aborts the call with 'aborted'", () => {
  const ctl = new AbortController();
  const sig = callSignal({ signal: ctl.signal }, 60_000);
  ctl.abort();
  assert.equal(sig.signal?.aborted, true);
  assert.equal((sig.signal?.reason as { kind: string }).kind, 'aborted');
  sig.done();
});

test('no limit and no signal: no signal at all', () => {
  assert.equal(callSignal({}, 0).signal, undefined);
});

test('an idle slot left with a long timer does not keep the process alive', () => {
  const module = fileURLToPath(new URL('./call-signal.js', import.meta.url));
  const script = `import { callSignal } from ${JSON.stringify(module)}; const s = callSignal({}, 600000); s.done();`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 });
  assert.equal(r.status, 0, `exit ${r.status} signal ${r.signal}: ${r.stderr}`);
});
