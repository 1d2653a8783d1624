// A worker thread's side of the cluster: its requests to the main thread, the shared locks and board, its listeners.
import type { MessagePort } from 'node:worker_threads';
import { Socket } from 'node:net';
import type { Value } from '../../base/value.js';
import type { ApplierDuty, KernelCluster, Listener } from '../cluster.js';
import type { KvStore } from '../../storage/kv.js';
import { SharedLockTable } from './shared-lock-table.js';
import { Board, type SharedMemory } from './shared-memory.js';
import { SharedListener } from './shared-listener.js';
import { SharedGauges } from './shared-gauges.js';
import type { SharedGauge } from '../gauges.js';
import { specKey, type ListenSpec, type RelayedEvent, type ToMain, type ToWorker, type WorkerReport } from './messages.js';
import type { ReplicationFilterChange } from '../replication/replicate-rules.js';
import type { AuditEvent, StatementEvent } from '../plugin.js';
import type { MapOp, SharedMap } from '../shared-maps.js';

/** Finished statements and audit events are sent to the main thread in batches of at most this many, */
const STATEMENT_BATCH = 256;
/** or after this long. */
const STATEMENT_FLUSH_MS = 50;

/** What the worker's kernel answers when the main thread asks (the link is built before the kernel). */
export interface WorkerDuties {
  report(): WorkerReport;
  kill(id: number, queryOnly: boolean): void;
  setGlobal(name: string, value: Value): void;
  flushHosts(): void;
  reload(): void;
  stop(): Promise<void>;
}

export class WorkerLink implements KernelCluster {
  readonly locks: SharedLockTable;
  readonly board: Board;
  duties: WorkerDuties | undefined;
  /** The stores whose cached read views freshReads drops. */
  stores: readonly KvStore[] = [];
  private lastRequest = 0;
  private readonly pending = new Map<number, (m: ToWorker) => void>();
  private readonly listeners = new Map<string, SharedListener>();
  /** Connections handed here before the listener of their protocol was set up (see adoptEarly). */
  private earlyAdoptions: { key: string; fd: number }[] = [];
  private readonly gauges: SharedGauges;
  private relayed: RelayedEvent[] = [];
  /** The relayed events' numbers, taken as they happened (the main thread merges the workers' events by them). */
  private relayedSeqs: number[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  /** Told when the shared gauge table is full (the kernel logs it). */
  gaugesFull: (name: string) => void = () => undefined;

  constructor(private readonly port: MessagePort, readonly worker: number, memory: SharedMemory) {
    this.locks = new SharedLockTable(memory.locks, memory.lockSizes);
    this.board = new Board(memory);
    this.gauges = new SharedGauges(memory.gauges, (name) => this.gaugesFull(name));
    port.on('message', (m: ToWorker) => this.received(m));
  }

  private send(m: ToMain): void {
    this.port.postMessage(m);
  }

  private request(make: (req: number) => ToMain): Promise<ToWorker> {
    const req = ++this.lastRequest;
    return new Promise((resolve) => {
      this.pending.set(req, resolve);
      this.send(make(req));
    });
  }

  private received(m: ToWorker): void {
    switch (m.t) {
      case 'begin':
        return;
      case 'listen':
      case 'gathered':
      case 'mapped': {
        const answer = this.pending.get(m.req);
        this.pending.delete(m.req);
        answer?.(m);
        return;
      }
      case 'adopt': {
        const listener = this.listeners.get(specKey(m.spec));
        if (listener !== undefined) listener.adopt(m.fd);
        else this.earlyAdoptions.push({ key: specKey(m.spec), fd: m.fd });
        return;
      }
      case 'report':
        // Statements finished before the report reach the monitors before it.
        this.flushStatements();
        this.send({ t: 'report', req: m.req, report: this.duties?.report() ?? { processes: [], status: [], settings: [] } });
        return;
      case 'kill':
        this.duties?.kill(m.id, m.queryOnly);
        return;
      case 'setGlobal':
        this.duties?.setGlobal(m.name, m.value);
        return;
      case 'flushHosts':
        this.duties?.flushHosts();
        return;
      case 'reload':
        this.duties?.reload();
        return;
      case 'stop':
        this.board.markServing(this.worker, false);
        // Handed here for a protocol this worker never listened on: nobody else will serve them.
        for (const a of this.earlyAdoptions) {
          new Socket({ fd: a.fd }).destroy();
          this.board.connectionClosed(this.worker);
        }
        this.earlyAdoptions = [];
        // The events of the sessions stopping closed reach the main thread before it hears the worker stopped.
        void (this.duties?.stop() ?? Promise.resolve()).then(() => {
          this.flushStatements();
          this.send({ t: 'stopped' });
        });
        return;
    }
  }

  /** A finished statement for the plugins that run in the main thread (batched). */
  forwardStatement(e: StatementEvent): void {
    this.relay({
      time: e.time, sessionId: e.sessionId, user: e.user, host: e.host, schema: e.schema, text: e.text, kind: e.kind, durationMs: e.durationMs,
      rowsSent: e.rowsSent, rowsExamined: e.rowsExamined, rowsAffected: e.rowsAffected, errorCode: e.errorCode, errorMessage: e.errorMessage,
      blockedBy: e.blockedBy, filterNotes: e.filterNotes,
    });
  }

  /** An audit event for the main thread's audit plugins (batched with the statements, in order). */
  forwardAudit(e: AuditEvent): void {
    this.relay(e);
  }

  private relay(e: RelayedEvent): void {
    this.relayedSeqs.push(this.board.nextRelaySequence());
    this.relayed.push(e);
    if (this.relayed.length >= STATEMENT_BATCH) this.flushStatements();
    else if (!this.flushTimer) this.flushTimer = setTimeout(() => this.flushStatements(), STATEMENT_FLUSH_MS);
  }

  private flushStatements(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.relayed.length === 0) return;
    this.send({ t: 'events', events: this.relayed, seqs: this.relayedSeqs });
    this.relayed = [];
    this.relayedSeqs = [];
  }

  started(): void {
    this.board.markServing(this.worker, true);
    this.send({ t: 'started' });
  }

  /** Connections handed here before this worker listened on their protocol (see Board.markServing: a rare race). */
  private adoptEarly(key: string, listener: SharedListener): void {
    if (this.earlyAdoptions.length === 0) return;
    const waiting = this.earlyAdoptions;
    this.earlyAdoptions = [];
    for (const a of waiting) {
      if (a.key === key) listener.adopt(a.fd);
      else this.earlyAdoptions.push(a);
    }
  }

  nextConnectionId(): number {
    return this.board.nextConnectionId();
  }

  async listen(spec: ListenSpec, onConnection: (socket: Socket) => void): Promise<Listener> {
    const answer = await this.request((req) => ({ t: 'listen', req, spec }));
    if (answer.t !== 'listen') throw new Error('unexpected answer to listen');
    const host = { worker: this.worker, board: this.board, handOff: (to: number, s: ListenSpec, fd: number) => this.send({ t: 'adopt', to, spec: s, fd }) };
    const listener = new SharedListener(host, spec, onConnection);
    const fd = await listener.start(answer.create ? undefined : answer.fd);
    this.listeners.set(specKey(spec), listener);
    this.adoptEarly(specKey(spec), listener);
    if (answer.create) this.send({ t: 'listening', spec, fd, port: listener.port });
    return listener;
  }

  async gather(): Promise<WorkerReport[]> {
    const answer = await this.request((req) => ({ t: 'gather', req }));
    return answer.t === 'gathered' ? answer.reports : [];
  }

  kill(id: number, queryOnly: boolean): void {
    this.send({ t: 'kill', id, queryOnly });
  }

  replicaControl(action: ApplierDuty): void {
    this.send({ t: 'replicaControl', action });
  }

  replicaFilter(filters: readonly ReplicationFilterChange[]): void {
    this.send({ t: 'replicaFilter', filters: [...filters] });
  }

  flushHosts(): void {
    this.send({ t: 'flushHosts' });
  }

  globalChanged(name: string, value: Value): void {
    this.send({ t: 'setGlobal', name, value });
  }

  gauge(name: string): SharedGauge {
    return this.gauges.gauge(name);
  }

  map(name: string, maxEntries: number): SharedMap {
    const ask = async (o: MapOp): Promise<Uint8Array | number | undefined> => {
      const answer = await this.request((req) => ({ t: 'map', req, o }));
      return answer.t === 'mapped' ? answer.value : undefined;
    };
    return {
      get: async (key) => {
        const value = await ask({ op: 'get', name, max: maxEntries, key });
        return value instanceof Uint8Array ? value : undefined;
      },
      set: async (key, value, ifGeneration) => void (await ask({ op: 'set', name, max: maxEntries, key, value, ifGeneration })),
      delete: async (key) => void (await ask({ op: 'delete', name, max: maxEntries, key })),
      clear: async () => void (await ask({ op: 'clear', name, max: maxEntries })),
      generation: async () => {
        const value = await ask({ op: 'generation', name, max: maxEntries });
        if (typeof value !== 'number') throw new Error(`shared map ${name}: the main thread answered no generation`);
        return value;
      },
    };
  }

  sharedStatus(): [string, number][] {
    const rows: [string, number][] = [['Worker_threads', this.board.workers]];
    for (let w = 0; w < this.board.workers; w++) rows.push([`Worker_${w}_connections`, this.board.connections(w)]);
    return rows;
  }

  freshReads(): void {
    this.locks.markReads();
    for (const s of this.stores) s.refresh?.();
  }
}
