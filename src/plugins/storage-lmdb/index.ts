// The lmdb storage engine plugin: persistent, durable tables in one LMDB environment (the default engine).
import type { OptionValue, Plugin, StorageEngine } from '../../kernel/plugin.js';
import type { KvOpenOptions, KvStore } from '../../storage/kv.js';
import { LmdbStore } from './lmdb-store.js';

const DEFAULTS = { sync: true, map_size: 0 };

function option(opts: Readonly<Record<string, OptionValue>>, fallback: Readonly<Record<string, OptionValue>>, name: keyof typeof DEFAULTS): OptionValue {
  return opts[name] ?? fallback[name] ?? DEFAULTS[name];
}

/** The plugin the kernel loads; `open` gives the KvStore for the engine's directory. */
export const plugin: Plugin<'storage'> = {
  manifest: {
    name: 'lmdb',
    kind: 'storage',
    version: '0.1.0',
    description: 'Persistent storage engine on LMDB: ordered keys, ACID write transactions, durable commits',
    defaultEnabled: true,
    options: [
      { name: 'sync', type: 'boolean', default: DEFAULTS.sync, description: 'Flush every commit to disk before acknowledging it; false acknowledges first and flushes every second, so an OS crash or power loss can lose about the last second of commits (like innodb_flush_log_at_trx_commit=2)' },
      { name: 'map_size', type: 'number', default: DEFAULTS.map_size, description: 'initial LMDB map size in bytes (0: start small and grow as needed)' },
    ],
  },
  init(ctx): StorageEngine {
    return {
      persistent: true,
      async open(o: KvOpenOptions): Promise<KvStore> {
        const sync = option(o.options, ctx.options, 'sync');
        const mapSize = Number(option(o.options, ctx.options, 'map_size'));
        return LmdbStore.open(o.dir, { sync: sync === true || sync === 'true' || sync === 1, mapSize: Number.isFinite(mapSize) && mapSize > 0 ? mapSize : 0 });
      },
      backup: (o: KvOpenOptions, destDir: string) => LmdbStore.backup(o.dir, destDir),
    };
  },
};
