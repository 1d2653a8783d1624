// The MySQL transport: sessions are connections of mizzle's own client end of the MySQL protocol (src/protocol/mysql/client-end.ts).
import { SqlError } from '../../base/errors.js';
import { ClientConnection, type QueryResult as WireResult } from '../../protocol/mysql/client-end.js';
import { whenAborted } from '../call-signal.js';
import { ClientCode, MizzleError, connectionError } from '../errors.js';
import { nodeTlsOptions, type TlsOptionsFor } from '../node-tls.js';
import { tlsSettings, type SslMode } from '../tls-settings.js';
import type { StatementCall, StreamPart, Transport, TransportSession } from '../transport.js';
import { clientInteger, type QueryResult } from '../values.js';
import { clientRow, columnOf, paramValue } from './values.js';

/** Rows per part of a stream: the client end reads whole results, so a stream hands them on in slices. */
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
}

/**
 * mysql://user:password@host:port/database → the endpoint (user root and port 3306 by
 * default). TLS as MySQL's clients do it (`?ssl-mode=`, `?ssl-ca=`): `preferred` unless the
 * URL says otherwise, so a server that offers TLS gets it.
 */
export function mysqlEndpoint(url: URL): MysqlEndpoint {
  const settings = tlsSettings(url, 'preferred');
  const database = decodeURIComponent(url.pathname.replace(/^\/+/, '').replace(/\/+$/, ''));
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: url.port === '' ? 3306 : Number(url.port),
    user: url.username === '' ? 'root' : decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: database === '' ? undefined : database,
    sslMode: settings.mode,
    tls: nodeTlsOptions(settings),
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
  return { columns, rows: r.rows.map((row) => clientRow(row, types)), rowsAffected: 0, lastInsertId: 0, warnings: r.warnings };
}

export class MysqlSession implements TransportSession {
  private broken = false;

  constructor(private readonly conn: ClientConnection) {}

  get usable(): boolean {
    return !this.broken && !this.conn.channel.socket.destroyed;
  }

  /** Text statements through COM_QUERY; with parameters (or for execute) through COM_STMT_PREPARE / EXECUTE / CLOSE. */
  private async send(call: StatementCall): Promise<WireResult> {
    if (!call.prepared && call.params === undefined) return (await this.conn.query(call.sql))[0];
    const ps = await this.conn.prepare(call.sql);
    try {
      return (await this.conn.execute(ps.id, (call.params ?? []).map(paramValue)))[0];
    } finally {
      this.conn.closeStatement(ps.id);
    }
  }

  async run(call: StatementCall, signal?: AbortSignal): Promise<QueryResult> {
    const aborted = whenAborted(signal);
    try {
      return resultOf(await Promise.race([this.send(call), aborted.promise]));
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

  async *stream(call: StatementCall, signal?: AbortSignal): AsyncGenerator<StreamPart> {
    const r = await this.run(call, signal);
    if (r.columns.length > 0) yield { kind: 'columns', columns: r.columns };
    for (let i = 0; i < r.rows.length; i += STREAM_CHUNK_ROWS) yield { kind: 'rows', rows: r.rows.slice(i, i + STREAM_CHUNK_ROWS) };
    yield { kind: 'end', rowsAffected: r.rowsAffected, lastInsertId: r.lastInsertId, warnings: r.warnings };
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
    const connecting = ClientConnection.connect({ host: e.host, port: e.port, user: e.user, password: e.password, database: e.database ?? null, tls, tlsRequired: e.sslMode !== 'preferred' });
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
