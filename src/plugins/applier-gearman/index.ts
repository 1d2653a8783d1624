// The applier-gearman plugin: each committed transaction as a Gearman background job (its JSON line), acknowledged once the job server created it.
import { ConfigError } from '../../kernel/config.js';
import type { ChangeApplier, CommittedTransaction, Plugin } from '../../kernel/plugin.js';
import { BatchSubmitter } from './batch-submitter.js';
import { gearmanServer, gearmanServerOptions } from '../shared/gearman-protocol.js';

export const plugin: Plugin<'applier'> = {
  manifest: {
    name: 'applier-gearman',
    kind: 'applier',
    version: '0.1.0',
    description: 'Change-data capture: each committed transaction as a Gearman background job (its JSON, as mizzle log read --format json), at least once, in commit order',
    defaultEnabled: false,
    options: [
      ...gearmanServerOptions('mizzle_changes'),
      { name: 'timeout_ms', type: 'number', default: 10000, description: 'A batch the job server has not acknowledged within this long is sent again' },
    ],
  },
  init(ctx): ChangeApplier {
    const o = ctx.options;
    const { host, port, functionName } = gearmanServer('applier-gearman', o);
    const timeoutMs = Number(o.timeout_ms);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100) throw new ConfigError(`applier-gearman: option 'timeout_ms' must be a whole number >= 100, got '${String(o.timeout_ms)}'`);
    const jobs = new BatchSubmitter({ host, port, functionName, timeoutMs });
    ctx.log.info('applier-gearman: submitting committed transactions', { server: `${host}:${port}`, function: functionName });
    return {
      // The commit id is the job's unique id: a batch sent again while its jobs still queue is folded into them by the server.
      apply: (batch: readonly CommittedTransaction[]) => jobs.submit(batch.map((t) => ({ unique: t.id, workload: t.json() }))),
      close: () => jobs.close(),
    };
  },
};
