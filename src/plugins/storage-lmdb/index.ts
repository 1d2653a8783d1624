// The lmdb storage engine plugin: persistent, durable tables in one LMDB environment (the default engine).
import type { OptionValue, Plugin, StorageEngine } from '../../kernel/plugin.js';
import type { KvOpenOptions, KvStore } from '../../storage/kv.js';
import { checkKeyFor, keyFromOptions, writeMarker, type EngineKey } from './encryption.js';
import { LmdbStore } from './lmdb-store.js';

const DEFAULTS = { sync: true, map_size: 0, encryption_key_file: '', encryption_key: '' };

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
      { name: 'encryption_key_file', type: 'string', default: DEFAULTS.encryption_key_file, description: 'Encrypt the data on disk (ChaCha8) with the key in this file (at least 32 bytes, e.g. openssl rand -hex 32); only for a new datadir, and needed at every start' },
      { name: 'encryption_key', type: 'string', default: DEFAULTS.encryption_key, description: 'The encryption key itself, from the environment only (MIZZLE_LMDB__ENCRYPTION_KEY), never from a file or a flag', secret: true, envOnly: true },
    ],
  },
  init(ctx): StorageEngine {
    const keyOf = (o: KvOpenOptions): EngineKey | undefined =>
      keyFromOptions(String(option(o.options, ctx.options, 'encryption_key_file')), String(option(o.options, ctx.options, 'encryption_key')));
    return {
      persistent: true,
      async open(o: KvOpenOptions): Promise<KvStore> {
        const sync = option(o.options, ctx.options, 'sync');
        const mapSize = Number(option(o.options, ctx.options, 'map_size'));
        const key = keyOf(o);
        // Before LMDB touches the directory: a wrong or missing key stops the start with nothing changed.
        checkKeyFor(o.dir, key);
        return LmdbStore.open(o.dir, {
          sync: sync === true || sync === 'true' || sync === 1,
          mapSize: Number.isFinite(mapSize) && mapSize > 0 ? mapSize : 0,
          encryptionKey: key?.lmdbKey,
          // A copy the running server makes of encrypted data stays encrypted under the same key, marked so.
          ...(key !== undefined ? { afterCopy: (destDir: string) => writeMarker(destDir, key) } : {}),
        });
      },
      async backup(o: KvOpenOptions, destDir: string): Promise<void> {
        const key = keyOf(o);
        checkKeyFor(o.dir, key);
        // A backup of encrypted data stays encrypted, under the same key.
        await LmdbStore.backup(o.dir, destDir, key?.lmdbKey);
        if (key !== undefined) writeMarker(destDir, key);
      },
    };
  },
};
