// The ops-http plugin: an HTTP side listener for health checks, readiness probes and Prometheus metrics.
import { ConfigError } from '../../kernel/config.js';
import type { MonitorServer, Plugin } from '../../kernel/plugin.js';

export const plugin: Plugin<'monitoring'> = {
  manifest: {
    name: 'ops-http',
    kind: 'monitoring',
    version: '0.1.0',
    description: 'HTTP endpoint for operators: /health, /ready and Prometheus /metrics',
    defaultEnabled: false,
    options: [
      { name: 'bind', type: 'string', default: '127.0.0.1', description: 'Address the HTTP listener binds to (0.0.0.0 for every interface)' },
      { name: 'port', type: 'number', default: 9104, description: 'TCP port of the HTTP listener' },
    ],
  },
  async init(ctx): Promise<MonitorServer> {
    const port = Number(ctx.options.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`ops-http.port must be a TCP port number (0-65535), got '${String(ctx.options.port)}'`);
    const bind = String(ctx.options.bind).trim();
    if (bind === '') throw new ConfigError('ops-http.bind must be an address, e.g. 127.0.0.1');
    // prom-client loads only when the plugin is enabled: start-up stays fast without it.
    const { OpsHttpServer } = await import('./ops-http.js');
    return new OpsHttpServer(ctx.kernel, { bind, port }, ctx.log);
  },
};
