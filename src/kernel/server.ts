// Boots a server: config, data directory, plugins in kind order, storage, kernel; and shuts it down cleanly.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, pluginOptionValues, unknownTopLevel, type ResolvedConfig } from './config.js';
import { openDataDir, type DataDir } from './datadir.js';
import { Kernel } from './kernel.js';
import { createLogger, type Logger, type LogLevel } from './logger.js';
import type { Plugin, PluginContext, StorageEngine } from './plugin.js';
import { PluginRegistry } from './registry.js';
import type { KvStore } from '../storage/kv.js';
import { StorageManager } from '../storage/storage-manager.js';

/** A started server. */
export interface RunningServer {
  kernel: Kernel;
  config: ResolvedConfig;
  /** Stops listeners, closes sessions and storage, releases the datadir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  plugins: readonly Plugin[];
  log?: Logger;
  /** Skip protocol plugins (embedded use and in-process tests). */
  embedded?: boolean;
}

/** Starts mizzle. Throws ConfigError for anything the operator must fix. */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const t0 = Date.now();
  const registry = new PluginRegistry(opts.plugins);
  const config = loadConfig(opts.argv, opts.env, opts.cwd, registry.manifests());
  const log = opts.log ?? createLogger({ level: String(config.kernel['log-level']) as LogLevel, json: config.kernel['log-json'] === true });
  const problems = unknownTopLevel(config.raw, registry.manifests());
  if (problems.length) throw new ConfigError(problems.join('\n'));
  const enabled = registry.selectEnabled(String(config.kernel['plugin-load']), String(config.kernel['plugin-add']), String(config.kernel['plugin-remove']));
  const datadir = openDataDir(String(config.kernel.datadir));
  const stores: KvStore[] = [];
  let kernel: Kernel | undefined;
  try {
    // Storage engines first: the catalog lives in the default engine.
    const engines = new Map<string, KvStore>();
    const options = new Map(enabled.map((p) => [p.manifest.name, pluginOptionValues(p.manifest, config.raw)]));
    const kernelRef: { current?: Kernel } = {};
    const contextFor = (p: Plugin): PluginContext => ({
      options: options.get(p.manifest.name) ?? {},
      datadir: datadir.path,
      log,
      get kernel() {
        if (!kernelRef.current) throw new Error(`plugin ${p.manifest.name} used the kernel before it started`);
        return kernelRef.current;
      },
    });
    for (const p of enabled.filter((x) => x.manifest.kind === 'storage')) {
      const engine = (await p.init(contextFor(p))) as StorageEngine;
      const dir = join(datadir.path, p.manifest.name);
      mkdirSync(dir, { recursive: true });
      const store = await engine.open({ dir, options: options.get(p.manifest.name) ?? {} });
      stores.push(store);
      engines.set(p.manifest.name, store);
      registry.addActive(p.manifest as Plugin<'storage'>['manifest'], engine);
    }
    const defaultEngine = String(config.kernel['default-storage-engine']).toLowerCase();
    if (!engines.has(defaultEngine)) {
      throw new ConfigError(`the default storage engine '${defaultEngine}' is not enabled (enabled: ${[...engines.keys()].join(', ') || 'none'})`);
    }
    const storage = StorageManager.open({ engines, defaultEngine });
    const protocolOptions = enabled.filter((p) => p.manifest.kind === 'protocol').map((p) => options.get(p.manifest.name) ?? {});
    const port = protocolOptions.find((o) => typeof o.port === 'number')?.port ?? 3306;
    kernel = new Kernel({ storage, registry, log, serverUuid: datadir.serverUuid, datadir: datadir.path, globals: { port: Number(port), hostname: (await import('node:os')).hostname() } });
    kernelRef.current = kernel;
    for (const p of enabled.filter((x) => x.manifest.kind === 'authentication')) {
      registry.addActive(p.manifest as Plugin<'authentication'>['manifest'], await (p as Plugin<'authentication'>).init(contextFor(p)));
    }
    if (!opts.embedded) {
      for (const p of enabled.filter((x) => x.manifest.kind === 'protocol')) {
        const server = await (p as Plugin<'protocol'>).init(contextFor(p));
        await server.start();
        registry.addActive(p.manifest as Plugin<'protocol'>['manifest'], server);
        log.info(`listening: ${server.describe()}`);
      }
    }
    log.info('mizzle started', { datadir: datadir.path, uuid: datadir.serverUuid, config: config.files, plugins: enabled.map((p) => p.manifest.name), startup_ms: Date.now() - t0 });
    return { kernel, config, stop: stopper(kernel, registry, storage, datadir, log) };
  } catch (e) {
    for (const s of stores) await s.close().catch(() => undefined);
    datadir.release();
    throw e;
  }
}

function stopper(kernel: Kernel, registry: PluginRegistry, storage: StorageManager, datadir: DataDir, log: Logger): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      log.info('mizzle shutting down');
      for (const p of [...registry.ofKind('protocol')].reverse()) {
        await p.instance.stop().catch((e: unknown) => log.error(`stopping ${p.manifest.name} failed`, { error: String(e) }));
      }
      for (const s of kernel.openSessions()) s.close();
      await storage.close();
      datadir.release();
      log.info('mizzle stopped');
    })();
    return stopping;
  };
}
