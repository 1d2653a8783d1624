// The session thread's end of an LMDB store's commit thread (commit-worker): big commit batches go there, so their write transaction does not hold the event loop.
import { Worker } from 'node:worker_threads';
import type { BatchChunk } from '../../storage/commit-batch.js';

/** What the commit thread is started with: how to open the same environment. */
export interface CommitWorkerData {
  dir: string;
  sync: boolean;
  mapSize: number;
  encryptionKey?: string;
}

export interface CommitRequest {
  id: number;
  chunks: readonly BatchChunk[];
}

export interface CommitReply {
  id: number;
  /** The write failed and left nothing behind: why. */
  error?: string;
  /** The failed write's error code (an errno name such as ENOSPC, or LMDB's number), for the MySQL error the client gets. */
  code?: string | number;
}

/** What the session thread sends: a batch to apply, or the order to close the environment and end. */
export type CommitMessage = CommitRequest | { close: true };

const SCRIPT = new URL('./commit-worker.js', import.meta.url);

/** How long close() lets the thread close its environment before it is terminated. */
const CLOSE_WAIT_MS = 10_000;

/**
 * A worker thread, started on the first batch, that applies batches one at a time in the order
 * sent. It does not keep the process alive while nothing is pending.
 */
export class CommitThread {
  private worker: Worker | undefined;
  private lastId = 0;
  private closed = false;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();

  constructor(private readonly data: CommitWorkerData) {}

  private start(): Worker {
    const worker = new Worker(SCRIPT, { workerData: this.data });
    worker.on('message', (r: CommitReply) => {
      const p = this.pending.get(r.id);
      if (p === undefined) return;
      this.pending.delete(r.id);
      if (this.pending.size === 0) worker.unref();
      if (r.error === undefined) p.resolve();
      else p.reject(Object.assign(new Error(r.error), r.code !== undefined ? { code: r.code } : {}));
    });
    // A thread that fails or exits fails what it was given (those writes were not acknowledged); the next batch starts a new one.
    const failAll = (e: Error) => {
      if (this.worker === worker) this.worker = undefined;
      const waiting = [...this.pending.values()];
      this.pending.clear();
      for (const p of waiting) p.reject(e);
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => failAll(new Error(`the commit thread exited (code ${code})`)));
    return worker;
  }

  /** Applies the batch (its buffers are handed over) in one durable write; resolves once it is on disk. */
  apply(chunks: readonly BatchChunk[]): Promise<void> {
    // After close, no thread is started again (it would outlive the store): the commit fails, unacknowledged.
    if (this.closed) return Promise.reject(new Error('the store is closed'));
    const worker = (this.worker ??= this.start());
    const id = ++this.lastId;
    return new Promise<void>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      const request: CommitRequest = { id, chunks };
      worker.postMessage(request, chunks.map((c) => c.buffer));
    });
  }

  /** While batches are pending, a promise settled once every one sent so far is done (applied or failed). */
  settled(): Promise<void> | undefined {
    if (this.pending.size === 0) return undefined;
    const waits = [...this.pending.values()].map((p) => new Promise<void>((resolve) => {
      const { resolve: done, reject } = p;
      p.resolve = () => { done(); resolve(); };
      p.reject = (e) => { reject(e); resolve(); };
    }));
    return Promise.all(waits).then(() => undefined);
  }

  /**
   * Waits for the batches sent, then has the thread close its environment and end by itself:
   * terminating it could stop it inside a write transaction. Resolves with the thread's exit code
   * (0 when it ended by itself), or undefined when none was started.
   */
  async close(): Promise<number | undefined> {
    this.closed = true;
    const worker = this.worker;
    if (worker === undefined) return undefined;
    await this.settled();
    this.worker = undefined;
    const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
    worker.ref();
    const close: CommitMessage = { close: true };
    worker.postMessage(close);
    // A thread that does not end (its environment's close hangs) is stopped: it is between writes by now.
    const stuck = setTimeout(() => void worker.terminate(), CLOSE_WAIT_MS);
    const code = await exited;
    clearTimeout(stuck);
    return code;
  }
}
