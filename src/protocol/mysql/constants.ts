// MySQL client/server protocol constants: capabilities, commands, field types, flags, status bits, collations.

/** Capability flags exchanged in the handshake (CLIENT_*). */
export const Capability = {
  LONG_PASSWORD: 0x00000001,
  FOUND_ROWS: 0x00000002,
  LONG_FLAG: 0x00000004,
  CONNECT_WITH_DB: 0x00000008,
  NO_SCHEMA: 0x00000010,
  COMPRESS: 0x00000020,
  ODBC: 0x00000040,
  LOCAL_FILES: 0x00000080,
  IGNORE_SPACE: 0x00000100,
  PROTOCOL_41: 0x00000200,
  INTERACTIVE: 0x00000400,
  SSL: 0x00000800,
  IGNORE_SIGPIPE: 0x00001000,
  TRANSACTIONS: 0x00002000,
  RESERVED: 0x00004000,
  SECURE_CONNECTION: 0x00008000,
  MULTI_STATEMENTS: 0x00010000,
  MULTI_RESULTS: 0x00020000,
  PS_MULTI_RESULTS: 0x00040000,
  PLUGIN_AUTH: 0x00080000,
  CONNECT_ATTRS: 0x00100000,
  PLUGIN_AUTH_LENENC_CLIENT_DATA: 0x00200000,
  CAN_HANDLE_EXPIRED_PASSWORDS: 0x00400000,
  SESSION_TRACK: 0x00800000,
  DEPRECATE_EOF: 0x01000000,
  OPTIONAL_RESULTSET_METADATA: 0x02000000,
  ZSTD_COMPRESSION: 0x04000000,
  QUERY_ATTRIBUTES: 0x08000000,
  MULTI_FACTOR_AUTHENTICATION: 0x10000000,
} as const;

/** Command bytes (COM_*), the first byte of every command-phase packet. */
export const Command = {
  SLEEP: 0x00,
  QUIT: 0x01,
  INIT_DB: 0x02,
  QUERY: 0x03,
  FIELD_LIST: 0x04,
  CREATE_DB: 0x05,
  DROP_DB: 0x06,
  REFRESH: 0x07,
  SHUTDOWN: 0x08,
  STATISTICS: 0x09,
  PROCESS_INFO: 0x0a,
  CONNECT: 0x0b,
  PROCESS_KILL: 0x0c,
  DEBUG: 0x0d,
  PING: 0x0e,
  TIME: 0x0f,
  DELAYED_INSERT: 0x10,
  CHANGE_USER: 0x11,
  BINLOG_DUMP: 0x12,
  TABLE_DUMP: 0x13,
  CONNECT_OUT: 0x14,
  REGISTER_SLAVE: 0x15,
  STMT_PREPARE: 0x16,
  STMT_EXECUTE: 0x17,
  STMT_SEND_LONG_DATA: 0x18,
  STMT_CLOSE: 0x19,
  STMT_RESET: 0x1a,
  SET_OPTION: 0x1b,
  STMT_FETCH: 0x1c,
  DAEMON: 0x1d,
  BINLOG_DUMP_GTID: 0x1e,
  RESET_CONNECTION: 0x1f,
} as const;

/** Column types on the wire (MYSQL_TYPE_*). */
export const FieldType = {
  DECIMAL: 0,
  TINY: 1,
  SHORT: 2,
  LONG: 3,
  FLOAT: 4,
  DOUBLE: 5,
  NULL: 6,
  TIMESTAMP: 7,
  LONGLONG: 8,
  INT24: 9,
  DATE: 10,
  TIME: 11,
  DATETIME: 12,
  YEAR: 13,
  NEWDATE: 14,
  VARCHAR: 15,
  BIT: 16,
  JSON: 245,
  NEWDECIMAL: 246,
  ENUM: 247,
  SET: 248,
  TINY_BLOB: 249,
  MEDIUM_BLOB: 250,
  LONG_BLOB: 251,
  BLOB: 252,
  VAR_STRING: 253,
  STRING: 254,
  GEOMETRY: 255,
} as const;

/** Column definition flags (*_FLAG). */
export const ColumnFlag = {
  NOT_NULL: 0x0001,
  PRI_KEY: 0x0002,
  UNIQUE_KEY: 0x0004,
  MULTIPLE_KEY: 0x0008,
  BLOB: 0x0010,
  UNSIGNED: 0x0020,
  ZEROFILL: 0x0040,
  BINARY: 0x0080,
  ENUM: 0x0100,
  AUTO_INCREMENT: 0x0200,
  TIMESTAMP: 0x0400,
  SET: 0x0800,
  NO_DEFAULT_VALUE: 0x1000,
  ON_UPDATE_NOW: 0x2000,
  PART_KEY: 0x4000,
  NUM: 0x8000,
} as const;

/** Server status bits sent in OK and EOF packets (SERVER_*). */
export const ServerStatus = {
  IN_TRANS: 0x0001,
  AUTOCOMMIT: 0x0002,
  MORE_RESULTS_EXISTS: 0x0008,
  QUERY_NO_GOOD_INDEX_USED: 0x0010,
  QUERY_NO_INDEX_USED: 0x0020,
  CURSOR_EXISTS: 0x0040,
  LAST_ROW_SENT: 0x0080,
  DB_DROPPED: 0x0100,
  NO_BACKSLASH_ESCAPES: 0x0200,
  METADATA_CHANGED: 0x0400,
  QUERY_WAS_SLOW: 0x0800,
  PS_OUT_PARAMS: 0x1000,
  IN_TRANS_READONLY: 0x2000,
  SESSION_STATE_CHANGED: 0x4000,
} as const;

/** Collation ids used on the wire. */
export const Collation = {
  UTF8MB3_GENERAL_CI: 33,
  UTF8MB4_GENERAL_CI: 45,
  UTF8MB4_BIN: 46,
  BINARY: 63,
  UTF8MB4_0900_AI_CI: 255,
} as const;

/** Collation names mizzle reports, by name, for column definitions. */
export const COLLATION_IDS: ReadonlyMap<string, number> = new Map([
  ['utf8mb3_general_ci', Collation.UTF8MB3_GENERAL_CI],
  ['utf8_general_ci', Collation.UTF8MB3_GENERAL_CI],
  ['utf8mb4_general_ci', Collation.UTF8MB4_GENERAL_CI],
  ['utf8mb4_bin', Collation.UTF8MB4_BIN],
  ['binary', Collation.BINARY],
  ['utf8mb4_0900_ai_ci', Collation.UTF8MB4_0900_AI_CI],
]);

/** Bytes per character of a collation id's character set (for column lengths). */
export function maxBytesPerChar(collationId: number): number {
  if (collationId === Collation.BINARY) return 1;
  if (collationId === Collation.UTF8MB3_GENERAL_CI) return 3;
  return 4;
}

/** The largest payload of one physical packet; a payload this long continues in the next packet. */
export const MAX_PACKET_PAYLOAD = 0xffffff;

/** Default max_allowed_packet (MySQL 8: 64 MiB). */
export const DEFAULT_MAX_ALLOWED_PACKET = 64 * 1024 * 1024;

/** Auth method names. */
export const AuthMethod = {
  NATIVE: 'mysql_native_password',
  CACHING_SHA2: 'caching_sha2_password',
  /** The password itself, NUL-terminated: for plugins that must see it (LDAP, HTTP); loopback or TLS only. */
  CLEAR_TEXT: 'mysql_clear_password',
} as const;

/** First bytes of the packets of the connection phase and of OK/ERR/EOF. */
export const Header = {
  OK: 0x00,
  AUTH_MORE_DATA: 0x01,
  EOF: 0xfe,
  AUTH_SWITCH: 0xfe,
  ERR: 0xff,
  /** NULL in a text row. */
  NULL_VALUE: 0xfb,
} as const;

/** caching_sha2_password AuthMoreData status bytes. */
export const Sha2Status = {
  REQUEST_PUBLIC_KEY: 0x02,
  FAST_AUTH_SUCCESS: 0x03,
  PERFORM_FULL_AUTHENTICATION: 0x04,
} as const;
