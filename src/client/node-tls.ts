// A URL's TLS settings as Node's TLS options (the CA file read, what to check): for the transports that open sockets themselves.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { usageError } from './errors.js';
import type { TlsSettings } from './tls-settings.js';

/** Options for a TLS connection to a given host. */
export type TlsOptionsFor = (host: string) => ConnectionOptions;

/**
 * The options of TLS connections as the settings ask (null when the mode is disabled).
 * The CA file is read now: an unreadable one is the caller's mistake, reported at
 * connect() rather than at the first query.
 */
export function nodeTlsOptions(s: TlsSettings): TlsOptionsFor | null {
  if (s.mode === 'disabled') return null;
  let ca: string | undefined;
  if (s.caFile !== undefined) {
    try {
      ca = readFileSync(s.caFile, 'utf8');
    } catch (e) {
      throw usageError(`ssl-ca: cannot read ${s.caFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  const o: ConnectionOptions = { minVersion: 'TLSv1.2', ...(ca === undefined ? {} : { ca }) };
  switch (s.mode) {
    case 'preferred':
    case 'required':
      Object.assign(o, { rejectUnauthorized: false });
      break;
    case 'verify-ca':
      Object.assign(o, { rejectUnauthorized: true, checkServerIdentity: () => undefined });
      break;
    case 'verify-identity':
      Object.assign(o, { rejectUnauthorized: true });
      break;
  }
  // An IP is checked against the certificate's IP names; only a host name goes in SNI.
  return (host) => (isIP(host) === 0 ? { ...o, servername: host } : o);
}
