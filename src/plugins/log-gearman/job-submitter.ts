// Submits background jobs to one Gearman job server: a bounded queue, a window of unacknowledged jobs, reconnect with backoff.
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { Logger } from '../../kernel/logger.js';
import { DropCounter } from '../shared/statement-record.js';
import { PacketReader, PacketType, packetArgs, submitJobBackground } from '../shared/gearman-protocol.js';

export interface JobSubmitterOptions {
  host: string;
  port: number;
  functionName: string;
  /** Jobs waiting for the server, at most; more are dropped and counted. */
  queueLimit: number;
  /** Told about connection trouble and drops (each kind at most every 10 s). */
  log: Logger;
  connectTimeoutMs?: number;
  maxBackoffMs?: number;
}

/** Jobs written but not yet acknowledged with JOB_CREATED, at most; the rest wait in the queue. */
const WINDOW = 256;

export class JobSubmitter {
  private readonly queue: Buffer[] = [];
  /** Sent, waiting for JOB_CREATED, in order (the server answers one connection's requests in order). */
  private readonly unacked: Buffer[] = [];
  private socket: Socket | undefined;
  private connected = false;
  private writable = true;
  private closed = false;
  private backoffMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private lastConnectReport = 0;
  /** A per-process prefix, so unique ids never collide across servers and restarts; gearmand folds a job resent after a reconnect into the queued one. */
  private readonly uniquePrefix = randomBytes(8).toString('hex');
  private seq = 0;
  private idleWaiters: (() => void)[] = [];
  readonly drops: DropCounter;
  /** Jobs the server acknowledged. */
  accepted = 0;

  constructor(private readonly opts: JobSubmitterOptions) {
    this.drops = new DropCounter((dropped, total) => opts.log.warn('log-gearman: jobs dropped (queue full: job server down or slow)', { dropped, total, queue: opts.queueLimit }));
    this.connectNow();
  }

  /** Queues one job; never blocks. */
  submit(workload: string): void {
    if (this.closed) return;
    if (this.queue.length + this.unacked.length >= this.opts.queueLimit) {
      this.drops.drop();
      return;
    }
    this.queue.push(submitJobBackground(this.opts.functionName, `${this.uniquePrefix}-${++this.seq}`, workload));
    this.pump();
  }

  get pending(): number {
    return this.queue.length + this.unacked.length;
  }

  /** Waits (at most `timeoutMs`) for queued jobs to be acknowledged, then disconnects. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.connected && this.pending > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pending > 0) this.opts.log.warn('log-gearman: jobs not submitted at shutdown', { lost: this.pending });
    this.socket?.destroy();
    this.socket = undefined;
  }

  private connectNow(): void {
    this.retryTimer = undefined;
    if (this.closed) return;
    const socket = connect({ host: this.opts.host, port: this.opts.port });
    this.socket = socket;
    const reader = new PacketReader();
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 30_000);
    // A server that does not answer the connect (blackholed address) counts as down.
    socket.setTimeout(this.opts.connectTimeoutMs ?? 5000, () => socket.destroy(new Error('connect timed out')));
    socket.once('connect', () => {
      socket.setTimeout(0);
      this.connected = true;
      this.writable = true;
      if (this.backoffMs > 0) this.opts.log.info('log-gearman: connected to the job server', { server: `${this.opts.host}:${this.opts.port}` });
      this.backoffMs = 0;
      this.pump();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        for (const p of reader.push(chunk)) this.onPacket(p.type, p.body);
      } catch (e) {
        socket.destroy(e instanceof Error ? e : new Error(String(e)));
      }
    });
    socket.on('drain', () => {
      this.writable = true;
      this.pump();
    });
    socket.on('error', (e) => this.connectionTrouble(e.message));
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      this.connected = false;
      // Jobs not acknowledged may not have reached the server: send them again first.
      this.queue.unshift(...this.unacked.splice(0));
      if (this.closed) return;
      this.backoffMs = Math.min(this.opts.maxBackoffMs ?? 10_000, this.backoffMs === 0 ? 100 : this.backoffMs * 2);
      this.retryTimer = setTimeout(() => this.connectNow(), this.backoffMs);
      this.retryTimer.unref();
    });
    // The log connection must not keep the process alive on its own.
    socket.unref();
  }

  private onPacket(type: number, body: Buffer): void {
    if (type === PacketType.JOB_CREATED) {
      this.unacked.shift();
      this.accepted++;
    } else if (type === PacketType.ERROR) {
      // The server refused a request (its answer to that request): drop that job, report it.
      this.unacked.shift();
      this.drops.drop();
      const [code, text] = packetArgs(body, 2).map((b) => b.toString('utf8'));
      this.connectionTrouble(`server error ${code ?? ''}: ${text ?? ''}`);
    }
    this.pump();
  }

  private pump(): void {
    const socket = this.socket;
    if (socket && this.connected) {
      while (this.writable && this.queue.length > 0 && this.unacked.length < WINDOW) {
        const job = this.queue.shift()!;
        this.unacked.push(job);
        this.writable = socket.write(job);
      }
    }
    if (this.pending === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters.splice(0);
      for (const w of waiters) w();
    }
  }

  private connectionTrouble(reason: string): void {
    const now = Date.now();
    if (now - this.lastConnectReport < 10_000) return;
    this.lastConnectReport = now;
    this.opts.log.warn('log-gearman: job server not reachable; queueing and retrying', { server: `${this.opts.host}:${this.opts.port}`, error: reason, queued: this.pending });
  }
}
