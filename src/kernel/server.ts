// Boots a server: config, data directory, plugins in kind order, storage, kernel; and shuts it down cleanly.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, VARIABLE_OPTIONS, loadConfig, pluginOptionValues, threadsOption, unknownTopLevel, type ResolvedConfig } from './config.js';
import { openDataDir, type DataDir } from './datadir.js';
import { startAdminSocket } from './admin-socket.js';
import { backupOpenStores, type EngineCopy } from './backup.js';
import { readPage } from './change-log-reader.js';
import { Kernel } from './kernel.js';
import { createLogger, fanOutLogger, type Logger, type LogLevel } from './logger.js';
import type { LogSink, MonitorServer, Plugin, PluginContext, PluginInstanceByKind, PluginManifest, PluginOptions, StorageEngine } from './plugin.js';
import { registerReadOnlyVariables } from './variables.js';
import { PluginRegistry } from './registry.js';
import { isPairSeed, type KvSeed, type KvStore } from '../storage/kv.js';
import { discardStagedCopies } from '../storage/staged-rebuild.js';
import { StorageManager } from '../storage/storage-manager.js';
import { SharedCounterCells } from '../storage/shared-counter-cells.js';
import { Board, createSharedMemory, type SharedMemory } from './threads/shared-memory.js';
import { Coordinator } from './threads/coordinator.js';
import { SharedLockTable } from './threads/shared-lock-table.js';
import type { WorkerLink } from './threads/worker-link.js';
import { resolveTlsFiles, TlsMaterial } from './tls-files.js';
import { SourceSettings } from './replication/source-settings.js';
// The replica's applier, the shard topology and the keyrange filter load only when used: workers never run the applier.
import type { parseKeyrangeOption } from './replication/keyrange-filter.js';
import { REPLICATE_OPTIONS, ReplicateRules, ruleList, withFilterChanges, type ReplicateRuleLists } from './replication/replicate-rules.js';
import type { TopologySource } from '../sharding/topology-source.js';
import type { ReplicationSourceFactory } from './replication/source.js';
import type { AppliedPosition } from '../storage/change-log/applied-position.js';

/** A started server. */
export interface RunningServer {
  kernel: Kernel;
  config: ResolvedConfig;
  /** Stops listeners, closes sessions and storage, releases the datadir. Safe to call twice. */
  stop(): Promise<void>;
  /** What SIGHUP does: every plugin that can re-read its files or reopen its logs does. */
  reload(): Promise<void>;
}

export interface StartOptions {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  plugins: readonly Plugin[];
  log?: Logger;
  /** Skip protocol plugins (embedded use and in-process tests). */
  embedded?: boolean;
  /**
   * The module worker threads run (src/cli/worker.ts): with it, `--threads` above 1 makes
   * this thread the coordinator and the workers serve the clients. Without it, one thread.
   */
  workerScript?: URL;
  /**
   * Workers the command spawned before loading the server's modules (spawnWorkersEarly), so
   * theirs load meanwhile; used when the thread count comes out the same, else ended.
   */
  earlyWorkers?: Coordinator;
  /**
   * Contents to start from, by engine name (an embedded fixture's snapshot): each named store
   * must be empty when opened and is filled with these pairs before the catalog loads.
   */
  seed?: ReadonlyMap<string, KvSeed>;
  /** Set in a worker thread: its index, the shared memory and its link to the main thread. */
  worker?: { index: number; memory: SharedMemory; link: WorkerLink };
  /** How to follow a source, by URL scheme (`mizzle:`), for `--replica-of`; given by the command, which may use the client library. */
  replicationSources?: Readonly<Record<string, ReplicationSourceFactory>>;
}

/** `--replica-of`: the source's URL, checked; undefined when the server is no replica. */
function replicaUrl(config: ResolvedConfig): URL | undefined {
  const text = String(config.kernel['replica-of']).trim();
  if (text === '') return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`--replica-of must be a URL such as mizzle://user:password@primary:4406, not '${text}'`);
  }
  if (url.protocol !== 'mizzle:') throw new ConfigError(`--replica-of: a replica follows its source over the native protocol (mizzle://host:port), not ${url.protocol}//`);
  if (url.hostname === '') throw new ConfigError('--replica-of names no host');
  return url;
}

/** The source position a backup image starts from (`backup-info`, written by mizzle backup), if the datadir is one. */
function backupPosition(datadir: string): AppliedPosition | undefined {
  const path = join(datadir, 'backup-info');
  if (!existsSync(path)) return undefined;
  const info = JSON.parse(readFileSync(path, 'utf8')) as { source_server_uuid?: string; sequence?: string };
  if (info.source_server_uuid === undefined || info.sequence === undefined) return undefined;
  return { sourceUuid: info.source_server_uuid, sequence: BigInt(info.sequence) };
}

/** How many threads serve clients: --threads (0: one per core), one when embedded, alone or on an engine threads cannot share. */
function threadCount(config: ResolvedConfig, opts: StartOptions, defaultStore: KvStore, log: Logger): number {
  if (opts.worker || opts.embedded || !opts.workerScript) return 1;
  const n = threadsOption(config);
  if (n > 1 && !defaultStore.persistent) {
    log.info('one thread serves clients: the default storage engine keeps its rows in one thread\'s memory', { threads_asked: n });
    return 1;
  }
  return n;
}

/** Fills a freshly opened, empty store from `seed`: an image of its own engine, or pairs in one write. */
function seedStore(store: KvStore, engine: string, seed: KvSeed): void {
  const empty = store.read((r) => r.range({})[Symbol.iterator]().next().done === true);
  if (!empty) throw new ConfigError(`cannot start engine '${engine}' from a snapshot: its directory already holds data`);
  if (!isPairSeed(seed)) {
    if (store.adopt === undefined || seed.engine !== engine) throw new ConfigError(`engine '${engine}' cannot start from an image of engine '${seed.engine}'`);
    store.adopt(seed);
    return;
  }
  store.write((w) => {
    for (const e of seed) w.put(e.key, e.value);
  });
}


/** Starts mizzle. Throws ConfigError for anything the operator must fix. */
export async function startServer(opts: StartOptions): Promise<RunningServer> {
  const t0 = Date.now();
  const config = loadConfig(opts.argv, opts.env, opts.cwd, new PluginRegistry(opts.plugins).manifests());
  const registry = new PluginRegistry(opts.plugins);
  const baseLog = opts.log ?? createLogger({ level: String(config.kernel['log-level']) as LogLevel, json: config.kernel['log-json'] === true });
  // Server messages also go to every logging plugin with an error-log hook (syslog, ...).
  const log = fanOutLogger(baseLog, () => registry.ofKind('logging').flatMap((p) => (p.instance.message ? [p.instance.message.bind(p.instance)] : [])));
  const problems = unknownTopLevel(config.raw, registry.manifests());
  if (problems.length) throw new ConfigError(problems.join('\n'));
  const enabled = registry.selectEnabled(String(config.kernel['plugin-load']), String(config.kernel['plugin-add']), String(config.kernel['plugin-remove']));
  const datadir = openDataDir(String(config.kernel.datadir), opts.worker !== undefined);
  replicaUrl(config);
  // --replica-of, unless CHANGE REPLICATION SOURCE TO, RESET REPLICA ALL or PROMOTE stored another choice since (source-settings.ts).
  const sourceSettings = new SourceSettings(datadir.path, String(config.kernel['replica-of']).trim());
  const sourceUrl = sourceSettings.current();
  if (sourceSettings.overridesFlag() && !opts.worker) log.info('the replication source stored by CHANGE REPLICATION SOURCE TO / PROMOTE wins over --replica-of', { source: sourceUrl ? `${sourceUrl.hostname}:${sourceUrl.port || 4406}` : 'none (primary)' });
  const stores: KvStore[] = [];
  let early = opts.earlyWorkers;
  let kernel: Kernel | undefined;
  let topology: TopologySource | undefined;
  try {
    // Storage engines first: the catalog lives in the default engine.
    const engines = new Map<string, KvStore>();
    // What an online backup copies, asked of this server over the admin socket (kernel/backup.ts).
    const copies: EngineCopy[] = [];
    const cannotCopy: string[] = [];
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
      const seed = opts.seed?.get(p.manifest.name);
      if (seed !== undefined) seedStore(store, p.manifest.name, seed);
      engines.set(p.manifest.name, store);
      if (engine.persistent) {
        const copyTo = store.copyTo?.bind(store);
        const engineOptions = options.get(p.manifest.name) ?? {};
        if (copyTo) copies.push({ name: p.manifest.name, copy: copyTo, open: (d) => engine.open({ dir: d, options: engineOptions }) });
        else cannotCopy.push(p.manifest.name);
      }
      registry.addActive(p.manifest as Plugin<'storage'>['manifest'], engine);
    }
    const defaultEngine = String(config.kernel['default-storage-engine']).toLowerCase();
    if (!engines.has(defaultEngine)) {
      throw new ConfigError(`the default storage engine '${defaultEngine}' is not enabled (enabled: ${[...engines.keys()].join(', ') || 'none'})`);
    }
    const threads = threadCount(config, opts, engines.get(defaultEngine) as KvStore, log);
    if (early && early.memory.workers !== threads) {
      await early.terminate();
      early = undefined;
    }
    const memory = opts.worker?.memory ?? early?.memory ?? (threads > 1 ? createSharedMemory(threads) : undefined);
    const shared = memory ? { counters: new SharedCounterCells(memory.counters), board: new Board(memory).catalog } : undefined;
    const storage = StorageManager.open({ engines, defaultEngine, shared });
    // Once, before any thread serves: an ALTER that a crash stopped mid-copy left only unreachable rows, deleted here.
    if (!opts.worker) {
      const discarded = discardStagedCopies(storage);
      if (discarded > 0) log.info('deleted the rows of table copies that ALTER TABLE statements left unfinished', { tables: discarded });
    }
    if (opts.worker) opts.worker.link.stores = [...engines.values()];
    const protocolOptions = enabled.filter((p) => p.manifest.kind === 'protocol').map((p) => options.get(p.manifest.name) ?? {});
    const port = protocolOptions.find((o) => typeof o.port === 'number')?.port ?? 3306;
    const maxConnections = protocolOptions.find((o) => typeof o.max_connections === 'number')?.max_connections ?? 151;
    const limits = Object.fromEntries(Object.entries(VARIABLE_OPTIONS).map(([option, variable]) => {
      const v = Number(config.kernel[option]);
      if (!Number.isInteger(v) || v < 0) throw new ConfigError(`--${option} must be a whole number of at least 0 (got ${String(config.kernel[option])})`);
      return [variable, v];
    }));
    // bind_address lets plugins judge exposure (auth-none refuses a non-loopback one) without knowing protocol names.
    const bindAddress = protocolOptions.find((o) => typeof o.bind === 'string')?.bind ?? '127.0.0.1';
    // Plugin options become variables before the kernel copies the globals' values, so SHOW VARIABLES sees this server's values.
    const pluginVars = enabled.flatMap((p) => pluginVariables(p.manifest, options.get(p.manifest.name) ?? {}));
    registerReadOnlyVariables([...pluginVars, { name: 'mizzle_threads', default: 1 }, { name: 'mizzle_worker_thread', default: 0 }]);
    // TLS: the main thread makes the datadir's certificate when none is given; every thread loads it.
    const tlsFiles = opts.embedded ? null : resolveTlsFiles({
      ssl: config.kernel.ssl === true,
      cert: String(config.kernel['ssl-cert']),
      key: String(config.kernel['ssl-key']),
      ca: String(config.kernel['ssl-ca']),
    }, datadir.path, opts.cwd, opts.worker === undefined, log);
    const tls = tlsFiles ? new TlsMaterial(tlsFiles) : undefined;
    const globals = {
      ...Object.fromEntries(pluginVars.map((v) => [v.name, v.default])),
      ...limits,
      have_ssl: tls ? 'YES' : 'DISABLED',
      have_openssl: tls ? 'YES' : 'DISABLED',
      ssl_ca: tlsFiles?.ca ?? '',
      ssl_cert: tlsFiles?.cert ?? '',
      ssl_key: tlsFiles?.key ?? '',
      port: Number(port),
      max_connections: Math.max(1, Math.floor(Number(maxConnections))),
      bind_address: String(bindAddress),
      hostname: (await import('node:os')).hostname(),
      // Which worker thread serves the sessions of this kernel, and how many there are.
      mizzle_worker_thread: opts.worker?.index ?? 0,
      mizzle_threads: opts.worker?.memory.workers ?? threads,
      // A replica takes no writes from clients (its applier's own are exempt), as MySQL's super_read_only.
      ...(sourceUrl || config.kernel['read-only'] === true ? { read_only: 1, super_read_only: 1 } : {}),
    };
    const keyrangeText = String(config.kernel['replica-keyrange']);
    const keyrange = keyrangeText === '' ? undefined : await keyrangeOption(keyrangeText, sourceUrl !== undefined, String(config.kernel.topology) !== '');
    const replicateRules = replicateRulesOption(config, sourceUrl !== undefined);
    const applier = enabled.find((p) => p.manifest.kind === 'applier');
    if (applier && config.kernel['log-bin'] === false) throw new ConfigError(`${applier.manifest.name} consumes the change log: drop --log-bin=false`);
    if (sourceUrl && config.kernel['log-bin'] === false) throw new ConfigError('--replica-of needs the change log: its applied position is stored with it (drop --log-bin=false)');
    // The topology is read before any client is served: a shard server must know what it owns (each thread watches its own copy).
    const topologyAddress = String(config.kernel.topology);
    if (topologyAddress !== '') {
      try {
        const { openTopology } = await import('../sharding/open-topology.js');
        topology = await openTopology(topologyAddress, { log: (m) => log.warn(m, { topology: topologyAddress }) });
        await topology.start();
      } catch (e) {
        throw new ConfigError(`--topology ${topologyAddress}: ${(e as Error).message}`);
      }
    }
    // The main thread beside workers locks rows in their table: its applier's transactions meet their sessions'.
    const sharedLocks = memory && !opts.worker ? new SharedLockTable(memory.locks, memory.lockSizes) : undefined;
    kernel = new Kernel({ storage, registry, log, serverUuid: datadir.serverUuid, datadir: datadir.path, globals, cluster: opts.worker?.link, sharedLocks, worker: opts.worker !== undefined, changeLog: config.kernel['log-bin'] !== false, tls, commitSignal: memory?.commits, streamHolds: memory?.streamHolds, sourceSettings, topology, shardAdvertise: String(config.kernel['shard-advertise']) });
    kernelRef.current = kernel;
    const coordinating = threads > 1;
    const relaying = { statements: false, audit: false };
    // The other kinds in start order (enabled is sorted by kind); listeners only when not embedded.
    // With worker threads, the workers serve clients (protocols and what statements need) and the main thread monitors.
    for (const p of enabled) {
      const kind = p.manifest.kind;
      if (kind === 'storage') continue;
      if (coordinating && (kind === 'protocol' || kind === 'authentication' || kind === 'authorization' || kind === 'filter')) continue;
      // Applier plugins run in the main thread, fed from the change log every thread writes.
      if (opts.worker && kind === 'applier') continue;
      if (opts.worker && (kind === 'monitoring' || p.manifest.mainThread === true)) {
        // These run in the main thread; here a stand-in sends them this worker's finished statements (and audit events).
        registry.addActive(p.manifest, mainThreadStandIn(p.manifest, opts.worker.link, relaying));
        continue;
      }
      const listens = kind === 'protocol' || kind === 'monitoring';
      if (listens && opts.embedded) continue;
      const instance = await p.init(contextFor(p));
      if (listens) {
        const server = instance as PluginInstanceByKind['protocol' | 'monitoring'];
        await server.start();
        log.info(`listening: ${server.describe()}`);
      }
      registry.addActive(p.manifest, instance);
    }
    let coordinator: Coordinator | undefined;
    if (coordinating && memory && opts.workerScript) {
      const main = kernel;
      const c = early ?? new Coordinator(opts.workerScript, memory, { argv: opts.argv, env: opts.env, cwd: opts.cwd }, log);
      early = undefined;
      coordinator = c;
      kernel.peerSource = () => c.reports();
      // A worker that fails to start fails the start: the others are ended before the storage closes under them.
      await c.start({
        setGlobal: (name, value) => main.globals.applyFromPeer(name, value),
        relayed: (events) => main.relayedEvents(events),
        main: {
          // The applier's session shows in SHOW PROCESSLIST; its counters stay out of the workers' sums.
          report: () => (main.replica || main.appliers.length > 0 ? { processes: main.report().processes, status: [], settings: main.mainThreadSettings(), replica: main.replica?.statusRow() } : undefined),
          replicaControl: (action) => void main.runApplierDuty(action),
          replicaFilter: (filters) => main.applyReplicationFilter(filters),
          kill: (id, queryOnly) => main.killLocal(id, queryOnly),
        },
      }).catch(async (e: unknown) => {
        await c.terminate();
        throw e;
      });
    }
    // The applier runs in one thread, the main one (with worker threads it serves no clients there).
    const factory = opts.replicationSources?.['mizzle:'];
    if (sourceUrl && factory === undefined && !opts.worker) throw new ConfigError('this program cannot follow a source (--replica-of is for the mizzle server)');
    if (factory !== undefined && !opts.worker && config.kernel['log-bin'] !== false) {
      const [{ Replica }, { KeyrangeFilter }] = await Promise.all([import('./replication/replica.js'), import('./replication/keyrange-filter.js')]);
      const shardTopology = topology;
      const filter = keyrange && shardTopology && new KeyrangeFilter(keyrange.keyspace, keyrange.shard, keyrange.range, () => shardTopology.current().keyspaces[keyrange.keyspace]);
      if (keyrange && !shardTopology?.current().keyspaces[keyrange.keyspace]) throw new ConfigError(`--replica-keyrange ${keyrangeText}: the topology (--topology) has no keyspace '${keyrange.keyspace}'`);
      const host = kernel;
      const start0 = backupPosition(datadir.path);
      kernel.replicateRules = replicateRules;
      kernel.applierFactory = {
        replica: (url) => {
          const replica = new Replica(host, factory(url), start0, filter);
          replica.rules = host.replicateRules;
          return replica;
        },
        source: factory,
      };
      kernel.syncApplier();
    }
    if (sourceUrl && kernel.replica) {
      kernel.replica.start();
      log.info('replica started', { source: `${sourceUrl.hostname}:${sourceUrl.port || 4406}` });
    }
    // The applier plugins hold the log from their positions before the purger first looks.
    if (!opts.worker) kernel.startAppliers();
    // One thread purges the change log in the background: the main one.
    if (!opts.worker) kernel.logRetention?.start();
    kernel.started = true;
    // Local tools (mizzle backup) ask the running server instead of opening its storage from another process.
    const admin = opts.worker ? undefined : await startAdminSocket(datadir.path, async (request) => {
      if (request.op === 'log') {
        const primary = storage.primary;
        return primary.read((r) => readPage(r, BigInt(request.from))).map((t) => ({ seq: t.seq.toString(), bytes: t.bytes.toString('base64') }));
      }
      if (cannotCopy.length > 0) throw new Error(`storage engine ${cannotCopy.join(', ')} cannot make online backups`);
      return backupOpenStores(copies, datadir.path, request.dest, defaultEngine);
    }, log);
    const stop = stopper(kernel, registry, storage, datadir, log, coordinator, admin);
    if (opts.worker) {
      log.info(`worker ${opts.worker.index} started`, { startup_ms: Date.now() - t0 });
      const k = kernel;
      return { kernel, config, stop, reload: () => { k.reloadTls(); return reloadPlugins(registry, log); } };
    }
    const self = kernel;
    const reload = () => {
      self.reloadTls();
      return reloadPlugins(registry, log);
    };
    const onHangup = () => {
      coordinator?.reload();
      void reload();
    };
    process.on('SIGHUP', onHangup);
    log.info('mizzle started', { datadir: datadir.path, uuid: datadir.serverUuid, config: config.files, plugins: enabled.map((p) => p.manifest.name), threads, startup_ms: Date.now() - t0 });
    return {
      kernel,
      config,
      stop: () => {
        process.off('SIGHUP', onHangup);
        return stop();
      },
      reload,
    };
  } catch (e) {
    await early?.terminate();
    await topology?.close().catch(() => undefined);
    for (const s of stores) await s.close().catch(() => undefined);
    datadir.release();
    throw e;
  }
}

/**
 * In a worker, what stands for a plugin that runs in the main thread: the first one relays the
 * worker's finished statements, the first logging one its audit events (the main thread hands
 * each to every such plugin).
 */
function mainThreadStandIn(manifest: PluginManifest, link: WorkerLink, relaying: { statements: boolean; audit: boolean }): MonitorServer & LogSink {
  const statements = !relaying.statements;
  const audit = manifest.kind === 'logging' && !relaying.audit;
  relaying.statements = true;
  if (audit) relaying.audit = true;
  return {
    start: async () => undefined,
    stop: async () => undefined,
    describe: () => `${manifest.name} (in the main thread)`,
    statement: statements ? (e) => link.forwardStatement(e) : undefined,
    audit: audit ? (e) => link.forwardAudit(e) : undefined,
  };
}

/** SIGHUP: every plugin that can re-read its files or reopen its logs does; a failure leaves the old state in force. */
async function reloadPlugins(registry: PluginRegistry, log: Logger): Promise<void> {
  log.info('SIGHUP: reloading plugins');
  for (const p of registry.activePlugins()) {
    try {
      await p.instance.reload?.();
    } catch (e) {
      log.error(`reloading ${p.manifest.name} failed; its previous state stays in force`, { error: e instanceof Error ? e.message : String(e) });
    }
  }
}

/** A plugin's options as read-only global variables: `auth-ldap`'s `uri` is `auth_ldap_uri`. Secrets are masked. */
function pluginVariables(manifest: PluginManifest, values: PluginOptions): { name: string; default: string | number }[] {
  const base = manifest.name.replace(/-/g, '_').toLowerCase();
  return manifest.options.map((o) => {
    const v = values[o.name] ?? o.default;
    const shown = o.secret ? (v === '' ? '' : '********') : typeof v === 'boolean' ? (v ? 'ON' : 'OFF') : v;
    return { name: `${base}_${o.name.replace(/[-.]/g, '_').toLowerCase()}`, default: shown };
  });
}

function stopper(kernel: Kernel, registry: PluginRegistry, storage: StorageManager, datadir: DataDir, log: Logger, coordinator?: Coordinator, admin?: { close(): Promise<void> }): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= (async () => {
      log.info('mizzle shutting down');
      await admin?.close();
      // Readiness fails first; the monitoring listeners stop last so probes see 503 while clients drain.
      kernel.stopping = true;
      // The applier stops first: nothing is written while the rest shuts down.
      await kernel.replica?.close();
      // The applier plugins' feeds finish their batch (positions stored) before the plugins close.
      await kernel.closeAppliers();
      await kernel.logRetention?.stop();
      // Worker threads drain their clients first; the main thread's storage closes after theirs.
      await coordinator?.stop();
      for (const p of [...registry.ofKind('protocol').slice().reverse(), ...registry.ofKind('monitoring').slice().reverse()]) {
        await p.instance.stop().catch((e: unknown) => log.error(`stopping ${p.manifest.name} failed`, { error: String(e) }));
      }
      for (const s of kernel.openSessions()) s.close();
      // Logging last, so the other plugins' closing messages still reach it.
      const closing = [...registry.activePlugins()].filter((p) => p.manifest.kind !== 'storage').sort((a, b) => Number(a.manifest.kind === 'logging') - Number(b.manifest.kind === 'logging'));
      for (const p of closing) {
        try {
          await p.instance.close?.();
        } catch (e) {
          log.error(`closing ${p.manifest.name} failed`, { error: String(e) });
        }
      }
      await kernel.topology()?.close();
      await storage.close();
      datadir.release();
      log.info('mizzle stopped');
    })();
    return stopping;
  };
}

/** --replica-keyrange, checked: it filters a replica's apply by the topology's table rules, so it needs both. */
async function keyrangeOption(text: string, replica: boolean, topology: boolean): Promise<ReturnType<typeof parseKeyrangeOption>> {
  if (!replica) throw new ConfigError(`--replica-keyrange ${text} filters what a replica applies: it needs --replica-of`);
  if (!topology) throw new ConfigError(`--replica-keyrange ${text} needs --topology (the keyspace's table rules and sharding function live there)`);
  const { parseKeyrangeOption } = await import('./replication/keyrange-filter.js');
  try {
    return parseKeyrangeOption(text);
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}

/** --replicate-do-db and the other filters, checked: they filter what a replica applies, so they need --replica-of. */
function replicateRulesOption(config: ResolvedConfig, replica: boolean): ReplicateRules {
  const lists = Object.fromEntries(REPLICATE_OPTIONS.map(([key, option]) => [key, ruleList(String(config.kernel[option]))])) as unknown as ReplicateRuleLists;
  try {
    const rules = new ReplicateRules(lists);
    if (!rules.empty && !replica) throw new Error(`--${REPLICATE_OPTIONS.find(([key]) => lists[key].length > 0)?.[1]} filters what a replica applies: it needs --replica-of`);
    return rules;
  } catch (e) {
    throw new ConfigError((e as Error).message);
  }
}
