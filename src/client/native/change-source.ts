// Following a mizzle server's change log over the native protocol (REPLICATE): what a replica, or any change consumer, reads.
import { NativeClientConnection } from '../../protocol/native/client-end.js';
import type { ChangesFrame } from '../../protocol/native/messages.js';
import { nativeEndpoint, type NativeEndpoint } from './transport.js';

/** A running stream: `ended` rejects when it ends (the server's SqlError, or a connection error). */
export interface ChangeFollow {
  ended: Promise<never>;
  stop(): void;
}

/**
 * The change log of the server at `mizzle://user:password@host:port`. Each follow is one
 * connection; the user needs the administrator's right on the server (what MySQL's REPLICATION SLAVE grants).
 */
export class NativeChangeSource {
  private readonly endpoint: NativeEndpoint;

  constructor(url: URL, private readonly connectTimeoutMs = 5000) {
    this.endpoint = nativeEndpoint(url);
  }

  get host(): string {
    return this.endpoint.host;
  }

  get port(): number {
    return this.endpoint.port;
  }

  get user(): string {
    return this.endpoint.user;
  }

  /**
   * Connects and streams the transactions after `after.sequence` (of server `after.sourceUuid`;
   * '' accepts any; a server that is not `after.sourceUuid` continues after the transaction whose
   * origin id is `after.history`): `each` gets the CHANGES frames (transactions, or none as a
   * heartbeat) received since its last call, and the next call waits for its promise; a consumer
   * that is behind slows the server's sending once a bounded read-ahead is queued, and does not grow its own memory.
   */
  follow(after: { sourceUuid: string; sequence: bigint; history?: { uuid: string; sequence: bigint } }, each: (frames: ChangesFrame[]) => Promise<void>): ChangeFollow {
    let connection: NativeClientConnection | undefined;
    let stopped = false;
    const ended = (async (): Promise<never> => {
      const e = this.endpoint;
      connection = await NativeClientConnection.connect({
        host: e.host, port: e.port, user: e.user, password: e.password, database: null, clientName: 'mizzle-replica', connectTimeoutMs: this.connectTimeoutMs,
      });
      if (stopped) connection.destroy();
      return connection.follow({ sourceUuid: after.sourceUuid, afterSequence: after.sequence, history: after.history }, each);
    })();
    return {
      ended,
      stop: () => {
        stopped = true;
        connection?.destroy();
      },
    };
  }
}
