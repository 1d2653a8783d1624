// The memory storage engine plugin: tables whose rows live in process memory and vanish on restart.
import type { Plugin, StorageEngine } from '../../kernel/plugin.js';
import type { KvStore } from '../../storage/kv.js';
import { MemoryStore } from './memory-store.js';

/** The plugin the kernel loads; each `open` gives a fresh, empty store. */
export const plugin: Plugin<'storage'> = {
  manifest: {
    name: 'memory',
    kind: 'storage',
    version: '0.1.0',
    description: 'Non-persistent storage engine: an ordered in-memory B+ tree with atomic writes',
    defaultEnabled: true,
    options: [],
  },
  init(): StorageEngine {
    return {
      persistent: false,
      async open(): Promise<KvStore> {
        return new MemoryStore();
      },
    };
  },
};
