// The main thread when workers serve the clients: starts them, answers their requests, relays what concerns them all, stops them.
import type { ApplierDuty } from '../cluster.js';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import type { Value } from '../../base/value.js';
import { Board, type SharedMemory } from './shared-memory.js';
import { specKey, type RelayedEvent, type ToMain, type ToWorker, type WorkerReport } from './messages.js';
import type { ReplicationFilterChange } from '../replication/replicate-rules.js';
import { LocalMaps, applyMapOp } from '../shared-maps.js';
import { RelayOrder } from './relay-order.js';

/** What a worker is started with (its workerData). */
export interface WorkerData {
  index: number;
  memory: SharedMemory;
  argv: readonly string[];
  env: Record<string, string | undefined>;
  cwd: string;
}

/** What the main thread itself serves the workers: the replica's applier runs there. */
export interface MainThreadDuties {
  /** Its part of a gather (the applier's session and status), or undefined when it has none. */
  report(): WorkerReport | undefined;
  replicaControl(action: ApplierDuty): void;
  /** CHANGE REPLICATION FILTER, checked by the worker that ran it. */
  replicaFilter(filters: readonly ReplicationFilterChange[]): void;
  /** KILL of one of its sessions (the applier's). */
  kill(id: number, queryOnly: boolean): void;
}

/** A gather in progress: the worker that asked, and the reports still awaited. */
interface Gathering {
  from: number;
  req: number;
  waiting: number;
  reports: WorkerReport[];
  done?: (reports: WorkerReport[]) => void;
}

/** How long a worker may take to answer a report request before the others' answers go out without it. */
const REPORT_TIMEOUT_MS = 1000;
/** How long stopping waits for workers to drain their clients. */
const STOP_TIMEOUT_MS = 30_000;

/** What the main thread's kernel does for the workers; given when it exists, after the workers were spawned. */
export interface CoordinatorDuties {
  /** SET GLOBAL relayed from a worker, applied to the main thread's kernel too. */
  setGlobal(name: string, value: Value): void;
  /** Statements the workers finished and their audit events, for the plugins that run in the main thread. */
  relayed(events: RelayedEvent[]): void;
  /** What the main thread itself runs for the workers: the replica's applier. */
  main: MainThreadDuties;
}

export class Coordinator {
  private readonly workers: Worker[] = [];
  /** One per worker: resolves when it listens, rejects when it fails or exits first. */
  private readonly starts: Promise<void>[] = [];
  private readonly sockets = new Map<string, { fd?: number; port?: number; waiting: { worker: number; req: number }[] }>();
  private readonly gatherings = new Map<number, Gathering>();
  private lastGather = 0;
  /** The maps the workers share (KernelApi.sharedMap): kept here, where every worker's operations meet in one order. */
  private readonly maps = new LocalMaps();
  /** The workers' relayed events, merged back into the order they happened. */
  private readonly order: RelayOrder;
  private stopped: (() => void)[] = [];
  private stoppedCount = 0;
  private duties: CoordinatorDuties = {
    setGlobal: () => undefined,
    relayed: () => undefined,
    main: { report: () => undefined, replicaControl: () => undefined, replicaFilter: () => undefined, kill: () => undefined },
  };

  /**
   * Spawns the workers at once: each loads its modules (most of its start-up) while the main
   * thread opens the datadir and builds its own kernel, then waits for `start` to begin.
   */
  constructor(
    script: URL,
    readonly memory: SharedMemory,
    base: Omit<WorkerData, 'index' | 'memory'>,
    private readonly log: Logger,
  ) {
    this.order = new RelayOrder(memory.workers, (events) => this.duties.relayed(events));
    const board = new Board(memory);
    for (let index = 0; index < memory.workers; index++) {
      const data: WorkerData = { index, memory, ...base };
      const worker = new Worker(script, { workerData: data, stdout: false, stderr: false });
      this.workers.push(worker);
      const started = new Promise<void>((resolve, reject) => {
        const onExit = (code: number) => reject(new Error(`worker ${index} exited with code ${code} while starting`));
        worker.once('error', reject);
        worker.once('exit', onExit);
        worker.on('message', (m: ToMain) => {
          if (m.t === 'started') {
            worker.off('error', reject);
            worker.off('exit', onExit);
            worker.on('error', (e) => this.log.error(`worker ${index} failed`, { error: e.stack ?? e.message }));
            worker.on('exit', (code) => {
              // No connection is handed to a worker that is gone.
              board.markServing(index, false);
              if (this.stopped.length === 0 && this.stoppedCount === 0) this.log.error(`worker ${index} exited unexpectedly`, { code });
            });
            resolve();
          } else this.received(index, m);
        });
      });
      // A failure before start() awaits this is reported there, not as an unhandled rejection.
      started.catch(() => undefined);
      this.starts.push(started);
    }
  }

  /** Lets every worker start its server and resolves when all of them listen; a worker that fails to start fails the start. */
  async start(duties: CoordinatorDuties): Promise<void> {
    this.duties = duties;
    for (let w = 0; w < this.workers.length; w++) this.post(w, { t: 'begin' });
    await Promise.all(this.starts);
  }

  /** Ends workers that were spawned but will not be used (the server fails to start, or runs in one thread after all). */
  async terminate(): Promise<void> {
    this.stoppedCount = this.workers.length;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private post(worker: number, m: ToWorker): void {
    this.workers[worker]?.postMessage(m);
  }

  private received(from: number, m: ToMain): void {
    switch (m.t) {
      case 'listen': {
        const key = specKey(m.spec);
        const s = this.sockets.get(key);
        if (!s) {
          this.sockets.set(key, { waiting: [] });
          this.post(from, { t: 'listen', req: m.req, create: true });
        } else if (s.fd !== undefined && s.port !== undefined) {
          this.post(from, { t: 'listen', req: m.req, create: false, fd: s.fd, port: s.port });
        } else s.waiting.push({ worker: from, req: m.req });
        return;
      }
      case 'listening': {
        const s = this.sockets.get(specKey(m.spec));
        if (!s) return;
        s.fd = m.fd;
        s.port = m.port;
        for (const w of s.waiting) this.post(w.worker, { t: 'listen', req: w.req, create: false, fd: m.fd, port: m.port });
        s.waiting = [];
        return;
      }
      case 'adopt':
        this.post(m.to, { t: 'adopt', spec: m.spec, fd: m.fd });
        return;
      case 'gather':
        this.gather(from, m.req);
        return;
      case 'report': {
        const g = this.gatherings.get(m.req);
        if (!g) return;
        g.reports.push(m.report);
        if (--g.waiting === 0) this.finishGather(m.req);
        return;
      }
      case 'kill':
        this.duties.main.kill(m.id, m.queryOnly);
        for (let w = 0; w < this.workers.length; w++) this.post(w, { t: 'kill', id: m.id, queryOnly: m.queryOnly });
        return;
      case 'flushHosts':
        for (let w = 0; w < this.workers.length; w++) if (w !== from) this.post(w, { t: 'flushHosts' });
        return;
      case 'setGlobal':
        this.duties.setGlobal(m.name, m.value);
        for (let w = 0; w < this.workers.length; w++) if (w !== from) this.post(w, { t: 'setGlobal', name: m.name, value: m.value });
        return;
      case 'events':
        this.order.received(from, m.seqs, m.events);
        return;
      case 'map':
        this.post(from, { t: 'mapped', req: m.req, value: applyMapOp(this.maps, m.o) });
        return;
      case 'replicaControl':
        this.duties.main.replicaControl(m.action);
        return;
      case 'replicaFilter':
        this.duties.main.replicaFilter(m.filters);
        return;
      case 'stopped':
        this.stoppedCount++;
        if (this.stoppedCount === this.workers.length) {
          // Every worker sent its last events before it stopped: none is missing any more.
          this.order.flush();
          for (const done of this.stopped) done();
        }
        return;
      case 'started':
        return;
    }
  }

  /** Asks every worker but `from` (-1: the main thread asks) for its report. */
  private gather(from: number, req: number, done?: (reports: WorkerReport[]) => void): void {
    const id = ++this.lastGather;
    const g: Gathering = { from, req, waiting: 0, reports: [], done };
    this.gatherings.set(id, g);
    for (let w = 0; w < this.workers.length; w++) {
      if (w === from) continue;
      g.waiting++;
      this.post(w, { t: 'report', req: id });
    }
    if (g.waiting === 0) this.finishGather(id);
    else setTimeout(() => this.finishGather(id), REPORT_TIMEOUT_MS).unref();
  }

  private finishGather(id: number): void {
    const g = this.gatherings.get(id);
    if (!g) return;
    this.gatherings.delete(id);
    // The main thread's own part (the replica's applier) goes last: the workers' reports come first.
    const mine = g.from >= 0 ? this.duties.main.report() : undefined;
    if (mine !== undefined) g.reports.push(mine);
    if (g.done) g.done(g.reports);
    else this.post(g.from, { t: 'gathered', req: g.req, reports: g.reports });
  }

  /** Every worker's report (for the main thread's /metrics and status). */
  reports(): Promise<WorkerReport[]> {
    return new Promise((resolve) => this.gather(-1, 0, resolve));
  }

  /** SIGHUP: every worker reloads its plugins too. */
  reload(): void {
    for (let w = 0; w < this.workers.length; w++) this.post(w, { t: 'reload' });
  }

  /** Asks every worker to drain its clients and close; resolves when all did (or the wait ran out). */
  async stop(): Promise<void> {
    if (this.workers.length === 0) return;
    const all = new Promise<void>((resolve) => this.stopped.push(resolve));
    for (let w = 0; w < this.workers.length; w++) this.post(w, { t: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        this.log.warn('workers did not stop in time');
        resolve();
      }, STOP_TIMEOUT_MS);
    });
    await Promise.race([all, late]);
    clearTimeout(timer);
    this.order.flush();
  }
}
