// The filter-safe plugin: safe updates, full-scan and join-size limits and a statement time limit, with per-user exemptions.
import { ConfigError } from '../../kernel/config.js';
import type { Plugin, QueryFilter } from '../../kernel/plugin.js';
import { SafeFilter, parseUserList } from './filter-safe.js';

export { SafeFilter };

export const plugin: Plugin<'filter'> = {
  manifest: {
    name: 'filter-safe',
    kind: 'filter',
    version: '0.1.0',
    description: 'Refuses unbounded UPDATE/DELETE, full scans and joins over a size before they run; stops statements past a time limit',
    defaultEnabled: false,
    options: [
      { name: 'safe_updates', type: 'boolean', default: true, description: 'Refuse UPDATE/DELETE without a key in the WHERE and without LIMIT (1175)' },
      { name: 'max_rows_examined', type: 'number', default: 0, description: 'Refuse a SELECT that would read more rows than this from one table without an index (1104); 0 = off' },
      { name: 'max_join_size', type: 'number', default: 0, description: 'Refuse a SELECT whose estimated join rows exceed this (1104); 0 = off' },
      { name: 'max_execution_time', type: 'number', default: 0, description: 'Stop any statement running longer than this many milliseconds (3024); 0 = off' },
      { name: 'exempt_users', type: 'string', default: '', description: 'Comma-separated users none of these limits apply to' },
    ],
  },
  init(ctx): QueryFilter {
    const number = (name: string): number => {
      const v = Number(ctx.options[name]);
      if (!Number.isFinite(v) || v < 0 || !Number.isInteger(v)) throw new ConfigError(`filter-safe: ${name} must be a whole number >= 0 (0 turns it off), not '${String(ctx.options[name])}'`);
      return v;
    };
    const filter = new SafeFilter({
      safeUpdates: ctx.options.safe_updates === true,
      maxRowsExamined: number('max_rows_examined'),
      maxJoinSize: number('max_join_size'),
      maxExecutionTimeMs: number('max_execution_time'),
      exemptUsers: parseUserList(String(ctx.options.exempt_users)),
    }, ctx.log);
    return filter;
  },
};
