// The fetch-only entry (`mizzle/client/http`) must run where Node does not: no Node module, no Buffer or process, is reachable from it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ENTRY = join(HERE, 'http.js');

/** Static imports, re-exports and dynamic imports of a compiled module (type-only imports are gone from it). */
const IMPORT_RE = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|(?:^|\n)\s*import\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every compiled module reachable from `entry`, and every specifier that is not a relative file. */
function walk(entry: string): { files: string[]; external: string[] } {
  const seen = new Set<string>();
  const external: string[] = [];
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(IMPORT_RE)) {
      const spec = m[1] ?? m[2] ?? m[3];
      if (spec.startsWith('.')) queue.push(normalize(join(dirname(file), spec)));
      else external.push(`${spec} (from ${file})`);
    }
  }
  return { files: [...seen], external };
}

test('nothing reachable from the http entry imports a Node module or any package', () => {
  const { files, external } = walk(ENTRY);
  assert.ok(files.length >= 8, `the walk found only ${files.length} modules`);
  assert.ok(files.some((f) => f.endsWith(join('client', 'http', 'transport.js'))), 'the walk reaches the HTTP transport');
  assert.deepEqual(external, []);
});

test('no reachable module uses Node globals (Buffer, process, require)', () => {
  const offenders: string[] = [];
  for (const file of walk(ENTRY).files) {
    // Comments may name them; code may not.
    const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
    for (const name of ['Buffer', 'process', 'require', '__dirname']) if (new RegExp(`\\b${name}\\b`).test(code)) offenders.push(`${name} in ${file}`);
  }
  assert.deepEqual(offenders, []);
});

test('the walk sees a Node import where there is one (the full entry reaches node:net)', () => {
  const { external } = walk(join(HERE, 'index.js'));
  assert.ok(external.some((e) => e.startsWith('node:') || isBuiltin(e.split(' ')[0])), external.join('\n'));
});

test('package.json exports the client entries with type declarations', async () => {
  const root = join(HERE, '..', '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, { types: string; default: string }> };
  for (const entry of ['./client', './client/http']) {
    const e = pkg.exports[entry];
    assert.ok(existsSync(join(root, e.default)), `${e.default} exists`);
    // Declarations come from the build script's second pass (tsconfig.client.json), not from a bare `tsc -p .`.
    if (existsSync(join(root, 'dist', '.tsbuildinfo-client'))) assert.ok(existsSync(join(root, e.types)), `${e.types} exists`);
  }
  const viaName = (await import('mizzle/client')) as { connect: unknown };
  assert.equal(typeof viaName.connect, 'function');
  const httpOnly = (await import('mizzle/client/http')) as { connect: (url: string) => unknown };
  assert.throws(() => httpOnly.connect('mysql://127.0.0.1/x'), /No transport for mysql:/);
});
