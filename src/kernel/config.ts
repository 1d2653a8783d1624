// Server configuration from defaults, mizzle.cnf, conf.d/*.cnf, MIZZLE_* environment variables and flags.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import type { OptionSpec, OptionValue, PluginManifest } from './plugin.js';

/** Options of the kernel itself. Plugin options are declared by each plugin's manifest. */
export const KERNEL_OPTIONS: readonly OptionSpec[] = [
  { name: 'datadir', type: 'string', default: './mizzle-data', description: 'Directory holding all data; created on first start' },
  { name: 'config', type: 'string', default: '', description: 'Config file (default: ./mizzle.cnf when present); conf.d/*.cnf beside it is read too' },
  { name: 'plugin-add', type: 'string', default: '', description: 'Comma-separated plugins to enable in addition to the defaults' },
  { name: 'plugin-remove', type: 'string', default: '', description: 'Comma-separated plugins to disable' },
  { name: 'plugin-load', type: 'string', default: '', description: 'Comma-separated plugins to enable instead of the defaults' },
  { name: 'default-storage-engine', type: 'string', default: 'lmdb', description: 'Engine for tables created without ENGINE=' },
  { name: 'threads', type: 'number', default: 0, description: 'Worker threads serving clients (0, the default: one per core; 1: one thread does everything, for debugging)' },
  { name: 'log-bin', type: 'boolean', default: true, description: 'Write every committed transaction to the change log (mizzle log read prints it)' },
  { name: 'binlog-expire-logs-seconds', type: 'number', default: 2592000, description: 'Purge change-log transactions committed longer ago than this, in the background (0: no age limit; 2592000 is 30 days)' },
  { name: 'max-binlog-total-size', type: 'number', default: 0, description: 'Purge the oldest change-log transactions while the log holds more bytes than this (0: no size limit)' },
  { name: 'binlog-retain-for-replicas', type: 'boolean', default: true, description: 'Never purge what a connected replica still needs; false: the limits and PURGE BINARY LOGS win (that replica stops with error 1236)' },
  { name: 'replica-of', type: 'string', default: '', description: 'Follow this source as a read-only replica: mizzle://user:password@host:port (its native protocol)', secret: true },
  { name: 'read-only', type: 'boolean', default: false, description: 'Start with read_only and super_read_only on (a former primary that must take no writes until an operator decides)' },
  { name: 'replica-keyrange', type: 'string', default: '', description: 'With --replica-of and --topology: apply only the rows of KEYSPACE/SHARD (e.g. app/-80) of the keyspace\'s sharded tables (a shard split\'s child)' },
  // Replication filters, MySQL's names and rules; each may be repeated (or take a comma-separated list) and the lists add up across mizzle.cnf, env and flags.
  { name: 'replicate-do-db', type: 'string', default: '', description: 'With --replica-of: apply only changes to these databases (repeatable, or comma-separated)' },
  { name: 'replicate-ignore-db', type: 'string', default: '', description: 'With --replica-of: skip changes to these databases (repeatable, or comma-separated)' },
  { name: 'replicate-do-table', type: 'string', default: '', description: 'With --replica-of: apply only changes to these db.table tables (repeatable, or comma-separated)' },
  { name: 'replicate-ignore-table', type: 'string', default: '', description: 'With --replica-of: skip changes to these db.table tables (repeatable, or comma-separated)' },
  { name: 'replicate-wild-do-table', type: 'string', default: '', description: 'With --replica-of: apply only changes to tables matching db.table patterns with % and _ (repeatable, or comma-separated)' },
  { name: 'replicate-wild-ignore-table', type: 'string', default: '', description: 'With --replica-of: skip changes to tables matching db.table patterns with % and _ (repeatable, or comma-separated)' },
  { name: 'topology', type: 'string', default: '', description: 'Where the sharding topology lives: etcd://host:port[,host:port]/prefix or a JSON file; this server then serves the shards that name it' },
  { name: 'shard-advertise', type: 'string', default: '', description: 'This server as the topology names it (host:port of its native protocol); none: the native protocol\'s bind and port' },
  { name: 'log-json', type: 'boolean', default: false, description: 'Write server messages as JSON lines' },
  { name: 'log-level', type: 'string', default: 'info', description: 'error, warn, info or debug' },
  // Limits that protect the server from one bad client; each seeds the global variable of the same name (with '_').
  { name: 'max-user-connections', type: 'number', default: 0, description: 'Concurrent sessions one user may hold (0: no limit); one more gets error 1203' },
  { name: 'max-user-concurrent-statements', type: 'number', default: 0, description: 'Statements one user may run at once, over all its sessions (0: no limit; administrators exempt); one more gets error 1226' },
  { name: 'max-connect-errors', type: 'number', default: 100, description: 'Failed logins in a row after which a client address is refused with error 1129 until FLUSH HOSTS (0: never)' },
  { name: 'wait-timeout', type: 'number', default: 28800, description: 'Seconds a client may sit idle between statements before it is disconnected (error 4031)' },
  { name: 'interactive-timeout', type: 'number', default: 28800, description: 'wait_timeout of clients that say they are interactive (the mysql/mariadb command line)' },
  { name: 'max-execution-time', type: 'number', default: 0, description: 'Milliseconds a SELECT may run before it is interrupted with error 3024 (0: no limit)' },
  { name: 'max-allowed-packet', type: 'number', default: 67108864, description: 'Largest packet or statement a client may send (error 1153)' },
  { name: 'query-memory-limit', type: 'number', default: 268435456, description: 'Bytes one statement may hold in sorts, groups and hash joins before it fails with error 1038' },
  { name: 'long-query-time', type: 'number', default: 10, description: 'Seconds after which a statement counts as slow (Slow_queries)' },
  { name: 'idle-transaction-timeout', type: 'number', default: 300, description: 'Seconds an open transaction may sit idle before it is rolled back (0: never)' },
  { name: 'lock-wait-timeout', type: 'number', default: 50, description: 'Seconds a statement waits for a row lock before error 1205 (innodb_lock_wait_timeout)' },
  { name: 'net-write-timeout', type: 'number', default: 60, description: 'Seconds a client may take none of its pending result before it is disconnected' },
  // TLS for the client protocols: one certificate for the server, as MySQL's ssl_* options.
  { name: 'ssl', type: 'boolean', default: true, description: 'Offer TLS to clients (--ssl=false: clear connections only)' },
  { name: 'ssl-cert', type: 'string', default: '', description: 'Server certificate (PEM); none: server-cert.pem generated into the datadir on first start' },
  { name: 'ssl-key', type: 'string', default: '', description: 'Private key of --ssl-cert (PEM); none: the generated server-key.pem' },
  { name: 'ssl-ca', type: 'string', default: '', description: 'CA certificate(s) (PEM) clients verify against; none: the generated ca.pem' },
  { name: 'require-secure-transport', type: 'boolean', default: false, description: 'Refuse clients that connect without TLS (error 3159); SET GLOBAL require_secure_transport changes it' },
  { name: 'net-read-timeout', type: 'number', default: 30, description: 'Seconds a client may stop sending in the middle of a packet before it is disconnected' },
];

/** Kernel options that seed a global variable, and its name. */
export const VARIABLE_OPTIONS: Readonly<Record<string, string>> = {
  'max-user-connections': 'max_user_connections',
  'max-user-concurrent-statements': 'max_user_concurrent_statements',
  'max-connect-errors': 'max_connect_errors',
  'wait-timeout': 'wait_timeout',
  'interactive-timeout': 'interactive_timeout',
  'max-execution-time': 'max_execution_time',
  'max-allowed-packet': 'max_allowed_packet',
  'query-memory-limit': 'query_memory_limit',
  'long-query-time': 'long_query_time',
  'idle-transaction-timeout': 'idle_transaction_timeout',
  'lock-wait-timeout': 'innodb_lock_wait_timeout',
  'net-write-timeout': 'net_write_timeout',
  'require-secure-transport': 'require_secure_transport',
  'net-read-timeout': 'net_read_timeout',
  'binlog-expire-logs-seconds': 'binlog_expire_logs_seconds',
  'max-binlog-total-size': 'max_binlog_total_size',
  'binlog-retain-for-replicas': 'binlog_retain_for_replicas',
};

/** Kernel options whose values from every source add up (comma lists) rather than the last one winning. */
const ACCUMULATING: ReadonlySet<string> = new Set(['plugin-add', 'plugin-remove', 'replicate-do-db', 'replicate-ignore-db', 'replicate-do-table', 'replicate-ignore-table', 'replicate-wild-do-table', 'replicate-wild-ignore-table']);

/** Sections whose options are the kernel's: the server's own, and `[replication]` for --replica-of and its filters. */
const KERNEL_SECTIONS: ReadonlySet<string> = new Set(['mizzle', 'mizzled', 'server', 'replication']);

/** A raw setting before typing: where it came from matters only for error messages. */
interface RawSetting {
  value: string;
  source: string;
}

/**
 * Settings gathered from every source, kernel ones by option name and plugin ones
 * by `plugin.option`. Later sources override earlier ones.
 */
export class RawConfig {
  readonly kernel = new Map<string, RawSetting>();
  readonly plugins = new Map<string, Map<string, RawSetting>>();
  /** Top-level flags that are not kernel options: aliases a plugin may claim (e.g. --port). */
  readonly aliases = new Map<string, RawSetting>();

  set(section: string | undefined, name: string, value: string, source: string): void {
    const key = normalizeName(name);
    if (section === undefined || KERNEL_SECTIONS.has(section.trim().toLowerCase())) {
      const earlier = this.kernel.get(key);
      if (earlier && ACCUMULATING.has(key)) {
        // Each conf.d snippet may enable its own plugin: the lists add up instead of replacing each other.
        this.kernel.set(key, { value: `${earlier.value},${value}`, source: `${earlier.source}, ${source}` });
      } else if (KERNEL_OPTIONS.some((o) => o.name === key)) this.kernel.set(key, { value, source });
      else this.aliases.set(key, { value, source });
      return;
    }
    const plugin = normalizeName(section);
    let m = this.plugins.get(plugin);
    if (!m) this.plugins.set(plugin, (m = new Map()));
    m.set(key, { value, source });
  }
}

/** Option names compare with '-' and '_' as the same character. */
export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

/** Thrown for configuration a human must fix; the CLI prints it and exits 1. */
export class ConfigError extends Error {}

/** Reads one .cnf file: `[section]` headers, `name = value` or bare `name` (true) lines, `#`/`;` comments. */
export function readCnf(path: string, into: RawConfig): void {
  const text = readFileSync(path, 'utf8');
  let section: string | undefined;
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#') || t.startsWith(';')) return;
    const header = /^\[([^\]]+)\]$/.exec(t);
    if (header) {
      section = header[1].trim();
      return;
    }
    const eq = t.indexOf('=');
    const name = (eq < 0 ? t : t.slice(0, eq)).trim();
    let value = eq < 0 ? 'true' : t.slice(eq + 1).trim();
    if (/^(['"]).*\1$/.test(value)) value = value.slice(1, -1);
    if (!/^[A-Za-z][\w.-]*$/.test(name)) throw new ConfigError(`${path}:${i + 1}: cannot read option line '${t}'`);
    const dot = name.indexOf('.');
    if (dot > 0) into.set(name.slice(0, dot), name.slice(dot + 1), value, `${path}:${i + 1}`);
    else into.set(section, name, value, `${path}:${i + 1}`);
  });
}

/** Parses argv flags: `--name value`, `--name=value`, `--plugin.option=value`, `--flag` (boolean true). */
export function readArgv(argv: readonly string[], into: RawConfig, booleanNames: ReadonlySet<string>): string[] {
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const body = arg.slice(2);
    const eq = body.indexOf('=');
    const name = eq < 0 ? body : body.slice(0, eq);
    let value: string;
    if (eq >= 0) value = body.slice(eq + 1);
    else if (booleanNames.has(normalizeName(name)) || i + 1 >= argv.length || argv[i + 1].startsWith('--')) value = 'true';
    else value = argv[++i];
    const dot = name.indexOf('.');
    if (dot > 0) into.set(name.slice(0, dot), name.slice(dot + 1), value, `flag --${name}`);
    else into.set(undefined, name, value, `flag --${name}`);
  }
  return positional;
}

/**
 * Reads MIZZLE_* environment variables: `MIZZLE_DATADIR`, `MIZZLE_PORT` (an alias),
 * and plugin options as `MIZZLE_<PLUGIN>__<OPTION>` (double underscore), e.g.
 * `MIZZLE_AUTH_FILE__USERS_FILE`.
 */
export function readEnv(env: NodeJS.ProcessEnv, into: RawConfig): void {
  for (const [key, value] of Object.entries(env)) {
    if (!key.startsWith('MIZZLE_') || value === undefined) continue;
    const rest = key.slice('MIZZLE_'.length).toLowerCase();
    const split = rest.indexOf('__');
    if (split > 0) into.set(rest.slice(0, split), rest.slice(split + 2), value, `env ${key}`);
    else into.set(undefined, rest, value, `env ${key}`);
  }
}

/** Converts a raw string to the option's type, or throws a ConfigError naming the source. */
export function typed(spec: OptionSpec, raw: RawSetting, owner: string): OptionValue {
  switch (spec.type) {
    case 'string':
      return raw.value;
    case 'number': {
      const n = Number(raw.value);
      if (raw.value.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${raw.source}: ${owner} option '${spec.name}' needs a number, got '${raw.value}'`);
      return n;
    }
    case 'boolean': {
      const v = raw.value.toLowerCase();
      if (['1', 'true', 'on', 'yes'].includes(v)) return true;
      if (['0', 'false', 'off', 'no'].includes(v)) return false;
      throw new ConfigError(`${raw.source}: ${owner} option '${spec.name}' needs true or false, got '${raw.value}'`);
    }
  }
}

/** Everything resolved: kernel option values and the raw settings for plugins. */
export interface ResolvedConfig {
  kernel: Readonly<Record<string, OptionValue>>;
  raw: RawConfig;
  /** Files read, in order, for the startup log. */
  files: string[];
}

/** `--threads`, checked: how many worker threads are asked for (0: one per core). */
export function threadsOption(config: ResolvedConfig): number {
  const asked = Number(config.kernel.threads);
  if (!Number.isInteger(asked) || asked < 0 || asked > 256) throw new ConfigError(`--threads must be a whole number from 0 to 256 (got ${String(config.kernel.threads)})`);
  return asked === 0 ? availableParallelism() : asked;
}

/** Gathers configuration from all sources in precedence order: files < env < flags. */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, pluginManifests: readonly PluginManifest[]): ResolvedConfig {
  const booleans = new Set<string>(KERNEL_OPTIONS.filter((o) => o.type === 'boolean').map((o) => o.name));
  for (const m of pluginManifests) for (const o of m.options) if (o.type === 'boolean') booleans.add(`${m.name}.${normalizeName(o.name)}`);
  // Flags and env are read first only to learn where the config file is.
  const early = new RawConfig();
  readEnv(env, early);
  readArgv(argv, early, booleans);
  const raw = new RawConfig();
  const files: string[] = [];
  const explicit = early.kernel.get('config')?.value;
  const cnf = explicit ? resolve(cwd, explicit) : resolve(cwd, 'mizzle.cnf');
  if (explicit && !existsSync(cnf)) throw new ConfigError(`config file ${cnf} does not exist`);
  if (existsSync(cnf)) {
    readCnf(cnf, raw);
    files.push(cnf);
  }
  const confd = join(dirname(cnf), 'conf.d');
  if (existsSync(confd)) {
    for (const f of readdirSync(confd).filter((n) => n.endsWith('.cnf')).sort()) {
      readCnf(join(confd, f), raw);
      files.push(join(confd, f));
    }
  }
  readEnv(env, raw);
  const stray = readArgv(argv, raw, booleans);
  if (stray.length > 0) throw new ConfigError(`unexpected argument '${stray[0]}': options are --name value or --name=value, and a command (mizzle backup ...) goes first`);
  const kernel: Record<string, OptionValue> = {};
  for (const spec of KERNEL_OPTIONS) {
    const r = raw.kernel.get(spec.name);
    kernel[spec.name] = r ? typed(spec, r, 'kernel') : spec.default;
  }
  kernel.datadir = resolve(cwd, String(kernel.datadir));
  return { kernel, raw, files };
}

/** Resolves one plugin's option values: its declared defaults, overridden by its section and by claimed aliases. */
export function pluginOptionValues(manifest: PluginManifest, raw: RawConfig): Record<string, OptionValue> {
  const section = raw.plugins.get(normalizeName(manifest.name));
  const out: Record<string, OptionValue> = {};
  for (const spec of manifest.options) {
    const key = normalizeName(spec.name);
    const alias = spec.alias ? raw.aliases.get(normalizeName(spec.alias)) : undefined;
    const setting = section?.get(key) ?? alias;
    if (setting && spec.envOnly && !setting.source.startsWith('env ')) {
      throw new ConfigError(`${setting.source}: ${manifest.name}'s ${spec.name} may only come from the environment (MIZZLE_${manifest.name.toUpperCase().replace(/-/g, '_')}__${spec.name.toUpperCase()}), never from a file or a flag`);
    }
    out[spec.name] = setting ? typed(spec, setting, manifest.name) : spec.default;
  }
  if (section) {
    for (const key of section.keys()) {
      if (!manifest.options.some((o) => normalizeName(o.name) === key)) {
        throw new ConfigError(`${section.get(key)?.source}: plugin '${manifest.name}' has no option '${key}' (see mizzle --help)`);
      }
    }
  }
  return out;
}

/** Flags given at top level that neither the kernel nor any plugin alias claims: a typo the operator should hear about. */
export function unknownTopLevel(raw: RawConfig, manifests: readonly PluginManifest[]): string[] {
  const claimed = new Set<string>();
  for (const m of manifests) for (const o of m.options) if (o.alias) claimed.add(normalizeName(o.alias));
  return [...raw.aliases.entries()].filter(([k]) => !claimed.has(k)).map(([k, v]) => `${v.source}: unknown option '${k}'`);
}
