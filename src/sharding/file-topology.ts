// A topology kept in one JSON file, for a one-machine setup without etcd: read at start, polled for changes, written by replacing the file.
import { readFile, rename, writeFile } from 'node:fs/promises';
import { unwatchFile, watchFile } from 'node:fs';
import { parseKeyspace, parseTopology, type KeyspaceTopology, type Topology } from './topology.js';
import { TopologyUnavailableError, type TopologySource } from './topology-source.js';

/** How often the file is checked for changes: well inside the one second readers are promised. */
const POLL_MS = 250;

export class FileTopology implements TopologySource {
  readonly description: string;
  private topology: Topology = { keyspaces: {} };
  private readonly listeners = new Set<(t: Topology) => void>();
  private ok = false;
  private text = '';
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly path: string) {
    this.description = `file ${path}`;
  }

  async start(): Promise<void> {
    await this.reload(true);
    watchFile(this.path, { interval: POLL_MS, persistent: false }, () => void this.reload(false));
  }

  private async reload(first: boolean): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      this.ok = false;
      if (first) throw new TopologyUnavailableError(`cannot read the topology ${this.path}: ${(e as Error).message}`);
      return;
    }
    if (text === this.text) return;
    let next: Topology;
    try {
      next = parseTopology(JSON.parse(text));
    } catch (e) {
      // A half-edited file keeps the last good topology; only the first read must succeed.
      if (first) throw e;
      return;
    }
    this.ok = true;
    this.text = text;
    this.topology = next;
    if (!first) for (const l of this.listeners) l(next);
  }

  current(): Topology {
    return this.topology;
  }

  reachable(): boolean {
    return this.ok;
  }

  onChange(listener: (t: Topology) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  update(keyspace: string, change: (current: KeyspaceTopology | undefined) => KeyspaceTopology | undefined): Promise<KeyspaceTopology | undefined> {
    // One writer per process at a time; the file is replaced whole, so readers never see half of it.
    const run = this.writing.then(async () => {
      await this.reload(false);
      if (!this.ok) throw new TopologyUnavailableError(`the topology file ${this.path} cannot be read`);
      const next = change(this.topology.keyspaces[keyspace]);
      const keyspaces = { ...this.topology.keyspaces };
      if (next === undefined) delete keyspaces[keyspace];
      else keyspaces[keyspace] = parseKeyspace(next);
      const text = `${JSON.stringify({ keyspaces }, null, 2)}\n`;
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, text);
      await rename(tmp, this.path);
      await this.reload(false);
      return next;
    });
    this.writing = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    unwatchFile(this.path);
    this.listeners.clear();
  }
}
