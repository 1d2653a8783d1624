// Runs the KV conformance and TableStore suites against the lmdb engine, plus its persistence across reopen.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kvSuite } from '../../testing/storage/kv-suite.js';
import { tableStoreSuite } from '../../testing/storage/table-store-suite.js';
import { engineContext } from '../../testing/storage/engine-context.js';
import { plugin } from './index.js';

const root = mkdtempSync(join(tmpdir(), 'mizzle-lmdb-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

async function openAt(dir: string, options: Record<string, boolean | number> = {}) {
  const engine = await plugin.init(engineContext(root, options));
  return engine.open({ dir, options });
}

kvSuite('lmdb', () => openAt(join(root, `kv${n++}`)));
tableStoreSuite('lmdb', () => openAt(join(root, `ts${n++}`)));

test('lmdb: committed writes survive close and reopen; sync=false works too', async () => {
  for (const sync of [true, false]) {
    const dir = join(root, `persist-${sync}`);
    const s = await openAt(dir, { sync });
    s.write((w) => w.put(Buffer.from('k'), Buffer.from('v')));
    await s.close();
    const again = await openAt(dir, { sync });
    assert.deepEqual(again.read((r) => r.get(Buffer.from('k'))), Buffer.from('v'));
    assert.ok(again.persistent);
    await again.close();
  }
});

test('lmdb: a commit batch is applied off the thread, all at once, and is there after a reopen', async () => {
  const { CommitBatchWriter } = await import('../../storage/commit-batch.js');
  const dir = join(root, 'batch');
  const s = await openAt(dir);
  const KEYS = 50_000;
  const key = (i: number) => Buffer.from(`k${String(i).padStart(6, '0')}`);
  const batch = new CommitBatchWriter();
  for (let i = 0; i < KEYS; i++) batch.put(key(i).toString('latin1'), Buffer.from(`value ${i}`));
  assert.ok(s.commitBatch, 'the lmdb store commits batches');
  let applied = false;
  const commit = s.commitBatch(batch.take()).then(() => { applied = true; });
  // While the commit thread writes, this thread takes turns; what it reads is none of the batch or all of it.
  let turns = 0;
  const seen = new Set<number>();
  while (!applied) {
    await new Promise((r) => setImmediate(r));
    turns++;
    seen.add(s.read((r) => [...r.range({ start: key(0), end: key(KEYS) })].length));
  }
  await commit;
  assert.ok(turns > 1, `the thread took ${turns} turn(s) while the batch was applied`);
  assert.deepEqual([...seen].filter((n) => n !== 0 && n !== KEYS), []);
  assert.equal(s.read((r) => r.get(key(KEYS - 1))?.toString()), `value ${KEYS - 1}`);
  await s.close();
  const again = await openAt(dir);
  assert.equal(again.read((r) => [...r.range({ start: key(0), end: key(KEYS) })].length), KEYS);
  await again.close();
});

test('lmdb: the commit thread closes its environment and ends by itself at close; a batch after close is refused', async () => {
  const { CommitBatchWriter } = await import('../../storage/commit-batch.js');
  const { CommitThread } = await import('./commit-thread.js');
  const dir = join(root, 'thread-close');
  const s = await openAt(dir);
  const thread = new CommitThread({ dir, sync: true, mapSize: 1 << 26 });
  const batch = new CommitBatchWriter();
  batch.put('k', Buffer.from('v'));
  await thread.apply(batch.take());
  // 0: it returned from its last write and exited; a terminated thread ends with 1.
  assert.equal(await thread.close(), 0);
  const late = new CommitBatchWriter();
  late.put('late', Buffer.from('v'));
  await assert.rejects(thread.apply(late.take()), /the store is closed/);
  s.refresh?.();
  assert.equal(s.read((r) => r.get(Buffer.from('k'))?.toString()), 'v');
  assert.equal(s.read((r) => r.get(Buffer.from('late'))), undefined);
  await s.close();
});
