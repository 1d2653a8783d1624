// The authz-rules plugin: a policy file of user/object regex rules, first match wins, reloaded on SIGHUP.
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';
import type { Authorizer, Plugin } from '../../kernel/plugin.js';
import { RulesAuthorizer } from './authz-rules.js';
import { PolicyError } from './policy.js';

export { RulesAuthorizer };

export const plugin: Plugin<'authorization'> = {
  manifest: {
    name: 'authz-rules',
    kind: 'authorization',
    version: '0.1.0',
    description: 'Allows or denies schemas, tables and other sessions by a policy file of regex rules (first match wins; reloaded on SIGHUP)',
    defaultEnabled: false,
    options: [
      { name: 'policy_file', type: 'string', default: 'authz-rules.policy', description: 'The policy file, relative to the datadir unless absolute' },
      { name: 'default', type: 'string', default: 'deny', description: 'What happens when no rule matches: deny (fail closed) or allow' },
    ],
  },
  init(ctx): Authorizer {
    const fallback = String(ctx.options.default).trim().toLowerCase();
    if (fallback !== 'allow' && fallback !== 'deny') {
      throw new ConfigError(`authz-rules: option default must be 'allow' or 'deny', got '${String(ctx.options.default)}'`);
    }
    const name = String(ctx.options.policy_file);
    const path = isAbsolute(name) ? name : join(ctx.datadir, name);
    let authorizer: RulesAuthorizer;
    try {
      authorizer = new RulesAuthorizer(path, fallback === 'allow', ctx.log);
    } catch (e) {
      if (e instanceof PolicyError) throw new ConfigError(`authz-rules: ${e.message}`);
      throw e;
    }
    ctx.log.info('authz-rules: policy loaded', { path, rules: authorizer.ruleCount, default: fallback });
    if (authorizer.ruleCount === 0 && fallback === 'deny') ctx.log.warn('authz-rules: the policy has no rules and the default is deny: every access is refused');
    return authorizer;
  },
};
