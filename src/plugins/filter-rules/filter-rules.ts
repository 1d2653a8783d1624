// The filter-rules query filter: ordered rules that deny, warn about, or limit the concurrency of matching statements.
import { SqlError } from '../../base/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { FilterRequest, FilterVerdict, QueryFilter, SharedGauge } from '../../kernel/plugin.js';
import { loadRulesFile, type Rule, type RuleMode } from './rules-file.js';

/**
 * Statements of one limit rule running now (kept by rule id across reloads, so running
 * statements release the right count): `shared` counts them on every thread (the limit
 * holds for the server), `here` those of this thread (what SHOW STATUS adds up).
 */
interface Slot {
  shared: SharedGauge;
  here: number;
}

/**
 * Evaluates the rules in file order against each statement. `allow` ends the
 * evaluation and lets the statement run; `warn` logs and goes on; `deny` refuses;
 * `limit` takes one of the rule's slots for as long as the statement runs, or
 * refuses when none is free. In detect mode (the plugin's or the rule's own), what
 * would be refused is logged, noted on the statement event and counted, and the
 * statement runs.
 */
export class RulesFilter implements QueryFilter {
  private rules: Rule[];
  private readonly slots = new Map<string, Slot>();
  private readonly matched = new Map<string, number>();
  private denied = 0;
  private warned = 0;
  private limited = 0;
  private detected = 0;
  private reloads = 0;
  private reloadFailures = 0;

  constructor(private readonly path: string, private readonly mode: RuleMode, private readonly log: Logger, private readonly gauge: (name: string) => SharedGauge) {
    this.rules = loadRulesFile(path);
  }

  get ruleCount(): number {
    return this.rules.length;
  }

  /** SIGHUP: the new rules replace the old only when the whole file is valid; otherwise the old stay and the error is logged by the kernel. */
  reload(): void {
    try {
      this.rules = loadRulesFile(this.path);
    } catch (e) {
      this.reloadFailures++;
      throw e;
    }
    this.reloads++;
    this.log.info('filter-rules: rules reloaded', { path: this.path, rules: this.rules.length });
  }

  check(req: FilterRequest): FilterVerdict | undefined {
    if (this.mode === 'off') return undefined;
    const taken: Slot[] = [];
    const notes: string[] = [];
    const release = () => {
      for (const s of taken.splice(0)) {
        s.shared.add(-1);
        s.here--;
      }
    };
    try {
      for (const rule of this.rules) {
        if (rule.mode === 'off' || !matches(rule, req)) continue;
        this.matched.set(rule.id, (this.matched.get(rule.id) ?? 0) + 1);
        const dryRun = this.mode === 'detect' || rule.mode === 'detect';
        if (rule.action === 'allow') break;
        if (rule.action === 'warn') {
          this.warned++;
          this.report('warn', rule, req, 'matched a warn rule');
          notes.push(`rule '${rule.id}' warned`);
          continue;
        }
        let slot: Slot | undefined;
        if (rule.action === 'limit') {
          slot = this.slotOf(rule.id);
          // Taken first and checked after, so two threads cannot both take the last place.
          if (slot.shared.add(1) <= rule.maxConcurrent) {
            slot.here++;
            taken.push(slot);
            continue;
          }
          slot.shared.add(-1);
        }
        const what = rule.action === 'limit' ? `over its limit of ${rule.maxConcurrent} concurrent statements` : 'denied';
        if (dryRun) {
          this.detected++;
          this.report('warn', rule, req, `would be ${what} (detect mode)`);
          notes.push(`rule '${rule.id}' would have ${rule.action === 'limit' ? 'limited' : 'denied'} it (detect mode)`);
          continue;
        }
        if (rule.action === 'limit') this.limited++;
        else this.denied++;
        this.report('info', rule, req, what);
        release();
        return { kind: 'deny', error: new SqlError(rule.code, rule.sqlState, rule.message) };
      }
    } catch (e) {
      // Matching never throws by design; if it does, refuse rather than let an unchecked statement through.
      release();
      this.log.error('filter-rules: evaluating the rules failed; the statement is refused', { error: e instanceof Error ? e.message : String(e) });
      return { kind: 'deny', error: new SqlError(1105, 'HY000', 'Statement refused: the query rules could not be evaluated (see the server log)') };
    }
    if (taken.length === 0 && notes.length === 0) return undefined;
    let released = false;
    return {
      kind: 'admit',
      note: notes.length ? notes.join('; ') : undefined,
      done: taken.length ? () => {
        if (released) return;
        released = true;
        release();
      } : undefined,
    };
  }

  private slotOf(id: string): Slot {
    let s = this.slots.get(id);
    if (!s) {
      s = { shared: this.gauge(`filter-rules:${id}`), here: 0 };
      this.slots.set(id, s);
    }
    return s;
  }

  private report(level: 'info' | 'warn', rule: Rule, req: FilterRequest, what: string): void {
    this.log[level](`filter-rules: rule '${rule.id}': ${what}`, {
      rule: rule.id, action: rule.action, session: req.sessionId, user: req.user, host: req.host, schema: req.schema, statement: req.text.slice(0, 512),
    });
  }

  counters(): readonly [string, number][] {
    const rows: [string, number][] = [
      ['Filter_rules_denied', this.denied],
      ['Filter_rules_warned', this.warned],
      ['Filter_rules_limited', this.limited],
      ['Filter_rules_detected', this.detected],
    ];
    for (const rule of this.rules) {
      const name = rule.id.replace(/[^A-Za-z0-9_]/g, '_');
      rows.push([`Filter_rules_matched_${name}`, this.matched.get(rule.id) ?? 0]);
      if (rule.action === 'limit') rows.push([`Filter_rules_running_${name}`, this.slots.get(rule.id)?.here ?? 0]);
    }
    return rows;
  }

  settings(): readonly [string, number][] {
    return [
      ['Filter_rules_rules', this.rules.length],
      ['Filter_rules_reloads', this.reloads],
      ['Filter_rules_reload_failures', this.reloadFailures],
    ];
  }
}

/** Whether every matcher the rule has accepts the statement. */
function matches(rule: Rule, req: FilterRequest): boolean {
  if (rule.kinds && !rule.kinds.has(req.kind)) return false;
  if (rule.user && !rule.user.test(req.user)) return false;
  if (rule.schemas && (req.schema === null || !rule.schemas.has(req.schema))) return false;
  if (rule.clients && !rule.clients.matches(req.host)) return false;
  if (rule.clientRegex && !rule.clientRegex.test(req.host)) return false;
  if (rule.tables) {
    const patterns = rule.tables;
    if (!req.tables().some((t) => patterns.some((p) => p.test(`${t.schema}.${t.table}`)))) return false;
  }
  if (rule.text && !rule.text.test(req.text)) return false;
  if (rule.digest && !rule.digest.test(req.digest())) return false;
  return true;
}
