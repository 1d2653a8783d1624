// Checks a login by asking an HTTP endpoint with Basic credentials: a 2xx is a yes, everything else a no.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AuthDecision, AuthRequest, Authenticator } from '../../kernel/plugin.js';
import type { Logger } from '../../kernel/logger.js';
import { SuccessCache } from '../shared/success-cache.js';
import type { SharedMap } from '../../kernel/shared-maps.js';

export interface HttpSettings {
  url: URL;
  timeoutMs: number;
  cacheSeconds: number;
  /** PEM CA certificates to trust for https:// (empty: the system's). */
  ca?: string;
}

export class HttpAuthenticator implements Authenticator {
  private readonly cache: SuccessCache;

  /** `store`: where successes are remembered (the kernel's shared map, so that every worker thread finds them; by default a map of its own). */
  constructor(private readonly settings: HttpSettings, private readonly log: Logger, store?: SharedMap) {
    this.cache = new SuccessCache(settings.cacheSeconds * 1000, store);
  }

  async authenticate(req: AuthRequest): Promise<AuthDecision> {
    if (req.user === '') return { kind: 'deny', reason: 'auth-http: an empty user name is refused' };
    // Basic's user-id cannot hold a ':' (RFC 7617): the endpoint would split it elsewhere.
    if (req.user.includes(':')) return { kind: 'deny', reason: "auth-http: a user name with ':' cannot be sent with Basic authentication" };
    return { kind: 'verify-cleartext', check: (password) => this.check(req.user, password) };
  }

  async check(user: string, password: string): Promise<boolean> {
    if (password === '') throw new Error('auth-http: an empty password is refused');
    if (await this.cache.has(user, password)) return true;
    const generation = await this.cache.generation();
    const status = await this.ask(user, password);
    if (status >= 200 && status < 300) {
      await this.cache.remember(user, password, generation);
      return true;
    }
    // 401/403 are the endpoint's "no"; anything else is a failure of the endpoint, and still a no.
    if (status === 401 || status === 403) return false;
    throw new Error(`auth-http: ${this.settings.url.origin} answered HTTP ${status}, which counts as a denial`);
  }

  /** SIGHUP drops the remembered successes. */
  reload(): void {
    // With worker threads every worker clears the one shared cache; each says so once it is done.
    this.cache.clear().then(
      () => this.log.info('auth-http: cache of successful logins cleared'),
      (e: unknown) => this.log.warn('auth-http: cache of successful logins not cleared', { error: String(e) }),
    );
  }

  /** One GET with the credentials; resolves with the status code, rejects on network errors and after the timeout. */
  private ask(user: string, password: string): Promise<number> {
    const { url, timeoutMs, ca } = this.settings;
    const authorization = 'Basic ' + Buffer.from(`${user}:${password}`, 'utf8').toString('base64');
    const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<number>((resolve, reject) => {
      const fail = (why: string) => reject(new Error(`auth-http: ${url.origin} unavailable: ${why}`));
      const req = request(url, { method: 'GET', headers: { authorization, accept: '*/*', 'user-agent': 'mizzle-auth-http' }, ...(ca ? { ca } : {}) }, (res: IncomingMessage) => {
        // The status is the answer; the body is not needed (redirects are not followed: a 3xx is a no).
        res.resume();
        res.on('error', () => undefined);
        clearTimeout(timer);
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      const timer = setTimeout(() => {
        fail(`no answer within ${timeoutMs} ms`);
        req.destroy();
      }, timeoutMs);
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(e.code ?? e.message);
      });
      req.end();
    });
  }
}
