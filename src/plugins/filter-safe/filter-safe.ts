// The filter-safe query filter: refuses statements that are unbounded or too expensive before they run, and bounds how long any may run.
import { sqlError } from '../../base/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { FilterRequest, FilterVerdict, QueryFilter } from '../../kernel/plugin.js';
import { isUnsafeUpdate, safeUpdateError } from '../../sql/planner/safe-updates.js';

export interface SafeFilterOptions {
  /** Refuse UPDATE/DELETE without a key in the WHERE and without LIMIT (1175). */
  safeUpdates: boolean;
  /** Refuse a SELECT that would read more than this many rows of one table without an index (0: off). */
  maxRowsExamined: number;
  /** Refuse a SELECT whose estimated join product exceeds this (0: off). */
  maxJoinSize: number;
  /** Stop any statement running longer than this many milliseconds with 3024 (0: off). */
  maxExecutionTimeMs: number;
  /** Users none of this applies to. */
  exemptUsers: ReadonlySet<string>;
}

/** MySQL's text for 1104, word for word. */
const JOIN_SIZE_MESSAGE = 'The SELECT would examine more than MAX_JOIN_SIZE rows; check your WHERE and use SET SQL_BIG_SELECTS=1 or SET MAX_JOIN_SIZE=# if the SELECT is okay';

/** Statements that read rows through a plan. */
const QUERY_KINDS: ReadonlySet<string> = new Set(['select', 'setop', 'values', 'with']);

/** Parses `exempt_users`: a comma-separated list of user names, blanks ignored. */
export function parseUserList(list: string): Set<string> {
  return new Set(list.split(',').map((u) => u.trim()).filter((u) => u !== ''));
}

export class SafeFilter implements QueryFilter {
  private blockedSafeUpdates = 0;
  private blockedFullScans = 0;
  private blockedJoinSize = 0;
  private timeouts = 0;
  private exempted = 0;
  /** Counts a statement stopped by this filter's deadline. */
  private readonly countTimeout = (errorCode: number) => {
    if (errorCode === 3024) this.timeouts++;
  };

  constructor(private readonly opts: SafeFilterOptions, private readonly log: Logger) {}

  check(req: FilterRequest): FilterVerdict | undefined {
    if (this.opts.exemptUsers.has(req.user)) {
      this.exempted++;
      return undefined;
    }
    const denied = this.refusal(req);
    if (denied) return denied;
    if (this.opts.maxExecutionTimeMs > 0) return { kind: 'admit', deadlineMs: this.opts.maxExecutionTimeMs, done: this.countTimeout };
    return undefined;
  }

  private refusal(req: FilterRequest): FilterVerdict | undefined {
    const st = req.statement;
    if (this.opts.safeUpdates && (st.type === 'update' || st.type === 'delete') && isUnsafeUpdate(st, st.where ? req.plan() : undefined)) {
      this.blockedSafeUpdates++;
      return this.deny(req, 'safe_updates', safeUpdateError());
    }
    if (!QUERY_KINDS.has(req.kind) || (this.opts.maxRowsExamined <= 0 && this.opts.maxJoinSize <= 0)) return undefined;
    const plan = req.plan();
    if (!plan) return undefined;
    if (this.opts.maxRowsExamined > 0) {
      const scan = plan.tables.find((t) => t.access === 'scan' && t.estimatedRows > this.opts.maxRowsExamined);
      if (scan) {
        this.blockedFullScans++;
        return this.deny(req, 'max_rows_examined', sqlError('TOO_BIG_SELECT',
          `The SELECT would examine more than max_rows_examined (${this.opts.maxRowsExamined}) rows of table '${scan.schema}.${scan.table}' without using an index (about ${scan.estimatedRows}); add a WHERE on an indexed column or a LIMIT`));
      }
    }
    if (this.opts.maxJoinSize > 0 && plan.estimatedJoinRows > this.opts.maxJoinSize) {
      this.blockedJoinSize++;
      return this.deny(req, 'max_join_size', sqlError('TOO_BIG_SELECT', JOIN_SIZE_MESSAGE));
    }
    return undefined;
  }

  private deny(req: FilterRequest, reason: string, error: ReturnType<typeof sqlError>): FilterVerdict {
    this.log.info('filter-safe: statement refused', { reason, code: error.code, session: req.sessionId, user: req.user, host: req.host, digest: req.digest().slice(0, 512) });
    return { kind: 'deny', error };
  }

  counters(): readonly [string, number][] {
    return [
      ['Filter_safe_blocked', this.blockedSafeUpdates + this.blockedFullScans + this.blockedJoinSize],
      ['Filter_safe_blocked_safe_updates', this.blockedSafeUpdates],
      ['Filter_safe_blocked_full_scan', this.blockedFullScans],
      ['Filter_safe_blocked_join_size', this.blockedJoinSize],
      ['Filter_safe_timeouts', this.timeouts],
      ['Filter_safe_exempted', this.exempted],
    ];
  }
}
