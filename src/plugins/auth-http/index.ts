// The auth-http plugin: logins checked by an HTTP endpoint with Basic credentials; it fails closed.
import { ConfigError } from '../../kernel/config.js';
import { SUCCESS_CACHE_ENTRIES } from '../shared/success-cache.js';
import type { Authenticator, Plugin, PluginOptions } from '../../kernel/plugin.js';
import { HttpAuthenticator, type HttpSettings } from './http-authenticator.js';
import { readCaFile } from '../shared/tls-ca.js';

export { HttpAuthenticator };

export const plugin: Plugin<'authentication'> = {
  manifest: {
    name: 'auth-http',
    kind: 'authentication',
    version: '0.1.0',
    description: 'Checks passwords with an HTTP GET carrying Basic credentials; only a 2xx lets the user in (mysql_clear_password: over TLS or from loopback clients)',
    defaultEnabled: false,
    options: [
      { name: 'url', type: 'string', default: '', description: 'The endpoint, http:// or https://; it gets GET with Authorization: Basic user:password' },
      { name: 'timeout_ms', type: 'number', default: 2000, description: 'Time the endpoint has to answer; past it the login is refused' },
      { name: 'cache_seconds', type: 'number', default: 0, description: 'How long a successful login is remembered (salted hash, same password only); 0 turns it off' },
      { name: 'tls_ca_file', type: 'string', default: '', description: 'PEM file of CA certificates to trust for https:// (empty: the system CAs)' },
    ],
  },
  init(ctx): Authenticator {
    const settings = httpSettings(ctx.options);
    if (settings.url.protocol === 'http:' && !/^(localhost|127\.[\d.]+|\[::1\])$/i.test(settings.url.hostname)) {
      ctx.log.warn('auth-http: passwords go to the endpoint unencrypted; use https://', { url: settings.url.origin });
    }
    ctx.log.info('auth-http: ready', { url: settings.url.origin + settings.url.pathname, timeout_ms: settings.timeoutMs, cache_seconds: settings.cacheSeconds });
    // One cache for the server: a login remembered by one worker thread is a hit on the others.
    return new HttpAuthenticator(settings, ctx.log, ctx.kernel.sharedMap?.('auth-http.successes', SUCCESS_CACHE_ENTRIES));
  },
};

/** Checks the options; anything the operator must fix is a ConfigError naming the option. */
export function httpSettings(o: PluginOptions): HttpSettings {
  const raw = String(o.url).trim();
  if (raw === '') throw new ConfigError('auth-http.url is not set: give the endpoint to ask, e.g. --auth-http.url=https://auth.example.com/mysql');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`auth-http.url must be an http:// or https:// URL, not '${raw}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`auth-http.url must be an http:// or https:// URL, not '${raw}'`);
  if (url.username !== '' || url.password !== '') throw new ConfigError('auth-http.url must not carry credentials of its own');
  const timeoutMs = Number(o.timeout_ms);
  if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new ConfigError(`auth-http.timeout_ms must be a positive number of milliseconds, not ${String(o.timeout_ms)}`);
  const cacheSeconds = Number(o.cache_seconds);
  if (!Number.isFinite(cacheSeconds) || cacheSeconds < 0) throw new ConfigError(`auth-http.cache_seconds must be 0 or more, not ${String(o.cache_seconds)}`);
  const ca = readCaFile('auth-http.tls_ca_file', String(o.tls_ca_file));
  return { url, timeoutMs, cacheSeconds, ca };
}
