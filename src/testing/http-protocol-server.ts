// A real mizzle with the protocol-http plugin on a free port, and a raw JSON POST for tests of the HTTP API.
import { freePort, startServerProcess, type ServerProcess } from './server-process.js';

export interface HttpProtocolServer {
  server: ServerProcess;
  httpPort: number;
  /** http://127.0.0.1:PORT + path */
  url(path?: string): string;
  /** POSTs `body` (an object is sent as JSON) and returns the status, headers and parsed JSON (or the text when it is not JSON). */
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; json: unknown; text: string }>;
  stop(): Promise<void>;
}

/** Starts mizzle with protocol-http and `args` (more plugin options, other plugins). */
export async function startHttpProtocolServer(args: readonly string[] = []): Promise<HttpProtocolServer> {
  const httpPort = await freePort();
  // Worker threads as MIZZLE_THREADS says: a session token works from whichever worker a request reaches.
  const server = await startServerProcess({ args: ['--plugin-add', 'protocol-http', `--protocol-http.port=${httpPort}`, ...args] });
  const url = (path = '') => `http://127.0.0.1:${httpPort}${path}`;
  return {
    server,
    httpPort,
    url,
    async post(path, body, headers = {}) {
      const res = await fetch(url(path), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
      return { status: res.status, headers: res.headers, json, text };
    },
    async stop() {
      await server.stop();
      server.cleanup();
    },
  };
}
