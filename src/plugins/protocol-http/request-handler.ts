// One HTTP request from arrival to answer: route, limits, authentication, body, statements on a kernel session, answer.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SqlError, sqlError } from '../../base/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { KernelApi, KernelSession, SharedGauge } from '../../kernel/plugin.js';
import { BATCH_PATH, NDJSON_TYPE, QUERY_PATH } from '../../protocol/http/messages.js';
import { parseBatchRequest, parseJsonBody, parseQueryRequest, type BatchRequest, type QueryRequest, type SessionChoice } from '../../protocol/http/request-parsing.js';
import { clientHost, isLoopbackAddress } from '../shared/address.js';
import { clearTransportRefusal, tlsSessionInfo, transportOf, type TlsPolicy } from '../shared/tls-transport.js';
import type { HttpCounters } from './counters.js';
import { HttpFailure, isAnswerable, statusOf } from './http-failure.js';
import { readBody } from './read-body.js';
import { authenticateRequest, type RequestPeer } from './request-auth.js';
import { NdjsonRowStream, resultJson, sendError, sendJson, type AnswerStream } from './responses.js';
import { SessionRelay, type ParsedRequest, type RelayedRequest } from './session-relay.js';
import { holderOf, type SessionTokens } from './session-tokens.js';
import { BatchFailure, runBatch, runStatement, type RanStatement } from './statement-runner.js';

export const STATUS_PATH = '/v1/status';

export interface HttpLimits {
  maxBodyBytes: number;
  maxRows: number;
  maxBatchStatements: number;
  maxRequests: number;
  statementTimeoutMs: number;
  authTimeoutMs: number;
  /** The port's TLS policy: `required` refuses clear requests (3159), as require_secure_transport does. */
  tls: TlsPolicy;
}

/** What one statement (or batch) produced, and the token to continue with when its session stays open. */
interface Outcome<T> {
  value: T;
  token?: string;
}

export class RequestHandler {
  private running = 0;
  private draining = false;
  /** Hands requests for sessions of other worker threads to them; set once the server listens. */
  relay: SessionRelay | undefined;
  /** Requests running on every worker thread together: max_requests holds for the server. */
  private readonly runningOnServer: SharedGauge;

  constructor(
    private readonly kernel: KernelApi,
    private readonly log: Logger,
    private readonly limits: HttpLimits,
    private readonly tokens: SessionTokens,
    readonly counters: HttpCounters,
  ) {
    this.runningOnServer = kernel.gauge('protocol-http:requests');
  }

  get inFlight(): number {
    return this.running;
  }

  /** From now on every request is answered 503: the server is going away. */
  drain(): void {
    this.draining = true;
  }

  /** Answers one request. Nothing a client sends can make this throw: failures are answers, bugs are 500s. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    let received = 0;
    let sent = 0;
    let bodyRead = false;
    let token: string | undefined;
    // Counted first and checked after, so two threads cannot both take the last place.
    const counted = this.runningOnServer.add(1) <= this.limits.maxRequests;
    if (counted) this.running++;
    else this.runningOnServer.add(-1);
    try {
      const path = (req.url ?? '/').split('?')[0];
      if (this.draining || !this.kernel.accepting()) throw new HttpFailure(503, sqlError('SERVER_SHUTDOWN', 'Server shutdown in progress'));
      const route = this.route(req.method ?? 'GET', path);
      if (!counted) throw new HttpFailure(429, sqlError('CON_COUNT', `Too many requests at once (max_requests ${this.limits.maxRequests}); retry shortly`), { 'Retry-After': '1' });
      const address = req.socket.remoteAddress;
      const tls = tlsSessionInfo(req.socket);
      const peer: RequestPeer = { host: clientHost(address), loopback: address !== undefined && isLoopbackAddress(address), tls, transport: transportOf(req.socket) };
      // Before the credentials are looked at, as MySQL refuses a clear login before authenticating it.
      const refusal = tls === undefined ? clearTransportRefusal(this.kernel, this.limits.tls, 'protocol-http') : undefined;
      if (refusal !== undefined) {
        this.counters.authRefused++;
        this.log.info('http clear request refused: TLS is required', { host: peer.host });
        throw new HttpFailure(403, refusal);
      }
      const user = await authenticateRequest(this.kernel, req.headers.authorization, peer, this.limits.authTimeoutMs, (u, reason) => {
        this.counters.authRefused++;
        this.kernel.recordAbortedConnect();
        this.log.warn('http request refused', { user: u, host: peer.host, reason });
      });
      if (route === 'status') {
        // Summed over worker threads, as SHOW GLOBAL STATUS shows them.
        await this.kernel.statusFresh();
        sent = sendJson(res, 200, Object.fromEntries(this.kernel.globalStatus().filter(([name]) => name.startsWith('Http_'))));
        return;
      }
      if (!isJsonType(req.headers['content-type'])) {
        // Also what keeps a web page from posting a form here: browsers send JSON only after a CORS preflight, which is never answered.
        throw new HttpFailure(415, sqlError('MALFORMED_PACKET', 'Malformed request: send the body as Content-Type: application/json'));
      }
      const text = await readBody(req, this.limits.maxBodyBytes);
      bodyRead = true;
      received = Buffer.byteLength(text);
      const body = parseJsonBody(text);
      const parsed: ParsedRequest = route === 'query' ? { route, body: parseQueryRequest(body) } : { route, body: parseBatchRequest(body, this.limits.maxBatchStatements) };
      token = parsed.body.session;
      const holder = token === undefined ? undefined : holderOf(token);
      if (holder !== undefined && SessionRelay.elsewhere(holder) && this.relay !== undefined) {
        this.counters.relayed++;
        sent = await this.relay.forward(holder, { ...parsed, user, peer, ndjson: wantsNdjson(req) }, res);
        return;
      }
      sent = await this.run(parsed, user, peer, wantsNdjson(req), res);
    } catch (e) {
      sent = this.fail(res, e, bodyRead, token);
    } finally {
      if (counted) {
        this.running--;
        this.runningOnServer.add(-1);
      }
      this.kernel.recordTraffic(received, sent);
    }
  }

  private run(r: ParsedRequest, user: string, peer: RequestPeer, ndjson: boolean, res: AnswerStream): Promise<number> {
    return r.route === 'query' ? this.query(r.body, user, peer, ndjson, res) : this.batch(r.body, user, peer, res);
  }

  /** Runs and answers a request another thread received for a session this one holds (session-relay.ts). */
  async runRelayed(r: RelayedRequest, res: AnswerStream): Promise<void> {
    this.running++;
    try {
      await this.run(r, r.user, r.peer, r.ndjson, res);
    } catch (e) {
      this.fail(res, e, true, r.body.session);
    } finally {
      this.running--;
    }
  }

  private route(method: string, path: string): 'query' | 'batch' | 'status' {
    const routes: Record<string, ['query' | 'batch' | 'status', string]> = {
      [QUERY_PATH]: ['query', 'POST'],
      [BATCH_PATH]: ['batch', 'POST'],
      [STATUS_PATH]: ['status', 'GET'],
    };
    const r = routes[path];
    if (r === undefined) throw new HttpFailure(404, sqlError('UNKNOWN_COM', `Unknown path ${path}: use POST ${QUERY_PATH}, POST ${BATCH_PATH} or GET ${STATUS_PATH}`));
    if (method !== r[1]) throw new HttpFailure(405, sqlError('UNKNOWN_COM', `${path} takes ${r[1]}, not ${method}`), { Allow: r[1] });
    return r[0];
  }

  /** Answers a failure; returns the bytes written. */
  private fail(res: AnswerStream, e: unknown, bodyRead: boolean, token: string | undefined): number {
    this.counters.errors++;
    const extra = token !== undefined && this.tokens.has(token) ? { session: token } : {};
    if (e instanceof BatchFailure) {
      const results = e.done.map((r) => resultJson(r.result, r.warnings, Number.MAX_SAFE_INTEGER));
      if (isAnswerable(e.failure)) return this.answerError(res, e.failure, bodyRead, { results, ...extra }, e.index);
      e = e.failure;
    }
    if (isAnswerable(e)) return this.answerError(res, e, bodyRead, extra);
    this.log.error('http request failed', { error: e instanceof Error ? e.stack ?? e.message : String(e) });
    return this.answerError(res, sqlError('UNKNOWN_ERROR', 'Internal error; see the server log'), bodyRead, extra);
  }

  private answerError(res: AnswerStream, e: SqlError | HttpFailure, bodyRead: boolean, extra: Record<string, unknown>, index?: number): number {
    const status = statusOf(e);
    if (status === 413 || status === 429) this.counters.limitRefused++;
    const code = e instanceof HttpFailure ? e.error.code : e.code;
    if (code === 1835 || code === 1210) this.counters.malformed++;
    // A body we did not read must not be taken for the next request on this connection.
    if (!bodyRead && !res.headersSent) res.setHeader('Connection', 'close');
    return sendError(res, e, extra, index);
  }

  private openSession(user: string, peer: RequestPeer, database: string | null | undefined, holder: { token?: string }): KernelSession {
    return this.kernel.openSession({
      user,
      host: peer.host,
      database: database ?? null,
      maxExecutionTimeMs: this.limits.statementTimeoutMs,
      tls: peer.tls,
      protocol: 'http',
      // KILL CONNECTION or the kernel's idle transaction timeout: a kept session is dropped with its token.
      disconnect: () => {
        if (holder.token !== undefined) this.tokens.forget(holder.token);
      },
    });
  }

  /**
   * Runs `work` on the session of the request's token, or on a new session that is
   * kept under a new token when `work` leaves a transaction open or the request asked
   * to keep it, and closed otherwise.
   */
  private async onSession<T>(choice: SessionChoice, user: string, peer: RequestPeer, work: (s: KernelSession) => Promise<T>): Promise<Outcome<T>> {
    const { session: token, database, keep } = choice;
    if (token !== undefined) {
      const { value, open } = await this.tokens.use(token, user, keep, async (s) => {
        if (database && database !== s.database) s.useDatabase(database);
        return work(s);
      });
      return { value, token: open ? token : undefined };
    }
    const holder: { token?: string } = {};
    const session = this.openSession(user, peer, database, holder);
    try {
      const value = await work(session);
      if (!session.status().inTransaction && keep !== true) return { value };
      if (!this.tokens.hasRoom()) throw this.tokens.full();
      holder.token = this.tokens.keep(session, user, keep === true);
      this.counters.sessionsOpened++;
      return { value, token: holder.token };
    } finally {
      if (holder.token === undefined) session.close();
    }
  }

  private async query(q: QueryRequest, user: string, peer: RequestPeer, ndjson: boolean, res: AnswerStream): Promise<number> {
    this.counters.statements++;
    const stream = ndjson ? new NdjsonRowStream(res) : undefined;
    let out;
    try {
      out = await this.onSession(q, user, peer, async (s): Promise<RanStatement> => {
        const result = await runStatement(s, q, stream);
        return { result, warnings: s.status().warningCount };
      });
    } catch (e) {
      // Rows already went out: the failure ends the stream as its last line.
      if (stream?.started && e instanceof SqlError) {
        this.counters.errors++;
        return stream.fail(e);
      }
      throw e;
    }
    const { result, warnings } = out.value;
    if (stream) return stream.finish(result, warnings, out.token);
    return sendJson(res, 200, resultJson(result, warnings, this.limits.maxRows, out.token));
  }

  private async batch(b: BatchRequest, user: string, peer: RequestPeer, res: AnswerStream): Promise<number> {
    this.counters.statements += b.statements.length;
    const out = await this.onSession(b, user, peer, (s) => runBatch(s, b.statements, b.transaction));
    const results = out.value.map((r) => resultJson(r.result, r.warnings, this.limits.maxRows));
    return sendJson(res, 200, out.token === undefined ? { results } : { results, session: out.token });
  }
}

function isJsonType(header: string | undefined): boolean {
  return header !== undefined && /^application\/json\s*(;|$)/i.test(header.trim());
}

function wantsNdjson(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').toLowerCase().includes(NDJSON_TYPE);
}
