// scripts/build.mjs, which `npm install`, `npm start` and `npm test` run: it compiles only when src/
// changed, and it removes outputs whose source is gone, so a moved test cannot run twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD = join(dirname(fileURLToPath(import.meta.url)), '..', 'scripts', 'build.mjs');

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', outDir: 'dist', rootDir: 'src',
    strict: true, sourceMap: true, skipLibCheck: true, types: [],
  },
  include: ['src/**/*.ts'],
};

/** A small project laid out like mizzle's: tsconfig.json, src/, dist/. */
function project(): { root: string; write(path: string, text: string): void; build(): { status: number | null; out: string } } {
  const root = mkdtempSync(join(tmpdir(), 'mizzle-build-'));
  writeFileSync(join(root, 'tsconfig.json'), JSON.stringify(TSCONFIG));
  return {
    root,
    write(path, text) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      writeFileSync(join(root, path), text);
    },
    build() {
      const r = spawnSync(process.execPath, [BUILD, '--root', root], { encoding: 'utf8' });
      return { status: r.status, out: r.stdout + r.stderr };
    },
  };
}

test('build: compiles a fresh tree, does nothing until a source changes, and removes the outputs of a moved one', () => {
  const p = project();
  try {
    p.write('src/a.ts', 'export const a: number = 1;\n');
    p.write('src/old/x.test.ts', "import { a } from '../a.js';\nconsole.log(a);\n");
    let r = p.build();
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /compiling src\/ into dist\//);
    assert.ok(existsSync(join(p.root, 'dist/a.js')) && existsSync(join(p.root, 'dist/old/x.test.js')));

    r = p.build();
    assert.equal(r.status, 0, r.out);
    assert.equal(r.out, '', 'nothing changed: no compile, no output');

    p.write('src/a.ts', 'export const a: number = 41;\n');
    r = p.build();
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /src\/a\.ts changed since the last build/);
    assert.match(readFileSync(join(p.root, 'dist/a.js'), 'utf8'), /41/);

    // A rename keeps the file's modification time: only the outputs show the move.
    mkdirSync(join(p.root, 'src/new'));
    renameSync(join(p.root, 'src/old/x.test.ts'), join(p.root, 'src/new/x.test.ts'));
    rmSync(join(p.root, 'src/old'), { recursive: true });
    r = p.build();
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /removed dist\/old\/x\.test\.js \(its source is gone\)/);
    assert.match(r.out, /removed dist\/old\/x\.test\.js\.map/);
    assert.ok(!existsSync(join(p.root, 'dist/old')), 'the emptied folder goes too');
    assert.ok(existsSync(join(p.root, 'dist/new/x.test.js')));
  } finally {
    rmSync(p.root, { recursive: true, force: true });
  }
});

test('build: a failed build is not recorded as current; an output deleted by hand is emitted again; a new file compiles alone', () => {
  const p = project();
  try {
    p.write('src/a.ts', 'export const a = 1;\n');
    p.write('src/b.ts', "import { a } from './a.js';\nexport const b = a;\n");
    assert.equal(p.build().status, 0);
    rmSync(join(p.root, 'src/a.ts'));
    let r = p.build();
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, /removed dist\/a\.js/);
    assert.match(r.out, /Cannot find module '\.\/a\.js'/);
    r = p.build();
    assert.notEqual(r.status, 0, 'still failing: the failed build left no record of success');
    assert.match(r.out, /Cannot find module '\.\/a\.js'/);
    p.write('src/b.ts', 'export const b = 2;\n');
    assert.equal(p.build().status, 0);
    assert.equal(p.build().out, '');

    rmSync(join(p.root, 'dist/b.js'));
    r = p.build();
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /src\/b\.ts not compiled yet/);
    assert.match(readFileSync(join(p.root, 'dist/b.js'), 'utf8'), /b = 2/);

    // A new source is an incremental build: the outputs of the others are not written again.
    const before = statSync(join(p.root, 'dist/b.js')).mtimeMs;
    p.write('src/c.ts', 'export const c = 3;\n');
    r = p.build();
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /src\/c\.ts not compiled yet/);
    assert.ok(existsSync(join(p.root, 'dist/c.js')));
    assert.equal(statSync(join(p.root, 'dist/b.js')).mtimeMs, before);
  } finally {
    rmSync(p.root, { recursive: true, force: true });
  }
});
