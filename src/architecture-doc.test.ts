// docs/architecture.md names real files: every path or file name it quotes exists in the tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(relative(ROOT, p) + '/', ...files(p));
    else out.push(relative(ROOT, p));
  }
  return out;
}

test('every file and folder docs/architecture.md quotes exists', () => {
  const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
  const tree = files(ROOT);
  const quoted = [...doc.matchAll(/`([^`\s]+)`/g)].map((m) => m[1]);
  // A quoted file name (x.ts, x.md) or path (a/b, a/b.ts); angle-bracket placeholders are patterns, not paths.
  const paths = quoted.filter((q) => /^[\w.-]+(\/[\w.-]+)*\/?$/.test(q) && (/\.(ts|md)$/.test(q) || q.includes('/')));
  assert.ok(paths.length > 40, `only ${paths.length} paths quoted`);
  const missing = paths.filter((p) => !tree.some((f) => f === p || f === p + '/' || f.endsWith('/' + p) || f.endsWith('/' + p + '/')));
  assert.deepEqual(missing, []);
});
