// The kernel's query-filter pipeline: verdicts combine across filters, refused statements are reported cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqlError } from '../base/errors.js';
import { silentLogger } from './logger.js';
import type { Plugin, StatementEvent } from './plugin.js';
import { startServer } from './server.js';
import { SHIPPED_PLUGINS } from '../plugins/index.js';

test('a filter that admitted a statement gets its done callback even when a later filter denies it; the refusal reports no rows examined', async () => {
  const released: number[] = [];
  const events: StatementEvent[] = [];
  const admits: Plugin<'filter'> = {
    manifest: { name: 'test-admits', kind: 'filter', version: '0', description: 'admits with a slot', defaultEnabled: true, options: [] },
    init: () => ({ check: () => ({ kind: 'admit', done: (code: number) => void released.push(code) }) }),
  };
  const denies: Plugin<'filter'> = {
    manifest: { name: 'test-denies', kind: 'filter', version: '0', description: 'denies DELETE', defaultEnabled: true, options: [] },
    init: () => ({ check: (req) => (req.kind === 'delete' ? { kind: 'deny', error: new SqlError(1148, '42000', 'no deletes here') } : undefined) }),
  };
  const recorder: Plugin<'logging'> = {
    manifest: { name: 'test-recorder', kind: 'logging', version: '0', description: 'keeps events', defaultEnabled: true, options: [] },
    init: () => ({ statement: (e) => void events.push(e) }),
  };
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-filters-'));
  const server = await startServer({ argv: ['--datadir', datadir], env: {}, cwd: datadir, plugins: [...SHIPPED_PLUGINS, admits, denies, recorder], log: silentLogger, embedded: true });
  try {
    const s = server.kernel.openSession({ user: 'root', host: 'localhost', database: null });
    const run = (sql: string) => s.execute(sql, false, () => undefined);
    await run('CREATE DATABASE d');
    await run('CREATE TABLE d.t (id INT PRIMARY KEY)');
    await run('INSERT INTO d.t VALUES (1), (2), (3)');
    await run('SELECT * FROM d.t');
    assert.deepEqual(released, [0, 0, 0, 0]);
    await assert.rejects(run('DELETE FROM d.t WHERE id > 0'), (e) => e instanceof SqlError && e.message === 'no deletes here');
    assert.equal(released.length, 5, 'the admitting filter got its slot back');
    assert.notEqual(released[4], 0);
    const refusal = events[events.length - 1];
    assert.equal(refusal.blockedBy, 'test-denies');
    assert.equal(refusal.rowsExamined, 0, 'not the rows of the SELECT before it');
    assert.equal(events[events.length - 2].rowsExamined, 3);
    s.close();
  } finally {
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});
