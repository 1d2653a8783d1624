// Who a HELLO says it is, checked by the authentication plugin as a MySQL login would be; clear-text passwords only over TLS or from loopback.
import { sqlError, type SqlError } from '../../base/errors.js';
import type { KernelApi, TransportInfo } from '../../kernel/plugin.js';
import type { Hello } from '../../protocol/native/messages.js';
import { decisionRefusal } from '../shared/credential-check.js';

export interface HelloPeer {
  host: string;
  loopback: boolean;
  /** TLS or not, and the verified client certificate. */
  transport: TransportInfo;
}

function accessDenied(user: string, host: string, usedPassword: boolean, why = ''): SqlError {
  return sqlError('ACCESS_DENIED', `Access denied for user '${user}'@'${host}' (using password: ${usedPassword ? 'YES' : 'NO'})${why}`);
}

/**
 * Resolves when the authentication plugin lets `hello.user` in; throws 1045 otherwise,
 * after telling `onRefused` why (for the server log). The HELLO carries the password
 * itself, so, as the MySQL protocol does for clear-text passwords, a password is
 * accepted only over TLS or from loopback.
 */
export async function authenticateHello(
  kernel: KernelApi,
  hello: Hello,
  peer: HelloPeer,
  checkTimeoutMs: number,
  onRefused: (reason: string) => void,
): Promise<void> {
  // An address blocked for failed logins (max_connect_errors) is refused before its credentials are looked at.
  const blocked = kernel.hostRefusal(peer.host);
  if (blocked !== undefined) throw blocked;
  const usedPassword = hello.password !== '';
  if (usedPassword && !peer.loopback && !peer.transport.tls) {
    onRefused('a password on a clear connection from a non-loopback client');
    throw accessDenied(hello.user, peer.host, true, ': passwords over a clear native connection are accepted only from loopback; connect with TLS (mizzles://)');
  }
  const decision = await kernel.authenticate({ user: hello.user, host: peer.host, loopback: peer.loopback, transport: peer.transport });
  const refusal = await decisionRefusal(decision, hello.password, checkTimeoutMs);
  if (refusal !== undefined) {
    onRefused(refusal);
    kernel.loginFailed(peer.host, { user: hello.user, protocol: 'native', reason: refusal });
    throw accessDenied(hello.user, peer.host, usedPassword);
  }
  kernel.loginSucceeded(peer.host);
}
