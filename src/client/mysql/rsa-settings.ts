// A mysql:// URL's caching_sha2_password key settings (`?server-public-key-path=`, `?get-server-public-key=`), as MySQL's client options of those names.
import { readFileSync } from 'node:fs';
import type { Sha2RsaChoice } from '../../protocol/mysql/client-end.js';
import { usageError } from '../errors.js';

/** A server public key file is a PEM of a few kilobytes; anything much larger is not one. */
const PUBLIC_KEY_FILE_BYTES_MAX = 64 * 1024;

/**
 * The URL's choice for a full authentication on a clear connection: the public key read
 * from `server-public-key-path` now (a bad path is the caller's mistake, reported at
 * connect()), and/or `get-server-public-key=true` to ask the server for it.
 */
export function sha2RsaChoice(url: URL): Sha2RsaChoice {
  const choice: Sha2RsaChoice = {};
  const ask = url.searchParams.get('get-server-public-key');
  if (ask !== null) {
    const v = ask.trim().toLowerCase();
    if (!['true', 'false', '1', '0', 'on', 'off', ''].includes(v)) throw usageError(`get-server-public-key in the URL must be true or false, not '${ask}'`);
    choice.getServerPublicKey = v === 'true' || v === '1' || v === 'on' || v === '';
  }
  const path = url.searchParams.get('server-public-key-path');
  if (path !== null) {
    if (path === '') throw usageError('server-public-key-path in the URL must name a PEM file');
    let pem: string;
    try {
      pem = readFileSync(path, 'utf8');
    } catch (e) {
      throw usageError(`server-public-key-path: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (pem.length > PUBLIC_KEY_FILE_BYTES_MAX || !pem.includes('-----BEGIN PUBLIC KEY-----')) {
      throw usageError(`server-public-key-path: ${path} is not a PEM public key (-----BEGIN PUBLIC KEY-----)`);
    }
    choice.serverPublicKey = pem;
  }
  return choice;
}
