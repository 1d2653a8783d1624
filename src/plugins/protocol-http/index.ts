// The HTTP protocol plugin: SQL over HTTP/JSON (one statement a request, batches, interactive transactions, NDJSON), off by default.
// Its server's modules load in init, so a server that does not enable it does not load them (start-up time, memory per worker).
import { ConfigError } from '../../kernel/config.js';
import type { OptionSpec, Plugin, PluginOptions, ProtocolServer } from '../../kernel/plugin.js';
import { parseTlsPolicy, tlsPolicyOption } from '../shared/tls-transport.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'port', type: 'number', default: 8080, description: 'TCP port of the HTTP API' },
  { name: 'bind', type: 'string', default: '127.0.0.1', description: 'Address the HTTP API listens on (0.0.0.0 or :: for all)' },
  { name: 'max_body_bytes', type: 'number', default: 1048576, description: 'Largest request body; a bigger one is refused with 413' },
  { name: 'max_rows', type: 'number', default: 100000, description: 'Rows in one JSON answer; more is 413 (NDJSON answers are not limited)' },
  { name: 'max_batch_statements', type: 'number', default: 1000, description: 'Statements in one /v1/batch request' },
  { name: 'max_requests', type: 'number', default: 64, description: 'Requests running at once; one more is refused with 429' },
  { name: 'max_sessions', type: 'number', default: 100, description: 'Interactive transactions open at once; one more is refused with 429' },
  { name: 'session_idle_timeout_ms', type: 'number', default: 60000, description: 'An interactive transaction idle this long is rolled back and its token refused' },
  { name: 'statement_timeout_ms', type: 'number', default: 30000, description: 'max_execution_time of HTTP sessions (queries stop with 3024, answered 504); 0 = the server default' },
  { name: 'header_timeout_ms', type: 'number', default: 10000, description: 'Time a client has to send its request headers (then 408)' },
  { name: 'request_timeout_ms', type: 'number', default: 30000, description: 'Time a client has to send its whole request (then 408)' },
  { name: 'auth_timeout_ms', type: 'number', default: 5000, description: 'Time an authentication plugin may take to check a password' },
  tlsPolicyOption(),
];

function whole(o: PluginOptions, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(o[name]);
  if (!Number.isInteger(v) || v < min || v > max) throw new ConfigError(`protocol-http.${name} must be a whole number from ${min} to ${max}, not '${String(o[name])}'`);
  return v;
}

export const plugin: Plugin<'protocol'> = {
  manifest: {
    name: 'protocol-http',
    kind: 'protocol',
    version: '0.1.0',
    description: 'SQL over HTTP/JSON: POST /v1/query and /v1/batch, interactive transactions, NDJSON streaming',
    defaultEnabled: false,
    options: OPTIONS,
  },
  async init(ctx): Promise<ProtocolServer> {
    const o = ctx.options;
    const bind = String(o.bind).trim();
    if (bind === '') throw new ConfigError('protocol-http.bind must be an address, e.g. 127.0.0.1');
    const { HttpProtocolServer } = await import('./server.js');
    const headerTimeoutMs = whole(o, 'header_timeout_ms', 100);
    return new HttpProtocolServer(ctx.kernel, ctx.log, {
      port: whole(o, 'port', 0, 65535),
      bind,
      maxBodyBytes: whole(o, 'max_body_bytes', 64),
      maxRows: whole(o, 'max_rows', 1),
      maxBatchStatements: whole(o, 'max_batch_statements', 1),
      maxRequests: whole(o, 'max_requests', 1),
      maxSessions: whole(o, 'max_sessions', 0),
      sessionIdleTimeoutMs: whole(o, 'session_idle_timeout_ms', 100),
      statementTimeoutMs: whole(o, 'statement_timeout_ms', 0),
      headerTimeoutMs,
      // node requires the whole-request limit to be at least the header limit.
      requestTimeoutMs: Math.max(headerTimeoutMs, whole(o, 'request_timeout_ms', 100)),
      authTimeoutMs: whole(o, 'auth_timeout_ms', 100),
      tls: parseTlsPolicy('protocol-http', o.tls),
    });
  },
};
