// The server's TLS certificate: the files named by --ssl-cert/--ssl-key/--ssl-ca, or a CA and server pair generated into the datadir on first start.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { ConfigError } from './config.js';
import type { Logger } from './logger.js';

/** Where the certificate, its key and the CA that signed it (optional) are read from. */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string | null;
  /** True when mizzle generated them (MySQL 8's auto-generated certificates). */
  generated: boolean;
}

/** The names MySQL 8 gives its generated files, so operators find them where they expect. */
export const GENERATED = { ca: 'ca.pem', caKey: 'ca-key.pem', cert: 'server-cert.pem', key: 'server-key.pem' } as const;

/** Names mizzle's TLS sessions (at most 32 bytes): a session resumes only on a mizzle server. */
const SESSION_ID_CONTEXT = 'mizzle';

/** Generated certificates are valid this long (MySQL's are valid for ten years too). */
const GENERATED_VALID_DAYS = 3650;

/**
 * Resolves the TLS files from the options. With none given, the datadir's generated pair is
 * used, made first when `mayGenerate` (the main thread; workers only read what it made).
 * Returns null when TLS is off (--ssl=false).
 */
export function resolveTlsFiles(opts: { ssl: boolean; cert: string; key: string; ca: string }, datadir: string, cwd: string, mayGenerate: boolean, log: Logger): TlsFiles | null {
  if (!opts.ssl) return null;
  if (opts.cert !== '' || opts.key !== '') {
    if (opts.cert === '' || opts.key === '') throw new ConfigError('--ssl-cert and --ssl-key go together: give both, or neither to use the generated certificate');
    const files = { cert: resolve(cwd, opts.cert), key: resolve(cwd, opts.key), ca: opts.ca === '' ? null : resolve(cwd, opts.ca), generated: false };
    for (const f of [files.cert, files.key, files.ca]) if (f !== null && !existsSync(f)) throw new ConfigError(`TLS file ${f} does not exist`);
    return files;
  }
  const files = { cert: join(datadir, GENERATED.cert), key: join(datadir, GENERATED.key), ca: opts.ca === '' ? join(datadir, GENERATED.ca) : resolve(cwd, opts.ca), generated: true };
  if (!existsSync(files.cert) || !existsSync(files.key)) {
    // A worker reads what the main thread made before starting it: nothing there means the main
    // thread could not make it (no openssl) and runs with TLS off, as the worker then does.
    if (!mayGenerate) return null;
    try {
      generateCertificates(datadir);
    } catch (e) {
      // As MySQL 8 does when it cannot make its certificate: start, without TLS, and say so.
      if (!(e instanceof OpensslMissing)) throw e;
      log.warn(`TLS is off: ${e.message}`);
      return null;
    }
    log.info('generated a self-signed CA and server certificate for TLS', { ca: join(datadir, GENERATED.ca), cert: files.cert });
  }
  return files;
}

/** The openssl command is not installed, so no certificate can be generated. */
class OpensslMissing extends ConfigError {}

/** Runs the openssl command line tool; its failure is a ConfigError saying what to do instead. */
function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8', timeout: 30_000 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
    throw new OpensslMissing('generating the TLS certificate needs the openssl command, which is not installed: install it (apt-get install openssl) or give --ssl-cert and --ssl-key');
  }
  if (r.status !== 0) throw new ConfigError(`openssl ${args[0]} failed while generating the TLS certificate: ${(r.stderr || String(r.error)).trim()}`);
}

/**
 * Makes a CA and a server certificate it signs (P-256 keys: fast to make, spoken by every
 * TLS library MySQL clients use). The server certificate names localhost, the loopback
 * addresses and this host, so a client that checks the name against `--ssl-ca` accepts it
 * locally. Files are made in a scratch directory and moved in at the end, so a crash
 * never leaves half a set.
 */
export function generateCertificates(datadir: string): void {
  const tmp = mkdtempSync(join(datadir, '.tls-'));
  try {
    const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const stamp = Date.now();
    openssl(['req', '-x509', '-new', ...key, '-keyout', GENERATED.caKey, '-out', GENERATED.ca, '-days', String(GENERATED_VALID_DAYS),
      '-subj', `/CN=mizzle_Auto_Generated_CA_Certificate_${stamp}`], tmp);
    openssl(['req', '-new', ...key, '-keyout', GENERATED.key, '-out', 'server.csr', '-subj', `/CN=mizzle_Auto_Generated_Server_Certificate_${stamp}`], tmp);
    const names = ['DNS:localhost', 'IP:127.0.0.1', 'IP:::1'];
    const host = hostname();
    if (/^[A-Za-z0-9.-]+$/.test(host) && host !== 'localhost') names.push(`DNS:${host}`);
    writeFileSync(join(tmp, 'server.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${names.join(',')}\n`);
    openssl(['x509', '-req', '-in', 'server.csr', '-CA', GENERATED.ca, '-CAkey', GENERATED.caKey, '-set_serial', String(stamp),
      '-days', String(GENERATED_VALID_DAYS), '-extfile', 'server.ext', '-out', GENERATED.cert], tmp);
    for (const f of [GENERATED.caKey, GENERATED.key]) chmodSync(join(tmp, f), 0o600);
    // The key before the certificate: a reader that sees the certificate finds its key.
    for (const f of [GENERATED.caKey, GENERATED.ca, GENERATED.key, GENERATED.cert]) renameSync(join(tmp, f), join(datadir, f));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The certificate as Node's TLS uses it, re-read on SIGHUP. A reload that fails keeps the
 * previous context, so a half-copied new certificate never takes TLS away.
 */
export class TlsMaterial {
  private current: { context: SecureContext; notBefore: string; notAfter: string };

  constructor(readonly files: TlsFiles) {
    this.current = TlsMaterial.load(files);
  }

  get context(): SecureContext {
    return this.current.context;
  }

  /** The certificate's validity, as SHOW STATUS's Ssl_server_not_before / Ssl_server_not_after show it. */
  validity(): { notBefore: string; notAfter: string } {
    return { notBefore: this.current.notBefore, notAfter: this.current.notAfter };
  }

  /** Re-reads the files; throws (and keeps the old context) when they do not make a valid pair. */
  reload(): void {
    this.current = TlsMaterial.load(this.files);
  }

  private static load(files: TlsFiles): { context: SecureContext; notBefore: string; notAfter: string } {
    try {
      const ca = files.ca !== null && existsSync(files.ca) ? readFileSync(files.ca) : undefined;
      const cert = readFileSync(files.cert);
      const x509 = new X509Certificate(cert);
      // No CA file: an empty list, not Node's public roots, so a client certificate verifies
      // only against a CA the operator named (REQUIRE X509 users cannot log in without one).
      // A session id context, as tls.Server sets one: OpenSSL refuses (alert 80) a client that
      // resumes a session on a socket that asks for a client certificate when there is none.
      const context = createSecureContext({ cert, key: readFileSync(files.key), ca: ca ?? [], minVersion: 'TLSv1.2', sessionIdContext: SESSION_ID_CONTEXT });
      return { context, notBefore: x509.validFrom, notAfter: x509.validTo };
    } catch (e) {
      throw new ConfigError(`cannot use the TLS certificate ${files.cert} with key ${files.key}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
