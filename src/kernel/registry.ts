// The typed plugin registry: which plugins exist, which are enabled, and their instances by kind.
import { ConfigError, normalizeName } from './config.js';
import type { Plugin, PluginInstanceByKind, PluginKind, PluginManifest } from './plugin.js';

/** An enabled plugin after init. */
export interface ActivePlugin<K extends PluginKind = PluginKind> {
  manifest: PluginManifest & { kind: K };
  instance: PluginInstanceByKind[K];
}

/** The order kinds start in: storage first (others need the catalog), the listeners last. */
export const KIND_START_ORDER: readonly PluginKind[] = ['storage', 'logging', 'authentication', 'authorization', 'filter', 'applier', 'monitoring', 'protocol'];

/**
 * Holds every plugin mizzle ships (the available set) and decides which are
 * enabled. Plugins are chosen once at startup; nothing is loaded at runtime.
 */
export class PluginRegistry {
  private readonly available = new Map<string, Plugin>();
  private readonly active: ActivePlugin[] = [];

  constructor(plugins: readonly Plugin[]) {
    for (const p of plugins) {
      const name = normalizeName(p.manifest.name);
      if (this.available.has(name)) throw new Error(`plugin ${p.manifest.name} registered twice`);
      this.available.set(name, p);
    }
  }

  manifests(): PluginManifest[] {
    return [...this.available.values()].map((p) => p.manifest);
  }

  get(name: string): Plugin | undefined {
    return this.available.get(normalizeName(name));
  }

  /**
   * The enabled set: `load` replaces the defaults when given; then `add` and
   * `remove` apply. Unknown names are a configuration error.
   */
  selectEnabled(load: string, add: string, remove: string): Plugin[] {
    const list = (s: string) => s.split(',').map((x) => x.trim()).filter((x) => x !== '').map(normalizeName);
    for (const n of [...list(load), ...list(add), ...list(remove)]) {
      if (!this.available.has(n)) {
        throw new ConfigError(`unknown plugin '${n}'; available: ${[...this.available.keys()].join(', ')}`);
      }
    }
    const enabled = new Set<string>(
      list(load).length > 0 ? list(load) : [...this.available.values()].filter((p) => p.manifest.defaultEnabled).map((p) => normalizeName(p.manifest.name)),
    );
    for (const n of list(add)) enabled.add(n);
    for (const n of list(remove)) enabled.delete(n);
    const plugins = [...enabled].map((n) => this.available.get(n) as Plugin);
    return plugins.sort((a, b) => KIND_START_ORDER.indexOf(a.manifest.kind) - KIND_START_ORDER.indexOf(b.manifest.kind));
  }

  addActive<K extends PluginKind>(manifest: PluginManifest & { kind: K }, instance: PluginInstanceByKind[K]): void {
    this.active.push({ manifest, instance } as ActivePlugin);
    this.byKind.clear();
  }

  /** ofKind answers, cached: sessions ask on every statement. */
  private readonly byKind = new Map<PluginKind, readonly ActivePlugin[]>();

  /** Enabled instances of one kind, in start order. */
  ofKind<K extends PluginKind>(kind: K): readonly ActivePlugin<K>[] {
    let list = this.byKind.get(kind);
    if (!list) {
      list = this.active.filter((a) => a.manifest.kind === kind);
      this.byKind.set(kind, list);
    }
    return list as readonly ActivePlugin<K>[];
  }

  isActive(name: string): boolean {
    return this.active.some((a) => normalizeName(a.manifest.name) === normalizeName(name));
  }

  activePlugins(): readonly ActivePlugin[] {
    return this.active;
  }
}
