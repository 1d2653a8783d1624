// Runs the KV conformance and TableStore suites against the memory engine.
import { kvSuite } from '../../testing/storage/kv-suite.js';
import { tableStoreSuite } from '../../testing/storage/table-store-suite.js';
import { engineContext } from '../../testing/storage/engine-context.js';
import { plugin } from './index.js';

kvSuite('memory', async () => {
  const engine = await plugin.init(engineContext(''));
  return engine.open({ dir: '', options: {} });
});

tableStoreSuite('memory', async () => {
  const engine = await plugin.init(engineContext(''));
  return engine.open({ dir: '', options: {} });
});
