// The README's testing examples (examples/testing) run as written, on node:test and on Vitest, importing 'mizzle' by name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..');
const examples = join(root, 'examples', 'testing');

function run(args: string[]): { status: number | null; out: string } {
  // Without NODE_TEST_CONTEXT: the child is a test run of its own, not part of this one.
  const { NODE_TEST_CONTEXT: _inherited, ...env } = process.env;
  const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8', env: { ...env, NO_COLOR: '1' }, timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

test('the node:test example passes', () => {
  const r = run(['--test', join(examples, 'shop.node.test.js')]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /# pass 3\n# fail 0/);
});

test('the Vitest example passes', () => {
  const r = run([join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--root', examples]);
  assert.equal(r.status, 0, r.out);
  assert.match(r.out, /Tests\s+3 passed \(3\)/);
});
