// Test support: a real OpenLDAP server (Debian's slapd) in a temp dir on a free loopback port, with users loaded by slapadd.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../testing/server-process.js';

export const SUFFIX = 'dc=example,dc=com';
export const PEOPLE = `ou=people,${SUFFIX}`;
export const ROOT_DN = `cn=admin,${SUFFIX}`;
export const ROOT_PASSWORD = 'admin-secret';

/** Where Debian puts the daemons (sbin is often not on a test runner's PATH). */
function findTool(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin']) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** Why the LDAP tests cannot run here, or null when slapd and slapadd are installed. */
export function slapdMissing(): string | null {
  return findTool('slapd') && findTool('slapadd') ? null : 'slapd is not installed (apt-get install slapd ldap-utils)';
}

export interface LdapUser {
  uid: string;
  password: string;
  /** The RDN attribute value when it differs from uid (to test DN escaping). */
  cn?: string;
}

export interface Slapd {
  readonly port: number;
  readonly uri: string;
  /** ldaps://127.0.0.1:port when created with TLS (StartTLS then works on `uri` too). */
  readonly ldapsUri?: string;
  /** The self-signed certificate (PEM file) slapd presents, for tls_ca_file. */
  readonly certFile?: string;
  readonly dir: string;
  /** Starts (or restarts, on the same port and data) the daemon; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops the daemon and waits for it to exit. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: the port still accepts connections (the kernel's backlog) but nothing answers. */
  freeze(): void;
  thaw(): void;
  /** Stops it and removes the temp dir. */
  destroy(): Promise<void>;
}

function ldif(users: readonly LdapUser[]): string {
  const entries = [
    `dn: ${SUFFIX}\nobjectClass: top\nobjectClass: dcObject\nobjectClass: organization\no: Example\ndc: example\n`,
    `dn: ${PEOPLE}\nobjectClass: organizationalUnit\nou: people\n`,
  ];
  for (const u of users) {
    // base64 values (the `::` form) so any character survives LDIF; the DN uses uid, escaped by the test's caller.
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    entries.push(
      [
        `dn:: ${b64(`uid=${escapeForFixture(u.uid)},${PEOPLE}`)}`,
        'objectClass: inetOrgPerson',
        `uid:: ${b64(u.uid)}`,
        `cn:: ${b64(u.cn ?? u.uid)}`,
        `sn:: ${b64(u.cn ?? u.uid)}`,
        `userPassword:: ${b64(u.password)}`,
        '',
      ].join('\n'),
    );
  }
  return entries.join('\n');
}

/** The fixture's own DN escaping (kept apart from the plugin's, so a bug there is not mirrored here): every byte outside [A-Za-z0-9] as \XX. */
function escapeForFixture(value: string): string {
  return [...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '\\' + b.toString(16).padStart(2, '0'))).join('');
}

/** Why the TLS tests cannot run here (no openssl to make a certificate), or null. */
export function opensslMissing(): string | null {
  return findTool('openssl') ? null : 'openssl is not installed (needed to make a test certificate)';
}

/** A self-signed certificate for 127.0.0.1 (it is its own CA). */
function makeCertificate(dir: string): { certFile: string; keyFile: string } {
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  const made = spawnSync(findTool('openssl') ?? 'openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
  ], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
  return { certFile, keyFile };
}

/** Writes a slapd.conf-style config and the users, loads them with slapadd; call start() to run the daemon. */
export async function createSlapd(users: readonly LdapUser[], opts: { tls?: boolean } = {}): Promise<Slapd> {
  const slapd = findTool('slapd');
  const slapadd = findTool('slapadd');
  if (!slapd || !slapadd) throw new Error(slapdMissing() ?? 'slapd missing');
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-slapd-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir);
  const conf = join(dir, 'slapd.conf');
  const tls = opts.tls ? makeCertificate(dir) : null;
  writeFileSync(
    conf,
    [
      'include /etc/ldap/schema/core.schema',
      'include /etc/ldap/schema/cosine.schema',
      'include /etc/ldap/schema/inetorgperson.schema',
      'modulepath /usr/lib/ldap',
      'moduleload back_mdb',
      `pidfile ${join(dir, 'slapd.pid')}`,
      // With TLS, binds without it are refused, so a test that logs in proves the connection was encrypted.
      ...(tls ? [`TLSCertificateFile ${tls.certFile}`, `TLSCertificateKeyFile ${tls.keyFile}`, 'security tls=1'] : []),
      'database mdb',
      'maxsize 16777216',
      `suffix "${SUFFIX}"`,
      `rootdn "${ROOT_DN}"`,
      `rootpw ${ROOT_PASSWORD}`,
      `directory ${dataDir}`,
      // Passwords: only usable to bind; everything else readable by anyone (so anonymous search works).
      'access to attrs=userPassword by anonymous auth by self read by * none',
      'access to * by * read',
      '',
    ].join('\n'),
  );
  const ldifFile = join(dir, 'users.ldif');
  writeFileSync(ldifFile, ldif(users));
  const loaded = spawnSync(slapadd, ['-f', conf, '-l', ldifFile], { encoding: 'utf8' });
  if (loaded.status !== 0) throw new Error(`slapadd failed: ${loaded.stderr}`);
  const port = await freePort();
  const uri = `ldap://127.0.0.1:${port}`;
  const ldapsUri = tls ? `ldaps://127.0.0.1:${await freePort()}` : undefined;
  let child: ChildProcess | null = null;
  let output = '';

  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGCONT');
    c.kill('SIGTERM');
    await exited;
  };

  return {
    port,
    uri,
    ldapsUri,
    certFile: tls?.certFile,
    dir,
    async start() {
      if (child) return;
      output = '';
      // -d 0: stay in the foreground (a child we can stop) without debug output.
      const listen = ldapsUri ? `${uri}/ ${ldapsUri}/` : `${uri}/`;
      const c = spawn(slapd, ['-d', '0', '-f', conf, '-h', listen], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = c;
      c.stdout?.on('data', (d: Buffer) => (output += d.toString()));
      c.stderr?.on('data', (d: Buffer) => (output += d.toString()));
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (c.exitCode !== null) throw new Error(`slapd exited with ${c.exitCode}: ${output}`);
        if ((await accepts(port)) && (!ldapsUri || (await accepts(Number(new URL(ldapsUri).port))))) return;
        if (Date.now() > deadline) throw new Error(`slapd did not start: ${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop,
    freeze() {
      child?.kill('SIGSTOP');
    },
    thaw() {
      child?.kill('SIGCONT');
    },
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
