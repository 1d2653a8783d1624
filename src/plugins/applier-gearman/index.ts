// The applier-gearman plugin: each committed transaction as a Gearman background job (its JSON line), acknowledged once the job server created it.
import { ConfigError } from '../../kernel/config.js';
import type { ChangeApplier, CommittedTransaction, Plugin } from '../../kernel/plugin.js';
import { BatchSubmitter } from './batch-submitter.js';

export const plugin: Plugin<'applier'> = {
  manifest: {
    name: 'applier-gearman',
    kind: 'applier',
    version: '0.1.0',
    description: 'Change-data capture: each committed transaction as a Gearman background job (its JSON, as mizzle log read --format json), at least once, in commit order',
    defaultEnabled: false,
    options: [
      { name: 'host', type: 'string', default: '127.0.0.1', description: 'The Gearman job server' },
      { name: 'port', type: 'number', default: 4730, description: "The job server's port" },
      { name: 'function', type: 'string', default: 'mizzle_changes', description: 'The function name jobs are submitted under' },
      { name: 'timeout_ms', type: 'number', default: 10000, description: 'A batch the job server has not acknowledged within this long is sent again' },
    ],
  },
  init(ctx): ChangeApplier {
    const o = ctx.options;
    const fail = (msg: string): never => {
      throw new ConfigError(`applier-gearman: ${msg}`);
    };
    const host = String(o.host);
    if (host === '') fail("option 'host' is empty");
    const port = Number(o.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`option 'port' must be a port number 1-65535, got '${String(o.port)}'`);
    const functionName = String(o.function);
    if (functionName === '' || functionName.includes('\0') || Buffer.byteLength(functionName) > 512) fail(`option 'function' must be a name of 1-512 bytes without NUL, got '${functionName}'`);
    const timeoutMs = Number(o.timeout_ms);
    if (!Number.isInteger(timeoutMs) || timeoutMs < 100) fail(`option 'timeout_ms' must be a whole number >= 100, got '${String(o.timeout_ms)}'`);
    const jobs = new BatchSubmitter({ host, port, functionName, timeoutMs });
    ctx.log.info('applier-gearman: submitting committed transactions', { server: `${host}:${port}`, function: functionName });
    return {
      // The commit id is the job's unique id: a batch sent again while its jobs still queue is folded into them by the server.
      apply: (batch: readonly CommittedTransaction[]) => jobs.submit(batch.map((t) => ({ unique: t.id, workload: t.json() }))),
      close: () => jobs.close(),
    };
  },
};
