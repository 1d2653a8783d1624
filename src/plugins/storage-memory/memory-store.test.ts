// Runs the KV conformance and TableStore suites against the memory engine.
import { kvSuite } from '../../storage/testing/kv-suite.js';
import { tableStoreSuite } from '../../storage/testing/table-store-suite.js';
import { engineContext } from '../../storage/testing/engine-context.js';
import { plugin } from './index.js';

kvSuite('memory', async () => {
  const engine = await plugin.init(engineContext(''));
  return engine.open({ dir: '', options: {} });
});

tableStoreSuite('memory', async () => {
  const engine = await plugin.init(engineContext(''));
  return engine.open({ dir: '', options: {} });
});
