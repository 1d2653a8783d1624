// The console's connection: one reserved session for the statements (so USE, SET and transactions last), and the pool for KILL QUERY.
import { connect, MizzleError, type Client, type ClientRow, type Column, type ReservedSession, type ScriptOutcome, type StreamSummary } from '../../client/index.js';

/** What a statement's run reports to its caller. */
export interface StatementEnd {
  /** Undefined for a statement without a result set. */
  columns: Column[] | undefined;
  rows: number;
  summary: StreamSummary | undefined;
}

/** Where a result's rows go as they arrive. */
export interface RowSink {
  columns(columns: Column[]): void | Promise<void>;
  row(row: ClientRow): void | Promise<void>;
}

/**
 * Statements that write or set, never read a result set: a dump is mostly these, and
 * running them as one call rather than a stream saves time per statement. Anything
 * else (SELECT, SHOW, CALL, WITH…) streams, so a large result never has to fit in memory.
 */
const NO_ROWS = /^\s*(insert|update|delete|replace|set|create|drop|alter|lock|unlock|use|begin|start|commit|rollback|truncate|rename|grant|revoke|\/\*!\d*\s*(set|alter|create|drop)\b)/i;

/** Whether a statement answers without a result set (so it can run whole, or in a script with others). */
export function answersNoRows(sql: string): boolean {
  return NO_ROWS.test(sql);
}

export class ConsoleSession {
  /** The server's id of the reserved session, for KILL QUERY; undefined when the server did not tell. */
  connectionId: number | undefined;
  private running = false;

  private constructor(
    readonly url: URL,
    private readonly client: Client,
    private session: ReservedSession,
  ) {}

  /** Connects to `url` with no time limit per statement (an import may run for hours). */
  static async open(url: URL): Promise<ConsoleSession> {
    const client = connect(url, { timeoutMs: 0 });
    try {
      const s = new ConsoleSession(url, client, await client.reserve({ timeoutMs: 30_000 }));
      await s.readConnectionId();
      return s;
    } catch (e) {
      await client.close();
      throw e;
    }
  }

  private async readConnectionId(): Promise<void> {
    try {
      const r = await this.session.query('SELECT CONNECTION_ID()');
      const id = r.rows[0]?.[0];
      this.connectionId = typeof id === 'number' ? id : undefined;
    } catch {
      this.connectionId = undefined;
    }
  }

  /** The scheme without its colon: mysql, http, https, mizzle. */
  get protocol(): string {
    return this.url.protocol.replace(/:$/, '');
  }

  /** Whether a statement is running (Ctrl-C cancels it then). */
  get busy(): boolean {
    return this.running;
  }

  /** Runs one statement, handing its rows to `sink` as they stream in. */
  async run(sql: string, sink: RowSink): Promise<StatementEnd> {
    this.running = true;
    try {
      if (NO_ROWS.test(sql)) return await this.runWhole(sql, sink);
      const stream = this.session.stream(sql);
      let rows = 0;
      let announced = false;
      for await (const row of stream) {
        if (!announced) {
          announced = true;
          await sink.columns(stream.columns ?? []);
        }
        rows++;
        // Most rows only add to a buffer: a promise is awaited only when the output must drain.
        const wait = sink.row(row);
        if (wait !== undefined) await wait;
      }
      return { columns: stream.columns, rows, summary: stream.summary };
    } finally {
      this.running = false;
    }
  }

  /** A statement that answers with no rows (or a few): one call, without a stream's steps per statement. */
  private async runWhole(sql: string, sink: RowSink): Promise<StatementEnd> {
    const r = await this.session.query(sql);
    if (r.columns.length === 0) return { columns: undefined, rows: 0, summary: r };
    if (r.rows.length > 0) await sink.columns(r.columns);
    for (const row of r.rows) {
      const wait = sink.row(row);
      if (wait !== undefined) await wait;
    }
    return { columns: r.columns, rows: r.rows.length, summary: r };
  }

  /** Runs statements in one round trip where the wire allows, stopping at the first the server refuses. */
  async script(statements: readonly string[]): Promise<ScriptOutcome> {
    this.running = true;
    try {
      return await this.session.script(statements);
    } finally {
      this.running = false;
    }
  }

  /** Runs a statement and returns all its rows (the console's own small queries). */
  async all(sql: string): Promise<{ columns: Column[]; rows: ClientRow[] }> {
    const r = await this.session.query(sql);
    return { columns: r.columns, rows: r.rows };
  }

  /** Asks the server to stop the running statement, from another session, as the mariadb CLI does. */
  async cancel(): Promise<void> {
    if (this.connectionId === undefined) throw new MizzleError('The server did not say its connection id: cannot KILL QUERY', 2000, 'HY000', 'usage');
    await this.client.query(`KILL QUERY ${this.connectionId}`, undefined, { timeoutMs: 5000 });
  }

  /** A new reserved session after the old one broke (the server restarted, the connection dropped). */
  async reconnect(): Promise<void> {
    await this.session.release().catch(() => undefined);
    this.session = await this.client.reserve({ timeoutMs: 30_000 });
    await this.readConnectionId();
  }

  async close(): Promise<void> {
    await this.session.release().catch(() => undefined);
    await this.client.close();
  }
}
