// Every plugin mizzle ships, in one explicit list; which of them run is decided at startup by configuration.
import type { Plugin } from '../kernel/plugin.js';
import { plugin as protocolMysql } from './protocol-mysql/index.js';
import { plugin as protocolHttp } from './protocol-http/index.js';
import { plugin as protocolNative } from './protocol-native/index.js';
import { plugin as authNone } from './auth-none/index.js';
import { plugin as authFile } from './auth-file/index.js';
import { plugin as authzRules } from './authz-rules/index.js';
import { plugin as authzOwnSchema } from './authz-own-schema/index.js';
import { plugin as authLdap } from './auth-ldap/index.js';
import { plugin as authHttp } from './auth-http/index.js';
import { plugin as storageLmdb } from './storage-lmdb/index.js';
import { plugin as storageMemory } from './storage-memory/index.js';
import { plugin as opsHttp } from './ops-http/index.js';
import { plugin as logFile } from './log-file/index.js';
import { plugin as logSyslog } from './log-syslog/index.js';
import { plugin as logGearman } from './log-gearman/index.js';
import { plugin as auditFile } from './audit-file/index.js';
import { plugin as filterSafe } from './filter-safe/index.js';
import { plugin as filterRules } from './filter-rules/index.js';
import { plugin as applierNdjson } from './applier-ndjson/index.js';
import { plugin as applierGearman } from './applier-gearman/index.js';

export const SHIPPED_PLUGINS: readonly Plugin[] = [
  protocolMysql, protocolHttp, protocolNative, authNone, authFile, authLdap, authHttp, authzRules, authzOwnSchema, storageLmdb, storageMemory,
  filterSafe, filterRules, logFile, logSyslog, logGearman, auditFile, opsHttp, applierNdjson, applierGearman,
] as readonly Plugin[];
