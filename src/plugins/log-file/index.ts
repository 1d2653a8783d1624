// The log-file plugin: a query log of JSON lines, with thresholds, regex filters, rotation by size and reopen on SIGHUP.
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';
import type { LogSink, Plugin, StatementEvent } from '../../kernel/plugin.js';
import { AppendLog } from './append-log.js';
import { SELECTION_OPTIONS, StatementSelection, statementRecord } from '../shared/statement-record.js';

export { AppendLog };
export { SELECTION_OPTIONS, StatementSelection, statementRecord, DropCounter } from '../shared/statement-record.js';

export const plugin: Plugin<'logging'> = {
  manifest: {
    name: 'log-file',
    kind: 'logging',
    version: '0.1.0',
    description: 'Query log: one JSON line per statement, filtered by thresholds and regexes, rotated by size, reopened on SIGHUP',
    defaultEnabled: false,
    options: [
      { name: 'path', type: 'string', default: 'query.log', description: 'The log file, relative to the datadir unless absolute' },
      ...SELECTION_OPTIONS,
      { name: 'max_size_bytes', type: 'number', default: 0, description: 'Rotate before the file grows past this many bytes (0: never; use logrotate and SIGHUP)' },
      { name: 'keep', type: 'number', default: 5, description: 'Rotated files kept: <path>.1 (newest) to <path>.<keep>' },
      { name: 'buffer_bytes', type: 'number', default: 8 * 1024 * 1024, description: 'Lines waiting for the disk, at most this many bytes; more are dropped and counted' },
    ],
  },
  init(ctx): LogSink {
    const o = ctx.options;
    const selection = StatementSelection.fromOptions('log-file', o);
    const name = String(o.path);
    if (name === '') throw new ConfigError("log-file: option 'path' is empty");
    const path = isAbsolute(name) ? name : join(ctx.datadir, name);
    const integer = (option: string, min: number): number => {
      const n = Number(o[option]);
      if (!Number.isInteger(n) || n < min) throw new ConfigError(`log-file: option '${option}' must be a whole number >= ${min}, got '${String(o[option])}'`);
      return n;
    };
    const maxSizeBytes = integer('max_size_bytes', 0);
    const keep = integer('keep', 0);
    const bufferBytes = integer('buffer_bytes', 1024);
    let file: AppendLog;
    try {
      file = new AppendLog(path, { maxSizeBytes, keep, bufferBytes, onError: (msg, fields) => ctx.log.warn(`log-file: ${msg}`, fields) });
    } catch (e) {
      throw new ConfigError(`log-file: cannot open the query log ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    ctx.log.info('log-file: writing the query log', { path });
    return {
      statement(e: StatementEvent) {
        if (!selection.selects(e)) return;
        file.append(JSON.stringify(statementRecord(e, selection.format)));
      },
      reload: () => file.reopen(),
      close: () => file.close(),
    };
  },
};
