// One client connection: framing, an ordered command queue, the handshake/auth phase, then commands one at a time.
import { getCollationById } from '../../base/collation.js';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { SqlError, sqlError } from '../../base/errors.js';
import type { Logger } from '../../kernel/logger.js';
import type { KernelApi, KernelSession, PeerCertificate } from '../../kernel/plugin.js';
import {
  AuthMethod,
  Capability,
  Collation,
  MalformedPacketError,
  PacketFramer,
  PacketWriter,
  ServerStatus,
  generateScramble,
  isSslRequest,
  parseHandshakeResponse,
  writeErr,
  writeHandshakeV10,
  writeOk,
  type FramerSink,
} from '../../protocol/mysql/index.js';
import { clientHost, isLoopbackAddress } from '../shared/address.js';
import { serverTlsSocket, transportOf } from '../shared/tls-transport.js';
import { accessDeniedMessage, authenticateClient, type AuthChannel, type AuthOutcome } from './auth-exchange.js';
import { dispatchCommand } from './commands.js';
import { PreparedRegistry } from './prepared-registry.js';
import type { Sha2RsaKeySource } from './sha2-rsa-key.js';
import { BinaryRowStream, TextRowStream } from './result-stream.js';

/**
 * What the server offers: everything but compression and LOCAL INFILE for now (SSL is
 * added when the server has a certificate). SESSION_TRACK is offered (as MySQL 8 does) so
 * that drivers such as mysql2 read the OK packet's info as the length-encoded string every
 * MySQL server sends.
 */
export const SERVER_CAPABILITIES =
  Capability.LONG_PASSWORD | Capability.FOUND_ROWS | Capability.LONG_FLAG | Capability.CONNECT_WITH_DB |
  Capability.NO_SCHEMA | Capability.PROTOCOL_41 | Capability.INTERACTIVE | Capability.TRANSACTIONS |
  Capability.SECURE_CONNECTION | Capability.MULTI_STATEMENTS | Capability.MULTI_RESULTS |
  Capability.PS_MULTI_RESULTS | Capability.PLUGIN_AUTH | Capability.CONNECT_ATTRS |
  Capability.PLUGIN_AUTH_LENENC_CLIENT_DATA | Capability.SESSION_TRACK | Capability.DEPRECATE_EOF;

/** Payload bound before login: a handshake response is small; strangers get no 64 MiB buffers. */
const HANDSHAKE_MAX_PAYLOAD = 64 * 1024;
/** Reading pauses when this many commands, or this many bytes, wait in a connection's queue. */
const QUEUE_MAX_ITEMS = 32;
const QUEUE_MAX_BYTES = 16 * 1024 * 1024;
/** After our FIN, a peer that does not close is cut off after this long. */
const CLOSE_GRACE_MS = 2000;

/** Server-wide settings and hooks a connection uses. */
export interface ConnectionEnv {
  kernel: KernelApi;
  log: Logger;
  maxAllowedPacket: number;
  connectTimeoutMs: number;
  defaultAuth: string;
  /** caching_sha2_password's RSA key for clear connections; absent: full authentication only over TLS. */
  rsaKey?: Sha2RsaKeySource;
  /** After authentication: whether `user` may have a session (false: over max_connections and not an administrator). */
  admit(user: string, host: string): boolean;
  /** The connection ended (close(): its session is gone), though its socket may linger a moment. */
  ended(conn: MysqlConnection): void;
  closed(conn: MysqlConnection): void;
}

interface Incoming {
  payload: Buffer;
  seq: number;
  oversize: boolean;
}

export class MysqlConnection implements FramerSink, AuthChannel {
  readonly out = new PacketWriter();
  readonly host: string;
  readonly loopback: boolean;
  readonly scramble = generateScramble();
  session: KernelSession | null = null;
  /** The client's socket: the TCP one, then the TLS one over it after an SSLRequest. */
  socket: Socket;
  /** True once the connection is TLS. */
  secure = false;
  /** The client certificate shown in the TLS handshake, when it verified against the server's CA. */
  peerCertificate: PeerCertificate | undefined;
  /** The certificate offered to this client, taken at accept (a SIGHUP reload serves later clients). */
  private readonly tlsContext: SecureContext | null;
  /** Until the first payload: whether it may be an SSLRequest, after which the bytes are TLS's. */
  private expectSslRequest = true;
  /** Prepared statements of this connection (COM_STMT_*); they die with it. */
  readonly statements = new PreparedRegistry();
  /** Where streaming queries write their rows (one of each per connection, reused by every statement). */
  readonly textRows: TextRowStream = new TextRowStream(this);
  readonly binaryRows: BinaryRowStream = new BinaryRowStream(this);
  /** Capabilities both sides have. */
  capabilities = 0;
  /** Whether COM_QUERY may hold several statements (CLIENT_MULTI_STATEMENTS, COM_SET_OPTION). */
  multiStatements = false;
  /** Collation id reported for character columns. */
  textCharset: number = Collation.UTF8MB4_0900_AI_CI;
  private framer: PacketFramer;
  private readonly queue: Incoming[] = [];
  private queuedBytes = 0;
  private waiter: ((item: Incoming | null) => void) | null = null;
  private paused = false;
  private closed = false;
  private busy = false;
  private stopping = false;
  private connectTimer: NodeJS.Timeout | null = null;

  constructor(socket: Socket, readonly id: number, private readonly env: ConnectionEnv) {
    this.socket = socket;
    this.host = clientHost(socket.remoteAddress);
    this.loopback = isLoopbackAddress(this.host);
    this.framer = new PacketFramer(this, HANDSHAKE_MAX_PAYLOAD);
    this.tlsContext = env.kernel.tlsContext?.() ?? null;
  }

  get kernel(): KernelApi {
    return this.env.kernel;
  }

  get log(): Logger {
    return this.env.log;
  }

  /** Largest packet accepted, also the bound of one parameter's COM_STMT_SEND_LONG_DATA. */
  get maxAllowedPacket(): number {
    return this.env.maxAllowedPacket;
  }

  /** caching_sha2_password's RSA key, for full authentication on a clear connection. */
  get rsaKey(): Sha2RsaKeySource | undefined {
    return this.env.rsaKey;
  }

  /** The auth method the server asks for when it has to switch (`default_auth`). */
  get defaultAuth(): string {
    return this.env.defaultAuth;
  }

  /**
   * How long a clear-text check (LDAP bind, HTTP call) may take: less than connect_timeout,
   * so a slow auth server still ends in a 1045 rather than a dropped connection.
   */
  get clearTextCheckTimeoutMs(): number {
    return Math.max(500, this.env.connectTimeoutMs - 1000);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.kernel.recordTraffic(chunk.length, 0);
    this.framer.push(chunk);
    this.watchRead();
  };

  private readonly onError = (e: Error): void => {
    this.log.debug('mysql connection error', { id: this.id, error: e.message });
    this.close();
  };

  private readonly onEnd = (): void => this.close();

  private readonly onClose = (): void => {
    this.close();
    this.env.closed(this);
  };

  private attach(s: Socket): void {
    s.on('data', this.onData);
    s.on('error', this.onError);
    s.on('end', this.onEnd);
    s.on('close', this.onClose);
  }

  start(): void {
    this.socket.setNoDelay(true);
    this.attach(this.socket);
    this.connectTimer = setTimeout(() => {
      this.log.info('mysql handshake timed out', { id: this.id, host: this.host });
      this.close(true);
    }, this.env.connectTimeoutMs);
    this.run().catch((e: unknown) => {
      this.log.error('mysql connection failed', { id: this.id, error: e instanceof Error ? e.stack : String(e) });
      this.close(true);
    });
  }

  /** Shutdown: idle connections close now, a running command finishes first. */
  shutdown(): void {
    this.stopping = true;
    if (!this.busy) this.close();
  }

  // ---------------------------------------------------------------- framing and the queue

  onPayload(payload: Buffer, seq: number): void {
    if (this.expectSslRequest) {
      this.expectSslRequest = false;
      // The client starts TLS right after its SSLRequest, without waiting: what follows in
      // the stream is a TLS handshake, not packets, and must not reach the framer.
      if (this.tlsContext && isSslRequest(payload)) {
        this.framer.halt();
        this.socket.pause();
      }
    }
    this.enqueue({ payload, seq, oversize: false });
  }

  onOversize(): void {
    this.enqueue({ payload: Buffer.alloc(0), seq: 0, oversize: true });
    this.socket.pause();
  }

  private enqueue(item: Incoming): void {
    if (this.closed) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(item);
      return;
    }
    this.queue.push(item);
    this.queuedBytes += item.payload.length;
    if (!this.paused && (this.queue.length >= QUEUE_MAX_ITEMS || this.queuedBytes >= QUEUE_MAX_BYTES)) {
      this.paused = true;
      this.socket.pause();
      // Not reading is our doing: a packet we stopped reading is not the client's delay.
      this.cancelReadTimeout();
    }
  }

  private next(): Promise<Incoming | null> {
    const item = this.queue.shift();
    if (item) {
      this.queuedBytes -= item.payload.length;
      if (this.paused && this.queue.length === 0) {
        this.paused = false;
        this.socket.resume();
        this.watchRead();
      }
      return Promise.resolve(item);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** AuthChannel: the next payload of the conversation; replies continue its sequence. */
  async receive(): Promise<Buffer | null> {
    const item = await this.next();
    if (!item || item.oversize) return null;
    this.out.seq = (item.seq + 1) & 0xff;
    return item.payload;
  }

  flush(): void {
    if (this.out.length === 0) return;
    const bytes = this.out.take();
    if (!this.closed && !this.socket.destroyed) {
      this.kernel.recordTraffic(0, bytes.length);
      this.socket.write(bytes);
    }
  }

  // ---------------------------------------------------------------- lifecycle

  private async run(): Promise<void> {
    if (!(await this.handshake())) {
      this.kernel.recordAbortedConnect();
      this.close();
      return;
    }
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    this.framer.maxPayload = this.env.maxAllowedPacket;
    while (!this.closed && !this.stopping) {
      this.armWaitTimeout();
      const item = await this.next();
      this.cancelWaitTimeout();
      if (item === null) break;
      this.out.seq = (item.seq + 1) & 0xff;
      if (item.oversize) {
        this.sendError(sqlError('NET_PACKET_TOO_LARGE', "Got a packet bigger than 'max_allowed_packet' bytes"));
        break;
      }
      this.busy = true;
      try {
        await dispatchCommand(this, item.payload);
      } finally {
        this.busy = false;
      }
      this.flush();
      await this.drained();
    }
    this.close();
  }

  private waitTimer: NodeJS.Timeout | null = null;

  /** wait_timeout: a client idle between commands for that many seconds is told so (4031) and disconnected, as MySQL 8 does. */
  private armWaitTimeout(): void {
    const seconds = this.session?.waitTimeoutSeconds() ?? 0;
    // A client already partway through its next packet is governed by net_read_timeout instead.
    if (seconds <= 0 || this.framer.midPacket) return;
    this.waitTimer = setTimeout(() => {
      this.waitTimer = null;
      this.log.info('mysql client idle past wait_timeout, disconnecting', { id: this.id, host: this.host, wait_timeout: seconds });
      this.out.seq = 0;
      this.sendError(sqlError('CLIENT_INTERACTION_TIMEOUT', 'The client was disconnected by the server because of inactivity. See wait_timeout and interactive_timeout for configuring this behavior.'));
      this.close();
    }, seconds * 1000);
    this.waitTimer.unref();
  }

  private cancelWaitTimeout(): void {
    if (this.waitTimer) clearTimeout(this.waitTimer);
    this.waitTimer = null;
  }

  private readTimer: NodeJS.Timeout | null = null;
  /** When the client last sent a byte of the packet it is in the middle of. */
  private readProgressAt = 0;

  /**
   * net_read_timeout: a client that begins a packet and stops sending before its end is
   * disconnected once it has sent nothing for that many seconds (each byte restarts the
   * clock, as MySQL's timeout is per read). Its session closes, so its transaction is rolled
   * back and its locks released. Before login connect_timeout rules; between packets, wait_timeout.
   */
  private watchRead(): void {
    if (this.closed || this.session === null || this.paused || !this.framer.midPacket) {
      this.cancelReadTimeout();
      return;
    }
    // The client is not idle: it owes the rest of a packet, so wait_timeout does not apply to it now.
    this.cancelWaitTimeout();
    this.readProgressAt = Date.now();
    if (this.readTimer) return;
    const seconds = this.session.netReadTimeoutSeconds();
    if (seconds <= 0) return;
    const check = (): void => {
      const idleMs = Date.now() - this.readProgressAt;
      if (idleMs < seconds * 1000) {
        this.readTimer = setTimeout(check, seconds * 1000 - idleMs);
        this.readTimer.unref();
        return;
      }
      this.readTimer = null;
      this.log.info('mysql client sent part of a packet and then nothing for net_read_timeout, disconnecting', { id: this.id, host: this.host, net_read_timeout: seconds });
      this.close(true);
    };
    this.readTimer = setTimeout(check, seconds * 1000);
    this.readTimer.unref();
  }

  private cancelReadTimeout(): void {
    if (this.readTimer) clearTimeout(this.readTimer);
    this.readTimer = null;
  }

  /** Greeting, HandshakeResponse, authentication, session. False when the connection must close. */
  private async handshake(): Promise<boolean> {
    this.out.seq = 0;
    const offered = this.tlsContext ? SERVER_CAPABILITIES | Capability.SSL : SERVER_CAPABILITIES;
    writeHandshakeV10(this.out, {
      serverVersion: this.kernel.serverVersion,
      connectionId: this.id,
      scramble: this.scramble,
      capabilities: offered,
      charset: Collation.UTF8MB4_0900_AI_CI,
      status: ServerStatus.AUTOCOMMIT,
      authPluginName: this.env.defaultAuth,
    });
    this.flush();
    let resp = await this.handshakeResponse();
    if (resp === null) return false;
    if ('ssl' in resp) {
      if (!this.tlsContext || !(await this.startTls(this.tlsContext))) {
        if (!this.tlsContext) this.sendError(sqlError('HANDSHAKE', 'Bad handshake'));
        return false;
      }
      resp = await this.handshakeResponse();
      if (resp === null) return false;
      if ('ssl' in resp) {
        this.sendError(sqlError('HANDSHAKE', 'Bad handshake'));
        return false;
      }
    } else if (Number(this.kernel.getGlobalVariable('require_secure_transport')) === 1) {
      this.log.info('mysql clear connection refused: require_secure_transport is ON', { id: this.id, host: this.host, user: resp.user });
      this.sendError(sqlError('SECURE_TRANSPORT_REQUIRED', 'Connections using insecure transport are prohibited while --require_secure_transport=ON.'));
      return false;
    }
    this.capabilities = resp.capabilities & offered;
    this.multiStatements = (this.capabilities & Capability.MULTI_STATEMENTS) !== 0;
    const outcome = await authenticateClient(this.kernel, this, {
      user: resp.user,
      host: this.host,
      loopback: this.loopback,
      secure: this.secure,
      peerCertificate: this.peerCertificate,
      rsaKey: this.rsaKey,
      scramble: this.scramble,
      clientMethod: resp.authPlugin ?? AuthMethod.NATIVE,
      response: resp.authResponse,
      preferredMethod: this.env.defaultAuth,
      checkTimeoutMs: this.clearTextCheckTimeoutMs,
    });
    return this.login(resp.user, resp.database, outcome, resp.charset);
  }

  /** The next payload as a HandshakeResponse (or SSLRequest); null (after an ERR when it was bad) when the connection must close. */
  private async handshakeResponse(): Promise<ReturnType<typeof parseHandshakeResponse> | null> {
    const item = await this.next();
    if (item === null) return null;
    this.out.seq = (item.seq + 1) & 0xff;
    try {
      if (item.oversize) throw new MalformedPacketError('handshake response too large');
      return parseHandshakeResponse(item.payload);
    } catch (e) {
      if (!(e instanceof MalformedPacketError)) throw e;
      this.log.info('mysql bad handshake', { id: this.id, host: this.host, error: e.message });
      this.sendError(sqlError('HANDSHAKE', 'Bad handshake'));
      return null;
    }
  }

  /**
   * After an SSLRequest: the TCP socket becomes a server-side TLS socket and the handshake
   * goes on over it (its sequence ids continue). Bytes of the client's TLS hello that came
   * with the SSLRequest are handed back to the socket first. False when the TLS handshake
   * failed (the connection is then closing; connect_timeout bounds a client that stalls).
   */
  private startTls(context: SecureContext): Promise<boolean> {
    const raw = this.socket;
    raw.off('data', this.onData);
    raw.off('error', this.onError);
    raw.off('end', this.onEnd);
    raw.off('close', this.onClose);
    raw.on('error', () => undefined);
    const rest = this.framer.takeRest();
    this.framer = new PacketFramer(this, HANDSHAKE_MAX_PAYLOAD);
    if (rest.length > 0) raw.unshift(rest);
    const tls = serverTlsSocket(raw, context);
    this.socket = tls;
    this.attach(tls);
    return new Promise((resolve) => {
      const settle = (ok: boolean) => {
        tls.off('secure', secured);
        tls.off('close', closed);
        resolve(ok);
      };
      const secured = () => {
        this.secure = true;
        this.peerCertificate = transportOf(tls).peerCertificate;
        settle(true);
      };
      const closed = () => settle(false);
      tls.once('secure', secured);
      tls.once('close', closed);
      if (this.closed) settle(false);
    });
  }

  /** The TLS session for SHOW STATUS (Ssl_cipher, Ssl_version), when the connection has one. */
  private tlsInfo(): { cipher: string; version: string } | undefined {
    if (!this.secure || !(this.socket instanceof TLSSocket)) return undefined;
    return { cipher: this.socket.getCipher()?.name ?? '', version: this.socket.getProtocol() ?? '' };
  }

  /**
   * After an auth exchange: open the session and send OK, or send the error. `collationId` is the
   * client's collation from its handshake (or COM_CHANGE_USER), which the session's character set
   * variables start from; an id mizzle does not know leaves the server defaults, as MySQL does.
   */
  async login(user: string, database: string | null, outcome: AuthOutcome, collationId?: number): Promise<boolean> {
    if (!outcome.ok) {
      if (outcome.closed) return false;
      this.log.info('mysql access denied', { id: this.id, user, host: this.host, reason: outcome.reason });
      this.kernel.loginFailed(this.host, { user, protocol: 'mysql', reason: outcome.reason });
      this.sendError(sqlError('ACCESS_DENIED', accessDeniedMessage(user, this.host, outcome.usedPassword)));
      return false;
    }
    if (!this.env.admit(user, this.host)) {
      this.log.warn('mysql connection refused: too many connections', { id: this.id, user, host: this.host });
      this.sendError(sqlError('CON_COUNT', 'Too many connections'));
      return false;
    }
    try {
      this.session = this.kernel.openSession({
        user, host: this.host, database, connectionId: this.id, disconnect: () => this.close(), protocol: 'mysql',
        foundRows: (this.capabilities & Capability.FOUND_ROWS) !== 0,
        tls: this.tlsInfo(),
        interactive: (this.capabilities & Capability.INTERACTIVE) !== 0,
        collation: collationId === undefined ? undefined : getCollationById(collationId)?.name,
      });
    } catch (e) {
      this.sendError(e);
      return false;
    }
    this.kernel.loginSucceeded(this.host);
    this.sendOk();
    this.flush();
    return true;
  }

  /**
   * Waits until the client has taken the pending output. One that takes none of it for
   * net_write_timeout seconds is disconnected, so a client that stops reading mid-result
   * cannot hold its result's memory (and the session's locks) forever.
   */
  private drained(): Promise<void> {
    return this.backlog() ?? Promise.resolve();
  }

  /** While the client has not taken the output written so far: a promise for when it has (or is disconnected, see drained); otherwise null. */
  backlog(): Promise<void> | null {
    const s = this.socket;
    if (!s.writableNeedDrain || this.closed) return null;
    const seconds = this.session?.netWriteTimeoutSeconds() ?? 0;
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      let lastPending = s.writableLength;
      const done = () => {
        s.off('drain', done);
        s.off('close', done);
        if (timer) clearInterval(timer);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
      if (seconds > 0) {
        // Progress (the client reading some of it) restarts the clock, as MySQL's timeout is per write.
        let idleSince = Date.now();
        timer = setInterval(() => {
          if (s.writableLength !== lastPending) {
            lastPending = s.writableLength;
            idleSince = Date.now();
            return;
          }
          if (Date.now() - idleSince < seconds * 1000) return;
          this.log.info('mysql client read nothing for net_write_timeout, disconnecting', { id: this.id, host: this.host, net_write_timeout: seconds, pending_bytes: s.writableLength });
          done();
          this.close(true);
        }, Math.min(1000, seconds * 250));
        timer.unref();
      }
    });
  }

  /** Ends the connection: the session is released, pending output is flushed (unless `abrupt`), waiters wake. */
  close(abrupt = false): void {
    if (this.closed) return;
    // The place is given back before the last packet leaves: a client that reads an ERR (1040 after login, say)
    // and connects again at once must find it free, on whichever thread accepts it.
    this.env.ended(this);
    this.flush();
    this.closed = true;
    this.cancelWaitTimeout();
    this.cancelReadTimeout();
    if (this.connectTimer) clearTimeout(this.connectTimer);
    this.connectTimer = null;
    const session = this.session;
    this.session = null;
    if (session) {
      try {
        this.statements.clear(session);
        session.close();
      } catch (e) {
        this.log.error('closing a session failed', { id: this.id, error: e instanceof Error ? e.stack : String(e) });
      }
    }
    this.queue.length = 0;
    const w = this.waiter;
    this.waiter = null;
    if (w) w(null);
    if (abrupt) {
      this.socket.destroy();
    } else {
      this.socket.end();
      setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
  }

  // ---------------------------------------------------------------- replies

  hasCapability(flag: number): boolean {
    return (this.capabilities & flag) !== 0;
  }

  /** Status bits for OK/EOF from the session, with MORE_RESULTS_EXISTS when more results follow. */
  statusFlags(more: boolean): number {
    const s = this.session?.status();
    let flags = 0;
    if (!s || s.autocommit) flags |= ServerStatus.AUTOCOMMIT;
    if (s?.inTransaction) flags |= ServerStatus.IN_TRANS;
    if (more) flags |= ServerStatus.MORE_RESULTS_EXISTS;
    return flags;
  }

  warningCount(): number {
    return this.session?.status().warningCount ?? 0;
  }

  sendOk(affectedRows: number | bigint = 0, insertId: number | bigint = 0, info?: string, more = false): void {
    writeOk(this.out, { affectedRows, insertId, status: this.statusFlags(more), warnings: this.warningCount(), info });
  }

  /** An ERR packet for any failure: SqlErrors as they are, malformed packets as 1835, bugs as 1105 (and logged). */
  sendError(e: unknown): void {
    this.out.abort();
    if (e instanceof SqlError) {
      writeErr(this.out, e.code, e.sqlState, e.message);
    } else if (e instanceof MalformedPacketError) {
      const m = sqlError('MALFORMED_PACKET', 'Malformed communication packet.');
      writeErr(this.out, m.code, m.sqlState, m.message);
    } else {
      const message = e instanceof Error ? e.message : String(e);
      this.log.error('internal error while serving a client', { id: this.id, error: e instanceof Error ? e.stack : message });
      writeErr(this.out, 1105, 'HY000', message || 'Unknown error');
    }
  }
}
