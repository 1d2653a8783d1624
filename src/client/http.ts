// The client library for fetch-only runtimes (browsers, edge and serverless): http(s):// URLs, and no Node APIs reachable from here.
import { connectWith, type TransportFactory } from './connect-url.js';
import type { Client } from './client.js';
import { HttpTransport, httpEndpoint } from './http/transport.js';
import type { ClientOptions } from './transport.js';

/** The schemes this entry connects to. */
export const HTTP_TRANSPORTS: Readonly<Record<string, TransportFactory>> = {
  'http:': (url) => new HttpTransport(httpEndpoint(url)),
  'https:': (url) => new HttpTransport(httpEndpoint(url)),
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
