// What the logging plugins share: which statements to log (thresholds, regex filters) and the JSON record of one.
import { ConfigError } from '../../kernel/config.js';
import type { OptionSpec, PluginOptions, StatementEvent } from '../../kernel/plugin.js';

/** The selection options every logging plugin offers, with the same names and meaning. */
export const SELECTION_OPTIONS: readonly OptionSpec[] = [
  { name: 'format', type: 'string', default: 'text', description: "Statement as 'text' (as the client sent it) or 'digest' (literals replaced by ?)" },
  { name: 'slow_ms', type: 'number', default: 0, description: 'Log successful statements that took at least this many milliseconds (0: all)' },
  { name: 'min_rows_examined', type: 'number', default: 0, description: 'Log successful statements that examined at least this many rows (0: all)' },
  { name: 'filter', type: 'string', default: '', description: 'Log only statements whose text matches this regular expression (case-insensitive; empty: all)' },
  { name: 'exclude', type: 'string', default: '', description: 'Do not log statements whose text matches this regular expression (case-insensitive)' },
  { name: 'only_errors', type: 'boolean', default: false, description: 'Log only statements that failed or were refused' },
];

export type TextFormat = 'text' | 'digest';

/** Decides which statement events are logged. Failed and refused statements ignore the thresholds. */
export class StatementSelection {
  constructor(
    readonly format: TextFormat,
    private readonly slowMs: number,
    private readonly minRowsExamined: number,
    private readonly filter: RegExp | undefined,
    private readonly exclude: RegExp | undefined,
    private readonly onlyErrors: boolean,
  ) {}

  /** Reads and checks the selection options; bad values are a ConfigError naming the plugin and option. */
  static fromOptions(plugin: string, options: PluginOptions): StatementSelection {
    const format = String(options.format ?? 'text');
    if (format !== 'text' && format !== 'digest') throw new ConfigError(`${plugin}: option 'format' must be 'text' or 'digest', got '${format}'`);
    const nonNegative = (name: string): number => {
      const n = Number(options[name] ?? 0);
      if (!Number.isFinite(n) || n < 0) throw new ConfigError(`${plugin}: option '${name}' must be a number >= 0, got '${String(options[name])}'`);
      return n;
    };
    const regex = (name: string): RegExp | undefined => {
      const source = String(options[name] ?? '');
      if (source === '') return undefined;
      try {
        return new RegExp(source, 'i');
      } catch (e) {
        throw new ConfigError(`${plugin}: option '${name}' is not a valid regular expression: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    return new StatementSelection(format, nonNegative('slow_ms'), nonNegative('min_rows_examined'), regex('filter'), regex('exclude'), options.only_errors === true);
  }

  selects(e: StatementEvent): boolean {
    const failed = e.errorCode !== 0 || e.blockedBy !== undefined;
    if (this.onlyErrors && !failed) return false;
    if (!failed && (e.durationMs < this.slowMs || e.rowsExamined < this.minRowsExamined)) return false;
    if (this.filter && !this.filter.test(e.text)) return false;
    if (this.exclude && this.exclude.test(e.text)) return false;
    return true;
  }
}

/**
 * One statement as a JSON-ready object with stable key names (documented in log-file's README):
 * the statement is under `text` or `digest` by format; error_message and blocked_by only when set.
 */
export function statementRecord(e: StatementEvent, format: TextFormat): Record<string, string | number | null> {
  const record: Record<string, string | number | null> = {
    time: e.time.toISOString(),
    session_id: e.sessionId,
    user: e.user,
    host: e.host,
    schema: e.schema,
    kind: e.kind,
  };
  if (format === 'digest') record.digest = e.digest();
  else record.text = e.text;
  record.duration_ms = e.durationMs;
  record.rows_sent = e.rowsSent;
  record.rows_examined = e.rowsExamined;
  record.rows_affected = e.rowsAffected;
  record.error_code = e.errorCode;
  if (e.errorMessage !== undefined && e.errorCode !== 0) record.error_message = e.errorMessage;
  if (e.blockedBy !== undefined) record.blocked_by = e.blockedBy;
  return record;
}

/** Drops counted between two "dropped" log lines, so a dead destination logs once in a while, not per event. */
export class DropCounter {
  private total = 0;
  private sinceReport = 0;
  private lastReport = 0;

  constructor(private readonly report: (dropped: number, total: number) => void, private readonly intervalMs = 10_000) {}

  drop(n = 1): void {
    this.total += n;
    this.sinceReport += n;
    const now = Date.now();
    if (now - this.lastReport >= this.intervalMs) {
      this.lastReport = now;
      const since = this.sinceReport;
      this.sinceReport = 0;
      this.report(since, this.total);
    }
  }

  get dropped(): number {
    return this.total;
  }
}
