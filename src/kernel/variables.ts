// System variables: their definitions, global values, and per-session values, as clients read and set them.
import { sqlError, SqlError } from '../base/errors.js';
import type { Value } from '../base/value.js';

export type VariableScope = 'global' | 'session' | 'both';

/** A variable's value: NULL only for the few that MySQL lets hold it (VariableDef.nullable). */
export type VariableValue = string | number | null;

/** One system variable: what clients see in SHOW VARIABLES and @@name. */
export interface VariableDef {
  name: string;
  scope: VariableScope;
  type: 'int' | 'bool' | 'string' | 'enum' | 'set';
  default: string | number;
  readOnly?: boolean;
  /** Allowed values for enum/set types (upper-case). */
  values?: readonly string[];
  min?: number;
  max?: number;
  /** SET to NULL keeps NULL (character_set_results: no conversion of results), instead of '' or 1231. */
  nullable?: boolean;
}

const SQL_MODES = [
  'REAL_AS_FLOAT', 'PIPES_AS_CONCAT', 'ANSI_QUOTES', 'IGNORE_SPACE', 'ONLY_FULL_GROUP_BY', 'NO_UNSIGNED_SUBTRACTION',
  'NO_DIR_IN_CREATE', 'ANSI', 'NO_AUTO_VALUE_ON_ZERO', 'NO_BACKSLASH_ESCAPES', 'STRICT_TRANS_TABLES', 'STRICT_ALL_TABLES',
  'NO_ZERO_IN_DATE', 'NO_ZERO_DATE', 'ALLOW_INVALID_DATES', 'ERROR_FOR_DIVISION_BY_ZERO', 'TRADITIONAL',
  'HIGH_NOT_PRECEDENCE', 'NO_ENGINE_SUBSTITUTION', 'PAD_CHAR_TO_FULL_LENGTH', 'TIME_TRUNCATE_FRACTIONAL',
  // Accepted for compatibility with MariaDB/older clients; no effect.
  'NO_KEY_OPTIONS', 'NO_TABLE_OPTIONS', 'NO_FIELD_OPTIONS', 'MYSQL323', 'MYSQL40', 'DB2', 'MSSQL', 'ORACLE', 'POSTGRESQL', 'MAXDB', 'SIMULTANEOUS_ASSIGNMENT', 'EMPTY_STRING_IS_NULL', 'NO_AUTO_CREATE_USER',
];

const CHARSETS = ['utf8mb4', 'utf8mb3', 'utf8', 'latin1', 'binary', 'ascii'];

/** The variables mizzle knows; values that do not apply to mizzle are still answered so tools work. */
export const VARIABLE_DEFS: VariableDef[] = [
  { name: 'autocommit', scope: 'both', type: 'bool', default: 1 },
  { name: 'auto_increment_increment', scope: 'both', type: 'int', default: 1, min: 1, max: 65535 },
  { name: 'auto_increment_offset', scope: 'both', type: 'int', default: 1, min: 1, max: 65535 },
  { name: 'bind_address', scope: 'global', type: 'string', default: '127.0.0.1', readOnly: true },
  { name: 'big_tables', scope: 'both', type: 'bool', default: 0 },
  { name: 'character_set_client', scope: 'both', type: 'string', default: 'utf8mb4' },
  { name: 'character_set_connection', scope: 'both', type: 'string', default: 'utf8mb4' },
  { name: 'character_set_database', scope: 'both', type: 'string', default: 'utf8mb4' },
  { name: 'character_set_filesystem', scope: 'both', type: 'string', default: 'binary' },
  { name: 'character_set_results', scope: 'both', type: 'string', default: 'utf8mb4', nullable: true },
  { name: 'character_set_server', scope: 'both', type: 'string', default: 'utf8mb4' },
  { name: 'character_set_system', scope: 'global', type: 'string', default: 'utf8mb3', readOnly: true },
  { name: 'collation_connection', scope: 'both', type: 'string', default: 'utf8mb4_0900_ai_ci' },
  { name: 'collation_database', scope: 'both', type: 'string', default: 'utf8mb4_0900_ai_ci' },
  { name: 'collation_server', scope: 'both', type: 'string', default: 'utf8mb4_0900_ai_ci' },
  { name: 'connect_timeout', scope: 'global', type: 'int', default: 10 },
  { name: 'cte_max_recursion_depth', scope: 'both', type: 'int', default: 1000, min: 0, max: 4294967295 },
  { name: 'datadir', scope: 'global', type: 'string', default: '', readOnly: true },
  // MySQL 8's list of engines CREATE TABLE refuses (phpMyAdmin reads it for its engine list): none.
  { name: 'disabled_storage_engines', scope: 'global', type: 'string', default: '', readOnly: true },
  { name: 'default_storage_engine', scope: 'both', type: 'string', default: 'lmdb' },
  { name: 'default_tmp_storage_engine', scope: 'both', type: 'string', default: 'memory' },
  { name: 'div_precision_increment', scope: 'both', type: 'int', default: 4, min: 0, max: 30 },
  { name: 'explicit_defaults_for_timestamp', scope: 'both', type: 'bool', default: 1 },
  { name: 'foreign_key_checks', scope: 'both', type: 'bool', default: 1 },
  { name: 'group_concat_max_len', scope: 'both', type: 'int', default: 1024, min: 4 },
  { name: 'have_ssl', scope: 'global', type: 'string', default: 'DISABLED', readOnly: true },
  { name: 'have_openssl', scope: 'global', type: 'string', default: 'DISABLED', readOnly: true },
  { name: 'hostname', scope: 'global', type: 'string', default: '', readOnly: true },
  { name: 'binlog_expire_logs_seconds', scope: 'global', type: 'int', default: 2592000, min: 0, max: 4294967295 },
  { name: 'binlog_retain_for_replicas', scope: 'global', type: 'bool', default: 1 },
  { name: 'identity', scope: 'session', type: 'int', default: 0 },
  { name: 'in_transaction', scope: 'session', type: 'int', default: 0, readOnly: true },
  { name: 'idle_transaction_timeout', scope: 'both', type: 'int', default: 300, min: 0, max: 31536000 },
  { name: 'init_connect', scope: 'global', type: 'string', default: '' },
  { name: 'innodb_lock_wait_timeout', scope: 'both', type: 'int', default: 50, min: 1 },
  { name: 'interactive_timeout', scope: 'both', type: 'int', default: 28800, min: 1 },
  { name: 'last_insert_id', scope: 'session', type: 'int', default: 0 },
  // The message and date-name language: mizzle speaks en_US only; phpMyAdmin sets lc_messages on login.
  { name: 'lc_messages', scope: 'both', type: 'string', default: 'en_US' },
  { name: 'lc_time_names', scope: 'both', type: 'string', default: 'en_US' },
  { name: 'license', scope: 'global', type: 'string', default: 'Apache-2.0', readOnly: true },
  { name: 'lock_wait_timeout', scope: 'both', type: 'int', default: 31536000, min: 1, max: 31536000 },
  { name: 'lower_case_table_names', scope: 'global', type: 'int', default: 0, readOnly: true },
  { name: 'max_allowed_packet', scope: 'both', type: 'int', default: 67108864, min: 1024, max: 1073741824 },
  { name: 'max_connections', scope: 'global', type: 'int', default: 151, readOnly: true },
  { name: 'max_connect_errors', scope: 'global', type: 'int', default: 100, min: 0, max: 4294967295 },
  { name: 'max_prepared_stmt_count', scope: 'global', type: 'int', default: 16382, min: 0, max: 4194304 },
  { name: 'max_execution_time', scope: 'both', type: 'int', default: 0, min: 0 },
  { name: 'max_join_size', scope: 'both', type: 'int', default: '18446744073709551615' },
  { name: 'max_binlog_total_size', scope: 'global', type: 'int', default: 0, min: 0 },
  { name: 'max_user_connections', scope: 'global', type: 'int', default: 0, min: 0 },
  // mizzle's own (MySQL has no such variable): see StatementAdmission.takeStatementSlot.
  { name: 'max_user_concurrent_statements', scope: 'global', type: 'int', default: 0, min: 0 },
  { name: 'long_query_time', scope: 'both', type: 'int', default: 10, min: 0 },
  { name: 'query_memory_limit', scope: 'both', type: 'int', default: 268435456, min: 65536 },
  { name: 'net_buffer_length', scope: 'both', type: 'int', default: 16384 },
  { name: 'net_read_timeout', scope: 'both', type: 'int', default: 30, min: 1 },
  { name: 'net_write_timeout', scope: 'both', type: 'int', default: 60 },
  { name: 'performance_schema', scope: 'global', type: 'bool', default: 0, readOnly: true },
  { name: 'port', scope: 'global', type: 'int', default: 3306, readOnly: true },
  { name: 'protocol_version', scope: 'global', type: 'int', default: 10, readOnly: true },
  { name: 'query_cache_size', scope: 'global', type: 'int', default: 0, readOnly: true },
  { name: 'query_cache_type', scope: 'both', type: 'string', default: 'OFF' },
  { name: 'read_only', scope: 'global', type: 'bool', default: 0 },
  { name: 'super_read_only', scope: 'global', type: 'bool', default: 0 },
  { name: 'require_secure_transport', scope: 'global', type: 'bool', default: 0 },
  { name: 'server_id', scope: 'global', type: 'int', default: 1 },
  { name: 'server_uuid', scope: 'global', type: 'string', default: '', readOnly: true },
  { name: 'session_track_schema', scope: 'both', type: 'bool', default: 1 },
  { name: 'session_track_state_change', scope: 'both', type: 'bool', default: 0 },
  { name: 'session_track_system_variables', scope: 'both', type: 'string', default: '' },
  { name: 'session_track_transaction_info', scope: 'both', type: 'string', default: 'OFF' },
  { name: 'socket', scope: 'global', type: 'string', default: '', readOnly: true },
  { name: 'ssl_ca', scope: 'global', type: 'string', default: '', readOnly: true },
  { name: 'ssl_cert', scope: 'global', type: 'string', default: '', readOnly: true },
  { name: 'ssl_key', scope: 'global', type: 'string', default: '', readOnly: true },
  { name: 'sql_auto_is_null', scope: 'both', type: 'bool', default: 0 },
  { name: 'sql_mode', scope: 'both', type: 'set', default: 'ONLY_FULL_GROUP_BY,STRICT_TRANS_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION', values: SQL_MODES },
  { name: 'sql_notes', scope: 'both', type: 'bool', default: 1 },
  { name: 'sql_quote_show_create', scope: 'both', type: 'bool', default: 1 },
  { name: 'sql_safe_updates', scope: 'both', type: 'bool', default: 0 },
  { name: 'sql_select_limit', scope: 'both', type: 'int', default: '18446744073709551615' },
  { name: 'sql_warnings', scope: 'both', type: 'bool', default: 0 },
  { name: 'storage_engine', scope: 'both', type: 'string', default: 'lmdb' },
  { name: 'system_time_zone', scope: 'global', type: 'string', default: 'UTC', readOnly: true },
  { name: 'time_zone', scope: 'both', type: 'string', default: 'SYSTEM' },
  { name: 'transaction_isolation', scope: 'both', type: 'enum', default: 'REPEATABLE-READ', values: ['READ-UNCOMMITTED', 'READ-COMMITTED', 'REPEATABLE-READ', 'SERIALIZABLE'] },
  { name: 'tx_isolation', scope: 'both', type: 'enum', default: 'REPEATABLE-READ', values: ['READ-UNCOMMITTED', 'READ-COMMITTED', 'REPEATABLE-READ', 'SERIALIZABLE'] },
  { name: 'transaction_read_only', scope: 'both', type: 'bool', default: 0 },
  { name: 'tx_read_only', scope: 'both', type: 'bool', default: 0 },
  { name: 'unique_checks', scope: 'both', type: 'bool', default: 1 },
  { name: 'version', scope: 'global', type: 'string', default: '', readOnly: true },
  { name: 'version_comment', scope: 'global', type: 'string', default: 'mizzle, a MySQL-compatible server built for operations', readOnly: true },
  { name: 'version_compile_machine', scope: 'global', type: 'string', default: process.arch, readOnly: true },
  { name: 'version_compile_os', scope: 'global', type: 'string', default: process.platform, readOnly: true },
  { name: 'wait_timeout', scope: 'both', type: 'int', default: 28800, min: 1 },
  { name: 'warning_count', scope: 'session', type: 'int', default: 0, readOnly: true },
  { name: 'error_count', scope: 'session', type: 'int', default: 0, readOnly: true },
];

const DEFS = new Map(VARIABLE_DEFS.map((d) => [d.name, d]));

/**
 * Adds read-only global variables (the options of active plugins, shown as
 * `<plugin>_<option>`). Definitions are process-wide; one server runs per process.
 */
export function registerReadOnlyVariables(defs: readonly { name: string; default: string | number }[]): void {
  for (const d of defs) {
    if (DEFS.has(d.name)) continue;
    const def: VariableDef = { name: d.name, scope: 'global', type: typeof d.default === 'number' ? 'int' : 'string', default: d.default, readOnly: true };
    VARIABLE_DEFS.push(def);
    DEFS.set(d.name, def);
    BY_EXACT_NAME.set(d.name, def);
  }
}

/** Aliases that read and write another variable. */
const ALIASES: Record<string, string> = { tx_isolation: 'transaction_isolation', tx_read_only: 'transaction_read_only', storage_engine: 'default_storage_engine' };

/**
 * Every definition by its exact lowercase name or alias. The kernel reads variables by their
 * canonical names on every statement; one lookup here spares it lowercasing the name first.
 */
const BY_EXACT_NAME = new Map<string, VariableDef>();
for (const name of [...DEFS.keys(), ...Object.keys(ALIASES)]) {
  const def = DEFS.get(ALIASES[name] ?? name);
  if (def !== undefined) BY_EXACT_NAME.set(name, def);
}

export function findVariable(name: string): VariableDef | undefined {
  const exact = BY_EXACT_NAME.get(name);
  if (exact !== undefined) return exact;
  const n = name.toLowerCase();
  return DEFS.get(ALIASES[n] ?? n);
}

function unknown(name: string): SqlError {
  return sqlError('UNKNOWN_SYSTEM_VARIABLE', `Unknown system variable '${name}'`);
}

/** Validates and normalizes a value being assigned to `def`. */
export function normalizeAssignment(def: VariableDef, value: Value): VariableValue {
  const wrong = () => sqlError('WRONG_VALUE_FOR_VAR', `Variable '${def.name}' can't be set to the value of '${value === null ? 'NULL' : String(value)}'`);
  if (value === null) {
    if (def.nullable) return null;
    // A character set or collation cannot be NULL (1231), except character_set_results above.
    if (def.type === 'string' && !def.readOnly && !def.name.startsWith('character_set_') && !def.name.startsWith('collation_')) return '';
    throw wrong();
  }
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  switch (def.type) {
    case 'bool': {
      const t = text.toUpperCase();
      if (t === '1' || t === 'ON' || t === 'TRUE') return 1;
      if (t === '0' || t === 'OFF' || t === 'FALSE') return 0;
      throw wrong();
    }
    case 'int': {
      if (typeof value === 'string' && !/^\s*-?\d+\s*$/.test(value)) throw sqlError('WRONG_TYPE_FOR_VAR', `Incorrect argument type to variable '${def.name}'`);
      let n = Number(text);
      if (!Number.isFinite(n)) throw wrong();
      n = Math.trunc(n);
      if (def.min !== undefined && n < def.min) n = def.min;
      if (def.max !== undefined && n > def.max) n = def.max;
      return n;
    }
    case 'enum': {
      const t = text.toUpperCase().replace(/ /g, '-');
      const found = def.values?.find((v) => v === t);
      if (!found) throw wrong();
      return found;
    }
    case 'set': {
      const parts = text.split(',').map((p) => p.trim().toUpperCase()).filter((p) => p !== '');
      for (const p of parts) if (!def.values?.includes(p)) throw wrong();
      return [...new Set(parts)].join(',');
    }
    case 'string':
      if (def.name.startsWith('character_set_') && !CHARSETS.includes(text.toLowerCase())) {
        throw sqlError('UNKNOWN_CHARACTER_SET', `Unknown character set: '${text}'`);
      }
      return text;
  }
}

/** The server-wide values; sessions copy the session-scoped ones at connect time. */
export class GlobalVariables {
  private readonly values = new Map<string, VariableValue>();

  constructor(overrides: Record<string, string | number>) {
    for (const d of VARIABLE_DEFS) this.values.set(d.name, d.default);
    for (const [k, v] of Object.entries(overrides)) this.values.set(k, v);
  }

  get(name: string): VariableValue {
    const def = findVariable(name);
    if (!def) throw unknown(name);
    if (def.scope === 'session') throw sqlError('INCORRECT_GLOBAL_LOCAL_VAR', `Variable '${name}' is a SESSION variable`);
    const v = this.values.get(def.name);
    return v === undefined ? def.default : v;
  }

  set(name: string, value: Value): void {
    const def = findVariable(name);
    if (!def) throw unknown(name);
    if (def.readOnly) throw sqlError('VAR_READ_ONLY', `Variable '${name}' is a read only variable`);
    if (def.scope === 'session') throw sqlError('INCORRECT_GLOBAL_LOCAL_VAR', `Variable '${name}' is a SESSION variable and can't be used with SET GLOBAL`);
    const normalized = normalizeAssignment(def, value);
    this.values.set(def.name, normalized);
    this.changed?.(def.name, normalized);
  }

  /** Told of every SET GLOBAL made here (worker threads pass it on to the others). */
  changed: ((name: string, value: VariableValue) => void) | undefined;

  /** A SET GLOBAL another thread made: applied without being passed on again. */
  applyFromPeer(name: string, value: Value): void {
    const def = findVariable(name);
    if (def && !def.readOnly && def.scope !== 'session') this.values.set(def.name, normalizeAssignment(def, value));
  }

  /** Snapshot of session-capable values for a new session. */
  sessionDefaults(): Map<string, VariableValue> {
    const m = new Map<string, VariableValue>();
    for (const d of VARIABLE_DEFS) {
      if (d.scope === 'global') continue;
      const v = this.values.get(d.name);
      m.set(d.name, v === undefined ? d.default : v);
    }
    return m;
  }

  entries(): [string, VariableValue][] {
    for (const d of VARIABLE_DEFS) if (!this.values.has(d.name)) this.values.set(d.name, d.default);
    return [...this.values.entries()];
  }
}

/** One session's view: session values where they exist, else the global ones. */
export class SessionVariables {
  private values: Map<string, VariableValue>;

  constructor(private readonly globals: GlobalVariables) {
    this.values = globals.sessionDefaults();
  }

  get(name: string, scope?: 'global' | 'session'): VariableValue {
    const def = findVariable(name);
    if (!def) throw unknown(name);
    if (scope === 'global') return this.globals.get(name);
    if (def.scope === 'global') {
      if (scope === 'session') throw sqlError('INCORRECT_GLOBAL_LOCAL_VAR', `Variable '${name}' is a GLOBAL variable`);
      return this.globals.get(name);
    }
    return this.values.get(def.name) as VariableValue;
  }

  set(name: string, value: Value, scope?: 'global' | 'session'): void {
    if (scope === 'global') return this.globals.set(name, value);
    const def = findVariable(name);
    if (!def) throw unknown(name);
    if (def.readOnly) throw sqlError('VAR_READ_ONLY', `Variable '${name}' is a read only variable`);
    if (def.scope === 'global') {
      throw sqlError('INCORRECT_GLOBAL_LOCAL_VAR', `Variable '${name}' is a GLOBAL variable and should be set with SET GLOBAL`);
    }
    const v = normalizeAssignment(def, value);
    this.values.set(def.name, v);
    // Keep aliases in step (tx_isolation and transaction_isolation are one setting).
    for (const [alias, target] of Object.entries(ALIASES)) if (target === def.name && DEFS.has(alias)) this.values.set(alias, v);
  }

  /** Restores the session values to the global defaults (COM_RESET_CONNECTION). */
  reset(): void {
    this.values = this.globals.sessionDefaults();
  }

  /** Every variable with the value this session sees, sorted by name (SHOW VARIABLES). */
  all(scope?: 'global' | 'session'): [string, VariableValue][] {
    return VARIABLE_DEFS.map((d): [string, VariableValue] => [
      d.name,
      scope === 'global' || d.scope === 'global' ? (d.scope === 'session' ? (this.values.get(d.name) as VariableValue) : this.globals.get(d.name)) : (this.values.get(d.name) as VariableValue),
    ]).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
}
