// Online backup: a consistent, compacted copy of every persistent engine's data, startable as a new datadir.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, pluginOptionValues } from './config.js';
import type { Plugin, StorageEngine } from './plugin.js';
import { PluginRegistry } from './registry.js';
import { silentLogger } from './logger.js';
import { lastSequence } from '../storage/change-log/log-store.js';

/**
 * Copies the datadir's persistent engines into `dest` (which must not exist or be
 * empty). The copy gets no server-uuid: a server started on it is a new server
 * (a new replica or machine), with `backup-info` recording where it came from and the last
 * sequence of the source's change log the copy holds: a replica started on the copy with
 * --replica-of continues after it.
 */
export async function backupDatadir(opts: { argv: readonly string[]; env: NodeJS.ProcessEnv; cwd: string; plugins: readonly Plugin[]; dest: string }): Promise<{ engines: string[]; dest: string; sequence: bigint }> {
  const registry = new PluginRegistry(opts.plugins);
  const config = loadConfig(opts.argv, opts.env, opts.cwd, registry.manifests());
  const datadir = String(config.kernel.datadir);
  const dest = resolve(opts.cwd, opts.dest);
  if (!existsSync(datadir)) throw new ConfigError(`data directory ${datadir} does not exist`);
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new ConfigError(`backup destination ${dest} is not empty`);
  mkdirSync(dest, { recursive: true });
  const enabled = registry.selectEnabled(String(config.kernel['plugin-load']), String(config.kernel['plugin-add']), String(config.kernel['plugin-remove']));
  const engines: string[] = [];
  const defaultEngine = String(config.kernel['default-storage-engine']).toLowerCase();
  let sequence = 0n;
  for (const p of enabled.filter((x) => x.manifest.kind === 'storage')) {
    const options = pluginOptionValues(p.manifest, config.raw);
    const engine = (await p.init({ options, datadir, log: silentLogger, get kernel(): never { throw new Error('no kernel during backup'); } })) as StorageEngine;
    if (!engine.persistent) continue;
    if (!engine.backup) throw new ConfigError(`storage engine ${p.manifest.name} cannot make online backups`);
    const dir = join(datadir, p.manifest.name);
    if (!existsSync(dir)) continue;
    const target = join(dest, p.manifest.name);
    mkdirSync(target, { recursive: true });
    await engine.backup({ dir, options }, target);
    engines.push(p.manifest.name);
    if (p.manifest.name === defaultEngine) {
      // Read from the copy itself: exactly the commit the snapshot holds.
      const copy = await engine.open({ dir: target, options });
      try {
        sequence = copy.read((r) => lastSequence(r));
      } finally {
        await copy.close();
      }
    }
  }
  const uuidPath = join(datadir, 'server-uuid');
  const source = existsSync(uuidPath) ? readFileSync(uuidPath, 'utf8').trim() : 'unknown';
  writeFileSync(join(dest, 'backup-info'), JSON.stringify({ source_server_uuid: source, sequence: sequence.toString(), source_datadir: datadir, taken_at: new Date().toISOString(), engines }) + '\n');
  return { engines, dest, sequence };
}
