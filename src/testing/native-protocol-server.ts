// A real mizzle with the protocol-native plugin on a free port, and native client connections to it, for end-to-end tests.
import { NativeClientConnection, type NativeConnectOptions } from '../protocol/native/client-end.js';
import { freePort, startServerProcess, type ServerProcess } from './server-process.js';

export interface NativeProtocolServer {
  server: ServerProcess;
  nativePort: number;
  /** mizzle://user@127.0.0.1:PORT/db */
  url(db?: string, user?: string): string;
  /** A native connection (root, no password, no database unless given). */
  connect(o?: Partial<NativeConnectOptions>): Promise<NativeClientConnection>;
  stop(): Promise<void>;
}

/**
 * Starts mizzle with protocol-native and `args` (more plugin options, other plugins), on `port` when given (servers that name each other);
 * `timeoutMs` for a start that does more than usual (several threads each reading a topology from etcd on a loaded machine).
 */
export async function startNativeProtocolServer(args: readonly string[] = [], port?: number, timeoutMs?: number): Promise<NativeProtocolServer> {
  const nativePort = port ?? (await freePort());
  const server = await startServerProcess({ args: ['--plugin-add', 'protocol-native', `--protocol-native.port=${nativePort}`, ...args], timeoutMs });
  return {
    server,
    nativePort,
    url: (db = '', user = 'root') => `mizzle://${user}@127.0.0.1:${nativePort}/${db}`,
    connect: (o = {}) => NativeClientConnection.connect({ host: '127.0.0.1', port: nativePort, user: 'root', password: '', database: null, ...o }),
    async stop() {
      await server.stop();
      server.cleanup();
    },
  };
}
