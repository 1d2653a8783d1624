// TLS on a protocol's own port: the `tls` option (preferred, required, disabled), telling a TLS client from a clear one by its first byte, and who is refused 3159.
import type { Socket } from 'node:net';
import { TLSSocket, type SecureContext } from 'node:tls';
import { sqlError, type SqlError } from '../../base/errors.js';
import { ConfigError } from '../../kernel/config.js';
import type { KernelApi, OptionSpec } from '../../kernel/plugin.js';

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
  const tls = new TLSSocket(raw, { isServer: true, secureContext: context });
  const timer = setTimeout(() => {
    onTimeout();
    tls.destroy();
  }, timeoutMs);
  const stop = () => clearTimeout(timer);
  tls.once('secure', stop);
  tls.once('close', stop);
  return tls;
}
