// A topology source's keyspaces resolved once per change (not per request), and a bounded wait for the next change: what servers and clients route with.
import { ResolvedKeyspace, type Topology } from './topology.js';
import type { TopologySource } from './topology-source.js';

export class TopologyView<V> {
  private views = new Map<string, V>();
  private changes = 0;
  private readonly waiters = new Set<(changed: boolean) => void>();
  private readonly unsubscribe: () => void;

  /** `build` turns each resolved keyspace into what the reader keeps (roles, pools…); it runs on every change. */
  constructor(readonly source: TopologySource, private readonly build: (ks: ResolvedKeyspace) => V) {
    this.rebuild(source.current());
    this.unsubscribe = source.onChange((t) => this.rebuild(t));
  }

  private rebuild(t: Topology): void {
    const views = new Map<string, V>();
    for (const ks of Object.values(t.keyspaces)) views.set(ks.name, this.build(new ResolvedKeyspace(ks)));
    this.views = views;
    this.changes++;
    for (const finish of [...this.waiters]) finish(true);
  }

  /** The keyspace by its exact name (a database name), as of the last change. */
  keyspace(name: string): V | undefined {
    return this.views.get(name);
  }

  /** Counts changes: read it before looking, and wait with changeAfter(). */
  get generation(): number {
    return this.changes;
  }

  /** Resolves true once the topology changed after `generation`, false after `ms` or when `signal` fires first. */
  changeAfter(generation: number, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.changes !== generation) return Promise.resolve(true);
    if (ms <= 0 || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const finish = (changed: boolean) => {
        clearTimeout(timer);
        this.waiters.delete(finish);
        signal?.removeEventListener('abort', stop);
        resolve(changed);
      };
      const stop = () => finish(false);
      const timer = setTimeout(stop, ms);
      this.waiters.add(finish);
      signal?.addEventListener('abort', stop, { once: true });
    });
  }

  /** Stops following the source (which stays open: its owner closes it); waiters are released. */
  close(): void {
    this.unsubscribe();
    for (const finish of [...this.waiters]) finish(false);
  }
}
