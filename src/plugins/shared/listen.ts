// Starts a plugin's listener on its port and address, turning the usual failures into a configuration error that names the options to change.
import type { Server } from 'node:net';
import { ConfigError } from '../../kernel/config.js';
import type { Logger } from '../../kernel/logger.js';

/**
 * Listens on `bind:port`. A port in use or an address not of this host rejects with
 * a ConfigError naming `<plugin>.bind` / `<plugin>.port`; errors after that are logged.
 */
export function listenOrExplain(server: Server, plugin: string, port: number, bind: string, log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => {
      const why = e.code === 'EADDRINUSE' ? 'the address is in use' : e.code === 'EADDRNOTAVAIL' ? 'the address is not one of this host\'s' : e.message;
      reject(new ConfigError(`${plugin} cannot listen on ${bind}:${port}: ${why}; set ${plugin}.bind / ${plugin}.port`));
    };
    server.once('error', failed);
    server.listen(port, bind, () => {
      server.off('error', failed);
      server.on('error', (e: Error) => log.error(`${plugin} listener error`, { error: e.message }));
      resolve();
    });
  });
}
