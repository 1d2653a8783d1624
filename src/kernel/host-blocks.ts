// Failed logins counted per client address; past max_connect_errors in a row the address is refused at connect
// (1129) until FLUSH HOSTS or a restart, as MySQL blocks a host. A brute-force loop then costs the server one
// refused socket per attempt, and clients from other addresses log in as before.
import { sqlError, type SqlError } from '../base/errors.js';
import { LruMap } from '../base/lru-map.js';

/** Addresses remembered at most (MySQL's host cache holds a few hundred); the least recently seen go first. */
const HOSTS_KEPT = 10_000;

export class HostBlocks {
  /** Consecutive failed logins by address (a success forgets the address). */
  private readonly failures = new LruMap<string, number>(HOSTS_KEPT);
  /** Logins refused as wrong, over the server's life, for status. */
  failuresTotal = 0;
  /** Connections refused because their address was blocked. */
  refusedTotal = 0;

  constructor(private readonly limit: () => number) {}

  /** 1129 for a blocked address, to answer instead of a handshake; undefined lets the client in. */
  refusal(address: string): SqlError | undefined {
    const n = this.failures.get(address);
    const limit = this.limit();
    if (n === undefined || limit <= 0 || n < limit) return undefined;
    this.refusedTotal++;
    return sqlError('HOST_IS_BLOCKED', `Host '${address}' is blocked because of many connection errors; unblock with 'FLUSH HOSTS'`);
  }

  failed(address: string): void {
    this.failuresTotal++;
    this.failures.set(address, (this.failures.get(address) ?? 0) + 1);
  }

  succeeded(address: string): void {
    this.failures.take(address);
  }

  flush(): void {
    this.failures.clear();
  }

  /** Addresses refused now. */
  blocked(): number {
    const limit = this.limit();
    if (limit <= 0) return 0;
    let n = 0;
    for (const count of this.failures.values()) if (count >= limit) n++;
    return n;
  }
}
