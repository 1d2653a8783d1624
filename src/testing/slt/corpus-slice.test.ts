// A representative slice of the shared sqllogictest corpus (every group), run in-process on every `npm test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { EmbeddedBackend, WireBackend, type Backend } from './backends.js';
import { startServerProcess } from '../server-process.js';
import { runSlt } from './main.js';

const corpus = join(fileURLToPath(import.meta.url), '..', '..', '..', '..', '..', 'shared', 'sqllogictest');

/** Files chosen to cover every group (the first RECORDS_PER_FILE records of each); the trigger files are left out because mizzle refuses triggers by design. */
const RECORDS_PER_FILE = 400;

const SLICE = [
  'select1.test',
  'select4.test',
  'evidence/in1.test',
  'evidence/slt_lang_aggfunc.test',
  'evidence/slt_lang_createview.test',
  'evidence/slt_lang_dropindex.test',
  'evidence/slt_lang_droptable.test',
  'evidence/slt_lang_dropview.test',
  'evidence/slt_lang_replace.test',
  'evidence/slt_lang_update.test',
  'index/between/1/slt_good_0.test',
  'index/commute/10/slt_good_0.test',
  'index/delete/10/slt_good_0.test',
  'index/in/10/slt_good_3.test',
  'index/orderby/10/slt_good_0.test',
  'index/random/10/slt_good_0.test',
  'index/view/10/slt_good_1.test',
  'index/orderby_nosort/10/slt_good_0.test',
  'random/aggregates/slt_good_0.test',
  'random/expr/slt_good_0.test',
  'random/groupby/slt_good_0.test',
  'random/select/slt_good_0.test',
];

async function runSlice(backend: Backend): Promise<void> {
  const lines: string[] = [];
  const files = SLICE.map((f) => join(corpus, f)).filter((f) => existsSync(f));
  assert.equal(files.length, SLICE.length, 'every slice file exists');
  const reports = await runSlt(files, backend, (l) => lines.push(l), false, RECORDS_PER_FILE);
  const passed = reports.reduce((s, r) => s + r.passed, 0);
  const failed = reports.reduce((s, r) => s + r.failed, 0);
  assert.ok(passed > 4000, `only ${passed} records passed`);
  assert.equal(failed, 0, lines.filter((l) => !/ passed, /.test(l)).slice(0, 50).join('\n'));
}

const skip = !existsSync(corpus) && `corpus not found at ${corpus}`;

test('sqllogictest slice passes in-process', { skip }, async () => {
  const backend = await EmbeddedBackend.open();
  try {
    await runSlice(backend);
  } finally {
    await backend.close();
  }
});

test('sqllogictest slice passes over the MySQL protocol', { skip }, async () => {
  const server = await startServerProcess();
  try {
    const backend = await WireBackend.open('127.0.0.1', server.port, 'root', '');
    try {
      await runSlice(backend);
    } finally {
      await backend.close();
    }
  } finally {
    await server.stop();
    server.cleanup();
  }
});
