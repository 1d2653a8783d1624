// Online shard moves on real servers under a write load: a split of '-' and a move of one child lose no acknowledged write, put every row on the shard that owns it, and hold writes under a second; a killed primary's replica is promoted by failover.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failoverAfterKill, splitThenMove } from '../testing/shard-moves-scenario.js';

/** The bound on a cut-over's write unavailability. */
const UNAVAILABLE_MAX_MS = 1000;

test('a split and a move under load keep every acknowledged write exactly once, on its owner, with writes held under a second', { timeout: 300_000 }, async () => {
  const r = await splitThenMove();
  const detail = JSON.stringify({ ...r, cutOvers: r.cutOvers.map(({ output: _o, ...x }) => x), missing: r.missing.slice(0, 10), wrongValue: r.wrongValue.slice(0, 10), extra: r.extra.slice(0, 10) });
  assert.ok(r.acked > 200, `the load wrote something: ${detail}`);
  assert.deepEqual(r.missing, [], `acknowledged rows missing: ${detail}`);
  assert.deepEqual(r.wrongValue, [], `rows without their last acknowledged value: ${detail}`);
  assert.deepEqual(r.extra, [], `rows nobody acknowledged: ${detail}`);
  assert.deepEqual(r.misplaced, [], `rows on a shard that does not own them: ${detail}`);
  assert.deepEqual(r.duplicated, [], `rows on two shards: ${detail}`);
  assert.deepEqual(Object.keys(r.rowsPerShard).sort(), ['-80', '80-']);
  assert.equal(r.cutOvers.length, 2);
  for (const c of r.cutOvers) {
    assert.ok(c.commandMs < UNAVAILABLE_MAX_MS, `${c.what}: frozen → serving took ${c.commandMs} ms\n${c.output}`);
    assert.ok(c.clientMaxWaitMs < UNAVAILABLE_MAX_MS, `${c.what}: a write waited ${c.clientMaxWaitMs} ms\n${c.output}`);
  }
  // The split removed the rows of '80-' that B's backup seed copied.
  assert.match(r.cutOvers[0].output, /removed [1-9]\d* rows of other children/);
});

test('after kill -9 of a primary, failover promotes its replica: every write it had applied is there and writes resume on it', { timeout: 180_000 }, async () => {
  const r = await failoverAfterKill();
  const detail = JSON.stringify({ ...r, missingReplicated: r.missingReplicated.slice(0, 10), missingAfterFailover: r.missingAfterFailover.slice(0, 10) });
  assert.ok(r.replicatedBeforeKill > 50, detail);
  assert.deepEqual(r.missingReplicated, [], `replicated, acknowledged writes lost: ${detail}`);
  assert.ok(r.afterFailover > 0, `writes resumed on the promoted replica: ${detail}`);
  assert.deepEqual(r.missingAfterFailover, [], detail);
  assert.match(r.output, /promoted 127\.0\.0\.1:\d+ to primary of app\/-/);
});
