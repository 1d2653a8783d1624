// What the kernel needs when it is one of several threads serving the same data (see kernel/threads); alone it needs none of it.
import type { Socket } from 'node:net';
import type { Value } from '../base/value.js';
import type { RowLocks } from './transactions/lock-manager.js';
import type { SharedGauge } from './gauges.js';
import type { SharedMap } from './shared-maps.js';
import type { ListenSpec, WorkerReport } from './threads/messages.js';
import type { ReplicationFilterChange } from './replication/replicate-rules.js';

/** A listening socket a protocol plugin asked the kernel for. */
export interface Listener {
  /** The port actually listened on (differs from the asked one when that was 0). */
  readonly port: number;
  /** Stops handing new connections to the plugin. */
  close(): Promise<void>;
}

/** What the thread that runs the applier is asked to do: start, stop, apply what it received then stop (PROMOTE), follow the stored source. */
export type ApplierDuty = 'start' | 'stop' | 'drain' | 'sync';

export interface KernelCluster {
  /** Row locks every thread shares. */
  readonly locks: RowLocks;
  nextConnectionId(): number;
  listen(spec: ListenSpec, onConnection: (socket: Socket) => void): Promise<Listener>;
  /** What the other threads report now (their sessions, their status counters). */
  gather(): Promise<WorkerReport[]>;
  /** KILL of a session another thread serves. */
  kill(id: number, queryOnly: boolean): void;
  /** START / STOP REPLICA, PROMOTE's drain, a changed source: the main thread runs the applier. */
  replicaControl(action: ApplierDuty): void;
  /** CHANGE REPLICATION FILTER (checked here): the main thread's applier takes the new filters. */
  replicaFilter(filters: readonly ReplicationFilterChange[]): void;
  /** FLUSH HOSTS made here: the other threads forget their failed logins too. */
  flushHosts(): void;
  /** SET GLOBAL made here: the other threads apply it too. */
  globalChanged(name: string, value: Value): void;
  /** Makes the next reads of this thread see every commit made so far by any thread. */
  freshReads(): void;
  /** A number every thread shares. */
  gauge(name: string): SharedGauge;
  /** A map every thread shares (kept in the main thread). */
  map(name: string, maxEntries: number): SharedMap;
  /** Status rows every thread shows alike (threads, connections per worker). */
  sharedStatus(): [string, number][];
}
