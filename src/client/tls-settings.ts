// A URL's TLS settings (`?ssl-mode=`, `?ssl-ca=`), read the same way for every transport; no Node APIs, so the fetch-only entry shares it.
import { usageError } from './errors.js';

/**
 * MySQL's --ssl-mode: `disabled` clear; `preferred` TLS when the server offers it, else
 * clear; `required` TLS without checking the certificate; `verify-ca` TLS with the
 * certificate signed by a trusted CA; `verify-identity` that and the certificate names the host.
 */
export type SslMode = 'disabled' | 'preferred' | 'required' | 'verify-ca' | 'verify-identity';

const MODES: readonly SslMode[] = ['disabled', 'preferred', 'required', 'verify-ca', 'verify-identity'];

export interface TlsSettings {
  mode: SslMode;
  /** A PEM file of the CA(s) to trust instead of the system's (`?ssl-ca=/path/ca.pem`). */
  caFile?: string;
}

/**
 * The URL's settings: `ssl-mode` as given (MySQL's spelling also: VERIFY_IDENTITY), else
 * `verify-identity` when `ssl-ca` names a CA (a CA is given to be checked against), else
 * `fallback`, the scheme's default. A CA with a mode that checks nothing is refused rather than ignored.
 */
export function tlsSettings(url: URL, fallback: SslMode): TlsSettings {
  const given = url.searchParams.get('ssl-mode');
  const caFile = url.searchParams.get('ssl-ca') ?? undefined;
  if (caFile === '') throw usageError('ssl-ca in the URL must name a PEM file');
  let mode: SslMode;
  if (given === null) mode = caFile === undefined ? fallback : 'verify-identity';
  else {
    const m = given.trim().toLowerCase().replace(/_/g, '-');
    if (!(MODES as readonly string[]).includes(m)) throw usageError(`ssl-mode in the URL must be one of ${MODES.join(', ')}, not '${given}'`);
    mode = m as SslMode;
  }
  if (caFile !== undefined && mode !== 'verify-ca' && mode !== 'verify-identity') {
    throw usageError(`ssl-ca is checked only with ssl-mode=verify-ca or verify-identity, not ${mode}`);
  }
  return caFile === undefined ? { mode } : { mode, caFile };
}
