// The native transport (mizzle://): sessions are connections of the native protocol's client end, which follow REDIRECTs to where the server says.
import { urlHost } from '../../base/host-port.js';
import { SqlError } from '../../base/errors.js';
import { NativeClientConnection, NativeConnectionError, type NativeReply } from '../../protocol/native/client-end.js';
import type { NativeCell, NativeParam } from '../../protocol/native/cells.js';
import { Flag } from '../../protocol/native/constants.js';
import type { NativeColumn, RedirectReply } from '../../protocol/native/messages.js';
import { NativeProtocolError } from '../../protocol/native/wire-reader.js';
import { whenAborted } from '../call-signal.js';
import { ClientCode, MizzleError, connectionError, protocolError, usageError } from '../errors.js';
import { nodeTlsOptions, type TlsOptionsFor } from '../node-tls.js';
import { tlsSettings, type SslMode } from '../tls-settings.js';
import type { StatementCall, StreamPart, Transport, TransportSession } from '../transport.js';
import { clientInteger, type ClientParam, type Column, type QueryResult } from '../values.js';

/** REDIRECTs one call follows at most, unless the URL says otherwise (`?maxRedirects=`). */
export const DEFAULT_REDIRECTS_MAX = 5;
/**
 * One-statement calls a connection carries at once unless the URL says otherwise (`?pipeline=N`,
 * 1 for one call per connection): several callers' requests then leave in one write and their
 * answers come back in one read, the server running them in order on its session. 4, measured on an
 * idle 2-core machine with 8 callers (bench/results/2026-12-06-protocols-9.md): 2 and 4 beat one call
 * per connection by ~25%, while 8 (all callers on one connection, one line of work on the server) lost.
 */
export const DEFAULT_PIPELINE_DEPTH = 4;
/** Rows a stream holds for a slow consumer before it stops reading the socket (the server then waits). */
const STREAM_ROWS_HELD_MAX = 4096;

export interface NativeEndpoint {
  host: string;
  port: number;
  user: string;
  password: string;
  database?: string;
  redirectsMax: number;
  /** See DEFAULT_PIPELINE_DEPTH. */
  pipelineDepth: number;
  /** The URL's ssl-mode, and the TLS options it makes for a host (null: clear). */
  sslMode: SslMode;
  tls: TlsOptionsFor | null;
}

/**
 * mizzle://user:password@host:port/database?maxRedirects=N → the endpoint (user root and
 * port 4406 by default). `mizzle://` is ssl-mode preferred unless the URL says otherwise
 * (`?ssl-mode=`, `?ssl-ca=`); `mizzles://` is TLS with the certificate checked (verify-identity).
 */
export function nativeEndpoint(url: URL): NativeEndpoint {
  const secure = url.protocol === 'mizzles:';
  const settings = tlsSettings(url, secure ? 'verify-identity' : 'preferred');
  if (secure && (settings.mode === 'disabled' || settings.mode === 'preferred')) throw usageError(`mizzles:// is always TLS: ssl-mode=${settings.mode} needs mizzle://`);

  const database = decodeURIComponent(url.pathname.replace(/^\/+/, '').replace(/\/+$/, ''));
  const hops = url.searchParams.get('maxRedirects');
  const redirectsMax = hops === null ? DEFAULT_REDIRECTS_MAX : Number(hops);
  if (!Number.isInteger(redirectsMax) || redirectsMax < 0 || redirectsMax > 100) throw new MizzleError(`maxRedirects in the URL must be a whole number from 0 to 100, not '${hops}'`, ClientCode.USAGE, 'HY000', 'usage');
  const depthText = url.searchParams.get('pipeline');
  const pipelineDepth = depthText === null ? DEFAULT_PIPELINE_DEPTH : Number(depthText);
  if (!Number.isInteger(pipelineDepth) || pipelineDepth < 1 || pipelineDepth > 1000) throw usageError(`pipeline in the URL must be a whole number from 1 to 1000, not '${depthText}'`);
  return {
    host: urlHost(url) || '127.0.0.1',
    port: url.port === '' ? 4406 : Number(url.port),
    user: url.username === '' ? 'root' : decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    database: database === '' ? undefined : database,
    redirectsMax,
    pipelineDepth,
    sslMode: settings.mode,
    tls: nodeTlsOptions(settings),
  };
}

/** What the client end threw, as the client library reports it. */
function clientError(e: unknown): MizzleError {
  if (e instanceof MizzleError) return e;
  if (e instanceof SqlError) return new MizzleError(e.message, e.code, e.sqlState, 'server');
  if (e instanceof NativeProtocolError) return protocolError(`The server's answer could not be read: ${e.message}`);
  return connectionError(`Native connection failed: ${e instanceof Error ? e.message : String(e)}`);
}

function columnsOf(columns: readonly NativeColumn[]): Column[] {
  return columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
}

/** Booleans as 1 or 0; every other client value is a native parameter as it is. */
function paramOf(p: ClientParam): NativeParam {
  return typeof p === 'boolean' ? (p ? 1 : 0) : p;
}

function resultOf(r: Exclude<NativeReply, { kind: 'redirect' }>): QueryResult {
  if (r.kind === 'ok') return { columns: [], rows: [], rowsAffected: Number(r.ok.rowsAffected), lastInsertId: clientInteger(r.ok.lastInsertId), warnings: r.ok.warnings };
  // Native cells already are client values (exact integers, ISO datetimes, Uint8Array bytes).
  return { columns: columnsOf(r.columns), rows: r.rows, rowsAffected: 0, lastInsertId: 0, warnings: r.warnings };
}

/**
 * A REDIRECT handed back to the caller by a transport that reports them instead of following
 * (a sharded client, which routes by its topology): nothing ran, and the session is still usable.
 */
export class RedirectedError extends MizzleError {
  constructor(readonly redirect: RedirectReply, readonly inTransaction: boolean) {
    super(`The server redirected (${redirect.reason}) to ${redirect.host}:${redirect.port}: ${redirect.message}`, ClientCode.CONNECT, 'HY000', 'connection');
    this.name = 'RedirectedError';
  }
}

/** Where sessions connect: the URL's server until a REDIRECT names another, which new sessions then use too. */
class Target {
  constructor(public host: string, public port: number) {}
  get key(): string {
    return `${this.host}:${this.port}`;
  }
}

/** A callback for one request's rows as they arrive. */
type OnRows = (columns: NativeColumn[], rows: NativeCell[][]) => void;

export class NativeSession implements TransportSession {
  private broken = false;
  private pinned = false;
  /** Calls running now: more than one when the pool shares this session (pipelining). */
  private running = 0;

  constructor(private conn: NativeClientConnection, private readonly transport: NativeTransport) {}

  get usable(): boolean {
    return !this.broken && !this.conn.closed;
  }

  /** Session state (SET, temporary tables) lives on the connection; a REDIRECT would lose it, so a pinned session does not follow one. */
  pin(): void {
    this.pinned = true;
  }

  /**
   * Sends `call`, following REDIRECTs: nothing ran where a REDIRECT came from, so the
   * statement is sent again on a new connection to the server named, at most
   * redirectsMax times and never back to a server already visited in this call.
   */
  private async send(call: StatementCall, onRows?: OnRows): Promise<Exclude<NativeReply, { kind: 'redirect' }>> {
    const params = call.params?.map(paramOf);
    const flags = (call.prepared ? Flag.PREPARED : 0) | (call.readOnly === true ? Flag.READ_ONLY : 0);
    let visited: Set<string> | undefined;
    for (let hops = 0; ; hops++) {
      const conn = this.conn;
      const r = await conn.request(call.sql, params, { flags, onRows, shardKey: call.shardKey });
      if (r.kind !== 'redirect') return r;
      if (this.transport.reportRedirects) throw new RedirectedError(r.redirect, (r.flags & Flag.IN_TRANSACTION) !== 0);
      visited ??= new Set<string>([this.transport.target.key]);
      this.follow(r.redirect, r.flags, visited, hops);
      // Another call on this session may have followed the same REDIRECT already: this one then goes where it went.
      if (this.conn !== conn) continue;
      const next = await this.transport.connect(r.redirect.host, r.redirect.port);
      if (this.broken || this.conn !== conn) {
        // The call was given up (or the session moved) while this connection was being made: nobody would use it.
        next.destroy();
        if (this.broken) throw connectionError('The call ended while following a redirect', ClientCode.LOST);
        continue;
      }
      // Calls of other callers still in flight there get their answers first.
      conn.closeWhenIdle();
      this.conn = next;
    }
  }

  /** Refuses a REDIRECT that cannot be followed; otherwise points the transport at its target. */
  private follow(to: RedirectReply, flags: number, visited: Set<string>, hops: number): void {
    const where = `${to.host}:${to.port}`;
    const why = `The server redirected (${to.reason}) to ${where}: ${to.message}`;
    if ((flags & Flag.IN_TRANSACTION) !== 0 || this.pinned) {
      this.broken = true;
      throw connectionError(`${why}; not followed, as this session's transaction or state is on the server it left`, ClientCode.LOST);
    }
    if (visited.has(where)) throw connectionError(`${why}; a redirect loop (${[...visited].join(' → ')} → ${where})`, ClientCode.CONNECT);
    if (hops >= this.transport.endpoint.redirectsMax) throw connectionError(`${why}; more than ${this.transport.endpoint.redirectsMax} redirects`, ClientCode.CONNECT);
    visited.add(where);
    this.transport.target = new Target(to.host, to.port);
  }

  async run(call: StatementCall, signal?: AbortSignal): Promise<QueryResult> {
    this.running++;
    const aborted = whenAborted(signal);
    try {
      return resultOf(await Promise.race([this.send(call), aborted.promise]));
    } catch (e) {
      if (signal?.aborted) this.abandon();
      throw clientError(e);
    } finally {
      aborted.detach();
      this.running--;
    }
  }

  /**
   * A call given up while its reply is on the way: the session takes no more calls, and its
   * connection (with the server session) is closed, at once when no other caller's call is
   * on it, otherwise when the pool closes the session after they answered.
   */
  private abandon(): void {
    this.broken = true;
    if (this.running <= 1) this.conn.destroy();
  }

  /**
   * Rows as the server sends them, frame by frame. While the caller is behind by
   * STREAM_ROWS_HELD_MAX rows the socket is not read, so the server waits instead of
   * this process buffering a result bigger than memory.
   */
  async *stream(call: StatementCall, signal?: AbortSignal): AsyncGenerator<StreamPart> {
    // A stream has its session alone (the pool lends it whole): pausing the socket holds back nobody else.
    const held: StreamPart[] = [];
    let heldRows = 0;
    let paused = false;
    let wake: (() => void) | undefined;
    let columnsSent = false;
    let outcome: { result: Exclude<NativeReply, { kind: 'redirect' }> } | { error: unknown } | undefined;
    const poke = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const onRows: OnRows = (columns, rows) => {
      if (!columnsSent) {
        columnsSent = true;
        held.push({ kind: 'columns', columns: columnsOf(columns) });
      }
      if (rows.length > 0) {
        held.push({ kind: 'rows', rows });
        heldRows += rows.length;
        if (heldRows >= STREAM_ROWS_HELD_MAX && !paused) {
          paused = true;
          this.conn.pause();
        }
      }
      poke();
    };
    const onAbort = () => {
      outcome ??= { error: signal?.reason };
      poke();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    this.send(call, onRows).then((result) => { outcome ??= { result }; poke(); }, (error: unknown) => { outcome ??= { error }; poke(); });
    let finished = false;
    try {
      for (;;) {
        while (held.length > 0 && !(outcome !== undefined && 'error' in outcome)) {
          const part = held.shift()!;
          if (part.kind === 'rows') heldRows -= part.rows.length;
          if (paused && heldRows < STREAM_ROWS_HELD_MAX / 2) {
            paused = false;
            this.conn.resume();
          }
          yield part;
        }
        if (outcome !== undefined) break;
        await new Promise<void>((r) => { wake = r; });
      }
      if ('error' in outcome) {
        if (signal?.aborted) this.abandon();
        throw clientError(outcome.error);
      }
      const r = outcome.result;
      if (r.kind === 'rows' && !columnsSent) yield { kind: 'columns', columns: columnsOf(r.columns) };
      if (r.kind === 'ok') yield { kind: 'end', rowsAffected: Number(r.ok.rowsAffected), lastInsertId: clientInteger(r.ok.lastInsertId), warnings: r.ok.warnings };
      else yield { kind: 'end', rowsAffected: 0, lastInsertId: 0, warnings: r.warnings };
      finished = true;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (paused) this.conn.resume();
      // A caller that stopped early leaves the rest of the result on the way: the connection cannot be reused.
      if (!finished && outcome === undefined) this.abandon();
    }
  }

  async close(): Promise<void> {
    this.broken = true;
    this.conn.destroy();
  }
}

export class NativeTransport implements Transport {
  readonly defaultPoolSize = 4;
  readonly pipelineDepth: number;
  /** Where new sessions connect; moved by the REDIRECTs sessions follow. */
  target: Target;

  /** `reportRedirects`: a REDIRECT rejects the call with RedirectedError and the target never moves (the caller routes). */
  constructor(readonly endpoint: NativeEndpoint, readonly reportRedirects = false) {
    this.target = new Target(endpoint.host, endpoint.port);
    this.pipelineDepth = endpoint.pipelineDepth;
  }

  /**
   * A connection with this endpoint's credentials and database to host:port, TLS as the
   * ssl-mode says; `preferred` tries TLS and, when the server does not speak it (or the
   * handshake fails), connects again in clear.
   */
  async connect(host: string, port: number, signal?: AbortSignal): Promise<NativeClientConnection> {
    const e = this.endpoint;
    const options = { host, port, user: e.user, password: e.password, database: e.database ?? null, clientName: 'mizzle-client' };
    const tls = e.tls?.(host);
    const connecting = NativeClientConnection.connect({ ...options, tls }).catch((err: unknown) => {
      if (tls === undefined || e.sslMode !== 'preferred' || !(err instanceof NativeConnectionError) || signal?.aborted) throw err;
      return NativeClientConnection.connect(options);
    });
    const aborted = whenAborted(signal);
    try {
      return await Promise.race([connecting, aborted.promise]);
    } catch (err) {
      // A connection that completes after the caller gave up is closed at once.
      void connecting.then((c) => c.destroy(), () => undefined);
      if (err instanceof MizzleError) throw err;
      if (err instanceof SqlError) throw clientError(err);
      if (err instanceof NativeConnectionError || !(err instanceof NativeProtocolError)) {
        throw connectionError(`Cannot connect to mizzle://${host}:${port}: ${err instanceof Error ? err.message : String(err)}`, ClientCode.CONNECT);
      }
      throw clientError(err);
    } finally {
      aborted.detach();
    }
  }

  async open(signal?: AbortSignal): Promise<TransportSession> {
    return new NativeSession(await this.connect(this.target.host, this.target.port, signal), this);
  }
}
