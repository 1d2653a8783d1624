// A worker thread's side of the cluster: its requests to the main thread, the shared locks and board, its listeners.
import type { MessagePort } from 'node:worker_threads';
import type { Socket } from 'node:net';
import type { Value } from '../../base/value.js';
import type { KernelCluster, Listener } from '../cluster.js';
import type { KvStore } from '../../storage/kv.js';
import { SharedLockTable } from './shared-lock-table.js';
import { Board, type SharedMemory } from './shared-memory.js';
import { SharedListener } from './shared-listener.js';
import { specKey, type ListenSpec, type ToMain, type ToWorker, type WorkerReport } from './messages.js';

/** What the worker's kernel answers when the main thread asks (the link is built before the kernel). */
export interface WorkerDuties {
  report(): WorkerReport;
  kill(id: number, queryOnly: boolean): void;
  setGlobal(name: string, value: Value): void;
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

  constructor(private readonly port: MessagePort, readonly worker: number, memory: SharedMemory) {
    this.locks = new SharedLockTable(memory.locks, memory.lockSizes);
    this.board = new Board(memory);
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
      case 'listen':
      case 'gathered': {
        const answer = this.pending.get(m.req);
        this.pending.delete(m.req);
        answer?.(m);
        return;
      }
      case 'adopt':
        this.listeners.get(specKey(m.spec))?.adopt(m.fd);
        return;
      case 'report':
        this.send({ t: 'report', req: m.req, report: this.duties?.report() ?? { processes: [], status: [] } });
        return;
      case 'kill':
        this.duties?.kill(m.id, m.queryOnly);
        return;
      case 'setGlobal':
        this.duties?.setGlobal(m.name, m.value);
        return;
      case 'reload':
        this.duties?.reload();
        return;
      case 'stop':
        void (this.duties?.stop() ?? Promise.resolve()).then(() => this.send({ t: 'stopped' }));
        return;
    }
  }

  started(): void {
    this.send({ t: 'started' });
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

  globalChanged(name: string, value: Value): void {
    this.send({ t: 'setGlobal', name, value });
  }

  freshReads(): void {
    for (const s of this.stores) s.refresh?.();
  }
}
