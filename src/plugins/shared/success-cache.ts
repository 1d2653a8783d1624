// Remembers recent successful clear-text logins (LDAP, HTTP) for a while, without keeping any password.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { LocalMap, type SharedMap } from '../../kernel/shared-maps.js';

/** Cheap enough per login, still far from a plain hash for whoever reads a memory dump. */
const SCRYPT: ScryptOptions = { N: 4096, r: 8, p: 1 };
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** An entry's bytes: the salt, the digest, then when it expires (ms since the epoch, float64). */
const ENTRY_BYTES = SALT_BYTES + KEY_BYTES + 8;

/** How many users a cache remembers at most (the oldest go first). */
export const SUCCESS_CACHE_ENTRIES = 10_000;

function derive(password: string, salt: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, KEY_BYTES, SCRYPT, (e, key) => (e ? reject(e) : resolve(key))));
}

/**
 * One entry per user: a salted scrypt digest of the password that last succeeded and
 * when it expires. A lookup with any other password misses (and the plugin asks its
 * server again); so does everything when `ttlMs` is 0. Only successes are stored, so a
 * failure is never answered from the cache. The entries live in `store`: with worker
 * threads, the kernel's shared map, so a login remembered by one worker is a hit on every other.
 */
export class SuccessCache {
  constructor(
    private readonly ttlMs: number,
    private readonly store: SharedMap = new LocalMap(SUCCESS_CACHE_ENTRIES),
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  async has(user: string, password: string): Promise<boolean> {
    if (!this.enabled) return false;
    const entry = await this.store.get(user);
    if (!entry || entry.byteLength !== ENTRY_BYTES) return false;
    const view = new DataView(entry.buffer, entry.byteOffset, entry.byteLength);
    if (view.getFloat64(SALT_BYTES + KEY_BYTES) <= this.now()) {
      await this.store.delete(user);
      return false;
    }
    const digest = await derive(password, entry.subarray(0, SALT_BYTES));
    return timingSafeEqual(digest, entry.subarray(SALT_BYTES, SALT_BYTES + KEY_BYTES));
  }

  /**
   * Read before asking the server: remember() stores a success only if no clear (SIGHUP)
   * came in between, so a credential checked before a reload is not cached after it.
   */
  generation(): Promise<number> {
    return this.enabled ? this.store.generation() : Promise.resolve(0);
  }

  /** Stores a success checked against the server since generation() answered `generation`. */
  async remember(user: string, password: string, generation: number): Promise<void> {
    if (!this.enabled) return;
    const salt = randomBytes(SALT_BYTES);
    const digest = await derive(password, salt);
    const entry = new Uint8Array(ENTRY_BYTES);
    entry.set(salt, 0);
    entry.set(digest, SALT_BYTES);
    new DataView(entry.buffer).setFloat64(SALT_BYTES + KEY_BYTES, this.now() + this.ttlMs);
    await this.store.set(user, entry, generation);
  }

  clear(): Promise<void> {
    return this.store.clear();
  }
}
