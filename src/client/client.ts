// The client library's API over any Transport: query, execute, stream, transaction and close, with a pool, time limits and cancellation.
import { callSignal, type CallOptions } from './call-signal.js';
import { MizzleError, usageError } from './errors.js';
import { SessionPool } from './pool.js';
import type { ScriptOutcome, StatementCall, StreamPart, Transport, TransportSession } from './transport.js';
import type { ClientParam, ClientRow, Column, QueryResult } from './values.js';

/** Rows of a streamed result as they arrive; `columns` is known once the first row (or the end) was read. */
export interface RowStream extends AsyncIterable<ClientRow> {
  readonly columns: Column[] | undefined;
  /** What the statement's end reported (rows affected, warnings); known once the stream was read to its end. */
  readonly summary: StreamSummary | undefined;
}

/** The end of a streamed statement: what a QueryResult says besides its columns and rows. */
export type StreamSummary = Pick<QueryResult, 'rowsAffected' | 'lastInsertId' | 'warnings'>;

/** What both a client and a transaction offer. */
export interface Queryable {
  /** One statement; `params` bind its `?` placeholders (never spliced into the text). */
  query(sql: string, params?: readonly ClientParam[], o?: CallOptions): Promise<QueryResult>;
  /** One statement through server-side prepared statements. */
  execute(sql: string, params?: readonly ClientParam[], o?: CallOptions): Promise<QueryResult>;
  /** One statement's rows as an async iterator. */
  stream(sql: string, params?: readonly ClientParam[], o?: CallOptions): RowStream;
}

/** Runs a call on a session under the call's signal. */
export async function runOn(s: TransportSession, call: StatementCall, o: CallOptions, defaultTimeoutMs: number): Promise<QueryResult> {
  const sig = callSignal(o, defaultTimeoutMs);
  try {
    return await s.run(call, sig.signal);
  } finally {
    sig.done();
  }
}

/** A RowStream over the parts `parts()` produces (called once per iteration): rows out, columns and summary kept. */
export function rowStreamOf(parts: () => AsyncIterable<StreamPart>): RowStream {
  const state: { columns: Column[] | undefined; summary: StreamSummary | undefined } = { columns: undefined, summary: undefined };
  async function* rows(): AsyncGenerator<ClientRow> {
    for await (const part of parts()) {
      if (part.kind === 'columns') state.columns = part.columns;
      else if (part.kind === 'rows') yield* part.rows;
      else state.summary = { rowsAffected: part.rowsAffected, lastInsertId: part.lastInsertId, warnings: part.warnings };
    }
  }
  return {
    get columns() {
      return state.columns;
    },
    get summary() {
      return state.summary;
    },
    [Symbol.asyncIterator]: () => rows(),
  };
}

/** A stream over a session lent by `borrow`, given back by `giveBack` when the stream ends or the caller stops. */
function rowStream(borrow: () => Promise<TransportSession>, giveBack: (s: TransportSession) => void, call: StatementCall, o: CallOptions, defaultTimeoutMs: number): RowStream {
  return rowStreamOf(async function* () {
    const s = await borrow();
    const sig = callSignal(o, defaultTimeoutMs);
    try {
      yield* s.stream(call, sig.signal);
    } finally {
      sig.done();
      giveBack(s);
    }
  });
}

/** Statements all on one session (a transaction's, or a reserved one); unusable once it ended. */
export class Transaction implements Queryable {
  private ended = false;

  constructor(private readonly session: TransportSession, private readonly defaultTimeoutMs: number) {}

  private live(): TransportSession {
    if (this.ended) throw usageError('The transaction has ended');
    return this.session;
  }

  query(sql: string, params?: readonly ClientParam[], o: CallOptions = {}): Promise<QueryResult> {
    return runOn(this.live(), { sql, params, prepared: false }, o, this.defaultTimeoutMs);
  }

  execute(sql: string, params: readonly ClientParam[] = [], o: CallOptions = {}): Promise<QueryResult> {
    return runOn(this.live(), { sql, params, prepared: true }, o, this.defaultTimeoutMs);
  }

  stream(sql: string, params?: readonly ClientParam[], o: CallOptions = {}): RowStream {
    return rowStream(async () => this.live(), () => undefined, { sql, params, prepared: false }, o, this.defaultTimeoutMs);
  }

  /**
   * Text statements in order, stopping at the first the server refuses (its error is in the
   * outcome; the ones after it do not run). One round trip where the wire allows; `o` covers the whole script.
   */
  async script(statements: readonly string[], o: CallOptions = {}): Promise<ScriptOutcome> {
    const s = this.live();
    const sig = callSignal(o, this.defaultTimeoutMs);
    try {
      if (s.runScript !== undefined) return await s.runScript(statements, sig.signal);
      const results: QueryResult[] = [];
      for (const sql of statements) {
        try {
          results.push(await s.run({ sql, prepared: false }, sig.signal));
        } catch (e) {
          if (e instanceof MizzleError && e.kind === 'server') return { results, error: e };
          throw e;
        }
      }
      return { results };
    } finally {
      sig.done();
    }
  }

  /** Ends the transaction for the client: later calls on it fail. */
  end(): void {
    this.ended = true;
  }
}

/** A session reserved for the caller: its state (variables, SET, temporary tables, USE) lasts until release(). */
export interface ReservedSession extends Queryable {
  /** See Transaction.script: statements in order, stopping at the first refused, in one round trip where the wire allows. */
  script(statements: readonly string[], o?: CallOptions): Promise<ScriptOutcome>;
  /** Ends the session (an open transaction is rolled back); later calls on it fail. */
  release(): Promise<void>;
}

/** A connected client: a pool of sessions on one server over one transport. */
export class Client implements Queryable {
  private readonly pool: SessionPool;

  constructor(transport: Transport, private readonly o: { poolSize: number; timeoutMs: number }) {
    this.pool = new SessionPool(transport, o.poolSize, o.timeoutMs);
  }

  private async withSession<T>(o: CallOptions, work: (s: TransportSession) => Promise<T>, shared = false): Promise<T> {
    const s = await (shared ? this.pool.share(o) : this.pool.acquire(o));
    try {
      return await work(s);
    } finally {
      this.pool.release(s);
    }
  }

  query(sql: string, params?: readonly ClientParam[], o: CallOptions = {}): Promise<QueryResult> {
    return this.withSession(o, (s) => runOn(s, { sql, params, prepared: false }, o, this.o.timeoutMs), true);
  }

  execute(sql: string, params: readonly ClientParam[] = [], o: CallOptions = {}): Promise<QueryResult> {
    return this.withSession(o, (s) => runOn(s, { sql, params, prepared: true }, o, this.o.timeoutMs), true);
  }

  stream(sql: string, params?: readonly ClientParam[], o: CallOptions = {}): RowStream {
    return rowStream(() => this.pool.acquire(o), (s) => this.pool.release(s), { sql, params, prepared: false }, o, this.o.timeoutMs);
  }

  /**
   * Runs `work` in a transaction on one session: committed when it resolves, rolled
   * back when it throws (the error is rethrown). Each statement has the usual time
   * limit; `o` applies to BEGIN, COMMIT and ROLLBACK.
   */
  transaction<T>(work: (tx: Transaction) => Promise<T>, o: CallOptions = {}): Promise<T> {
    return this.withSession(o, async (s) => {
      await runOn(s, { sql: 'BEGIN', prepared: false }, o, this.o.timeoutMs);
      const tx = new Transaction(s, this.o.timeoutMs);
      let value: T;
      try {
        value = await work(tx);
      } catch (e) {
        tx.end();
        // A session that cannot roll back is broken: it is not given back to the pool.
        if (s.usable) await runOn(s, { sql: 'ROLLBACK', prepared: false }, o, this.o.timeoutMs).catch(() => s.close());
        throw e;
      }
      tx.end();
      await runOn(s, { sql: 'COMMIT', prepared: false }, o, this.o.timeoutMs);
      return value;
    });
  }

  /**
   * One session for the caller alone, for work that keeps session state between
   * statements outside a transaction. Released, it is closed, not given to the pool.
   */
  async reserve(o: CallOptions = {}): Promise<ReservedSession> {
    const s = await this.pool.acquire(o);
    s.pin?.();
    const bound = new Transaction(s, this.o.timeoutMs);
    return {
      query: (sql, params, co) => bound.query(sql, params, co),
      execute: (sql, params, co) => bound.execute(sql, params, co),
      stream: (sql, params, co) => bound.stream(sql, params, co),
      script: (statements, co) => bound.script(statements, co),
      release: async () => {
        bound.end();
        this.pool.retire(s);
      },
    };
  }

  /** Closes the pool's sessions; calls after it fail. */
  close(): Promise<void> {
    return this.pool.close();
  }
}
