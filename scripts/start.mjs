#!/usr/bin/env node
// `npm start`: rebuilds dist/ only if src/ changed since the last build (see build.mjs), then runs
// the mizzle command in this same process, with this process's arguments. Doing both in one
// process, instead of a `prestart` script, saves npm a second lifecycle step and node a second start.
import { ensureBuilt } from './build.mjs';

const status = ensureBuilt();
if (status !== 0) process.exit(status);
await import('../dist/cli/mizzle.js');
