// Online backup: a consistent, compacted copy of every persistent engine's data, startable as a new datadir.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ConfigError, loadConfig, pluginOptionValues } from './config.js';
import type { Plugin, StorageEngine } from './plugin.js';
import type { KvStore } from '../storage/kv.js';
import { PluginRegistry } from './registry.js';
import { silentLogger } from './logger.js';
import { lastSequence } from '../storage/change-log/log-store.js';
import { askServer } from './admin-socket.js';
import { runningServerPid } from './datadir.js';

export interface BackupResult {
  engines: string[];
  dest: string;
  sequence: bigint;
}

/** One persistent engine to copy: how to copy its data into a directory, and how to open such a copy. */
export interface EngineCopy {
  name: string;
  copy(target: string): Promise<void>;
  open(dir: string): Promise<KvStore>;
}

/**
 * Copies the datadir's persistent engines into `dest` (which must not exist or be empty). The copy
 * gets no server-uuid: a server started on it is a new server (a new replica or machine), with
 * `backup-info` recording where it came from and the last sequence of the source's change log the
 * copy holds: a replica started on the copy with --replica-of continues after it.
 *
 * When a server runs on the datadir, the server makes the copy (asked over its admin socket): a second
 * process must not open the storage of a running server (see LmdbStore.copyTo). Only a datadir no
 * server runs on is copied from here.
 */
export async function backupDatadir(opts: { argv: readonly string[]; env: NodeJS.ProcessEnv; cwd: string; plugins: readonly Plugin[]; dest: string }): Promise<BackupResult> {
  const registry = new PluginRegistry(opts.plugins);
  const config = loadConfig(opts.argv, opts.env, opts.cwd, registry.manifests());
  const datadir = String(config.kernel.datadir);
  const dest = resolve(opts.cwd, opts.dest);
  if (!existsSync(datadir)) throw new ConfigError(`data directory ${datadir} does not exist`);
  const pid = runningServerPid(datadir);
  if (pid !== undefined) return askRunningServer(datadir, pid, dest);
  prepareDest(dest);
  const enabled = registry.selectEnabled(String(config.kernel['plugin-load']), String(config.kernel['plugin-add']), String(config.kernel['plugin-remove']));
  const engines: EngineCopy[] = [];
  for (const p of enabled.filter((x) => x.manifest.kind === 'storage')) {
    const options = pluginOptionValues(p.manifest, config.raw);
    const engine = (await p.init({ options, datadir, log: silentLogger, get kernel(): never { throw new Error('no kernel during backup'); } })) as StorageEngine;
    if (!engine.persistent) continue;
    const backup = engine.backup?.bind(engine);
    if (backup === undefined) throw new ConfigError(`storage engine ${p.manifest.name} cannot make online backups`);
    const dir = join(datadir, p.manifest.name);
    if (!existsSync(dir)) continue;
    engines.push({ name: p.manifest.name, copy: (target) => backup({ dir, options }, target), open: (d) => engine.open({ dir: d, options }) });
  }
  return writeBackup(engines, datadir, dest, String(config.kernel['default-storage-engine']).toLowerCase());
}

async function askRunningServer(datadir: string, pid: number, dest: string): Promise<BackupResult> {
  const r = (await askServer(datadir, pid, { op: 'backup', dest }, 'make the backup')) as { engines: string[]; dest: string; sequence: string };
  return { engines: r.engines, dest: r.dest, sequence: BigInt(r.sequence) };
}

function prepareDest(dest: string): void {
  if (existsSync(dest) && readdirSync(dest).length > 0) throw new ConfigError(`backup destination ${dest} is not empty`);
  mkdirSync(dest, { recursive: true });
}

/** The running server's side (its admin socket): copies its own open stores. `dest` is absolute. */
export async function backupOpenStores(engines: readonly EngineCopy[], datadir: string, dest: string, defaultEngine: string): Promise<{ engines: string[]; dest: string; sequence: string }> {
  if (!isAbsolute(dest)) throw new ConfigError('the backup destination must be an absolute path');
  prepareDest(dest);
  const r = await writeBackup(engines, datadir, dest, defaultEngine);
  return { engines: r.engines, dest: r.dest, sequence: r.sequence.toString() };
}

async function writeBackup(engines: readonly EngineCopy[], datadir: string, dest: string, defaultEngine: string): Promise<BackupResult> {
  let sequence = 0n;
  for (const e of engines) {
    const target = join(dest, e.name);
    mkdirSync(target, { recursive: true });
    await e.copy(target);
    if (e.name === defaultEngine) {
      // Read from the copy itself: exactly the commit the snapshot holds.
      const copy = await e.open(target);
      try {
        sequence = copy.read((r) => lastSequence(r));
      } finally {
        await copy.close();
      }
    }
  }
  const uuidPath = join(datadir, 'server-uuid');
  const source = existsSync(uuidPath) ? readFileSync(uuidPath, 'utf8').trim() : 'unknown';
  writeFileSync(join(dest, 'backup-info'), JSON.stringify({ source_server_uuid: source, sequence: sequence.toString(), source_datadir: datadir, taken_at: new Date().toISOString(), engines: engines.map((e) => e.name) }) + '\n');
  return { engines: engines.map((e) => e.name), dest, sequence };
}
