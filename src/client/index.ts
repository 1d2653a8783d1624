// The client library (`mizzle/client`): one API over mysql:// (mizzle's own MySQL client end), mizzle:// (the native protocol) and http(s)://, and connectSharded for a sharded keyspace; `mizzle/client/http` is the fetch-only entry.
import { connectWith, type TransportFactory } from './connect-url.js';
import type { Client } from './client.js';
import { HTTP_TRANSPORTS } from './http.js';
import { HttpTransport, httpEndpoint, needsOwnTls } from './http/transport.js';
import { httpsFetch } from './https-fetch.js';
import { nodeTlsOptions } from './node-tls.js';
import { MysqlTransport, mysqlEndpoint } from './mysql/transport.js';
import { NativeTransport, nativeEndpoint } from './native/transport.js';
import type { ClientOptions } from './transport.js';

/** Every scheme this entry connects to: a Transport per wire (see transport.ts). */
export const TRANSPORTS: Readonly<Record<string, TransportFactory>> = {
  ...HTTP_TRANSPORTS,
  // Here https:// may also trust a CA of its own (?ssl-ca=) or check less (?ssl-mode=verify-ca|required).
  'https:': (url) => {
    const endpoint = httpEndpoint(url);
    const tls = endpoint.tls !== undefined && needsOwnTls(endpoint) ? nodeTlsOptions(endpoint.tls) : null;
    return tls === null ? new HttpTransport(endpoint) : new HttpTransport(endpoint, httpsFetch(tls));
  },
  'mysql:': (url) => new MysqlTransport(mysqlEndpoint(url)),
  'mizzle:': (url) => new NativeTransport(nativeEndpoint(url)),
  'mizzles:': (url) => new NativeTransport(nativeEndpoint(url)),
};

/**
 * A client for `url`: `mysql://user:password@host:3306/database`,
 * `mizzle://user:password@host:4406/database` (the native protocol; `?maxRedirects=`;
 * `mizzles://` for TLS with the certificate checked) or
 * `http(s)://user:password@host:8080/?database=name`; `?timeoutMs=` and `?poolSize=` on any,
 * `?ssl-mode=` and `?ssl-ca=FILE` on mysql://, mizzle(s):// and https://.
 */
export function connect(url: string | URL, o?: ClientOptions): Client {
  return connectWith(TRANSPORTS, url, o);
}

export { Client, Transaction, MizzleError, ClientCode } from './http.js';
export { connectSharded, type ShardedConnectOptions } from './sharded/connect-sharded.js';
export { ShardedClient, type ShardedCallOptions } from './sharded/sharded-client.js';
export type { ShardInfo, ShardPlacement } from './sharded/keyspace-routes.js';
export type { TopologySource } from '../sharding/topology-source.js';
export type { ShardKeyValue } from '../sharding/shard-key.js';
export type {
  Queryable, RowStream, StreamSummary, ReservedSession, MizzleErrorKind, CallOptions, ClientOptions, Transport, TransportSession, StatementCall, StreamPart, ScriptOutcome,
  ClientValue, ClientParam, ClientRow, Column, ColumnTypeName, QueryResult,
} from './http.js';
