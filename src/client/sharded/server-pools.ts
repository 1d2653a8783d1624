// One session pool per shard server, made when a call first goes there; each over the native protocol, reporting REDIRECTs instead of following them.
import type { ServerAddress } from '../../sharding/topology.js';
import { usageError } from '../errors.js';
import { NativeTransport, type NativeEndpoint } from '../native/transport.js';
import { SessionPool } from '../pool.js';

/** Servers a client keeps pools for at most: a topology names far fewer; this bounds a REDIRECT storm. */
export const SERVER_POOLS_MAX = 4096;

/** What every server's connections share: credentials, the keyspace as database, TLS. */
export type ServerEndpoint = Omit<NativeEndpoint, 'host' | 'port'>;

export class ServerPools {
  private readonly pools = new Map<string, SessionPool>();
  private closed = false;

  constructor(private readonly endpoint: ServerEndpoint, private readonly size: number, private readonly timeoutMs: number) {}

  at(a: ServerAddress): SessionPool {
    if (this.closed) throw usageError('The client is closed');
    const key = `${a.host}:${a.port}`;
    let pool = this.pools.get(key);
    if (pool === undefined) {
      if (this.pools.size >= SERVER_POOLS_MAX) throw usageError(`More than ${SERVER_POOLS_MAX} servers were named to this client`);
      pool = new SessionPool(new NativeTransport({ ...this.endpoint, host: a.host, port: a.port }, true), this.size, this.timeoutMs);
      this.pools.set(key, pool);
    }
    return pool;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.pools.values()].map((p) => p.close()));
  }
}
