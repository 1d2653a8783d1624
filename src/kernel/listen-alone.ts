// A protocol's listening socket when one thread serves every client.
import { createServer, type Socket } from 'node:net';
import type { Listener } from './cluster.js';
import type { ListenSpec } from './threads/messages.js';

export function listenAlone(spec: ListenSpec, onConnection: (socket: Socket) => void): Promise<Listener> {
  const server = createServer({ noDelay: true }, onConnection);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(spec.port, spec.host, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve({
        port: typeof addr === 'object' && addr ? addr.port : spec.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
