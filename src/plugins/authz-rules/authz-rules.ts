// The rules authorizer: decides each access by the policy file's first matching rule; reloads on SIGHUP.
import type { Logger } from '../../kernel/logger.js';
import type { AccessRequest, Authorizer } from '../../kernel/plugin.js';
import { firstMatch, loadPolicy, PolicyError, type Policy } from './policy.js';

export class RulesAuthorizer implements Authorizer {
  private policy: Policy;

  /** Loads the file now; throws PolicyError when it is missing or malformed. */
  constructor(readonly path: string, private readonly defaultAllow: boolean, private readonly log: Logger) {
    this.policy = loadPolicy(path);
  }

  get ruleCount(): number {
    return this.policy.rules.length;
  }

  authorize(req: AccessRequest): boolean {
    const rule = firstMatch(this.policy, req);
    const allowed = rule ? rule.allow : this.defaultAllow;
    if (!allowed) {
      // The kernel logs the denial; which rule (or the default) decided is detail for debugging a policy.
      this.log.debug('authz-rules: denied', { rule: rule ? `${this.path}:${rule.line}` : 'default', user: req.user, object: req.object, name: req.name, table: req.table, action: req.action });
    }
    return allowed;
  }

  /** SIGHUP: re-reads the file; a missing or malformed file keeps the current policy and is logged. */
  reload(): void {
    try {
      this.policy = loadPolicy(this.path);
      this.log.info('authz-rules: policy reloaded', { path: this.path, rules: this.policy.rules.length });
    } catch (e) {
      if (!(e instanceof PolicyError)) throw e;
      this.log.error('authz-rules: reload failed, keeping the previous policy', { error: e.message, rules: this.policy.rules.length });
    }
  }
}
