// Turns a URL and options into a Client on the transport its scheme names; shared by every entry point.
import { Client } from './client.js';
import { usageError } from './errors.js';
import type { ClientOptions, Transport } from './transport.js';

/** Makes the transport of one scheme from the URL (credentials, host, database). */
export type TransportFactory = (url: URL) => Transport;

/** A default time limit of one minute per call: long enough for real work, short enough that a hung server is noticed. */
export const DEFAULT_TIMEOUT_MS = 60_000;

function numberParam(url: URL, name: string): number | undefined {
  const text = url.searchParams.get(name);
  if (text === null) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw usageError(`${name} in the URL must be a whole number, not '${text}'`);
  return n;
}

/** A client for `url` on the transport `factories` has for its scheme; options override the URL's `timeoutMs` and `poolSize`. */
export function connectWith(factories: Readonly<Record<string, TransportFactory>>, url: string | URL, o: ClientOptions = {}): Client {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw usageError(`Not a URL: ${String(url)}`);
  }
  const factory = factories[parsed.protocol];
  if (factory === undefined) {
    throw usageError(`No transport for ${parsed.protocol}// URLs here; this entry speaks ${Object.keys(factories).map((s) => `${s}//`).join(', ')}`);
  }
  const transport = factory(parsed);
  const poolSize = o.poolSize ?? numberParam(parsed, 'poolSize') ?? transport.defaultPoolSize;
  if (poolSize < 1) throw usageError('poolSize must be at least 1');
  return new Client(transport, { poolSize, timeoutMs: o.timeoutMs ?? numberParam(parsed, 'timeoutMs') ?? DEFAULT_TIMEOUT_MS });
}
