// One native client connection: frames in, the HELLO handshake with a time limit, pipelined requests run in order on one session, replies out.
import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import { LruMap } from '../../base/lru-map.js';
import { SqlError, sqlError } from '../../base/errors.js';
import type { RowSink, StatementResult } from '../../base/result.js';
import type { Logger } from '../../kernel/logger.js';
import type { KernelApi, KernelSession, SessionStatus } from '../../kernel/plugin.js';
import { Flag, MessageType } from '../../protocol/native/constants.js';
import { FrameError, FrameReader, type Frame } from '../../protocol/native/frame.js';
import { readHello, readQuery, readReplicate, writeError, writeOk, writeRedirect, writeServerHello } from '../../protocol/native/messages.js';
import { NativeProtocolError } from '../../protocol/native/wire-reader.js';
import { WireWriter } from '../../protocol/native/wire-writer.js';
import { clientHost, isLoopbackAddress } from '../shared/address.js';
import { clearTransportRefusal, serverTls, TLS_HANDSHAKE_BYTE, tlsSessionInfo, transportOf, type TlsPolicy } from '../shared/tls-transport.js';
import type { NativeCounters } from './counters.js';
import { authenticateHello } from './hello-auth.js';
import { ChangeStream } from './change-stream.js';
import type { RedirectPolicy } from './redirect-policy.js';
import type { ShardGate } from './shard-gate.js';
import { NativeRowStream, rowFrames, type RowStreamHost } from './result-stream.js';

export interface NativeLimits {
  frameBytesMax: number;
  inFlightMax: number;
  handshakeTimeoutMs: number;
  /** Time the rest of a frame may take to arrive once its first byte did. */
  frameTimeoutMs: number;
  statementTimeoutMs: number;
  authTimeoutMs: number;
}

/** What a connection needs from its server. */
export interface ConnectionHost {
  kernel: KernelApi;
  log: Logger;
  limits: NativeLimits;
  counters: NativeCounters;
  policy: RedirectPolicy;
  /** Present when the server is in a sharded topology: requests with a shard key are checked against it. */
  shards: ShardGate | undefined;
  /** The port's TLS policy, and the certificate a client starting TLS gets (null: clear only). */
  tls: TlsPolicy;
  tlsContext(): SecureContext | null;
  closed(c: NativeConnection): void;
}

/** One parsed request waiting its turn (its shard key, bounded by the frame reader, is in the frame). */
interface PendingRequest {
  frame: Frame;
}

/** Prepared statements a connection keeps (see NativeConnection.statements). */
const STATEMENT_CACHE = 64;

export class NativeConnection implements RowStreamHost {
  private readonly reader: FrameReader;
  private session: KernelSession | undefined;
  private state: 'hello' | 'authenticating' | 'open' | 'closed' = 'hello';
  private readonly queue: PendingRequest[] = [];
  private running = false;
  private handshakeTimer: NodeJS.Timeout | undefined;
  private frameTimer: NodeJS.Timeout | undefined;
  private readonly host: string;
  private readonly loopback: boolean;
  private user = '';
  /** Set once the client asked to REPLICATE: the connection then only streams changes. */
  private stream: ChangeStream | undefined;
  /**
   * Statements with parameters, prepared once per connection and kept by text: a repeated
   * request is parsed once, not at every call. A kept statement runs against the current
   * database (the kernel replans when it changed), so the text alone is the key. The
   * session closes them when it closes.
   */
  private readonly statements = new LruMap<string, number>(STATEMENT_CACHE);
  /** The client's socket: the TCP one, or TLS over it when the client's first byte started a TLS handshake. */
  private socket: Socket;
  /** Until the first bytes: whether they may start TLS. */
  private firstBytes = true;
  private readonly onData = (chunk: Buffer) => this.received(chunk);
  private readonly onClose = () => this.teardown();
  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.socket.uncork();
  };

  constructor(socket: Socket, private readonly h: ConnectionHost) {
    this.socket = socket;
    this.reader = new FrameReader(h.limits.frameBytesMax);
    const address = socket.remoteAddress;
    this.host = clientHost(address);
    this.loopback = address !== undefined && isLoopbackAddress(address);
    socket.setNoDelay(true);
    socket.on('error', () => undefined);
    this.attach(socket);
    // Covers the TLS handshake too, when there is one.
    this.handshakeTimer = setTimeout(() => this.timedOut('The handshake did not complete in time (handshake_timeout_ms)'), h.limits.handshakeTimeoutMs);
  }

  private attach(socket: Socket): void {
    socket.on('data', this.onData);
    socket.on('close', this.onClose);
  }

  /**
   * A first byte that starts a TLS handshake: the rest of the connection is TLS (frames
   * inside it), with the certificate current now. Returns false when this port speaks clear only.
   */
  private startTls(first: Buffer): boolean {
    const context = this.h.tlsContext();
    if (context === null) return false;
    const raw = this.socket;
    raw.off('data', this.onData);
    raw.off('close', this.onClose);
    raw.pause();
    raw.unshift(first);
    const tls = serverTls(raw, context, this.h.limits.handshakeTimeoutMs, () => this.h.counters.timedOut++);
    let secured = false;
    // A handshake that fails (bytes that only looked like TLS) is a malformed start, as garbage frames are.
    tls.on('error', () => {
      if (!secured) this.h.counters.malformed++;
      secured = true;
    });
    tls.once('secure', () => {
      secured = true;
      this.h.counters.tlsConnections++;
    });
    this.socket = tls;
    this.attach(tls);
    return true;
  }

  /** Requests queued or running. */
  get busy(): boolean {
    return this.running || this.queue.length > 0;
  }

  private received(chunk: Buffer): void {
    if (this.state === 'closed') return;
    if (this.firstBytes) {
      this.firstBytes = false;
      if (chunk[0] === TLS_HANDSHAKE_BYTE && this.startTls(chunk)) return;
    }
    this.h.counters.bytesReceived += chunk.length;
    this.h.kernel.recordTraffic(chunk.length, 0);
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.h.counters.malformed++;
      const fe = e instanceof FrameError ? e : undefined;
      const err = fe?.fault === 'size'
        ? sqlError('NET_PACKET_TOO_LARGE', `${fe.message} (protocol-native.max_frame_bytes)`)
        : sqlError('MALFORMED_PACKET', `Malformed request: ${e instanceof Error ? e.message : String(e)}`);
      this.fatal(fe?.requestId ?? 0, err);
      return;
    }
    this.armFrameTimer();
    for (const f of frames) this.frame(f);
  }

  /** A frame begun and not finished must be finished within frame_timeout_ms: a client cannot hold a connection with a trickle. */
  private armFrameTimer(): void {
    if (this.reader.buffered === 0) {
      clearTimeout(this.frameTimer);
      this.frameTimer = undefined;
    } else if (this.frameTimer === undefined) {
      this.frameTimer = setTimeout(() => this.timedOut('The rest of a frame did not arrive in time (frame_timeout_ms)'), this.h.limits.frameTimeoutMs);
    }
  }

  private timedOut(message: string): void {
    if (this.state === 'closed') return;
    this.h.counters.timedOut++;
    if (this.state !== 'open') this.h.kernel.recordAbortedConnect();
    this.fatal(0, sqlError('NET_READ_INTERRUPTED', message));
  }

  private frame(f: Frame): void {
    if (this.state === 'closed') return;
    if (this.state === 'hello') {
      if (f.type !== MessageType.HELLO) {
        this.h.counters.malformed++;
        this.fatal(f.requestId, sqlError('HANDSHAKE', 'The first frame must be HELLO'));
        return;
      }
      this.state = 'authenticating';
      void this.hello(f);
      return;
    }
    if (f.type === MessageType.REPLICATE && this.stream === undefined) {
      this.replicate(f);
      return;
    }
    if (this.stream !== undefined) {
      this.h.counters.malformed++;
      this.fatal(f.requestId, sqlError('UNKNOWN_COM', 'This connection streams changes; it takes no more requests'));
      return;
    }
    if (f.type !== MessageType.QUERY) {
      this.h.counters.malformed++;
      this.h.counters.errors++;
      this.send((w) => writeError(w, f.requestId, 0, errorReply(sqlError('UNKNOWN_COM', `Unknown or unexpected message type 0x${f.type.toString(16)}`))));
      return;
    }
    if (this.queue.length + (this.running ? 1 : 0) >= this.h.limits.inFlightMax) {
      this.h.counters.limitRefused++;
      this.h.counters.errors++;
      this.send((w) => writeError(w, f.requestId, 0, errorReply(sqlError('CON_COUNT', `Too many requests in flight on this connection (max_in_flight ${this.h.limits.inFlightMax})`))));
      return;
    }
    this.queue.push({ frame: f });
    if (this.state === 'open') void this.pump();
  }

  private async hello(f: Frame): Promise<void> {
    const { kernel, log, counters, limits } = this.h;
    try {
      const hello = readHello(f.payload);
      if (this.h.policy.draining || !kernel.accepting()) throw sqlError('SERVER_SHUTDOWN', 'Server shutdown in progress');
      const tls = tlsSessionInfo(this.socket);
      // Before the password is looked at, as MySQL refuses a clear login before authenticating it.
      const refusal = tls === undefined ? clearTransportRefusal(kernel, this.h.tls, 'protocol-native') : undefined;
      if (refusal !== undefined) {
        counters.authRefused++;
        log.info('native clear connection refused: TLS is required', { user: hello.user, host: this.host });
        throw refusal;
      }
      await authenticateHello(kernel, hello, { host: this.host, loopback: this.loopback, transport: transportOf(this.socket) }, limits.authTimeoutMs, (reason) => {
        counters.authRefused++;
        log.warn('native login refused', { user: hello.user, host: this.host, reason });
      });
      if (this.state === 'closed') return;
      const connectionId = kernel.nextConnectionId();
      this.user = hello.user;
      this.session = kernel.openSession({
        user: hello.user,
        host: this.host,
        database: hello.database,
        connectionId,
        maxExecutionTimeMs: limits.statementTimeoutMs,
        tls,
        disconnect: () => this.close(),
        protocol: 'native',
      });
      clearTimeout(this.handshakeTimer);
      this.state = 'open';
      counters.connections++;
      this.send((w) => writeServerHello(w, f.requestId, this.statusFlags(), {
        connectionId, serverVersion: kernel.serverVersion, frameBytesMax: limits.frameBytesMax, inFlightMax: limits.inFlightMax,
      }));
      void this.pump();
    } catch (e) {
      kernel.recordAbortedConnect();
      if (e instanceof NativeProtocolError) counters.malformed++;
      this.fatal(f.requestId, e instanceof SqlError ? e : sqlError('HANDSHAKE', `Bad HELLO: ${e instanceof Error ? e.message : String(e)}`));
    }
  }

  /**
   * REPLICATE: from now on the connection streams the change log (see change-stream.ts). Only
   * an administrator may (what MySQL's REPLICATION SLAVE grants), and only with nothing else in flight.
   */
  private replicate(f: Frame): void {
    const { kernel, counters } = this.h;
    counters.requests++;
    try {
      const req = readReplicate(f.payload);
      if (this.busy) throw sqlError('UNKNOWN_COM', 'REPLICATE must be the only request in flight');
      if (!kernel.isConnectionAdmin(this.user, this.host)) {
        throw sqlError('SPECIFIC_ACCESS_DENIED', `Access denied; you need (at least one of) the REPLICATION SLAVE privilege(s) for this operation`);
      }
      const feed = kernel.changeFeed?.();
      const start = ChangeStream.start(feed, kernel.serverUuid, req);
      if (start instanceof SqlError || feed === undefined) throw start;
      const conn = this;
      const stream = new ChangeStream(feed, kernel.serverUuid, {
        write: (bytes) => conn.write(bytes),
        backlog: () => conn.backlog(),
        get open() { return conn.state !== 'closed'; },
      }, f.requestId);
      this.stream = stream;
      counters.replicaStreams++;
      this.h.log.info('replica connected', { user: this.user, host: this.host, after: `${kernel.serverUuid}:${start.after}` });
      stream.run(start.after).catch((e: unknown) => {
        if (e instanceof SqlError) {
          this.h.log.warn('change stream refused', { host: this.host, error: e.message });
          this.fatal(f.requestId, e);
          return;
        }
        this.h.log.error('change stream failed', { host: this.host, error: e instanceof Error ? e.stack ?? e.message : String(e) });
        this.fatal(f.requestId, sqlError('UNKNOWN_ERROR', 'The change stream failed; see the source\'s log'));
      });
    } catch (e) {
      counters.errors++;
      if (e instanceof NativeProtocolError) counters.malformed++;
      const err = e instanceof SqlError ? e : sqlError('MALFORMED_PACKET', `Malformed REPLICATE: ${e instanceof Error ? e.message : String(e)}`);
      this.send((w) => writeError(w, f.requestId, 0, errorReply(err)));
    }
  }

  /** Runs queued requests one after another (they share the session); replies go out as each finishes. */
  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0 && this.state === 'open') {
        const req = this.queue.shift()!;
        await this.request(req.frame);
        // A client that does not read its replies holds no more than one reply's worth of our memory.
        if (this.socket.writableNeedDrain) await new Promise((r) => this.socket.once('drain', r).once('close', r));
      }
    } finally {
      this.running = false;
    }
  }

  private async request(f: Frame): Promise<void> {
    const session = this.session!;
    this.h.counters.requests++;
    let sink: NativeRowStream | undefined;
    try {
      const q = readQuery(f.payload);
      // Hashing happens only for a request that carries a key, on a server in a topology.
      if (f.shardKey.length > 0 && this.h.shards !== undefined && !this.h.policy.draining) {
        const moved = await this.h.shards.admit(f.shardKey, session.database, f.flags, q.sql);
        // A write held for a frozen shard may outlive its client.
        if (this.state === 'closed') return;
        if (moved !== undefined) {
          this.h.counters.redirects++;
          this.send((w) => writeRedirect(w, f.requestId, this.statusFlags(), moved));
          return;
        }
      }
      const verdict = this.h.policy.verdict(q.sql, session);
      if (verdict !== undefined && 'redirect' in verdict) {
        this.h.counters.redirects++;
        this.send((w) => writeRedirect(w, f.requestId, this.statusFlags(), verdict.redirect));
        return;
      }
      if (verdict !== undefined) throw verdict.error;
      const prepared = q.params.length > 0 || (f.flags & Flag.PREPARED) !== 0;
      sink = new NativeRowStream(this, f.requestId);
      const result = prepared ? await this.runPrepared(session, q.sql, q.params, sink) : await runText(session, q.sql, sink);
      if (this.state === 'closed') return;
      this.reply(f.requestId, result, sink);
    } catch (e) {
      this.h.counters.errors++;
      let err: SqlError;
      if (e instanceof SqlError) err = e;
      else if (e instanceof NativeProtocolError) {
        this.h.counters.malformed++;
        err = sqlError('MALFORMED_PACKET', `Malformed request: ${e.message}`);
      } else {
        this.h.log.error('native request failed', { error: e instanceof Error ? e.stack ?? e.message : String(e) });
        err = sqlError('UNKNOWN_ERROR', 'Internal error; see the server log');
      }
      if (this.state !== 'closed') {
        sink?.flush();
        this.send((w) => writeError(w, f.requestId, this.statusFlags(), errorReply(err)));
      }
    }
  }

  private reply(requestId: number, result: StatementResult, sink: NativeRowStream): void {
    // One look at the session for the flags and the warnings (it reads a variable).
    const status = this.session?.status();
    const flags = flagsOf(status);
    const warnings = status?.warningCount ?? 0;
    if (result.kind === 'ok') {
      this.send((w) => writeOk(w, requestId, flags, {
        rowsAffected: BigInt(result.affectedRows), lastInsertId: BigInt(result.insertId), warnings, info: result.info ?? '',
      }));
      return;
    }
    if (result.kind === 'streamed') sink.end(warnings, flags);
    else rowFrames(this, requestId, result.columns).end(result.rows, flags, warnings);
  }

  private send(body: (w: WireWriter) => void): void {
    const w = new WireWriter(128);
    body(w);
    this.write(w.finish());
  }

  /** The session's transaction state as header flags. */
  statusFlags(): number {
    return flagsOf(this.session?.status());
  }

  /**
   * While the client has not read what was written: a promise for when it has, or is
   * gone. A client that reads nothing for net_write_timeout is disconnected, so a
   * streaming statement (and what it holds) is not kept waiting forever.
   */
  backlog(): Promise<void> | null {
    const s = this.socket;
    if (!s.writableNeedDrain || this.state === 'closed') return null;
    const seconds = this.session?.netWriteTimeoutSeconds() ?? 0;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        clearInterval(timer);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
      if (seconds <= 0) return;
      // Progress (the client reading some of it) restarts the clock.
      let pending = s.writableLength;
      let idleSince = Date.now();
      timer = setInterval(() => {
        if (s.writableLength !== pending) {
          pending = s.writableLength;
          idleSince = Date.now();
        } else if (Date.now() - idleSince >= seconds * 1000) {
          this.h.counters.timedOut++;
          this.h.log.info('native client read nothing for net_write_timeout, disconnecting', { host: this.host, pending_bytes: pending });
          done();
          this.socket.destroy();
        }
      }, Math.min(1000, seconds * 250));
      timer.unref();
    });
  }

  write(bytes: Buffer): void {
    if (this.socket.destroyed) return;
    this.h.counters.bytesSent += bytes.length;
    this.h.kernel.recordTraffic(0, bytes.length);
    // While more requests wait behind this one (pipelined), replies are held until the turn's
    // callbacks and promises have run and leave together in one system call; a lone reply goes at once.
    if (!this.corked && this.queue.length > 0) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(bytes);
  }

  /** An ERROR for `requestId`, then the connection ends: what follows on the stream cannot be trusted. */
  private fatal(requestId: number, e: SqlError): void {
    if (this.state === 'closed') return;
    this.h.counters.errors++;
    this.send((w) => writeError(w, requestId, 0, errorReply(e)));
    this.close();
  }

  /** Ends the connection after what was written; a client that does not read is cut off a second later. */
  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.queue.length = 0;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), 1000).unref();
    this.teardown();
  }

  private teardown(): void {
    this.state = 'closed';
    this.stream?.stop();
    clearTimeout(this.handshakeTimer);
    clearTimeout(this.frameTimer);
    const s = this.session;
    this.session = undefined;
    if (s !== undefined) {
      if (this.running) {
        // The running statement still holds the session: it is closed when that statement ends.
        void this.whenIdle().then(() => s.close());
      } else {
        s.close();
      }
    }
    this.h.closed(this);
  }

  /** Parameters are bound by the kernel's prepared statements, never spliced into the text. */
  private async runPrepared(session: KernelSession, sql: string, params: Parameters<KernelSession['executePrepared']>[1], sink: RowSink): Promise<StatementResult> {
    let id = this.statements.get(sql);
    if (id === undefined) {
      id = session.prepare(sql).id;
      const evicted = this.statements.set(sql, id);
      if (evicted !== undefined) session.closePrepared(evicted[1]);
    }
    return session.executePrepared(id, params, sink);
  }

  /** Resolves once no request runs. */
  async whenIdle(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }
}

function flagsOf(s: SessionStatus | undefined): number {
  if (s === undefined) return 0;
  return (s.inTransaction ? Flag.IN_TRANSACTION : 0) | (s.autocommit ? Flag.AUTOCOMMIT : 0);
}

function errorReply(e: SqlError): { code: number; sqlstate: string; message: string } {
  return { code: e.code, sqlstate: e.sqlState, message: e.message };
}

/** Exactly one statement: two are the parser's 1064 and nothing runs. */
async function runText(session: KernelSession, sql: string, sink: RowSink): Promise<StatementResult> {
  let result: StatementResult | undefined;
  await session.execute(sql, false, (r) => {
    result = r;
  }, sink);
  if (result === undefined) throw sqlError('EMPTY_QUERY', 'Query was empty');
  return result;
}


