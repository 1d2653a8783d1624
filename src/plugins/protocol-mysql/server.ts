// The MySQL protocol listener: accepts TCP clients, enforces max_connections (plus one for an admin), tracks connections for shutdown.
import type { Socket } from 'node:net';
import { sqlError, type SqlError } from '../../base/errors.js';
import { clientHost } from '../shared/address.js';
import type { Logger } from '../../kernel/logger.js';
import type { KernelApi, Listener, ProtocolServer, SharedGauge } from '../../kernel/plugin.js';
import { DEFAULT_MAX_ALLOWED_PACKET, PacketWriter, writeErr } from '../../protocol/mysql/index.js';
import { MysqlConnection, type ConnectionEnv } from './connection.js';
import type { Sha2RsaKeySource } from './sha2-rsa-key.js';
import { forgetFastAuthentications } from './auth-exchange.js';

export interface MysqlServerOptions {
  port: number;
  bind: string;
  maxConnections: number;
  connectTimeoutSeconds: number;
  defaultAuth: string;
  /** caching_sha2_password's RSA key for clear connections; absent: full authentication only over TLS. */
  rsaKey?: Sha2RsaKeySource;
}

export class MysqlProtocolServer implements ProtocolServer {
  private listener: Listener | null = null;
  private listening = false;
  private readonly connections = new Set<MysqlConnection>();
  private boundPort = 0;
  private allClosed: (() => void) | null = null;
  /**
   * Clients connected to this protocol, from accept to close() (handshakes included), on every
   * thread: with worker threads max_connections holds for the server, not per worker.
   */
  private readonly clients: SharedGauge;

  constructor(private readonly kernel: KernelApi, private readonly log: Logger, private readonly opts: MysqlServerOptions) {
    this.clients = kernel.gauge('mysql-connections');
  }

  /** The port actually listened on (differs from the option when it was 0). */
  get port(): number {
    return this.boundPort;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  describe(): string {
    return `mysql ${this.opts.bind}:${this.boundPort || this.opts.port}`;
  }

  async start(): Promise<void> {
    this.listener = await this.kernel.listen({ host: this.opts.bind, port: this.opts.port }, (socket) => this.accept(socket));
    this.boundPort = this.listener.port;
    this.listening = true;
  }

  private accept(socket: Socket): void {
    if (!this.listening) {
      socket.destroy();
      return;
    }
    // An address blocked for failed logins gets 1129 instead of a handshake: a brute-force loop costs one refused socket per try.
    const blocked = this.kernel.hostRefusal(clientHost(socket.remoteAddress));
    if (blocked !== undefined) {
      this.refuse(socket, blocked);
      return;
    }
    // As MySQL: max_connections + 1 clients get a handshake; after login the last one stays only for an admin (admit).
    // Counted first and checked after, so two threads cannot both take the last place.
    if (this.clients.add(1) > this.opts.maxConnections + 1) {
      this.clients.add(-1);
      this.refuse(socket, sqlError('CON_COUNT', 'Too many connections'));
      return;
    }
    const conn = new MysqlConnection(socket, this.kernel.nextConnectionId(), this.env());
    this.connections.add(conn);
    conn.start();
  }

  /** A logged-in client may stay within max_connections; the one connection beyond is kept for an administrator. */
  private admit(user: string, host: string): boolean {
    return this.clients.get() <= this.opts.maxConnections || this.kernel.isConnectionAdmin(user, host);
  }

  /** `e` (1040, 1129) as the first packet, then close. */
  private refuse(socket: Socket, e: SqlError): void {
    socket.on('error', () => undefined);
    const w = new PacketWriter(256);
    writeErr(w, e.code, e.sqlState, e.message);
    socket.end(w.take());
    setTimeout(() => socket.destroy(), 2000).unref();
    // A blocked address may try thousands of times: those refusals are info, not warnings.
    if (e.code === 1129) this.log.info('mysql connection refused: host blocked for failed logins', { host: clientHost(socket.remoteAddress) });
    else this.log.warn('mysql connection refused: too many connections', { max_connections: this.opts.maxConnections });
  }

  private env(): ConnectionEnv {
    const v = Number(this.kernel.getGlobalVariable('max_allowed_packet'));
    return {
      kernel: this.kernel,
      log: this.log,
      maxAllowedPacket: Number.isFinite(v) && v > 0 ? v : DEFAULT_MAX_ALLOWED_PACKET,
      connectTimeoutMs: this.opts.connectTimeoutSeconds * 1000,
      defaultAuth: this.opts.defaultAuth,
      rsaKey: this.opts.rsaKey,
      admit: (user, host) => this.admit(user, host),
      ended: () => this.clients.add(-1),
      closed: (c) => {
        this.connections.delete(c);
        if (this.connections.size === 0 && this.allClosed) this.allClosed();
      },
    };
  }

  /** SIGHUP: caching_sha2_password's fast path is forgotten, as the users file is read again. */
  reload(): Promise<void> {
    return forgetFastAuthentications(this.kernel);
  }

  /** Stops listening, closes idle connections, lets running commands finish; resolves when all are gone. */
  async stop(): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    this.listening = false;
    const listenerClosed = listener.close();
    const drained = new Promise<void>((resolve) => {
      if (this.connections.size === 0) resolve();
      else this.allClosed = resolve;
    });
    for (const c of this.connections) c.shutdown();
    await Promise.all([listenerClosed, drained]);
    this.allClosed = null;
  }
}
