// The client library for fetch-only runtimes (browsers, edge and serverless): http(s):// URLs, and no Node APIs reachable from here.
import { connectWith, type TransportFactory } from './connect-url.js';
import type { Client } from './client.js';
import { usageError } from './errors.js';
import { HttpTransport, httpEndpoint, needsOwnTls } from './http/transport.js';
import type { ClientOptions } from './transport.js';

/** An https:// URL here: fetch does TLS its own way (the platform's CAs, the host name checked), so the URL may not ask for other checks. */
function fetchTlsOnly(url: URL): HttpTransport {
  const endpoint = httpEndpoint(url);
  if (needsOwnTls(endpoint)) throw usageError('ssl-ca and ssl-mode other than verify-identity need mizzle/client (Node); with fetch alone the platform checks the certificate');
  return new HttpTransport(endpoint);
}

/** The schemes this entry connects to. */
export const HTTP_TRANSPORTS: Readonly<Record<string, TransportFactory>> = {
  'http:': (url) => new HttpTransport(httpEndpoint(url)),
  'https:': fetchTlsOnly,
};

/** A client for an http(s):// URL: `http://user:password@host:8080/?database=shop`. */
export function connect(url: string | URL, o?: ClientOptions): Client {
  return connectWith(HTTP_TRANSPORTS, url, o);
}

export { Client, Transaction, type Queryable, type RowStream, type StreamSummary, type ReservedSession } from './client.js';
export { MizzleError, ClientCode, type MizzleErrorKind } from './errors.js';
export type { CallOptions } from './call-signal.js';
export type { ClientOptions, Transport, TransportSession, StatementCall, StreamPart, ScriptOutcome } from './transport.js';
export type { ClientValue, ClientParam, ClientRow, Column, ColumnTypeName, QueryResult } from './values.js';
