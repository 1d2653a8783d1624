// The progress line's text: statements, rate, bytes (with a percentage when the size is known) and elapsed time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Progress } from './progress.js';

test('the line counts statements per second and bytes read', () => {
  let now = 1000;
  const p = new Progress({ write: () => true }, { now: () => now, totalBytes: 4 * 1_048_576 });
  for (let i = 0; i < 2500; i++) p.statement();
  p.read(1_048_576);
  now += 2000;
  assert.equal(p.line(), '2,500 statements (1,250/s), 1.0 MB of 4.0 MB (25%), 2.0 s');
  const q = new Progress({ write: () => true }, { now: () => now });
  q.read(512 * 1024);
  assert.equal(q.line(), '0 statements (0/s), 0.5 MB read, 0.0 s');
});
