// The log-gearman plugin: every selected statement (and optionally server messages) as a Gearman background job.
import { ConfigError } from '../../kernel/config.js';
import type { LogLevel } from '../../kernel/logger.js';
import type { LogSink, Plugin, ServerMessage, StatementEvent } from '../../kernel/plugin.js';
import { SELECTION_OPTIONS, StatementSelection, statementRecord } from '../shared/statement-record.js';
import { JobSubmitter } from './job-submitter.js';
import { gearmanServer, gearmanServerOptions } from '../shared/gearman-protocol.js';

export { JobSubmitter };

const LEVELS: readonly (LogLevel | 'none')[] = ['none', 'error', 'warn', 'info', 'debug'];

export const plugin: Plugin<'logging'> = {
  manifest: {
    name: 'log-gearman',
    kind: 'logging',
    version: '0.1.0',
    description: 'Submits each statement event as a Gearman background job (JSON workload), for processing elsewhere',
    defaultEnabled: false,
    options: [
      ...gearmanServerOptions('mizzle_log'),
      ...SELECTION_OPTIONS,
      { name: 'message_level', type: 'string', default: 'none', description: 'Also submit server messages at this level or more severe: error, warn, info, debug, or none' },
      { name: 'queue', type: 'number', default: 10000, description: 'Jobs waiting for the job server, at most; more are dropped and counted' },
    ],
  },
  init(ctx): LogSink {
    const o = ctx.options;
    const fail = (msg: string): never => {
      throw new ConfigError(`log-gearman: ${msg}`);
    };
    const selection = StatementSelection.fromOptions('log-gearman', o);
    const { host, port, functionName } = gearmanServer('log-gearman', o);
    const queueLimit = Number(o.queue);
    if (!Number.isInteger(queueLimit) || queueLimit < 1) fail(`option 'queue' must be a whole number >= 1, got '${String(o.queue)}'`);
    const messageLevel = String(o.message_level).toLowerCase() as LogLevel | 'none';
    if (!LEVELS.includes(messageLevel)) fail(`option 'message_level' must be one of ${LEVELS.join(', ')}; got '${String(o.message_level)}'`);
    const messageRank = LEVELS.indexOf(messageLevel);

    const jobs = new JobSubmitter({ host, port, functionName, queueLimit, log: ctx.log });
    ctx.log.info('log-gearman: submitting jobs', { server: `${host}:${port}`, function: functionName });
    return {
      statement(e: StatementEvent) {
        if (selection.selects(e)) jobs.submit(JSON.stringify(statementRecord(e, selection.format)));
      },
      message: messageRank > 0
        ? (m: ServerMessage) => {
            if (LEVELS.indexOf(m.level) <= messageRank) jobs.submit(JSON.stringify({ time: m.time.toISOString(), level: m.level, msg: m.msg, ...m.fields }));
          }
        : undefined,
      close: () => jobs.close(),
    };
  },
};
