// Starts a plugin's listener on its port and address, turning the usual failures into a configuration error that names the options to change.
import type { Server, Socket } from 'node:net';
import { ConfigError } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';
import type { KernelApi, Listener } from '../../kernel/plugin.js';

/**
 * Listens on `bind:port`. A port in use or an address not of this host rejects with
 * a ConfigError naming `<plugin>.bind` / `<plugin>.port`; errors after that are logged.
 */
function explain(e: NodeJS.ErrnoException, plugin: string, port: number, bind: string): ConfigError {
  const why = e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EADDRNOTAVAIL' ? 'the address is not one of this host\'s' : e.message;
  return new ConfigError(`${plugin} cannot listen on ${bind}:${port}: ${why}; set ${plugin}.bind / ${plugin}.port`);
}

/**
 * A protocol's clients through the kernel's listening socket (shared by worker threads):
 * each accepted connection goes to `server` as if it had accepted it itself, or to
 * `accept` when given (which looks at it first: TLS or clear).
 */
export async function listenThroughKernel(kernel: KernelApi, server: Server, plugin: string, port: number, bind: string, accept?: (socket: Socket) => void): Promise<Listener> {
  let listener: Listener;
  try {
    listener = await kernel.listen({ host: bind, port }, accept ?? ((socket) => server.emit('connection', socket)));
  } catch (e) {
    throw explain(e as NodeJS.ErrnoException, plugin, port, bind);
  }
  // An HTTP server starts its request and header timeout checks when it listens.
  server.emit('listening');
  return listener;
}

export function listenOrExplain(server: Server, plugin: string, port: number, bind: string, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => reject(explain(e, plugin, port, bind));
    server.once('error', failed);
    server.listen(port, bind, () => {
      server.off('error', failed);
      server.on('error', (e: Error) => log.error(`${plugin} listener error`, { error: e.message }));
      resolve();
    });
  });
}
