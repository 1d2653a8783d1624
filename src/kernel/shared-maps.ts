// Named maps of small byte strings every thread serving clients shares (a plugin's cache of successful logins).

/**
 * One shared map. With worker threads it is kept in the main thread: once a thread's `set`
 * resolved, a `get` on any thread finds the value. Past its size bound the oldest entry goes.
 */
export interface SharedMap {
  get(key: string): Promise<Uint8Array | undefined>;
  /**
   * Stores `value`; with `ifGeneration`, only if the map was not cleared since generation()
   * answered it, so that a result checked before a clear (a reload) cannot land after it.
   */
  set(key: string, value: Uint8Array, ifGeneration?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Empties the map and starts a new generation. */
  clear(): Promise<void>;
  /** How many times the map was cleared: read it before a slow check whose result set() is to store. */
  generation(): Promise<number>;
}

/** A map in this thread's memory, bounded to `maxEntries` (oldest set first out). */
export class LocalMap implements SharedMap {
  private readonly entries = new Map<string, Uint8Array>();
  private clears = 0;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  getNow(key: string): Uint8Array | undefined {
    return this.entries.get(key);
  }

  get generationNow(): number {
    return this.clears;
  }

  setNow(key: string, value: Uint8Array, ifGeneration?: number): void {
    if (ifGeneration !== undefined && ifGeneration !== this.clears) return;
    // Deleted first so that a renewed key counts as the newest.
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  deleteNow(key: string): void {
    this.entries.delete(key);
  }

  clearNow(): void {
    this.entries.clear();
    this.clears++;
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.getNow(key));
  }

  set(key: string, value: Uint8Array, ifGeneration?: number): Promise<void> {
    this.setNow(key, value, ifGeneration);
    return Promise.resolve();
  }

  delete(key: string): Promise<void> {
    this.deleteNow(key);
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.clearNow();
    return Promise.resolve();
  }

  generation(): Promise<number> {
    return Promise.resolve(this.generationNow);
  }
}

/** The maps of one thread by name; the first asker of a name sets its size bound. */
export class LocalMaps {
  private readonly maps = new Map<string, LocalMap>();

  map(name: string, maxEntries: number): LocalMap {
    let m = this.maps.get(name);
    if (!m) this.maps.set(name, (m = new LocalMap(maxEntries)));
    return m;
  }
}

/** What one operation on a shared map asks of the thread that keeps it. */
export type MapOp =
  | { op: 'get'; name: string; max: number; key: string }
  | { op: 'set'; name: string; max: number; key: string; value: Uint8Array; ifGeneration: number | undefined }
  | { op: 'delete'; name: string; max: number; key: string }
  | { op: 'clear'; name: string; max: number }
  | { op: 'generation'; name: string; max: number };

/** Runs `o` on the maps kept here; the value found for a get, the number for a generation. */
export function applyMapOp(maps: LocalMaps, o: MapOp): Uint8Array | number | undefined {
  const m = maps.map(o.name, o.max);
  switch (o.op) {
    case 'get':
      return m.getNow(o.key);
    case 'set':
      m.setNow(o.key, o.value, o.ifGeneration);
      return undefined;
    case 'delete':
      m.deleteNow(o.key);
      return undefined;
    case 'clear':
      m.clearNow();
      return undefined;
    case 'generation':
      return m.generationNow;
  }
}
