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
