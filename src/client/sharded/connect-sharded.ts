// connectSharded(): a ShardedClient for one keyspace of a topology (a file or etcd address, or a source the caller runs), with the native URL's TLS settings.
import { openTopology } from '../../sharding/open-topology.js';
import type { TopologySource } from '../../sharding/topology-source.js';
import { DEFAULT_TIMEOUT_MS } from '../connect-url.js';
import { ClientCode, MizzleError, usageError } from '../errors.js';
import { DEFAULT_REDIRECTS_MAX } from '../native/transport.js';
import { nodeTlsOptions } from '../node-tls.js';
import { tlsSettings, type SslMode } from '../tls-settings.js';
import { KeyspaceRoutes } from './keyspace-routes.js';
import { ServerPools } from './server-pools.js';
import { ShardedClient } from './sharded-client.js';

/** Sessions kept per shard server unless told otherwise. */
const DEFAULT_POOL_SIZE = 4;

export interface ShardedConnectOptions {
  /**
   * The topology: its address (a JSON file, or etcd://host:port[,host:port…]/prefix), opened,
   * followed and closed by the client; or a TopologySource the caller started and closes.
   */
  topology: string | TopologySource;
  /** The keyspace, which is also the database on every shard server. */
  keyspace: string;
  user?: string;
  password?: string;
  /** As mizzle://'s ?ssl-mode= (default preferred; verify-identity when sslCa is given). */
  sslMode?: SslMode;
  /** As ?ssl-ca=: a PEM file of the CA(s) to trust. */
  sslCa?: string;
  /** Sessions kept open per shard server at most (default 4). */
  poolSize?: number;
  /** Default time limit of each call in ms, 0 for none (default 60000); holding for a frozen shard and redirects count. */
  timeoutMs?: number;
  /** REDIRECTs one call follows at most (default 5). */
  redirectsMax?: number;
  /** Where the topology store's warnings go (etcd lost and found again, a bad value ignored); stderr by default. */
  topologyLog?: (message: string) => void;
}

function whole(name: string, v: number | undefined, fallback: number, min: number, max: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < min || v > max) throw usageError(`${name} must be a whole number from ${min} to ${max}, not ${String(v)}`);
  return v;
}

/**
 * A client of `o.keyspace`: it reads the topology now (rejecting when it cannot, or when the
 * keyspace is not in it), then follows its changes; connections to shard servers open on first use.
 */
export async function connectSharded(o: ShardedConnectOptions): Promise<ShardedClient> {
  const poolSize = whole('poolSize', o.poolSize, DEFAULT_POOL_SIZE, 1, 10_000);
  const timeoutMs = whole('timeoutMs', o.timeoutMs, DEFAULT_TIMEOUT_MS, 0, 2 ** 31 - 1);
  const redirectsMax = whole('redirectsMax', o.redirectsMax, DEFAULT_REDIRECTS_MAX, 0, 100);
  // The same reading of ssl-mode / ssl-ca as a mizzle:// URL's.
  const tlsUrl = new URL('mizzle://shard/');
  if (o.sslMode !== undefined) tlsUrl.searchParams.set('ssl-mode', o.sslMode);
  if (o.sslCa !== undefined) tlsUrl.searchParams.set('ssl-ca', o.sslCa);
  const tls = tlsSettings(tlsUrl, 'preferred');
  // The sharded client lends its sessions whole (a call and its redirects), so they are not pipelined.
  const endpoint = { user: o.user ?? 'root', password: o.password ?? '', database: o.keyspace, redirectsMax, pipelineDepth: 1, sslMode: tls.mode, tls: nodeTlsOptions(tls) };

  let source: TopologySource;
  const owned = typeof o.topology === 'string';
  if (typeof o.topology === 'string') {
    let opened: TopologySource | undefined;
    try {
      opened = await openTopology(o.topology, { log: o.topologyLog });
      await opened.start();
    } catch (e) {
      await opened?.close().catch(() => undefined);
      throw new MizzleError(`Cannot read the topology ${o.topology}: ${e instanceof Error ? e.message : String(e)}`, ClientCode.CONNECT, 'HY000', 'connection');
    }
    source = opened;
  } else {
    source = o.topology;
  }
  const routes = new KeyspaceRoutes(source, o.keyspace);
  if (source.current().keyspaces[o.keyspace] === undefined) {
    routes.close();
    if (owned) await source.close();
    throw usageError(`Keyspace ${o.keyspace} is not in the topology (${source.description})`);
  }
  return new ShardedClient(routes, new ServerPools(endpoint, poolSize, timeoutMs), { timeoutMs, redirectsMax }, async () => {
    if (owned) await source.close();
  });
}
