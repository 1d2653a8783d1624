// Runs the project's SQL behaviour tests (test/sql/*.test) in-process; every record must pass.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { EmbeddedBackend } from './backends.js';
import { runSlt } from './main.js';

const root = join(fileURLToPath(import.meta.url), '..', '..', '..', '..');

test('SQL behaviour tests pass in-process', async () => {
  const backend = await EmbeddedBackend.open();
  const lines: string[] = [];
  try {
    const reports = await runSlt([join(root, 'test', 'sql')], backend, (l) => lines.push(l));
    const failed = reports.reduce((s, r) => s + r.failed, 0);
    const passed = reports.reduce((s, r) => s + r.passed, 0);
    assert.ok(passed > 50, `only ${passed} records ran`);
    assert.equal(failed, 0, lines.join('\n'));
  } finally {
    await backend.close();
  }
});
