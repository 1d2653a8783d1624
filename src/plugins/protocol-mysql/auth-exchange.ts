// The authentication conversation after a HandshakeResponse or COM_CHANGE_USER: decide, verify, switch methods.
import type { AuthDecision, KernelApi, PeerCertificate, SharedMap, StoredCredential } from '../../kernel/plugin.js';
import {
  AuthMethod,
  EMPTY_NATIVE_STAGE2,
  EMPTY_SHA2_STAGE2,
  Sha2Status,
  clearTextPassword,
  sha2Stage2,
  verifyNative,
  verifySha2,
  writeAuthMoreData,
  writeAuthMoreDataBytes,
  writeAuthSwitchRequest,
  type PacketWriter,
} from '../../protocol/mysql/index.js';
import { decryptSha2Password, type Sha2RsaKey, type Sha2RsaKeySource } from './sha2-rsa-key.js';

/** How the exchange talks to the client: write packets (sequence ids handled by the caller), read the next answer. */
export interface AuthChannel {
  readonly out: PacketWriter;
  /** Sends what `out` holds. */
  flush(): void;
  /** The next payload from the client, or null when the connection closed. */
  receive(): Promise<Buffer | null>;
}

export interface AuthAttempt {
  user: string;
  host: string;
  loopback: boolean;
  /** The connection is TLS: a clear-text password may cross it (caching_sha2 full authentication, mysql_clear_password). */
  secure: boolean;
  /** The client certificate shown over TLS, when it verified against the server's CA (for REQUIRE X509 users). */
  peerCertificate?: PeerCertificate;
  /** caching_sha2_password's RSA key: on a clear connection the password may come encrypted with it. */
  rsaKey?: Sha2RsaKeySource;
  scramble: Buffer;
  /** The method the client computed `response` with (mysql_native_password when it did not say). */
  clientMethod: string;
  response: Buffer;
  /** The method this server prefers when it has to switch (the `default_auth` option). */
  preferredMethod: string;
  /** How long a plugin's clear-text check may take before it counts as a denial. */
  checkTimeoutMs?: number;
}

/** Used when the caller does not say: below the default connect_timeout of 10 s. */
const DEFAULT_CHECK_TIMEOUT_MS = 9000;

export type AuthOutcome =
  | { ok: true }
  | { ok: false; usedPassword: boolean; reason: string; closed?: boolean };

/** Runs the exchange; on success the caller sends OK, on failure ERR 1045 with `accessDeniedMessage`. */
export async function authenticateClient(kernel: KernelApi, ch: AuthChannel, a: AuthAttempt): Promise<AuthOutcome> {
  const transport = a.peerCertificate === undefined ? { tls: a.secure } : { tls: a.secure, peerCertificate: a.peerCertificate };
  const decision: AuthDecision = await kernel.authenticate({ user: a.user, host: a.host, loopback: a.loopback, transport });
  if (decision.kind === 'allow') {
    // A client that answered with a method we do not speak (libmariadb falls back to
    // 'dummy_fallback_auth' when it fails to load a plugin) would read our OK as an auth
    // packet and answer it; as MySQL does, switch it to a method first (the built-in native one).
    if (a.clientMethod !== AuthMethod.NATIVE && a.clientMethod !== AuthMethod.CACHING_SHA2) {
      writeAuthSwitchRequest(ch.out, AuthMethod.NATIVE, a.scramble);
      ch.flush();
      if ((await ch.receive()) === null) return { ok: false, usedPassword: false, reason: 'connection closed during authentication', closed: true };
    }
    return { ok: true };
  }
  if (decision.kind === 'deny') return { ok: false, usedPassword: a.response.length > 0, reason: decision.reason };
  if (decision.kind === 'verify-cleartext') return clearTextExchange(ch, a, decision.check);
  const cred = decision.credential;
  let method = a.clientMethod;
  let token = a.response;
  let switched = false;
  for (;;) {
    if (token.length === 0) {
      return acceptsEmptyPassword(cred) ? { ok: true } : { ok: false, usedPassword: false, reason: 'the user has a password' };
    }
    if (method === AuthMethod.NATIVE && cred.nativeStage2 && cred.nativeStage2.length > 0) {
      return verifyNative(token, a.scramble, cred.nativeStage2) ? { ok: true } : wrongPassword(method);
    }
    if (method === AuthMethod.CACHING_SHA2 && cred.sha256Stage2) {
      if (!verifySha2(token, a.scramble, cred.sha256Stage2)) return wrongPassword(method);
      writeAuthMoreData(ch.out, Sha2Status.FAST_AUTH_SUCCESS);
      return { ok: true };
    }
    if (method === AuthMethod.CACHING_SHA2 && (a.secure || a.rsaKey) && cred.verifyClearText) return sha2FullAuthentication(kernel, ch, cred, token, a);
    const target = switchTarget(cred, a.preferredMethod, a.secure || a.rsaKey !== undefined);
    if (target === null || switched) {
      return {
        ok: false,
        usedPassword: true,
        reason: target === null
          ? 'the stored hash can only check a clear-text password, which needs a TLS connection'
          : `the client did not answer the switch to ${target}`,
      };
    }
    writeAuthSwitchRequest(ch.out, target, a.scramble);
    ch.flush();
    const answer = await ch.receive();
    if (answer === null) return { ok: false, usedPassword: true, reason: 'connection closed during authentication', closed: true };
    method = target;
    token = answer;
    switched = true;
  }
}

/**
 * Stage 2 (SHA256(SHA256(password))) of passwords that passed a full authentication, by the
 * credential they matched: the next login of that user takes the fast path. A credential that
 * names its stored hash (`id`) is remembered in the kernel's shared map, so that with worker
 * threads a full authentication on one worker opens the fast path on all of them; SIGHUP
 * empties it (the users file is read again), as FLUSH PRIVILEGES empties MySQL's cache. Others
 * are keyed by the credential object, so a reloaded users file (new objects) forgets them.
 */
const sha2FastCache = new WeakMap<StoredCredential, Buffer>();
/** The shared map's name and size bound. */
const SHA2_FAST_CACHE = 'protocol-mysql.sha2-fast';
const SHA2_FAST_ENTRIES = 10_000;

/** SIGHUP: the fast path is opened again only by a full authentication against the users file as it is now. */
export function forgetFastAuthentications(kernel: KernelApi): Promise<void> {
  return kernel.sharedMap?.(SHA2_FAST_CACHE, SHA2_FAST_ENTRIES).clear() ?? Promise.resolve();
}

/** Where `cred`'s fast-path stage 2 is kept: the shared map (and its key), or none (the WeakMap). */
function sharedFastEntry(kernel: KernelApi, user: string, cred: StoredCredential): { map: SharedMap; key: string } | undefined {
  if (cred.id === undefined || kernel.sharedMap === undefined) return undefined;
  return { map: kernel.sharedMap(SHA2_FAST_CACHE, SHA2_FAST_ENTRIES), key: `${user}\0${cred.id}` };
}

/**
 * caching_sha2_password's full authentication, for a credential that can only check a
 * clear-text password (a salted scrypt hash without the sha256 stage 2): the server answers
 * "perform full authentication" (0x04) and the client sends its password, NUL-terminated over
 * TLS, or on a clear connection encrypted with the server's RSA public key (which it may ask
 * for first with 0x02). A success is cached for the fast path.
 */
async function sha2FullAuthentication(kernel: KernelApi, ch: AuthChannel, cred: StoredCredential, token: Buffer, a: AuthAttempt): Promise<AuthOutcome> {
  const shared = sharedFastEntry(kernel, a.user, cred);
  const found = shared ? await shared.map.get(shared.key) : sha2FastCache.get(cred);
  const cached = found === undefined ? undefined : Buffer.from(found.buffer, found.byteOffset, found.byteLength);
  if (cached && verifySha2(token, a.scramble, cached)) {
    writeAuthMoreData(ch.out, Sha2Status.FAST_AUTH_SUCCESS);
    return { ok: true };
  }
  const closed: AuthOutcome = { ok: false, usedPassword: true, reason: 'connection closed during authentication', closed: true };
  writeAuthMoreData(ch.out, Sha2Status.PERFORM_FULL_AUTHENTICATION);
  ch.flush();
  let answer = await ch.receive();
  if (answer === null) return closed;
  let password: string;
  if (a.secure) {
    password = clearTextPassword(answer);
  } else {
    let key: Sha2RsaKey;
    try {
      if (!a.rsaKey) throw new Error('none configured');
      key = await a.rsaKey();
    } catch (e) {
      return { ok: false, usedPassword: true, reason: `no RSA key for a clear connection: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (answer.length === 1 && answer[0] === Sha2Status.REQUEST_PUBLIC_KEY) {
      writeAuthMoreDataBytes(ch.out, key.publicPem);
      ch.flush();
      answer = await ch.receive();
      if (answer === null) return closed;
    }
    const decrypted = decryptSha2Password(key, answer, a.scramble);
    if (decrypted === null) return { ok: false, usedPassword: true, reason: 'the RSA-encrypted password did not decrypt (a clear-text password on a clear connection is refused)' };
    password = decrypted;
  }
  if (cred.verifyClearText?.(password) !== true) return wrongPassword(`${AuthMethod.CACHING_SHA2}, full authentication`);
  if (shared) await shared.map.set(shared.key, sha2Stage2(password));
  else sha2FastCache.set(cred, sha2Stage2(password));
  return { ok: true };
}

/**
 * mysql_clear_password: the client sends the password itself, NUL-terminated. That is
 * only acceptable where nobody can listen: over TLS or on loopback, so any other client
 * is refused before it is asked. The plugin's check decides; a rejection, or no answer
 * within the time limit, is a denial (fail closed).
 */
async function clearTextExchange(ch: AuthChannel, a: AuthAttempt, check: (password: string) => Promise<boolean>): Promise<AuthOutcome> {
  if (!a.loopback && !a.secure) {
    return {
      ok: false,
      usedPassword: a.response.length > 0,
      reason: 'this user logs in with mysql_clear_password, which mizzle asks for only over TLS or from loopback clients',
    };
  }
  let answer: Buffer;
  if (a.clientMethod === AuthMethod.CLEAR_TEXT && a.response.length > 0) {
    // The client already sent the password with its handshake (e.g. --default-auth=mysql_clear_password).
    answer = a.response;
  } else {
    writeAuthSwitchRequest(ch.out, AuthMethod.CLEAR_TEXT, a.scramble);
    ch.flush();
    const received = await ch.receive();
    if (received === null) return { ok: false, usedPassword: false, reason: 'connection closed during authentication', closed: true };
    answer = received;
  }
  const password = clearTextPassword(answer);
  const usedPassword = password.length > 0;
  const limitMs = a.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  let timer: NodeJS.Timeout | undefined;
  try {
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the authentication plugin did not answer within ${limitMs} ms`)), limitMs);
    });
    const accepted = await Promise.race([Promise.resolve().then(() => check(password)), timedOut]);
    return accepted === true ? { ok: true } : { ok: false, usedPassword, reason: `wrong password (${AuthMethod.CLEAR_TEXT})` };
  } catch (e) {
    return { ok: false, usedPassword, reason: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}

function wrongPassword(method: string): AuthOutcome {
  return { ok: false, usedPassword: true, reason: `wrong password (${method})` };
}

/**
 * The method to switch a client to: the preferred one when the credential supports it.
 * Over TLS a credential that checks only clear text gets caching_sha2_password's full authentication.
 */
function switchTarget(cred: StoredCredential, preferred: string, secure: boolean): string | null {
  const sha2 = cred.sha256Stage2 !== undefined || (secure && cred.verifyClearText !== undefined);
  const native = cred.nativeStage2 !== undefined && cred.nativeStage2.length > 0;
  if (preferred === AuthMethod.CACHING_SHA2 && sha2) return AuthMethod.CACHING_SHA2;
  if (native) return AuthMethod.NATIVE;
  if (sha2) return AuthMethod.CACHING_SHA2;
  return null;
}

/** Whether the stored credential is that of an empty password. */
export function acceptsEmptyPassword(cred: StoredCredential): boolean {
  if (cred.nativeStage2 !== undefined) return cred.nativeStage2.length === 0 || cred.nativeStage2.equals(EMPTY_NATIVE_STAGE2);
  if (cred.sha256Stage2 !== undefined) return cred.sha256Stage2.equals(EMPTY_SHA2_STAGE2);
  return cred.verifyClearText?.('') === true;
}

/** MySQL's wording for a failed login. */
export function accessDeniedMessage(user: string, host: string, usedPassword: boolean): string {
  return `Access denied for user '${user}'@'${host}' (using password: ${usedPassword ? 'YES' : 'NO'})`;
}
