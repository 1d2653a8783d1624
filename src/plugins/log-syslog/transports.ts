// How syslog lines leave the server: UDP datagrams, or a long-lived `logger` child writing to a local socket.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { DropCounter } from '../shared/statement-record.js';

export interface SyslogTransport {
  /** Sends one finished line (`<PRI>...`); never blocks, drops (counted) when the destination lags. */
  send(line: string): void;
  /** Sends what is queued (for a short while at most), then releases sockets and children. */
  close(): Promise<void>;
  readonly drops: DropCounter;
  /** Lines handed to the destination (for tests and status). */
  readonly sent: number;
}

type Report = (msg: string, fields: Record<string, unknown>) => void;

/** Datagrams to host:port (the address is resolved once, at startup). A lost datagram is syslog-over-UDP's nature; a full send queue drops. */
export class UdpTransport implements SyslogTransport {
  private readonly socket: Socket;
  private inFlight = 0;
  private closed = false;
  private lastError = 0;
  sent = 0;
  readonly drops: DropCounter;

  constructor(private readonly address: string, private readonly port: number, family: 4 | 6, private readonly maxInFlight: number, private readonly report: Report) {
    this.socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    this.socket.on('error', (e) => this.error(e));
    // Do not keep the server alive for a log socket.
    this.socket.unref();
    this.drops = new DropCounter((dropped, total) => report('log-syslog: messages dropped (UDP send queue full or failing)', { dropped, total }));
  }

  send(line: string): void {
    if (this.closed) return;
    if (this.inFlight >= this.maxInFlight) {
      this.drops.drop();
      return;
    }
    this.inFlight++;
    this.socket.send(line, this.port, this.address, (err) => {
      this.inFlight--;
      if (err) {
        this.drops.drop();
        this.error(err);
      } else this.sent++;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const deadline = Date.now() + 1000;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private error(e: Error): void {
    const now = Date.now();
    if (now - this.lastError < 10_000) return;
    this.lastError = now;
    this.report('log-syslog: UDP send failed', { address: `${this.address}:${this.port}`, error: e.message });
  }
}

/**
 * Node cannot send to a Unix datagram socket, so a `logger` (util-linux) child does: it reads one
 * message a line on stdin (`--prio-prefix` carries each line's priority) and exits when the socket
 * fails (`--socket-errors=on`); it is then started again with backoff, and lines meanwhile are dropped.
 */
export class LoggerChildTransport implements SyslogTransport {
  private child: ChildProcess | undefined;
  private closed = false;
  private backoffMs = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private lastStderr = '';
  private lastReport = 0;
  sent = 0;
  readonly drops: DropCounter;

  constructor(private readonly args: readonly string[], private readonly maxPendingBytes: number, private readonly report: Report) {
    this.drops = new DropCounter((dropped, total) => report('log-syslog: messages dropped (syslog socket down or slow)', { dropped, total }));
    this.start();
  }

  send(line: string): void {
    if (this.closed) return;
    const stdin = this.child?.stdin;
    if (!stdin || !stdin.writable || stdin.writableLength > this.maxPendingBytes) {
      this.drops.drop();
      return;
    }
    stdin.write(line + '\n');
    this.sent++;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    // logger exits at the end of its input; a stuck one is not allowed to hold shutdown up.
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private start(): void {
    this.restartTimer = undefined;
    if (this.closed) return;
    const child = spawn('logger', this.args, { stdio: ['pipe', 'ignore', 'pipe'] });
    this.child = child;
    const startedAt = Date.now();
    this.lastStderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (d: string) => { this.lastStderr = (this.lastStderr + d).slice(-500); });
    // EPIPE when logger died with lines pending: the exit handler restarts it.
    child.stdin?.on('error', () => undefined);
    child.on('error', (e) => this.failed(`cannot run logger: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.closed) return;
      // A child that ran a while was fine until the socket went away: try again soon.
      if (Date.now() - startedAt > 30_000) this.backoffMs = 0;
      this.failed(this.lastStderr.trim() || `logger exited (${signal ?? code})`);
    });
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    (child.stderr as unknown as { unref?: () => void } | null)?.unref?.();
  }

  private failed(reason: string): void {
    if (this.closed || this.restartTimer) return;
    this.backoffMs = Math.min(30_000, this.backoffMs === 0 ? 250 : this.backoffMs * 2);
    const now = Date.now();
    if (now - this.lastReport >= 10_000) {
      this.lastReport = now;
      this.report('log-syslog: the syslog socket is not reachable; retrying', { reason, retry_ms: this.backoffMs });
    }
    this.restartTimer = setTimeout(() => this.start(), this.backoffMs);
    this.restartTimer.unref();
  }
}
