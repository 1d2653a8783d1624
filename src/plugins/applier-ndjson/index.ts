// The applier-ndjson plugin: every committed transaction as one JSON line in a file, synced before the kernel records it as delivered.
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';
import type { ChangeApplier, CommittedTransaction, Plugin } from '../../kernel/plugin.js';
import { NdjsonFile } from './ndjson-file.js';

export const plugin: Plugin<'applier'> = {
  manifest: {
    name: 'applier-ndjson',
    kind: 'applier',
    version: '0.1.0',
    description: 'Change-data capture: each committed transaction as one JSON line (mizzle log read --format json) appended to a file, at least once, in commit order',
    defaultEnabled: false,
    options: [
      { name: 'file', type: 'string', default: 'changes.ndjson', description: 'The file lines are appended to, relative to the datadir unless absolute (SIGHUP reopens it)' },
      { name: 'sync', type: 'boolean', default: true, description: 'fsync each batch before it counts as delivered (false: a crash of the machine may lose delivered lines)' },
    ],
  },
  init(ctx): ChangeApplier {
    const name = String(ctx.options.file);
    if (name === '' || name.includes('\0')) throw new ConfigError("applier-ndjson: option 'file' is empty");
    const file = new NdjsonFile(isAbsolute(name) ? name : join(ctx.datadir, name), ctx.options.sync !== false);
    ctx.log.info('applier-ndjson: appending committed transactions', { file: file.path });
    return {
      apply: (batch: readonly CommittedTransaction[]) => file.append(batch.map((t) => t.json())),
      reload: () => file.reopen(),
      close: () => file.close(),
    };
  },
};
