// The native protocol listener: connections through the kernel's listening socket, counters, and a drain that redirects before it closes.
import { createServer, type Server, type Socket } from 'node:net';
import { ConfigError } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { KernelApi, Listener, ProtocolServer } from '../../kernel/plugin.js';
import { listenThroughKernel } from '../shared/listen.js';
import { tlsContextFor, type TlsPolicy } from '../shared/tls-transport.js';
import { NativeConnection, type NativeLimits } from './connection.js';
import { NativeCounters } from './counters.js';
import { RedirectPolicy, type RedirectTarget } from './redirect-policy.js';
import { FROZEN_WAIT_MAX_MS, ShardGate } from './shard-gate.js';
import { selfMatcher } from './shard-self.js';

export interface NativeServerOptions extends NativeLimits {
  port: number;
  bind: string;
  redirectTo: RedirectTarget | undefined;
  readOnly: boolean;
  /** On shutdown, how long open connections keep getting answers (REDIRECT draining, with redirect_to) before they are closed. */
  drainMs: number;
  tls: TlsPolicy;
}

/** Longest a stop waits for running statements before closing their connections anyway. */
const STOP_WAIT_MS = 10_000;

export class NativeProtocolServer implements ProtocolServer {
  readonly counters = new NativeCounters();
  private readonly policy: RedirectPolicy;
  private readonly connections = new Set<NativeConnection>();
  private listener: Listener | undefined;
  private server: Server | undefined;
  private shards: ShardGate | undefined;

  constructor(private readonly kernel: KernelApi, private readonly log: Logger, private readonly opts: NativeServerOptions) {
    this.policy = new RedirectPolicy(kernel, opts.redirectTo, opts.readOnly);
  }

  /** The port actually listened on (differs from the option when it was 0). */
  get port(): number {
    return this.listener?.port ?? this.opts.port;
  }

  /** Whether this port serves TLS clients (mizzles://). */
  private servesTls = false;

  describe(): string {
    const host = this.opts.bind.includes(':') ? `[${this.opts.bind}]` : this.opts.bind;
    const at = `${host}:${this.port}`;
    if (!this.servesTls) return `protocol-native mizzle://${at}`;
    return this.opts.tls === 'required' ? `protocol-native mizzles://${at} (TLS required)` : `protocol-native mizzle://${at} (TLS: mizzles://)`;
  }

  statusCounters(): readonly [string, number][] {
    return this.counters.list();
  }

  async start(): Promise<void> {
    const tlsContext = tlsContextFor(this.kernel, this.opts.tls, 'protocol-native');
    this.servesTls = tlsContext() !== null;
    const server = createServer();
    // Known before the first client when the port is; a port of 0 is known only once listening.
    if (this.opts.port !== 0) this.shards = this.shardGate(this.opts.port);
    const self = this;
    server.on('connection', (socket: Socket) => {
      const c = new NativeConnection(socket, {
        kernel: this.kernel,
        log: this.log,
        limits: this.opts,
        counters: this.counters,
        policy: this.policy,
        get shards() { return self.shards; },
        tls: this.opts.tls,
        tlsContext,
        closed: (x) => this.connections.delete(x),
      });
      this.connections.add(c);
    });
    this.listener = await listenThroughKernel(this.kernel, server, 'protocol-native', this.opts.port, this.opts.bind);
    this.shards ??= this.shardGate(this.port);
    this.server = server;
  }

  /** In a sharded topology: the gate that checks keyed requests, knowing this server by --shard-advertise or bind:port (now that the port is known). */
  private shardGate(port: number): ShardGate | undefined {
    const topology = this.kernel.topology?.();
    if (topology === undefined) return undefined;
    let isSelf;
    try {
      isSelf = selfMatcher(this.kernel.shardAdvertise?.() ?? '', this.opts.bind, port);
    } catch (e) {
      throw new ConfigError(`--shard-advertise: ${e instanceof Error ? e.message : String(e)}`);
    }
    const timeout = this.opts.statementTimeoutMs;
    return new ShardGate(topology, isSelf, timeout > 0 ? Math.min(timeout, FROZEN_WAIT_MAX_MS) : FROZEN_WAIT_MAX_MS);
  }

  /**
   * Stops accepting; from now on requests are answered REDIRECT draining (with
   * redirect_to) or 1053. Open connections keep being answered for drain_ms, then
   * each is closed once its running request finished.
   */
  async stop(): Promise<void> {
    if (this.server === undefined) return;
    this.server = undefined;
    this.policy.draining = true;
    this.shards?.close();
    const closed = this.listener ? this.listener.close() : Promise.resolve();
    if (this.opts.drainMs > 0 && this.connections.size > 0) await new Promise((r) => setTimeout(r, this.opts.drainMs));
    const deadline = Date.now() + STOP_WAIT_MS;
    while ([...this.connections].some((c) => c.busy) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const c of [...this.connections]) c.close();
    await closed;
  }
}
