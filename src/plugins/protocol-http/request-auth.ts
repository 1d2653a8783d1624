// Who sends a request: the Authorization header (HTTP Basic) asked of the authentication plugin, as a MySQL login would be.
import { sqlError } from '../../base/errors.js';
import type { KernelApi, TransportInfo } from '../../kernel/plugin.js';
import { decisionRefusal } from '../shared/credential-check.js';
import { HttpFailure } from './http-failure.js';

/** The user a request without an Authorization header acts as (the MySQL client's usual default). */
export const DEFAULT_USER = 'root';

export interface RequestPeer {
  /** The client's address. */
  host: string;
  loopback: boolean;
  /** The request came over TLS (HTTPS): its cipher and version; undefined for clear HTTP. */
  tls?: { cipher: string; version: string };
  /** TLS or not, and the verified client certificate, for the authentication plugin. */
  transport: TransportInfo;
}

interface Credentials {
  user: string;
  password: string;
  /** Whether the request carried a password at all. */
  given: boolean;
}

function unauthorized(message: string): HttpFailure {
  return new HttpFailure(401, sqlError('ACCESS_DENIED', message), { 'WWW-Authenticate': 'Basic realm="mizzle", charset="UTF-8"' });
}

/** The credentials in an Authorization header; no header is the default user without a password. */
export function parseAuthorization(header: string | undefined): Credentials {
  if (header === undefined || header === '') return { user: DEFAULT_USER, password: '', given: false };
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) throw unauthorized('Only HTTP Basic authentication is supported: send Authorization: Basic base64(user:password)');
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon <= 0) throw unauthorized('The Basic credentials must be user:password');
  return { user: text.slice(0, colon), password: text.slice(colon + 1), given: true };
}

function accessDenied(user: string, host: string, usedPassword: boolean): string {
  return `Access denied for user '${user}'@'${host}' (using password: ${usedPassword ? 'YES' : 'NO'})`;
}

/**
 * Authenticates a request and returns the user it acts as; a refusal throws 401 with
 * MySQL's 1045 wording, and `onRefused` learns the reason (for the server log). A
 * password crosses plain HTTP readable by anyone on the path, so, as the MySQL
 * protocol does for clear-text passwords, one is accepted only over HTTPS or from loopback.
 */
export async function authenticateRequest(
  kernel: KernelApi,
  header: string | undefined,
  peer: RequestPeer,
  checkTimeoutMs: number,
  onRefused: (user: string, reason: string) => void,
): Promise<string> {
  // An address blocked for failed logins (max_connect_errors) is refused before its credentials are looked at.
  const blocked = kernel.hostRefusal(peer.host);
  if (blocked !== undefined) throw new HttpFailure(403, blocked);
  const c = parseAuthorization(header);
  const usedPassword = c.password !== '';
  if (usedPassword && !peer.loopback && peer.tls === undefined) {
    onRefused(c.user, 'a password over plain HTTP from a non-loopback client (use https://)');
    throw unauthorized(`${accessDenied(c.user, peer.host, true)}: passwords over plain HTTP are accepted only from loopback; use https://`);
  }
  const decision = await kernel.authenticate({ user: c.user, host: peer.host, loopback: peer.loopback, transport: peer.transport });
  const refusal = await decisionRefusal(decision, c.password, checkTimeoutMs);
  if (refusal !== undefined) {
    onRefused(c.user, refusal);
    kernel.loginFailed(peer.host, { user: c.user, protocol: 'http', reason: refusal });
    throw unauthorized(accessDenied(c.user, peer.host, usedPassword));
  }
  kernel.loginSucceeded(peer.host);
  return c.user;
}
