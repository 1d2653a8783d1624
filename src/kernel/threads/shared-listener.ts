// A worker's side of a listening socket all workers share: accepts, keeps the connection or hands it to a less busy worker.
import { Socket, createServer, type Server } from 'node:net';
import type { Listener } from '../cluster.js';
import type { Board } from './shared-memory.js';
import type { ListenSpec } from './messages.js';

/**
 * Connections handed to another worker leave their accepted socket object behind here:
 * closing it would close the descriptor the other worker now serves, so it is kept,
 * unused, for the life of the process. Past this many, a worker keeps what it accepts.
 */
export const HANDOFFS_MAX = 10_000;

/** The hooks a shared listener needs from the worker around it. */
export interface ListenerHost {
  readonly worker: number;
  readonly board: Board;
  /** Sends an accepted connection's descriptor to worker `to`. */
  handOff(to: number, spec: ListenSpec, fd: number): void;
}

/**
 * Every worker polls the same listening descriptor, and the kernel wakes whichever it
 * likes: left alone, one worker may get all of a pool's connections. So a worker that
 * accepts while it serves two or more connections more than the least busy one passes
 * the connection on by its descriptor (before anything was read from it).
 */
export class SharedListener implements Listener {
  private closed = false;
  private readonly parked: Socket[] = [];
  private server: Server | undefined;

  constructor(private readonly host: ListenerHost, readonly spec: ListenSpec, private readonly onConnection: (socket: Socket) => void) {}

  /** Listens on `fd` (or creates the socket when `fd` is undefined); resolves with the descriptor. */
  start(fd: number | undefined): Promise<number> {
    const server = createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.accepted(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      const done = () => {
        server.off('error', reject);
        const handle = (server as unknown as { _handle: { fd: number } | null })._handle;
        resolve(handle?.fd ?? -1);
      };
      if (fd === undefined) server.listen(this.spec.port, this.spec.host, done);
      else server.listen({ fd }, done);
    });
  }

  /** The port listened on (the one the system chose when the spec asked for 0). */
  get port(): number {
    const addr = this.server?.address();
    return typeof addr === 'object' && addr ? addr.port : this.spec.port;
  }

  private accepted(socket: Socket): void {
    if (this.closed) {
      socket.destroy();
      return;
    }
    const { board, worker } = this.host;
    const least = board.leastLoaded(worker);
    const fd = (socket as unknown as { _handle: { fd: number } | null })._handle?.fd;
    if (least !== worker && board.connections(worker) >= board.connections(least) + 2 && this.parked.length < HANDOFFS_MAX && fd !== undefined && fd >= 0) {
      this.parked.push(socket);
      board.connectionOpened(least);
      this.host.handOff(least, this.spec, fd);
      return;
    }
    board.connectionOpened(worker);
    this.serve(socket, false);
  }

  /** A connection another worker accepted and handed here (already counted for this worker). */
  adopt(fd: number): void {
    if (this.closed) {
      // Shutting down: the connection is closed by this worker, which now owns the descriptor.
      new Socket({ fd }).destroy();
      this.host.board.connectionClosed(this.host.worker);
      return;
    }
    const socket = new Socket({ fd, readable: true, writable: true });
    socket.setNoDelay(true);
    this.serve(socket, true);
  }

  private serve(socket: Socket, adopted: boolean): void {
    socket.once('close', () => this.host.board.connectionClosed(this.host.worker));
    this.onConnection(socket);
    if (!adopted) socket.resume();
  }

  /** Stops handing connections to the protocol; the shared descriptor stays open for the other workers. */
  async close(): Promise<void> {
    this.closed = true;
  }
}
