// Submits a batch of background jobs to one Gearman job server and resolves only when the server created every one (JOB_CREATED).
import { connect, type Socket } from 'node:net';
import { PacketReader, PacketType, packetArgs, submitJobBackground } from '../shared/gearman-protocol.js';

export interface BatchSubmitterOptions {
  host: string;
  port: number;
  functionName: string;
  /** A batch not acknowledged whole within this long fails (the connection is dropped and the batch comes again). */
  timeoutMs: number;
}

/** One job: its unique id (the server folds a resent job that is still queued into the first) and its workload. */
export interface Job {
  unique: string;
  workload: string;
}

/**
 * One connection, opened when needed and kept while it works. The server answers a connection's
 * requests in order, so the n-th JOB_CREATED acknowledges the n-th job written.
 */
export class BatchSubmitter {
  private socket: Socket | undefined;
  private reader = new PacketReader();
  /** The batch in flight: how many acknowledgements are still due, and how it ends. */
  private waiting: { due: number; resolve: () => void; reject: (e: Error) => void } | undefined;
  /** Jobs the server acknowledged. */
  accepted = 0;

  constructor(private readonly opts: BatchSubmitterOptions) {}

  async submit(jobs: readonly Job[]): Promise<void> {
    if (jobs.length === 0) return;
    const socket = await this.connected();
    const done = new Promise<void>((resolve, reject) => {
      this.waiting = { due: jobs.length, resolve, reject };
    });
    const timer = setTimeout(() => this.drop(new Error(`the job server did not acknowledge ${jobs.length} jobs within ${this.opts.timeoutMs} ms`)), this.opts.timeoutMs);
    try {
      socket.write(Buffer.concat(jobs.map((j) => submitJobBackground(this.opts.functionName, j.unique, j.workload))));
      await done;
    } finally {
      clearTimeout(timer);
      this.waiting = undefined;
    }
  }

  close(): void {
    this.drop(new Error('closed'));
  }

  private connected(): Promise<Socket> {
    if (this.socket !== undefined && !this.socket.destroyed) return Promise.resolve(this.socket);
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.opts.host, port: this.opts.port });
      this.reader = new PacketReader();
      socket.setNoDelay(true);
      socket.setTimeout(this.opts.timeoutMs, () => socket.destroy(new Error(`connecting to ${this.opts.host}:${this.opts.port} timed out`)));
      socket.once('connect', () => {
        socket.setTimeout(0);
        this.socket = socket;
        resolve(socket);
      });
      socket.on('data', (chunk: Buffer) => {
        try {
          for (const p of this.reader.push(chunk)) this.onPacket(p.type, p.body);
        } catch (e) {
          socket.destroy(e instanceof Error ? e : new Error(String(e)));
        }
      });
      socket.on('error', (e) => {
        reject(e);
        this.fail(e);
      });
      socket.on('close', () => {
        if (this.socket === socket) this.socket = undefined;
        this.fail(new Error('the job server closed the connection'));
      });
    });
  }

  private onPacket(type: number, body: Buffer): void {
    const w = this.waiting;
    if (type === PacketType.JOB_CREATED) {
      this.accepted++;
      if (w !== undefined && --w.due === 0) w.resolve();
    } else if (type === PacketType.ERROR) {
      const [code, text] = packetArgs(body, 2).map((b) => b.toString('utf8'));
      this.drop(new Error(`the job server refused a job: ${code ?? ''} ${text ?? ''}`));
    }
  }

  /** The batch in flight fails; the connection goes (its acknowledgements would no longer line up). */
  private drop(e: Error): void {
    this.fail(e);
    this.socket?.destroy();
    this.socket = undefined;
  }

  private fail(e: Error): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(e);
  }
}
