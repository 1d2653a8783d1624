// The HTTP transport: statements as POST /v1/query over the global fetch, an interactive transaction carried by its session token.
import { NDJSON_TYPE, QUERY_PATH, type ErrorJson, type NdjsonLine, type QueryRequestJson, type ResultJson } from '../../protocol/http/messages.js';
import { isCallEnd } from '../call-signal.js';
import { ClientCode, MizzleError, connectionError, protocolError, usageError } from '../errors.js';
import { tlsSettings, type TlsSettings } from '../tls-settings.js';
import type { StatementCall, StreamPart, Transport, TransportSession } from '../transport.js';
import { clientInteger, type Column, type QueryResult } from '../values.js';
import { columnsOf, paramJson, resultOf, rowsOf, toBase64 } from './cells.js';
import { ndjsonLines } from './ndjson-lines.js';

/** Where and as whom requests go, from an http(s):// URL. */
export interface HttpEndpoint {
  /** The /v1/query URL. */
  queryUrl: string;
  /** The Authorization header, when the URL had a user. */
  authorization?: string;
  database?: string;
  /** https:// only: what the certificate is checked against (`?ssl-ca=`, `?ssl-mode=`); fetch's own checks are verify-identity with the system's CAs. */
  tls?: TlsSettings;
}

/** The fetch the transport calls: the global one, or one with its own TLS settings (see index.ts). */
export type FetchFunction = (url: string, init: RequestInit) => Promise<Response>;

/** Whether the endpoint's TLS settings are other than what a plain fetch does (verify-identity, the system's CAs). */
export function needsOwnTls(e: HttpEndpoint): boolean {
  return e.tls !== undefined && (e.tls.mode !== 'verify-identity' || e.tls.caFile !== undefined);
}

/**
 * http(s)://user:password@host:port/prefix?database=db → the endpoint; the credentials
 * never go into a fetched URL. https:// checks the certificate and the host name
 * (verify-identity) unless `?ssl-mode=verify-ca|required` says less; `?ssl-ca=FILE` trusts that CA.
 */
export function httpEndpoint(url: URL): HttpEndpoint {
  let tls: TlsSettings | undefined;
  if (url.protocol === 'https:') {
    tls = tlsSettings(url, 'verify-identity');
    if (tls.mode === 'disabled' || tls.mode === 'preferred') throw usageError(`https:// is always TLS: for ssl-mode=${tls.mode} use http://`);
  } else if (url.searchParams.has('ssl-mode') || url.searchParams.has('ssl-ca')) {
    throw usageError('ssl-mode and ssl-ca are for https:// URLs; http:// is clear');
  }
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const base = `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
  const database = url.searchParams.get('database') ?? undefined;
  const authorization = user === '' ? undefined : `Basic ${toBase64(new TextEncoder().encode(`${user}:${password}`))}`;
  return { queryUrl: base + QUERY_PATH, authorization, database, ...(tls === undefined ? {} : { tls }) };
}

function isErrorJson(v: unknown): v is ErrorJson & { session?: string } {
  return typeof v === 'object' && v !== null && 'error' in v;
}

function serverError(json: ErrorJson, status: number): MizzleError {
  const e = json.error;
  return new MizzleError(String(e.message), Number(e.code), String(e.sqlstate), 'server', status);
}

/**
 * One session. Outside a transaction every request stands alone; a request that
 * leaves a transaction open (BEGIN) is answered with a token, which later requests
 * carry until the transaction ends and the server stops answering with it.
 */
export class HttpSession implements TransportSession {
  private token: string | undefined;
  private broken = false;
  private pinned = false;

  constructor(private readonly endpoint: HttpEndpoint, private readonly fetch: FetchFunction) {}

  get usable(): boolean {
    return !this.broken;
  }

  /** Every request asks the server to keep the session (and answers carry its token) until close(). */
  pin(): void {
    this.pinned = true;
  }

  private async post(call: StatementCall, signal: AbortSignal | undefined, ndjson: boolean): Promise<Response> {
    const body: QueryRequestJson = { sql: call.sql };
    if (call.params !== undefined || call.prepared) body.params = (call.params ?? []).map(paramJson);
    if (this.token !== undefined) body.session = this.token;
    else if (this.endpoint.database !== undefined) body.database = this.endpoint.database;
    if (this.pinned) body.keep = true;
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: ndjson ? NDJSON_TYPE : 'application/json' };
    if (this.endpoint.authorization !== undefined) headers.Authorization = this.endpoint.authorization;
    try {
      // fetch never takes its abort listener off the signal it is given, and a call's signal serves
      // call after call (call-signal.ts): it gets a signal of its own that follows the call's.
      const own = signal === undefined ? undefined : AbortSignal.any([signal]);
      return await this.fetch(this.endpoint.queryUrl, { method: 'POST', headers, body: JSON.stringify(body), signal: own });
    } catch (e) {
      throw this.failed(e, signal);
    }
  }

  /** What a failed fetch or read becomes: the call's end when its signal fired, else a broken connection. */
  private failed(e: unknown, signal: AbortSignal | undefined): MizzleError {
    // An aborted call leaves the server's state unknown (did the COMMIT arrive?): the session is not reused.
    this.broken = true;
    if (signal?.aborted && isCallEnd(signal.reason)) return signal.reason;
    if (e instanceof MizzleError) return e;
    // fetch says only "fetch failed"; the cause says why (a refused connection, a certificate not trusted).
    const why = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
    return connectionError(`HTTP request to ${this.endpoint.queryUrl} failed: ${why}`, ClientCode.CONNECT);
  }

  private async json(res: Response, signal: AbortSignal | undefined): Promise<unknown> {
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw this.failed(e, signal);
    }
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw protocolError(`The server answered ${res.status} with a body that is not JSON: ${text.slice(0, 80)}`, res.status);
    }
  }

  /** The session token an answer carries; an answer without one ended the transaction. */
  private follow(json: { session?: string }): void {
    this.token = typeof json.session === 'string' ? json.session : undefined;
  }

  async run(call: StatementCall, signal?: AbortSignal): Promise<QueryResult> {
    const res = await this.post(call, signal, false);
    const json = await this.json(res, signal);
    if (isErrorJson(json)) {
      this.follow(json);
      throw serverError(json, res.status);
    }
    if (!res.ok) throw protocolError(`The server answered ${res.status} without an error`, res.status);
    const result = json as ResultJson;
    this.follow(result);
    return resultOf(result);
  }

  async *stream(call: StatementCall, signal?: AbortSignal): AsyncGenerator<StreamPart> {
    const res = await this.post(call, signal, true);
    const type = res.headers.get('content-type') ?? '';
    if (!type.startsWith(NDJSON_TYPE) || res.body === null) {
      const json = await this.json(res, signal);
      if (isErrorJson(json)) {
        this.follow(json);
        throw serverError(json, res.status);
      }
      throw protocolError(`The server answered ${res.status} ${type} instead of NDJSON`, res.status);
    }
    let columns: Column[] = [];
    let ended = false;
    try {
      for await (const v of ndjsonLines(res.body)) {
        const line = v as NdjsonLine;
        if (isErrorJson(line)) throw serverError(line, res.status);
        if ('columns' in line) {
          columns = columnsOf(line.columns);
          yield { kind: 'columns', columns };
        } else if ('rows' in line) {
          yield { kind: 'rows', rows: rowsOf(line.rows, columns) };
        } else if ('done' in line) {
          ended = true;
          this.follow(line);
          yield { kind: 'end', rowsAffected: Number(line.rowsAffected), lastInsertId: clientInteger(line.lastInsertId), warnings: Number(line.warnings) };
        }
      }
    } catch (e) {
      if (e instanceof MizzleError && e.kind === 'server') throw e;
      throw this.failed(e, signal);
    }
    if (!ended) {
      // The answer stopped early: the caller stopped reading, or the connection broke.
      this.broken = true;
    }
  }

  async close(): Promise<void> {
    this.broken = true;
    const token = this.token;
    this.token = undefined;
    if (token === undefined) return;
    // A transaction left open, or a kept session: roll back and end it rather than leave it to the server's idle timeout.
    const body: QueryRequestJson = { sql: 'ROLLBACK', session: token, keep: false };
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (this.endpoint.authorization !== undefined) headers.Authorization = this.endpoint.authorization;
    await this.fetch(this.endpoint.queryUrl, { method: 'POST', headers, body: JSON.stringify(body) }).then((r) => r.text(), () => undefined);
  }
}

export class HttpTransport implements Transport {
  /** HTTP sessions are cheap (no socket of their own): the pool may keep many. */
  readonly defaultPoolSize = 16;

  /** `fetch`: the platform's unless given (Node's https with the URL's TLS settings, from index.ts). */
  constructor(private readonly endpoint: HttpEndpoint, private readonly fetch: FetchFunction = (url, init) => globalThis.fetch(url, init)) {}

  async open(): Promise<TransportSession> {
    return new HttpSession(this.endpoint, this.fetch);
  }
}
