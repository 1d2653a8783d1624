// The messages between the coordinating main thread and the worker threads.
import type { ApplierDuty } from '../cluster.js';
import type { AuditEvent, ProcessInfo, StatementEvent } from '../plugin.js';
import type { ReplicationFilterChange } from '../replication/replicate-rules.js';
import type { MapOp } from '../shared-maps.js';

/** A finished statement as it crosses to the main thread's monitors (its digest is computed there if asked). */
export type StatementRecord = Omit<StatementEvent, 'digest'>;

/** What a worker relays to the main thread's plugins, in the order it happened there: a statement or an audit event (which has `event`). */
export type RelayedEvent = StatementRecord | AuditEvent;

/** Whether a relayed event is an audit event. */
export function isAuditEvent(e: RelayedEvent): e is AuditEvent {
  return 'event' in e;
}
import type { Value } from '../../base/value.js';

/** What one worker reports of itself when asked (SHOW PROCESSLIST, SHOW STATUS, /metrics). */
export interface WorkerReport {
  processes: ProcessInfo[];
  /** Counters of this thread, which add up over threads. */
  status: [string, string | number][];
  /** Rows that describe the server (uptime, rules loaded): the same on every thread. */
  settings: [string, string | number][];
  /** SHOW REPLICA STATUS's row, from the thread that runs the applier (the main one). */
  replica?: Value[];
}

/** Where a protocol listens; the key of a shared listening socket. */
export interface ListenSpec {
  host: string;
  port: number;
}

export type ToMain =
  /** A protocol plugin wants to listen: the first asker creates the socket, the others get its fd. */
  | { t: 'listen'; req: number; spec: ListenSpec }
  | { t: 'listening'; spec: ListenSpec; fd: number; port: number }
  /** A connection accepted by a busier worker, handed to `to` by its fd. */
  | { t: 'adopt'; to: number; spec: ListenSpec; fd: number }
  | { t: 'started' }
  | { t: 'stopped' }
  | { t: 'gather'; req: number }
  | { t: 'report'; req: number; report: WorkerReport }
  | { t: 'kill'; id: number; queryOnly: boolean }
  | { t: 'setGlobal'; name: string; value: Value }
  | { t: 'flushHosts' }
  /** START / STOP REPLICA and the like, for the main thread, which runs the applier. */
  | { t: 'replicaControl'; action: ApplierDuty }
  /** CHANGE REPLICATION FILTER's new lists, for the main thread's applier. */
  | { t: 'replicaFilter'; filters: ReplicationFilterChange[] }
  /** Finished statements and audit events for the plugins that run in the main thread (monitoring, audit), with their numbers (`seqs[i]` is `events[i]`'s). */
  | { t: 'events'; events: RelayedEvent[]; seqs: number[] }
  /** An operation on a shared map, which the main thread keeps (kernel/shared-maps.ts). */
  | { t: 'map'; req: number; o: MapOp };

export type ToWorker =
  /** The main thread is ready (datadir, catalog, TLS files): the worker, its modules loaded, starts its server. */
  | { t: 'begin' }
  | { t: 'listen'; req: number; create: true }
  | { t: 'listen'; req: number; create: false; fd: number; port: number }
  | { t: 'adopt'; spec: ListenSpec; fd: number }
  | { t: 'gathered'; req: number; reports: WorkerReport[] }
  /** A shared map's answer: the value a get found, the number a generation asked for. */
  | { t: 'mapped'; req: number; value: Uint8Array | number | undefined }
  | { t: 'report'; req: number }
  | { t: 'kill'; id: number; queryOnly: boolean }
  | { t: 'setGlobal'; name: string; value: Value }
  | { t: 'flushHosts' }
  | { t: 'reload' }
  | { t: 'stop' };

/** The key of a listen spec. */
export function specKey(spec: ListenSpec): string {
  return `${spec.host}:${spec.port}`;
}
