// Every plugin mizzle ships, in one explicit list; which of them run is decided at startup by configuration.
import type { Plugin } from '../kernel/plugin.js';
import { plugin as protocolMysql } from './protocol-mysql/index.js';
import { plugin as authNone } from './auth-none/index.js';
import { plugin as authFile } from './auth-file/index.js';
import { plugin as authLdap } from './auth-ldap/index.js';
import { plugin as authHttp } from './auth-http/index.js';
import { plugin as storageLmdb } from './storage-lmdb/index.js';
import { plugin as storageMemory } from './storage-memory/index.js';

export const SHIPPED_PLUGINS: readonly Plugin[] = [protocolMysql, authNone, authFile, authLdap, authHttp, storageLmdb, storageMemory] as readonly Plugin[];
