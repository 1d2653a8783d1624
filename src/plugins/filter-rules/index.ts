// The filter-rules plugin: operator-written rules (YAML or JSON) that deny, warn about or limit matching statements.
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';
import type { Plugin, QueryFilter } from '../../kernel/plugin.js';
import type { RulesFilter } from './filter-rules.js';
import type { RuleMode } from './rules-file.js';

const MODES: readonly RuleMode[] = ['off', 'detect', 'enforce'];

export const plugin: Plugin<'filter'> = {
  manifest: {
    name: 'filter-rules',
    kind: 'filter',
    version: '0.1.0',
    description: 'Query rules from a YAML or JSON file: deny, warn or limit concurrency by user, schema, client, kind, table, text or digest (reloaded on SIGHUP)',
    defaultEnabled: false,
    options: [
      { name: 'rules_file', type: 'string', default: 'query-rules.yaml', description: 'The rules file (YAML, or JSON when it ends in .json), relative to the datadir unless absolute' },
      { name: 'mode', type: 'string', default: 'enforce', description: 'off (rules ignored), detect (log what would be refused, refuse nothing) or enforce' },
    ],
  },
  async init(ctx): Promise<QueryFilter> {
    const mode = String(ctx.options.mode).toLowerCase() as RuleMode;
    if (!MODES.includes(mode)) throw new ConfigError(`filter-rules: mode must be one of ${MODES.join(', ')}, not '${String(ctx.options.mode)}'`);
    const name = String(ctx.options.rules_file);
    if (name === '') throw new ConfigError('filter-rules: rules_file is empty; name the rules file (YAML or JSON)');
    const path = isAbsolute(name) ? name : join(ctx.datadir, name);
    // The YAML parser loads only when the plugin is enabled: start-up stays fast without it.
    const [{ RulesFilter }, { RulesFileError }] = await Promise.all([import('./filter-rules.js'), import('./rules-file.js')]);
    let filter: RulesFilter;
    try {
      filter = new RulesFilter(path, mode, ctx.log, (name) => ctx.kernel.gauge(name));
    } catch (e) {
      if (e instanceof RulesFileError) throw new ConfigError(`filter-rules: ${e.message}`);
      throw e;
    }
    ctx.log.info('filter-rules: rules loaded', { path, rules: filter.ruleCount, mode });
    if (mode !== 'enforce') ctx.log.warn(`filter-rules: mode is ${mode}: no statement is refused`);
    return filter;
  },
};
