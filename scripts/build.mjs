#!/usr/bin/env node
// Builds dist/ from src/ only when it is stale, so `npm start` and `npm test` do not pay for a full
// `tsc` run (~9 s) every time. Run by `npm install`/`npm ci` (prepare), `npm test` (pretest) and
// `npm run build`; `npm start` runs the same check in its own process (scripts/start.mjs).
//
//   node scripts/build.mjs [--root DIR]
//
// dist/ is fresh when it has a `.build-stamp` from a successful build, no input (src/**/*.ts,
// tsconfig.json, this script, the installed compiler) was modified after that build began, and every
// source has its output. Before deciding, outputs whose source is gone (dist/foo.test.js after
// src/foo.test.ts was moved or deleted) are removed, so they can never run as tests; removing one
// also forces a build, since whatever imported the old file must now fail to compile. A build is
// `tsc --incremental` with its state in dist/, so a one-file edit rebuilds in a few seconds, not nine.
// Checking a fresh dist/ reads only file metadata: a few milliseconds.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

/** Every file under `dir` (relative paths with '/'), or none when `dir` does not exist. */
function files(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath ?? e.path, e.name)).split('\\').join('/'));
}

/** Removes `dir` and its parents up to (not including) `stop` while they are empty. */
function pruneEmpty(dir, stop) {
  while (dir !== stop && readdirSync(dir).length === 0) {
    rmdirSync(dir);
    dir = dirname(dir);
  }
}

/**
 * Brings `root`/dist up to date with `root`/src: removes outputs of deleted sources, then runs tsc
 * when anything is stale. Progress and compiler errors go to stderr/stdout. Returns an exit status:
 * 0 when dist/ is current.
 */
export function ensureBuilt(root = join(dirname(self), '..')) {
  const src = join(root, 'src');
  const dist = join(root, 'dist');
  const stamp = join(dist, '.build-stamp');
  const buildInfo = join(dist, '.tsbuildinfo');
  const tsc = createRequire(self).resolve('typescript/bin/tsc');

  const sources = files(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
  const sourceSet = new Set(sources);
  // Outputs of sources that no longer exist: tsc never deletes them.
  const orphans = files(dist).filter((f) => {
    const m = /^(.*)\.js(\.map)?$/.exec(f);
    return m !== null && !sourceSet.has(`${m[1]}.ts`);
  });
  for (const f of orphans) {
    rmSync(join(dist, f));
    pruneEmpty(dirname(join(dist, f)), dist);
    process.stderr.write(`build: removed dist/${f} (its source is gone)\n`);
  }
  const missing = sources.filter((f) => !existsSync(join(dist, f.replace(/\.ts$/, '.js'))));

  const why = (() => {
    if (!existsSync(stamp)) return 'no successful build recorded';
    if (orphans.length > 0) return 'sources were removed';
    if (missing.length > 0) return `src/${missing[0]}${missing.length > 1 ? ` and ${missing.length - 1} more` : ''} not compiled yet`;
    const built = statSync(stamp).mtimeMs;
    const inputs = [...sources.map((f) => join(src, f)), join(root, 'tsconfig.json'), join(root, 'tsconfig.client.json'), self, tsc].filter((f) => existsSync(f));
    const changed = inputs.filter((f) => statSync(f).mtimeMs > built);
    if (changed.length === 0) return null;
    return `${relative(root, changed[0])}${changed.length > 1 ? ` and ${changed.length - 1} more` : ''} changed since the last build`;
  })();
  if (why === null) return 0;

  process.stderr.write(`build: compiling src/ into dist/ (${why})\n`);
  // tsc --incremental does not re-emit an output deleted after the build that recorded its source as
  // compiled; then only a full build brings it back. A source newer than that record (a new file) is
  // compiled anyway.
  const recorded = existsSync(buildInfo) ? statSync(buildInfo).mtimeMs : -Infinity;
  if (missing.some((f) => statSync(join(src, f)).mtimeMs <= recorded)) rmSync(buildInfo);
  rmSync(stamp, { force: true });
  const began = new Date();
  const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json'), '--incremental', '--tsBuildInfoFile', buildInfo], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) return r.status ?? 1;
  // The client library is published (package.json `exports`): its entries and what they import get type declarations.
  const clientConfig = join(root, 'tsconfig.client.json');
  if (existsSync(clientConfig)) {
    const d = spawnSync(process.execPath, [tsc, '-p', clientConfig, '--incremental', '--tsBuildInfoFile', join(dist, '.tsbuildinfo-client')], { cwd: root, stdio: 'inherit' });
    if (d.status !== 0) return d.status ?? 1;
  }
  // Dated to when the build began: a file saved while tsc ran is newer and triggers the next build.
  writeFileSync(stamp, "dist/ holds the build of src/ as it was at this file's modification time\n");
  utimesSync(stamp, began, began);
  return 0;
}

if (process.argv[1] && resolve(process.argv[1]) === self) {
  const i = process.argv.indexOf('--root');
  process.exit(ensureBuilt(i >= 0 ? resolve(process.argv[i + 1]) : undefined));
}
