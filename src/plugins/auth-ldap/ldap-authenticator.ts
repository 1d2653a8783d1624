// Checks a login by binding to an LDAP directory as the user: by a DN template, or by searching for the user's entry first.
import { urlHost } from '../../base/host-port.js';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Client, InvalidCredentialsError, ResultCodeError, SizeLimitExceededError } from 'ldapts';
import type { AuthDecision, AuthRequest, Authenticator } from '../../kernel/plugin.js';
import type { Logger } from '../../kernel/logger.js';
import { SuccessCache } from '../shared/success-cache.js';
import type { SharedMap } from '../../kernel/shared-maps.js';
import { escapeDnValue, escapeFilterValue, fillTemplate } from './ldap-escape.js';

/** How the user's DN is found: put into a template, or looked up with a search. */
export type DnLookup =
  | { mode: 'template'; template: string }
  | { mode: 'search'; base: string; filter: string; bindDn: string; bindPassword: string };

export interface LdapSettings {
  uri: string;
  starttls: boolean;
  /** PEM CA certificates to trust for ldaps:// and StartTLS (empty: the system's). */
  ca?: string;
  verifyCertificate: boolean;
  lookup: DnLookup;
  /** The whole check (connect, StartTLS, search, bind) must finish within this. */
  timeoutMs: number;
  cacheSeconds: number;
}

/** Raised when the directory cannot answer (down, slow, TLS failure): a denial with the reason in the log. */
class DirectoryUnavailable extends Error {}

/** A search that did not single out one entry: a denial, named as such in the log. */
class UnknownUser extends Error {}

export class LdapAuthenticator implements Authenticator {
  private readonly cache: SuccessCache;
  private readonly host: string;

  /** `store`: where successes are remembered (the kernel's shared map, so that every worker thread finds them; by default a map of its own). */
  constructor(private readonly settings: LdapSettings, private readonly log: Logger, store?: SharedMap) {
    this.cache = new SuccessCache(settings.cacheSeconds * 1000, store);
    this.host = urlHost(new URL(settings.uri));
  }

  async authenticate(req: AuthRequest): Promise<AuthDecision> {
    if (req.user === '') return { kind: 'deny', reason: 'auth-ldap: an empty user name is refused' };
    return { kind: 'verify-cleartext', check: (password) => this.check(req.user, password) };
  }

  /** True when the directory accepts the password; throws (a denial with a reason) for everything that is not a clear yes or no. */
  async check(user: string, password: string): Promise<boolean> {
    // An LDAP simple bind with an empty password is an "unauthenticated bind", which servers accept: never send one.
    if (password === '') throw new Error('auth-ldap: an empty password is refused (it would be an unauthenticated LDAP bind)');
    if (await this.cache.has(user, password)) return true;
    const generation = await this.cache.generation();
    const ok = await this.askDirectory(user, password);
    if (ok) await this.cache.remember(user, password, generation);
    return ok;
  }

  /** SIGHUP drops the remembered successes, e.g. after an account was disabled. */
  reload(): void {
    // With worker threads every worker clears the one shared cache; each says so once it is done.
    this.cache.clear().then(
      () => this.log.info('auth-ldap: cache of successful logins cleared'),
      (e: unknown) => this.log.warn('auth-ldap: cache of successful logins not cleared', { error: String(e) }),
    );
  }

  private async askDirectory(user: string, password: string): Promise<boolean> {
    const s = this.settings;
    const tlsOptions: ConnectionOptions = {
      rejectUnauthorized: s.verifyCertificate,
      host: this.host,
      ...(isIP(this.host) === 0 ? { servername: this.host } : {}),
      ...(s.ca ? { ca: s.ca } : {}),
    };
    // ldapts speaks TLS from the first byte whenever tlsOptions are given: only for ldaps://.
    const implicitTls = s.uri.startsWith('ldaps:');
    const client = new Client({ url: s.uri, timeout: s.timeoutMs, connectTimeout: s.timeoutMs, strictDN: false, ...(implicitTls ? { tlsOptions } : {}) });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new DirectoryUnavailable(`no answer within ${s.timeoutMs} ms`)), s.timeoutMs);
    });
    try {
      return await Promise.race([this.converse(client, user, password, tlsOptions), deadline]);
    } catch (e) {
      if (e instanceof InvalidCredentialsError) return false;
      if (e instanceof UnknownUser) throw e;
      const why = e instanceof Error ? e.message || e.constructor.name : String(e);
      // A result code is the directory's own answer (no such base, size limit, ...); anything else means it could not answer.
      if (e instanceof ResultCodeError) throw new Error(`auth-ldap: LDAP server ${s.uri} refused the login of '${user}': ${why}`);
      throw new Error(`auth-ldap: LDAP server ${s.uri} unavailable: ${why}`);
    } finally {
      clearTimeout(timer);
      void client.unbind().catch(() => undefined);
    }
  }

  private async converse(client: Client, user: string, password: string, tlsOptions: ConnectionOptions): Promise<boolean> {
    const s = this.settings;
    if (s.starttls) await client.startTLS(tlsOptions);
    const lookup = s.lookup;
    let dn: string;
    if (lookup.mode === 'template') {
      dn = fillTemplate(lookup.template, escapeDnValue(user));
    } else {
      if (lookup.bindDn !== '') {
        try {
          await client.bind(lookup.bindDn, lookup.bindPassword);
        } catch (e) {
          throw new DirectoryUnavailable(`the search account ${lookup.bindDn} could not bind (${e instanceof Error ? e.message : String(e)})`);
        }
      }
      const filter = fillTemplate(lookup.filter, escapeFilterValue(user));
      let searchEntries;
      try {
        ({ searchEntries } = await client.search(lookup.base, { scope: 'sub', filter, attributes: ['1.1'], sizeLimit: 2 }));
      } catch (e) {
        if (e instanceof SizeLimitExceededError) throw new UnknownUser(`auth-ldap: more than one entry matches ${filter} under ${lookup.base}`);
        throw e;
      }
      if (searchEntries.length === 0) throw new UnknownUser(`auth-ldap: no entry matches ${filter} under ${lookup.base}`);
      if (searchEntries.length > 1) throw new UnknownUser(`auth-ldap: more than one entry matches ${filter} under ${lookup.base}`);
      dn = searchEntries[0].dn;
    }
    await client.bind(dn, password);
    return true;
  }
}
