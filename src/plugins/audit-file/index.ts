// The audit-file plugin: a tamper-evident audit trail of logins, denials, DDL and (optionally) writes, as hash-chained JSON lines.
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';
import type { AuditEvent, LogSink, Plugin, StatementEvent } from '../../kernel/plugin.js';
import { AuditWriter } from './audit-writer.js';
import { auditBody, parseClasses, statementBody, statementClass, type AuditClass } from './audit-records.js';

export { verifyAuditFiles } from './verify.js';

export const plugin: Plugin<'logging'> = {
  manifest: {
    name: 'audit-file',
    kind: 'logging',
    version: '0.1.0',
    description: 'Audit trail: logins, failed logins, denials, DDL (optionally writes or every statement) as JSON lines chained by SHA-256; check with mizzle audit verify',
    defaultEnabled: false,
    mainThread: true,
    options: [
      { name: 'file', type: 'string', default: 'audit.log', description: 'The audit log, relative to the datadir unless absolute' },
      { name: 'events', type: 'string', default: 'connect,disconnect,failed-login,denied,ddl', description: 'Classes recorded, comma-separated: connect, disconnect, failed-login, denied, ddl, write, all' },
      { name: 'buffer_bytes', type: 'number', default: 16 * 1024 * 1024, description: 'Events waiting for the disk (a slow or full disk), at most this many bytes; more are dropped and the gap recorded' },
    ],
  },
  init(ctx): LogSink {
    const o = ctx.options;
    let classes: ReadonlySet<AuditClass>;
    try {
      classes = parseClasses(String(o.events));
    } catch (e) {
      throw new ConfigError(`audit-file: option 'events': ${(e as Error).message}`);
    }
    const name = String(o.file);
    if (name === '') throw new ConfigError("audit-file: option 'file' is empty");
    const bufferBytes = Number(o.buffer_bytes);
    if (!Number.isInteger(bufferBytes) || bufferBytes < 1024) throw new ConfigError(`audit-file: option 'buffer_bytes' must be a whole number >= 1024, got '${String(o.buffer_bytes)}'`);
    const path = isAbsolute(name) ? name : join(ctx.datadir, name);
    let writer: AuditWriter;
    try {
      writer = new AuditWriter(path, {
        bufferBytes,
        onError: (msg, fields) => ctx.log.error(`audit-file: ${msg}`, fields),
        onInfo: (msg, fields) => ctx.log.info(`audit-file: ${msg}`, fields),
      });
    } catch (e) {
      throw new ConfigError(`audit-file: cannot open the audit log ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    ctx.log.info('audit-file: writing the audit log', { path, events: [...classes].join(',') });
    return {
      statement(e: StatementEvent) {
        const cls = statementClass(e, classes);
        if (cls !== undefined) writer.append(statementBody(e, cls));
      },
      audit(e: AuditEvent) {
        const body = auditBody(e, classes);
        if (body !== undefined) writer.append(body);
      },
      reload: () => writer.reopen(),
      close: () => writer.close(),
    };
  },
};
