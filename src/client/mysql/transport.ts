// The MySQL transport: sessions are connections of mizzle's own client end of the MySQL protocol (src/protocol/mysql/client-end.ts).
import { urlHost } from '../../base/host-port.js';
import { SqlError } from '../../base/errors.js';
import { LruMap } from '../../base/lru-map.js';
import { ClientConnection, type QueryResult as WireResult, type RowReceiver, type Sha2RsaChoice } from '../../protocol/mysql/client-end.js';
import { whenAborted } from '../call-signal.js';
import { ClientCode, MizzleError, connectionError } from '../errors.js';
import { SetOption } from '../../protocol/mysql/command-packets.js';
import { nodeTlsOptions, type TlsOptionsFor } from '../node-tls.js';
import { StreamPartQueue } from '../stream-parts.js';
import { tlsSettings, type SslMode } from '../tls-settings.js';
import type { ScriptOutcome, StatementCall, StreamPart, Transport, TransportSession } from '../transport.js';
import { clientInteger, type ColumnTypeName, type QueryResult } from '../values.js';
import { clientRows, columnOf, paramValue } from './values.js';
import { sha2RsaChoice } from './rsa-settings.js';

/** Rows per part when a prepared statement's result, read whole, is handed on as a stream. */
const STREAM_CHUNK_ROWS = 256;

export interface MysqlEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
  /** The URL's ssl-mode, and the TLS options it makes for a host (null: clear). */
  sslMode: SslMode;
  tls: TlsOptionsFor | null;
  /** caching_sha2_password on a clear connection: `?server-public-key-path=`, `?get-server-public-key=true`. */
  rsa: Sha2RsaChoice;
}

/**
 * mysql://user:password@host:port/database → the endpoint (user root and port 3306 by
 * default). TLS as MySQL's clients do it (`?ssl-mode=`, `?ssl-ca=`): `preferred` unless the
 * URL says otherwise, so a server that offers TLS gets it. On a clear connection a
 * caching_sha2_password full authentication needs `?server-public-key-path=PEM` or
 * `?get-server-public-key=true`, as MySQL's client does.
 */
export function mysqlEndpoint(url: URL): MysqlEndpoint {
  const settings = tlsSettings(url, 'preferred');
  const database = decodeURIComponent(url.pathname.replace(/^\/+/, '').replace(/\/+$/, ''));
  return {
    host: urlHost(url) || '127.0.0.1',
    port: url.port === '' ? 3306 : Number(url.port),
    user: url.username === '' ? 'root' : decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: database === '' ? undefined : database,
    sslMode: settings.mode,
    tls: nodeTlsOptions(settings),
    rsa: sha2RsaChoice(url),
  };
}

/** What the client end threw, as the client library reports it. */
function clientError(e: unknown): MizzleError {
  if (e instanceof MizzleError) return e;
  if (e instanceof SqlError) return new MizzleError(e.message, e.code, e.sqlState, 'server');
  return connectionError(`MySQL connection failed: ${e instanceof Error ? e.message : String(e)}`);
}

function resultOf(r: WireResult): QueryResult {
  if (r.kind === 'ok') return { columns: [], rows: [], rowsAffected: Number(r.affectedRows), lastInsertId: clientInteger(r.insertId), warnings: r.warnings };
  const columns = r.columns.map(columnOf);
  const types = columns.map((c) => c.type);
  return { columns, rows: clientRows(r.rows, types), rowsAffected: 0, lastInsertId: 0, warnings: r.warnings };
}

/**
 * Prepared statements a session keeps, by text, as mysql2 does for execute(): a statement run
 * again costs one round trip (EXECUTE), not PREPARE + EXECUTE + CLOSE.
 */
const STATEMENT_CACHE = 64;
const USE_DATABASE = /^\s*use\s/i;

export class MysqlSession implements TransportSession {
  private broken = false;
  private readonly statements = new LruMap<string, number>(STATEMENT_CACHE);

  constructor(private readonly conn: ClientConnection) {}

  get usable(): boolean {
    return !this.broken && !this.conn.channel.socket.destroyed;
  }

  /** Text statements through COM_QUERY; with parameters (or for execute) through a prepared statement, kept for the next call. */
  private async send(call: StatementCall): Promise<WireResult> {
    if (!call.prepared && call.params === undefined) {
      // Statements prepared before a USE would still name the old database's tables.
      if (USE_DATABASE.test(call.sql)) this.forgetStatements();
      return (await this.conn.query(call.sql))[0];
    }
    const params = (call.params ?? []).map(paramValue);
    try {
      return (await this.conn.execute(await this.statementId(call.sql), params))[0];
    } catch (e) {
      // The server dropped or invalidated it (1243 unknown handler, 1615 needs re-prepare): prepare once more.
      if (!(e instanceof SqlError) || (e.code !== 1243 && e.code !== 1615) || !this.statements.has(call.sql)) throw e;
      this.forget(call.sql);
      return (await this.conn.execute(await this.statementId(call.sql), params))[0];
    }
  }

  /** The server's id for `sql`, prepared now or kept from an earlier call. */
  private async statementId(sql: string): Promise<number> {
    const kept = this.statements.get(sql);
    if (kept !== undefined) return kept;
    const ps = await this.conn.prepare(sql);
    const evicted = this.statements.set(sql, ps.id);
    if (evicted !== undefined) this.conn.closeStatement(evicted[1]);
    return ps.id;
  }

  private forget(sql: string): void {
    const id = this.statements.take(sql);
    if (id !== undefined) this.conn.closeStatement(id);
  }

  private forgetStatements(): void {
    for (const id of this.statements.clear()) this.conn.closeStatement(id);
  }

  async run(call: StatementCall, signal?: AbortSignal): Promise<QueryResult> {
    return resultOf(await this.guarded(this.send(call), signal));
  }

  /** Awaits `reply` unless `signal` fires first; errors as the client library reports them. */
  private async guarded<T>(reply: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    const aborted = whenAborted(signal);
    try {
      return await Promise.race([reply, aborted.promise]);
    } catch (e) {
      if (signal?.aborted) {
        // The reply is still on its way: the connection's place in the stream of replies is lost.
        this.broken = true;
        this.conn.destroy();
      }
      throw clientError(e);
    } finally {
      aborted.detach();
    }
  }

  /**
   * Every statement in one COM_QUERY, with multi-statements on for it alone: COM_SET_OPTION on,
   * the query and COM_SET_OPTION off leave together, so the script costs one round trip.
   * Joined by a semicolon on a line of its own, so a statement ending in a -- comment stays whole.
   */
  async runScript(statements: readonly string[], signal?: AbortSignal): Promise<ScriptOutcome> {
    const sent = Promise.all([
      this.conn.setOption(SetOption.MULTI_STATEMENTS_ON),
      this.conn.queryScript(statements.join('\n;\n')),
      this.conn.setOption(SetOption.MULTI_STATEMENTS_OFF),
    ]);
    const [, outcome] = await this.guarded(sent, signal);
    return { results: outcome.results.map(resultOf), ...(outcome.error ? { error: clientError(outcome.error) } : {}) };
  }

  /**
   * A text statement's rows as they are read off the socket, a few batches ahead of the reader
   * at most (the socket stops reading meanwhile). A reader that stops early leaves the rest to be
   * read and dropped, as the connection must reach the end of the reply. Prepared statements
   * (parameters, execute) are read whole and handed on in slices.
   */
  async *stream(call: StatementCall, signal?: AbortSignal): AsyncGenerator<StreamPart> {
    if (!call.prepared && call.params === undefined) {
      yield* this.streamText(call.sql, signal);
      return;
    }
    const r = await this.run(call, signal);
    if (r.columns.length > 0) yield { kind: 'columns', columns: r.columns };
    for (let i = 0; i < r.rows.length; i += STREAM_CHUNK_ROWS) yield { kind: 'rows', rows: r.rows.slice(i, i + STREAM_CHUNK_ROWS) };
    yield { kind: 'end', rowsAffected: r.rowsAffected, lastInsertId: r.lastInsertId, warnings: r.warnings };
  }

  private async *streamText(sql: string, signal: AbortSignal | undefined): AsyncGenerator<StreamPart> {
    const queue = new StreamPartQueue(clientError);
    let types: ColumnTypeName[] = [];
    const receiver: RowReceiver = {
      columns: (definitions) => {
        const columns = definitions.map(columnOf);
        types = columns.map((c) => c.type);
        queue.push({ kind: 'columns', columns });
      },
      rows: (batch) => {
        // A reader that stopped early: the rest of the reply is read and dropped, not converted.
        if (queue.ended) return undefined;
        queue.push({ kind: 'rows', rows: clientRows(batch, types) });
        return queue.backlog() ?? undefined;
      },
    };
    const running = this.guarded(this.conn.queryStream(sql, receiver), signal).then(
      (end) => {
        const ok = end.kind === 'ok';
        queue.push({ kind: 'end', rowsAffected: ok ? Number(end.affectedRows) : 0, lastInsertId: ok ? clientInteger(end.insertId) : 0, warnings: end.warnings });
        queue.end();
      },
      (e: unknown) => queue.end(e),
    );
    try {
      yield* queue.read();
    } finally {
      queue.end();
      await running;
    }
  }

  async close(): Promise<void> {
    this.broken = true;
    if (this.conn.channel.socket.destroyed) return;
    await Promise.race([this.conn.quit(), new Promise((r) => setTimeout(r, 1000).unref())]);
    this.conn.destroy();
  }
}

export class MysqlTransport implements Transport {
  readonly defaultPoolSize = 4;

  constructor(private readonly endpoint: MysqlEndpoint) {}

  async open(signal?: AbortSignal): Promise<TransportSession> {
    const e = this.endpoint;
    const tls = e.tls?.(e.host);
    const connecting = ClientConnection.connect({ host: e.host, port: e.port, user: e.user, password: e.password, database: e.database ?? null, tls, tlsRequired: e.sslMode !== 'preferred', rsa: e.rsa });
    const aborted = whenAborted(signal);
    try {
      return new MysqlSession(await Promise.race([connecting, aborted.promise]));
    } catch (err) {
      // A connection that completes after the caller gave up is closed at once.
      void connecting.then((c) => c.destroy(), () => undefined);
      if (err instanceof MizzleError) throw err;
      if (err instanceof SqlError) throw clientError(err);
      throw connectionError(`Cannot connect to mysql://${e.host}:${e.port}: ${err instanceof Error ? err.message : String(err)}`, ClientCode.CONNECT);
    } finally {
      aborted.detach();
    }
  }
}
