// Test helper: the PluginContext a storage engine plugin's init receives, without a running kernel.
import { createLogger } from '../../kernel/logger.js';
import type { KernelApi, PluginContext, PluginOptions } from '../../kernel/plugin.js';

/** A context for initialising a storage plugin in tests; storage plugins never call the kernel. */
export function engineContext(datadir: string, options: PluginOptions = {}): PluginContext {
  const kernel = new Proxy({}, {
    get() {
      throw new Error('storage plugins do not use the kernel API');
    },
  }) as KernelApi;
  return { options, datadir, log: createLogger({ write: () => {} }), kernel };
}
