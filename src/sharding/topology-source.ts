// Where a topology lives and how its readers learn of changes: the interface every store implements (a file for one machine, etcd for a cluster).
import type { KeyspaceTopology, Topology } from './topology.js';

/** The store cannot be reached: routing goes on with the last known topology, changes are refused with this. */
export class TopologyUnavailableError extends Error {}

/**
 * One topology store. `start()` reads it once (rejecting when it cannot); afterwards
 * `current()` is the last known topology and listeners hear of each change within a second.
 */
export interface TopologySource {
  /** For messages: 'file /etc/mizzle/topology.json', 'etcd 127.0.0.1:2379/mizzle/'. */
  readonly description: string;
  start(): Promise<void>;
  current(): Topology;
  /** Whether the store answered lately; false while it is down (current() is then the last known topology). */
  reachable(): boolean;
  onChange(listener: (t: Topology) => void): () => void;
  /**
   * Changes one keyspace atomically: `change` gets the stored keyspace (undefined if none)
   * and returns the new one (undefined deletes it). Retried when another writer got there
   * first; rejects with TopologyUnavailableError when the store is down.
   */
  update(keyspace: string, change: (current: KeyspaceTopology | undefined) => KeyspaceTopology | undefined): Promise<KeyspaceTopology | undefined>;
  close(): Promise<void>;
}
