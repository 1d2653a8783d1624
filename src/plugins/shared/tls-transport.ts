// TLS on a protocol's own port: the `tls` option (preferred, required, disabled), telling a TLS client from a clear one by its first byte, and who is refused 3159.
import { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { sqlError, type SqlError } from '../../base/errors.js';
import { ConfigError } from '../../kernel/config.js';
import type { KernelApi, OptionSpec, PeerCertificate, TransportInfo } from '../../kernel/plugin.js';

/** What a protocol's port does with TLS: `preferred` serves clear and TLS clients, `required` refuses clear ones (3159), `disabled` speaks clear only. */
export type TlsPolicy = 'preferred' | 'required' | 'disabled';

const POLICIES: readonly TlsPolicy[] = ['preferred', 'required', 'disabled'];

/**
 * The first byte of every TLS connection: a handshake record (content type 22, RFC 8446
 * §5.1). No HTTP request line and no native frame (magic "MZ") starts with it, so one port
 * serves both, as MySQL's does, without a second round trip to agree on TLS.
 */
export const TLS_HANDSHAKE_BYTE = 0x16;

export function tlsPolicyOption(): OptionSpec {
  return {
    name: 'tls',
    type: 'string',
    default: 'preferred',
    description: 'preferred: TLS and clear clients on the port (TLS with the server certificate, --ssl-*); required: clear clients refused (3159); disabled: clear only',
  };
}

export function parseTlsPolicy(plugin: string, value: unknown): TlsPolicy {
  const v = String(value).trim().toLowerCase();
  if ((POLICIES as readonly string[]).includes(v)) return v as TlsPolicy;
  throw new ConfigError(`${plugin}.tls must be one of ${POLICIES.join(', ')}, not '${String(value)}'`);
}

/**
 * The certificate new connections get (the kernel keeps it current across SIGHUP), or
 * null when this port speaks clear only. `required` without a certificate (--ssl=false,
 * or none could be made) is a startup error: such a port could serve nobody.
 */
export function tlsContextFor(kernel: KernelApi, policy: TlsPolicy, plugin: string): () => SecureContext | null {
  if (policy === 'disabled') return () => null;
  if (policy === 'required' && (kernel.tlsContext?.() ?? null) === null) {
    throw new ConfigError(`${plugin}.tls=required needs the server certificate, and TLS is off (--ssl=false, or no certificate could be made): give --ssl-cert and --ssl-key, or set ${plugin}.tls=preferred`);
  }
  return () => kernel.tlsContext?.() ?? null;
}

/** Why a clear (not TLS) client is refused, as MySQL refuses it (3159, 08004), or undefined when it may go on. */
export function clearTransportRefusal(kernel: KernelApi, policy: TlsPolicy, plugin: string): SqlError | undefined {
  if (policy === 'required') return sqlError('SECURE_TRANSPORT_REQUIRED', `Connections using insecure transport are prohibited while --${plugin}.tls=required.`);
  if (Number(kernel.getGlobalVariable('require_secure_transport')) === 1) {
    return sqlError('SECURE_TRANSPORT_REQUIRED', 'Connections using insecure transport are prohibited while --require_secure_transport=ON.');
  }
  return undefined;
}

/** The TLS session as SHOW STATUS shows it (Ssl_cipher, Ssl_version), or undefined for a clear socket. */
export function tlsSessionInfo(socket: Socket): { cipher: string; version: string } | undefined {
  if (!(socket instanceof TLSSocket) || !socket.encrypted) return undefined;
  return { cipher: socket.getCipher()?.name ?? '', version: socket.getProtocol() ?? '' };
}

/**
 * How a TLS server socket is opened: it asks for a client certificate (for users who must
 * show one, REQUIRE X509 in the users file) but does not refuse a client without one or
 * with one it cannot verify: users without such a requirement log in all the same, and the
 * authentication plugin refuses the others with 1045.
 */
export function serverTlsSocket(raw: Socket, context: SecureContext): TLSSocket {
  return new TLSSocket(raw, { isServer: true, secureContext: context, requestCert: true, rejectUnauthorized: false });
}

/** What the authentication plugin learns about a client's connection: TLS or not, and its client certificate when that verified. */
export function transportOf(socket: Socket): TransportInfo {
  if (!(socket instanceof TLSSocket) || !socket.encrypted) return { tls: false };
  const peerCertificate = verifiedPeerCertificate(socket);
  return peerCertificate === undefined ? { tls: true } : { tls: true, peerCertificate };
}

/**
 * The client certificate's subject and issuer, only when OpenSSL verified it against the
 * server's CA; an unverified certificate counts as none, as MySQL's REQUIRE X509 demands a valid one.
 */
function verifiedPeerCertificate(socket: TLSSocket): PeerCertificate | undefined {
  if (!peerVerified(socket)) return undefined;
  const raw = socket.getPeerCertificate().raw as Buffer | undefined;
  if (raw === undefined || raw.length === 0) return undefined;
  const x509 = new X509Certificate(raw);
  return { subject: mysqlDistinguishedName(x509.subject), issuer: mysqlDistinguishedName(x509.issuer) };
}

/** The part of TLSSocket's handle Node's own tls.Server reads to set `authorized`. */
interface VerifyingHandle {
  verifyError?(): Error | null;
}

/**
 * Whether OpenSSL's verification of the peer's certificate passed. Node sets `authorized`
 * only on sockets its tls.Server made; ours are wrapped after the protocol's own start
 * (SSLRequest, first byte), so we ask the handle as tls.Server does. Fails closed when
 * the handle is gone or a future Node no longer has the call.
 */
function peerVerified(socket: TLSSocket): boolean {
  if (socket.authorized) return true;
  const handle = (socket as unknown as { _handle?: VerifyingHandle | null })._handle;
  if (typeof handle?.verifyError !== 'function') return false;
  return handle.verifyError() === null;
}

/**
 * Node's one-attribute-a-line name ('C=SE\nCN=client', RFC 2253 escapes) as MySQL prints it
 * (OpenSSL's X509_NAME_oneline: '/C=SE/CN=client'), so users-file requirements are written
 * as in MySQL's CREATE USER ... REQUIRE SUBJECT.
 */
export function mysqlDistinguishedName(multiline: string): string {
  let out = '';
  for (const line of multiline.split('\n')) {
    if (line !== '') out += '/' + line.replace(/\\([,+"\\<>;=# ])/g, '$1');
  }
  return out;
}

/**
 * Calls `then` with a connection's first bytes, put back for whoever reads next (the
 * socket is left paused), or with null when none came within `timeoutMs` or the client left.
 */
export function whenFirstBytes(socket: Socket, timeoutMs: number, then: (first: Buffer | null) => void): void {
  const settle = (first: Buffer | null) => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    then(first);
  };
  const onData = (chunk: Buffer) => {
    socket.pause();
    socket.unshift(chunk);
    settle(chunk);
  };
  const onClose = () => settle(null);
  const timer = setTimeout(() => settle(null), timeoutMs);
  socket.on('error', () => undefined);
  socket.on('data', onData);
  socket.once('close', onClose);
}

/**
 * The server end of TLS over `raw`, whose first bytes (the client's hello) are already in
 * its read buffer; TLSSocket reads those before the rest. The handshake must finish within
 * `timeoutMs` or the connection is dropped, so a client cannot hold it by stalling.
 */
export function serverTls(raw: Socket, context: SecureContext, timeoutMs: number, onTimeout: () => void): TLSSocket {
  const tls = serverTlsSocket(raw, context);
  const timer = setTimeout(() => {
    onTimeout();
    tls.destroy();
  }, timeoutMs);
  const stop = () => clearTimeout(timer);
  tls.once('secure', stop);
  tls.once('close', stop);
  return tls;
}
