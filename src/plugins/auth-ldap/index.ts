// The auth-ldap plugin: logins checked by binding to an LDAP directory as the connecting user.
import { ConfigError } from '../../kernel/config.js';
import { SUCCESS_CACHE_ENTRIES } from '../shared/success-cache.js';
import type { Authenticator, Plugin, PluginOptions } from '../../kernel/plugin.js';
import type { DnLookup, LdapSettings } from './ldap-authenticator.js';
import { readCaFile } from '../shared/tls-ca.js';

export { escapeDnValue, escapeFilterValue } from './ldap-escape.js';

export const plugin: Plugin<'authentication'> = {
  manifest: {
    name: 'auth-ldap',
    kind: 'authentication',
    version: '0.1.0',
    description: 'Checks passwords by binding to an LDAP directory as the user (mysql_clear_password: over TLS or from loopback clients)',
    defaultEnabled: false,
    options: [
      { name: 'uri', type: 'string', default: 'ldap://127.0.0.1:389', description: 'The directory: ldap://host:port or ldaps://host:port' },
      { name: 'starttls', type: 'boolean', default: false, description: 'Upgrade an ldap:// connection with StartTLS before sending any password' },
      { name: 'tls_ca_file', type: 'string', default: '', description: 'PEM file of CA certificates to trust for ldaps:// and StartTLS (empty: the system CAs)' },
      { name: 'tls_verify', type: 'boolean', default: true, description: "Check the directory's certificate and host name (turn off only for tests)" },
      { name: 'bind_dn_template', type: 'string', default: '', description: 'DN to bind as, %u standing for the user name, e.g. uid=%u,ou=people,dc=example,dc=com' },
      { name: 'search_base', type: 'string', default: '', description: 'Instead of a template: search this subtree for the user, then bind as the entry found' },
      { name: 'search_filter', type: 'string', default: '(uid=%u)', description: 'Filter of that search, %u standing for the user name' },
      { name: 'search_bind_dn', type: 'string', default: '', description: 'Account the search binds as (empty: an anonymous search)' },
      { name: 'search_bind_password', type: 'string', default: '', description: "The search account's password", secret: true },
      { name: 'timeout_ms', type: 'number', default: 3000, description: 'Time for the whole check (connect, search, bind); past it the login is refused' },
      { name: 'cache_seconds', type: 'number', default: 60, description: 'How long a successful login is remembered (salted hash, same password only); 0 turns it off' },
    ],
  },
  async init(ctx): Promise<Authenticator> {
    const settings = ldapSettings(ctx.options);
    if (new URL(settings.uri).protocol === 'ldap:' && !settings.starttls && !isLoopbackHost(new URL(settings.uri).hostname)) {
      ctx.log.warn('auth-ldap: passwords go to the directory unencrypted; use ldaps:// or starttls=true', { uri: settings.uri });
    }
    ctx.log.info('auth-ldap: ready', { uri: settings.uri, mode: settings.lookup.mode, cache_seconds: settings.cacheSeconds });
    // The LDAP client loads only when the plugin is enabled: start-up stays fast without it.
    const { LdapAuthenticator } = await import('./ldap-authenticator.js');
    // One cache for the server: a login remembered by one worker thread is a hit on the others.
    return new LdapAuthenticator(settings, ctx.log, ctx.kernel.sharedMap?.('auth-ldap.successes', SUCCESS_CACHE_ENTRIES));
  },
};

/** Checks the options; anything the operator must fix is a ConfigError naming the option. */
export function ldapSettings(o: PluginOptions): LdapSettings {
  const uri = String(o.uri).trim();
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ConfigError(`auth-ldap.uri must be ldap://host[:port] or ldaps://host[:port], not '${uri}'`);
  }
  if ((url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') || url.hostname === '' || (url.pathname !== '' && url.pathname !== '/')) {
    throw new ConfigError(`auth-ldap.uri must be ldap://host[:port] or ldaps://host[:port], not '${uri}'`);
  }
  const starttls = o.starttls === true;
  if (starttls && url.protocol === 'ldaps:') throw new ConfigError('auth-ldap.starttls is for ldap:// URIs; ldaps:// is already encrypted');
  const ca = readCaFile('auth-ldap.tls_ca_file', String(o.tls_ca_file));
  const template = String(o.bind_dn_template).trim();
  const base = String(o.search_base).trim();
  if ((template === '') === (base === '')) {
    throw new ConfigError('auth-ldap needs exactly one of bind_dn_template (e.g. uid=%u,ou=people,dc=example,dc=com) or search_base (with search_filter)');
  }
  let lookup: DnLookup;
  if (template !== '') {
    if (!template.includes('%u') || !template.includes('=')) throw new ConfigError(`auth-ldap.bind_dn_template must be a DN containing %u, not '${template}'`);
    lookup = { mode: 'template', template };
  } else {
    const filter = String(o.search_filter).trim();
    if (!filter.includes('%u') || !filter.startsWith('(') || !filter.endsWith(')')) {
      throw new ConfigError(`auth-ldap.search_filter must be a parenthesized filter containing %u, e.g. (uid=%u), not '${filter}'`);
    }
    const bindDn = String(o.search_bind_dn).trim();
    const bindPassword = String(o.search_bind_password);
    if (bindDn !== '' && bindPassword === '') throw new ConfigError('auth-ldap.search_bind_password is empty: the search account would make an unauthenticated bind');
    lookup = { mode: 'search', base, filter, bindDn, bindPassword };
  }
  const timeoutMs = Number(o.timeout_ms);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new ConfigError(`auth-ldap.timeout_ms must be a positive number of milliseconds, not ${String(o.timeout_ms)}`);
  const cacheSeconds = Number(o.cache_seconds);
  if (!Number.isFinite(cacheSeconds) || cacheSeconds < 0) throw new ConfigError(`auth-ldap.cache_seconds must be 0 or more, not ${String(o.cache_seconds)}`);
  return { uri: `${url.protocol}//${url.host}`, starttls, ca, verifyCertificate: o.tls_verify !== false, lookup, timeoutMs, cacheSeconds };
}

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\./.test(h);
}
