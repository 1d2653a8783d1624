// Smoke test of the differential test: 200 seeded random queries on mizzle and MariaDB agree at least 99% of the time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mariadbServerAvailable } from '../mariadb-process.js';
import { startPeers } from './servers.js';
import { runDifferential } from './runner.js';
import { agreementOf } from './report.js';

test('200 random queries agree with MariaDB (seed 7)', { skip: !mariadbServerAvailable(), timeout: 60000 }, async () => {
  const peers = await startPeers();
  try {
    const result = await runDifferential(peers, { seed: 7, queries: 200, seconds: 50, queriesPerSchema: 100 });
    assert.equal(result.queries, 200);
    assert.deepEqual(result.setupFailures, []);
    const shown = result.differences.slice(0, 5).map((d) => `${d.cls}: ${d.minimized?.sql ?? d.sql}`).join('\n');
    assert.ok(agreementOf(result) >= 0.99, `agreement ${(agreementOf(result) * 100).toFixed(2)}%:\n${shown}`);
  } finally {
    await peers.stop();
  }
});
