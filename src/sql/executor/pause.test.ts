// The pausing sort and the pause plumbing: same order as a plain stable sort, pauses between slices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, drain, finish, PAUSE, sortWithPauses, type Pulled } from './pause.js';

test('sortWithPauses orders like a stable sort and pauses on large inputs', () => {
  let seed = 7;
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const n of [0, 1, 100, 8192, 8193, 50_000, 100_003]) {
    const items = Array.from({ length: n }, (_, i) => ({ key: Math.floor(rand() * 1000), at: i }));
    const expected = [...items].sort((a, b) => a.key - b.key);
    const steps = sortWithPauses([...items], (a, b) => a.key - b.key);
    let pauses = 0;
    let result;
    for (;;) {
      const s = steps.next();
      if (s.done) {
        result = s.value;
        break;
      }
      assert.equal(s.value, PAUSE);
      pauses++;
    }
    // Stable: equal keys keep their input order, so the whole sequence matches.
    assert.deepEqual(result, expected, `n=${n}`);
    if (n > 8192) assert.ok(pauses >= Math.floor(n / 8192), `n=${n}: ${pauses} pauses`);
    else assert.equal(pauses, 0);
  }
});

test('collect, drain and finish pass or drop pauses', () => {
  const source: Pulled[] = [[1], PAUSE, [2], PAUSE, [3]];
  assert.deepEqual(drain(source), [[1], [2], [3]]);
  const steps = collect(source, []);
  assert.equal(steps.next().value, PAUSE);
  assert.equal(steps.next().value, PAUSE);
  assert.deepEqual(steps.next(), { done: true, value: [[1], [2], [3]] });
  assert.deepEqual(finish(collect(source, [])), [[1], [2], [3]]);
});
