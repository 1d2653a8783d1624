// The Prometheus metrics of one server: statement events counted as they finish, server counters read at scrape time.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { KernelApi, StatementEvent } from '../../kernel/plugin.js';

/** Latency buckets in seconds: from 100 µs (a point lookup) to 10 s (a runaway scan). */
export const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** A SHOW GLOBAL STATUS counter exposed as a Prometheus counter of its own name. */
interface StatusCounter {
  metric: string;
  status: string;
  help: string;
}

const STATUS_COUNTERS: readonly StatusCounter[] = [
  { metric: 'mizzle_connections_total', status: 'Connections', help: 'Client connections opened since start (Connections)' },
  { metric: 'mizzle_aborted_connects_total', status: 'Aborted_connects', help: 'Connection attempts that failed before a session opened (Aborted_connects)' },
  { metric: 'mizzle_access_denied_total', status: 'Access_denied_errors', help: 'Accesses an authorization plugin refused (Access_denied_errors)' },
  { metric: 'mizzle_received_bytes_total', status: 'Bytes_received', help: 'Bytes read from clients (Bytes_received)' },
  { metric: 'mizzle_sent_bytes_total', status: 'Bytes_sent', help: 'Bytes written to clients (Bytes_sent)' },
  { metric: 'mizzle_slow_queries_total', status: 'Slow_queries', help: 'Statements that took long_query_time or longer (Slow_queries)' },
  { metric: 'mizzle_questions_total', status: 'Questions', help: 'Statements clients sent (Questions)' },
  { metric: 'mizzle_commits_total', status: 'Handler_commit', help: 'Transactions committed, explicit and autocommit (Handler_commit)' },
  { metric: 'mizzle_rollbacks_total', status: 'Handler_rollback', help: 'Transactions rolled back (Handler_rollback)' },
];

const STATUS_GAUGES: readonly StatusCounter[] = [
  { metric: 'mizzle_connections_current', status: 'Threads_connected', help: 'Client sessions open now (Threads_connected)' },
  { metric: 'mizzle_storage_size_bytes', status: 'Storage_bytes', help: 'Size of the default storage engine on disk (Storage_bytes)' },
  { metric: 'mizzle_uptime_seconds', status: 'Uptime', help: 'Seconds since the server started (Uptime)' },
];

export class OpsMetrics {
  readonly registry = new Registry();
  private readonly statements: Counter<'kind'>;
  private readonly latency: Histogram<'kind'>;
  private readonly errors: Counter<'code'>;
  private readonly blocked: Counter<'plugin'>;
  private readonly rowsSent: Counter;
  private readonly rowsExamined: Counter;
  private readonly rowsAffected: Counter;
  /** SHOW GLOBAL STATUS, read once per scrape before the registry renders. */
  private status = new Map<string, number>();

  constructor(private readonly kernel: KernelApi, private readonly ready: () => boolean) {
    const registers = [this.registry];
    this.statements = new Counter({ name: 'mizzle_statements_total', help: 'Statements finished, by kind (the parser\'s statement type; unknown when it did not parse)', labelNames: ['kind'], registers });
    this.latency = new Histogram({ name: 'mizzle_statement_duration_seconds', help: 'Statement latency in seconds, by kind', labelNames: ['kind'], buckets: LATENCY_BUCKETS, registers });
    this.errors = new Counter({ name: 'mizzle_statement_errors_total', help: 'Statements that failed, by MySQL error code', labelNames: ['code'], registers });
    this.blocked = new Counter({ name: 'mizzle_statements_blocked_total', help: 'Statements refused by a query filter or authorization plugin, by plugin', labelNames: ['plugin'], registers });
    this.rowsSent = new Counter({ name: 'mizzle_rows_sent_total', help: 'Rows returned to clients', registers });
    this.rowsExamined = new Counter({ name: 'mizzle_rows_examined_total', help: 'Rows read from storage while running statements', registers });
    this.rowsAffected = new Counter({ name: 'mizzle_rows_affected_total', help: 'Rows inserted, updated or deleted', registers });
    const status = () => this.status;
    for (const s of STATUS_COUNTERS) {
      new Counter({
        name: s.metric, help: s.help, registers,
        // The kernel keeps the count; each scrape copies it (a counter cannot be set, so reset and add).
        collect() {
          this.reset();
          this.inc(status().get(s.status) ?? 0);
        },
      });
    }
    for (const s of STATUS_GAUGES) {
      new Gauge({ name: s.metric, help: s.help, registers, collect() { this.set(status().get(s.status) ?? 0); } });
    }
    new Gauge({
      name: 'mizzle_global_status', help: 'Every numeric SHOW GLOBAL STATUS value (Com_*, filter counters ...), by variable name', labelNames: ['variable'], registers,
      collect() {
        this.reset();
        for (const [name, value] of status()) this.set({ variable: name }, value);
      },
    });
    const readyNow = this.ready;
    new Gauge({ name: 'mizzle_ready', help: '1 while the server accepts clients and storage answers, else 0', registers, collect() { this.set(readyNow() ? 1 : 0); } });
    new Gauge({ name: 'mizzle_info', help: 'Constant 1, labelled with the server version', labelNames: ['version'], registers }).set({ version: kernel.serverVersion }, 1);
    // Process metrics (CPU, memory, event loop lag, GC) into this registry only, so servers in one process do not clash.
    collectDefaultMetrics({ register: this.registry });
  }

  /** One finished statement. Called on the statement's path: only counter updates, nothing that can throw for odd input. */
  statement(e: StatementEvent): void {
    const kind = e.kind || 'unknown';
    this.statements.inc({ kind });
    this.latency.observe({ kind }, Math.max(0, e.durationMs) / 1000);
    if (e.errorCode !== 0) this.errors.inc({ code: String(e.errorCode) });
    if (e.blockedBy) this.blocked.inc({ plugin: e.blockedBy });
    if (e.rowsSent > 0) this.rowsSent.inc(e.rowsSent);
    if (e.rowsExamined > 0) this.rowsExamined.inc(e.rowsExamined);
    if (e.rowsAffected > 0) this.rowsAffected.inc(e.rowsAffected);
  }

  /** The exposition text for one scrape. */
  async render(): Promise<string> {
    await this.kernel.statusFresh();
    const status = new Map<string, number>();
    for (const [name, value] of this.kernel.globalStatus()) {
      const n = typeof value === 'number' ? value : Number(value);
      if (Number.isFinite(n)) status.set(name, n);
    }
    this.status = status;
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
