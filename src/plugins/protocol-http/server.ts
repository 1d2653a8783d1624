// The HTTP protocol listener: node's HTTP server with header and body time limits, malformed requests answered, drained on stop.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Logger } from '../../kernel/logger.js';
import type { KernelApi, ProtocolServer } from '../../kernel/plugin.js';
import { listenThroughKernel } from '../shared/listen.js';
import { serverTls, TLS_HANDSHAKE_BYTE, tlsContextFor, whenFirstBytes } from '../shared/tls-transport.js';
import type { Listener } from '../../kernel/plugin.js';
import { HttpCounters } from './counters.js';
import { RequestHandler, type HttpLimits } from './request-handler.js';
import { SessionRelay } from './session-relay.js';
import { SessionTokens } from './session-tokens.js';

export interface HttpServerOptions extends HttpLimits {
  port: number;
  bind: string;
  /** Time a client has to send its request headers. */
  headerTimeoutMs: number;
  /** Time a client has to send its whole request, body included. */
  requestTimeoutMs: number;
  maxSessions: number;
  sessionIdleTimeoutMs: number;
}

/** How often node checks the header and request time limits; it bounds how late a slowloris client is cut off. */
const TIMEOUT_CHECK_INTERVAL_MS = 500;

/** A raw answer for what never became a request (no ServerResponse exists to answer with). */
function rawAnswer(status: number, reason: string, code: number, message: string): string {
  const body = JSON.stringify({ error: { code, sqlstate: '08S01', message } }) + '\n';
  return `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

export class HttpProtocolServer implements ProtocolServer {
  private server: Server | undefined;
  private readonly tokens: SessionTokens;
  private readonly handler: RequestHandler;
  readonly counters = new HttpCounters();

  constructor(private readonly kernel: KernelApi, private readonly log: Logger, private readonly opts: HttpServerOptions) {
    this.tokens = new SessionTokens({
      maxSessions: opts.maxSessions,
      openOnServer: kernel.gauge('protocol-http:sessions'),
      idleTimeoutMs: opts.sessionIdleTimeoutMs,
      onExpired: (user) => {
        this.counters.sessionsExpired++;
        log.info('http session idle too long: rolled back', { user, idle_timeout_ms: opts.sessionIdleTimeoutMs });
      },
    });
    this.handler = new RequestHandler(kernel, log, opts, this.tokens, this.counters);
  }

  /** The port actually listened on (differs from the option when it was 0). */
  get port(): number {
    return this.listener?.port ?? this.opts.port;
  }

  private listener: Listener | undefined;

  /** Whether this port serves HTTPS (besides clear HTTP unless tls=required). */
  private servesTls = false;

  describe(): string {
    const host = this.opts.bind.includes(':') ? `[${this.opts.bind}]` : this.opts.bind;
    const at = `${host}:${this.port}`;
    if (!this.servesTls) return `protocol-http http://${at}`;
    return this.opts.tls === 'required' ? `protocol-http https://${at} (TLS required)` : `protocol-http http://${at} and https://${at}`;
  }

  async start(): Promise<void> {
    const tlsContext = tlsContextFor(this.kernel, this.opts.tls, 'protocol-http');
    this.servesTls = tlsContext() !== null;
    const server = createServer({
      headersTimeout: this.opts.headerTimeoutMs,
      requestTimeout: this.opts.requestTimeoutMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      keepAliveTimeout: 5000,
    }, (req, res) => void this.handler.handle(req, res));
    server.on('connection', (socket: Socket) => socket.setNoDelay(true));
    server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => this.clientError(err, socket));
    this.listener = await listenThroughKernel(this.kernel, server, 'protocol-http', this.opts.port, this.opts.bind, (socket) => this.accept(server, socket, tlsContext()));
    this.server = server;
    // The worker threads of this server (and only they) share the channel: same server, same port.
    this.handler.relay = new SessionRelay(`mizzle-protocol-http:${this.kernel.serverUuid}:${this.port}`, (r, answer) => this.handler.runRelayed(r, answer));
  }

  /** This thread's counters; SHOW STATUS and /v1/status show their sums over threads. */
  statusCounters(): readonly [string, number][] {
    return this.counters.list(this.tokens.size, this.handler.inFlight);
  }

  /**
   * HTTP and HTTPS on one port: a connection whose first byte starts a TLS handshake gets
   * TLS with the certificate current when it arrived (a SIGHUP reload applies to the next
   * connection), any other goes to the HTTP server as it is.
   */
  private accept(server: Server, socket: Socket, context: SecureContext | null): void {
    // On the TCP socket itself: a TLS socket over it has no Nagle switch of its own.
    socket.setNoDelay(true);
    if (context === null) {
      server.emit('connection', socket);
      return;
    }
    whenFirstBytes(socket, this.opts.headerTimeoutMs, (first) => {
      if (first === null) {
        // Silent past header_timeout_ms: the same 408 a silent clear client gets.
        this.counters.timedOut++;
        if (socket.writable) socket.end(rawAnswer(408, 'Request Timeout', 1159, 'The request did not arrive in time (header_timeout_ms / request_timeout_ms)'));
        setTimeout(() => socket.destroy(), 1000).unref();
        return;
      }
      if (first[0] !== TLS_HANDSHAKE_BYTE) {
        server.emit('connection', socket);
        socket.resume();
        return;
      }
      const tls = serverTls(socket, context, this.opts.headerTimeoutMs, () => this.counters.timedOut++);
      tls.once('secure', () => this.counters.tlsConnections++);
      server.emit('connection', tls);
    });
  }

  /** Not HTTP, headers too big, or too slow: answered when nothing else was written on the socket, then closed. */
  private clientError(err: NodeJS.ErrnoException, socket: Socket): void {
    const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (timedOut) this.counters.timedOut++;
    else this.counters.malformed++;
    if (socket.writable && (pending === undefined || pending === null || !pending.headersSent)) {
      const answer = timedOut
        ? rawAnswer(408, 'Request Timeout', 1159, 'The request did not arrive in time (header_timeout_ms / request_timeout_ms)')
        : err.code === 'HPE_HEADER_OVERFLOW'
          ? rawAnswer(431, 'Request Header Fields Too Large', 1153, 'The request headers are too large')
          : rawAnswer(400, 'Bad Request', 1835, `Malformed HTTP request (${err.code ?? err.message})`);
      socket.end(answer);
      setTimeout(() => socket.destroy(), 1000).unref();
    } else {
      socket.destroy();
    }
  }

  /** Answers 503 from now on, lets running requests finish, rolls back kept sessions and closes every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.handler.drain();
    const listener = this.listener;
    const closed = listener ? listener.close() : Promise.resolve();
    // The kernel owns the listening socket: closing the HTTP server only stops its timeout checks.
    server.close(() => undefined);
    server.closeIdleConnections();
    const deadline = Date.now() + 10_000;
    while (this.handler.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.handler.relay?.close();
    this.handler.relay = undefined;
    this.tokens.closeAll();
    server.closeAllConnections();
    await closed;
  }
}
