// Remembers recent successful clear-text logins (LDAP, HTTP) for a while, without keeping any password.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** Cheap enough per login, still far from a plain hash for whoever reads a memory dump. */
const SCRYPT: ScryptOptions = { N: 4096, r: 8, p: 1 };
const KEY_BYTES = 32;

interface Entry {
  salt: Buffer;
  digest: Buffer;
  expiresAt: number;
}

function derive(password: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, SCRYPT, (e, key) => (e ? reject(e) : resolve(key))));
}

/**
 * One entry per user: a salted scrypt digest of the password that last succeeded and
 * when it expires. A lookup with any other password misses (and the plugin asks its
 * server again); so does everything when `ttlMs` is 0. Only successes are stored, so a
 * failure is never answered from the cache.
 */
export class SuccessCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  async has(user: string, password: string): Promise<boolean> {
    const entry = this.entries.get(user);
    if (!entry) return false;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(user);
      return false;
    }
    const digest = await derive(password, entry.salt);
    return timingSafeEqual(digest, entry.digest);
  }

  async remember(user: string, password: string): Promise<void> {
    if (!this.enabled) return;
    const salt = randomBytes(16);
    const digest = await derive(password, salt);
    this.entries.delete(user);
    this.entries.set(user, { salt, digest, expiresAt: this.now() + this.ttlMs });
    // Oldest first in a Map: drop from the front when full.
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
