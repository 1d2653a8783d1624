// What the audit log records of each event: the classes an operator selects, the fields of each line, and passwords masked.
import type { AuditEvent, StatementEvent } from '../../kernel/plugin.js';

/** The classes of event the `events` option names. */
export const AUDIT_CLASSES = ['connect', 'disconnect', 'failed-login', 'denied', 'ddl', 'write', 'all'] as const;
export type AuditClass = (typeof AUDIT_CLASSES)[number];

const DDL_KINDS: ReadonlySet<string> = new Set([
  'createTable', 'dropTable', 'createIndex', 'dropIndex', 'alterTable', 'renameTable', 'truncate', 'createDatabase', 'alterDatabase', 'dropDatabase', 'createView', 'dropView',
]);
/** REPLACE is an insert to the parser. */
const WRITE_KINDS: ReadonlySet<string> = new Set(['insert', 'update', 'delete']);
/**
 * Refusals: 1044/1142/1143 (no privilege), 1095 (KILL of another's thread), 1227 (needs a privilege), 1226 (a user's
 * resource limit), 1290 (read-only); a filter's denial is told by its blockedBy.
 */
const DENIAL_CODES: ReadonlySet<number> = new Set([1044, 1095, 1142, 1143, 1226, 1227, 1290]);

/** Statement text kept in a line, at most (longer is cut and marked). */
const TEXT_MAX_CHARS = 64 * 1024;

/** Parses the `events` option: a comma-separated list of classes. Throws a message for an unknown one. */
export function parseClasses(text: string): ReadonlySet<AuditClass> {
  const out = new Set<AuditClass>();
  for (const raw of text.split(',')) {
    const name = raw.trim().toLowerCase();
    if (name === '') continue;
    if (!(AUDIT_CLASSES as readonly string[]).includes(name)) throw new Error(`unknown event class '${name}' (known: ${AUDIT_CLASSES.join(', ')})`);
    out.add(name as AuditClass);
  }
  return out;
}

/** The class a statement falls in ('denied' first: a refused DROP is a denial), or undefined when none selected. */
export function statementClass(e: StatementEvent, classes: ReadonlySet<AuditClass>): string | undefined {
  if (classes.has('denied') && (e.blockedBy !== undefined || DENIAL_CODES.has(e.errorCode))) return 'denied';
  if (classes.has('ddl') && DDL_KINDS.has(e.kind)) return 'ddl';
  if (classes.has('write') && WRITE_KINDS.has(e.kind)) return 'write';
  if (classes.has('all')) return 'statement';
  return undefined;
}

/**
 * The quoted literal after IDENTIFIED BY/AS, PASSWORD =, PASSWORD(...), SOURCE_PASSWORD = ...: what
 * could be a password is masked. mizzle refuses CREATE USER and SET PASSWORD today, but their text still reaches the log.
 */
const SECRET_LITERAL = /(IDENTIFIED\s+(?:WITH\s+\S+\s+)?(?:BY|AS)\s+(?:PASSWORD\s+)?|PASSWORD\s*(?:FOR\s+\S+\s*)?(?:=\s*|\(\s*))('(?:[^'\\]|\\.|'')*'|"(?:[^"\\]|\\.|"")*")/gi;

/** The statement text as the audit log keeps it: passwords masked, bounded. */
export function auditText(text: string): string {
  const masked = /password|identified/i.test(text) ? text.replace(SECRET_LITERAL, "$1'***'") : text;
  return masked.length > TEXT_MAX_CHARS ? `${masked.slice(0, TEXT_MAX_CHARS)}...` : masked;
}

/** A statement's line (without seq and prev). */
export function statementBody(e: StatementEvent, cls: string): string {
  return JSON.stringify({
    time: e.time.toISOString(), event: 'statement', class: cls, connection_id: e.sessionId, user: e.user, host: e.host,
    schema: e.schema, kind: e.kind, text: auditText(e.text), error: e.errorCode, rows_affected: e.rowsAffected,
    ...(e.blockedBy !== undefined ? { blocked_by: e.blockedBy } : {}),
  });
}

/** A connect, disconnect or failed login's line (without seq and prev), or undefined when its class is not selected. */
export function auditBody(e: AuditEvent, classes: ReadonlySet<AuditClass>): string | undefined {
  if (!classes.has(e.event) && !classes.has('all')) return undefined;
  const time = e.time.toISOString();
  switch (e.event) {
    case 'connect':
      return JSON.stringify({ time, event: e.event, connection_id: e.connectionId, user: e.user, host: e.host, protocol: e.protocol, tls: e.tls });
    case 'disconnect':
      return JSON.stringify({ time, event: e.event, connection_id: e.connectionId, user: e.user, host: e.host, protocol: e.protocol });
    case 'failed-login':
      return JSON.stringify({ time, event: e.event, user: e.user, host: e.host, protocol: e.protocol, error: e.errorCode, reason: e.reason });
  }
}
