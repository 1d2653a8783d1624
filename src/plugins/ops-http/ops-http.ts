// The ops HTTP listener: /health (process up), /ready (accepting and storage healthy), /metrics (Prometheus text).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listenOrExplain } from '../shared/listen.js';
import type { Logger } from '../../kernel/logger.js';
import type { KernelApi, MonitorServer, StatementEvent } from '../../kernel/plugin.js';
import { OpsMetrics } from './metrics.js';

export interface OpsHttpOptions {
  bind: string;
  port: number;
}

/** Why the server is not ready, or an empty list when it is. */
export function readinessProblems(kernel: KernelApi): string[] {
  const problems: string[] = [];
  if (!kernel.accepting()) problems.push('not accepting clients (starting or shutting down)');
  if (!kernel.storageHealthy()) problems.push('storage does not answer');
  return problems;
}

export class OpsHttpServer implements MonitorServer {
  private server: Server | undefined;
  private readonly metrics: OpsMetrics;

  constructor(private readonly kernel: KernelApi, private readonly opts: OpsHttpOptions, private readonly log: Logger) {
    this.metrics = new OpsMetrics(kernel, () => readinessProblems(kernel).length === 0);
  }

  statement(e: StatementEvent): void {
    this.metrics.statement(e);
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    // A malformed request line or header closes that socket only.
    server.on('clientError', (_err, socket) => socket.destroy());
    await listenOrExplain(server, 'ops-http', this.opts.port, this.opts.bind, this.log);
    this.server = server;
  }

  stop(): Promise<void> {
    const server = this.server;
    if (!server) return Promise.resolve();
    this.server = undefined;
    return new Promise((resolve) => {
      server.close(() => resolve());
      // Scrapers keep connections alive; they must not hold shutdown up.
      server.closeAllConnections();
    });
  }

  describe(): string {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    const port = addr?.port ?? this.opts.port;
    const host = this.opts.bind.includes(':') ? `[${this.opts.bind}]` : this.opts.bind;
    return `ops-http http://${host}:${port} (/health /ready /metrics)`;
  }

  /** Answers one request; whatever goes wrong becomes a 500 for that request, never a crash. */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        return send(req, res, 405, 'text/plain; charset=utf-8', 'method not allowed: use GET or HEAD\n', { Allow: 'GET, HEAD' });
      }
      const path = (req.url ?? '/').split('?')[0];
      switch (path) {
        case '/health':
          return send(req, res, 200, 'application/json', JSON.stringify({ status: 'up' }) + '\n');
        case '/ready': {
          const problems = readinessProblems(this.kernel);
          return problems.length === 0
            ? send(req, res, 200, 'application/json', JSON.stringify({ status: 'ready' }) + '\n')
            : send(req, res, 503, 'application/json', JSON.stringify({ status: 'not ready', problems }) + '\n');
        }
        case '/metrics':
          return send(req, res, 200, this.metrics.contentType, await this.metrics.render());
        default:
          return send(req, res, 404, 'text/plain; charset=utf-8', 'not found: try /health, /ready or /metrics\n');
      }
    } catch (e) {
      this.log.error('ops-http request failed', { url: req.url, error: e instanceof Error ? e.message : String(e) });
      if (!res.headersSent) send(req, res, 500, 'text/plain; charset=utf-8', 'internal error; see the server log\n');
      else res.destroy();
    }
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
  res.end(req.method === 'HEAD' ? undefined : body);
}
