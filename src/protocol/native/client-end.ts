// The client end of the native protocol: connects, says HELLO, pipelines requests by id and puts each reply's frames back together.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { SqlError } from '../../base/errors.js';
import type { NativeCell, NativeParam } from './cells.js';
import { Flag, MessageType } from './constants.js';
import { FrameReader, type Frame } from './frame.js';
import {
  readChanges, readError, readOk, readRedirect, readRows, readServerHello, writeHello, writeQuery, writeReplicate,
  type ChangesFrame, type NativeColumn, type OkReply, type RedirectReply, type ReplicateRequest, type ServerHello,
} from './messages.js';
import { NativeProtocolError } from './wire-reader.js';
import { WireWriter } from './wire-writer.js';

/** Largest reply frame a client accepts: a server cuts results into frames far smaller, unless one row is this big. */
const CLIENT_FRAME_BYTES_MAX = 256 * 1024 * 1024;
/** Change-log bytes a follower queues while its consumer works, before it stops reading the socket. */
export const FOLLOW_READ_AHEAD_BYTES = 8 * 1024 * 1024;

export interface NativeConnectOptions {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string | null;
  clientName?: string;
  /** Time to connect and finish the handshake. */
  connectTimeoutMs?: number;
  /** TLS from the first byte (what to trust, what to check); absent: a clear connection. */
  tls?: ConnectionOptions;
}

/** A reply other than ERROR (which rejects with a SqlError); `flags` are the server's header flags (transaction state). */
export type NativeReply =
  | { kind: 'ok'; ok: OkReply; flags: number }
  | { kind: 'rows'; columns: NativeColumn[]; rows: NativeCell[][]; warnings: number; flags: number }
  | { kind: 'redirect'; redirect: RedirectReply; flags: number };

export interface RequestOptions {
  /** Flag.READ_ONLY and/or Flag.PREPARED. */
  flags?: number;
  shardKey?: Uint8Array;
  /**
   * Takes the rows of a result frame by frame as they arrive (the first call has no rows
   * when the server streams): they are then not kept, and the reply's `rows` is empty.
   */
  onRows?: (columns: NativeColumn[], rows: NativeCell[][]) => void;
}

interface Pending {
  resolve(r: NativeReply): void;
  reject(e: Error): void;
  onRows?: RequestOptions['onRows'];
  /** A REPLICATE request: its CHANGES frames, as they come. */
  onChanges?: (c: ChangesFrame) => void;
  columns?: NativeColumn[];
  rows?: NativeCell[][];
}

/** A broken connection or a handshake that did not finish: not the server's answer to a statement. */
export class NativeConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NativeConnectionError';
  }
}

export class NativeClientConnection {
  private readonly pending = new Map<number, Pending>();
  private readonly waiting: (() => void)[] = [];
  private nextId = 1;
  private failure: Error | undefined;
  /** The server's flags on its latest reply: IN_TRANSACTION, AUTOCOMMIT. */
  lastFlags = 0;

  private constructor(private readonly socket: Socket, readonly hello: ServerHello, private readonly reader: FrameReader) {
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('close', () => this.fail(new NativeConnectionError('The connection closed')));
    socket.on('error', (e) => this.fail(new NativeConnectionError(e.message)));
  }

  /** Connects and completes the handshake; rejects with a SqlError when the server refuses (1045, 1049 ...). */
  static connect(o: NativeConnectOptions): Promise<NativeClientConnection> {
    return new Promise((resolve, reject) => {
      const socket = o.tls === undefined ? netConnect({ host: o.host, port: o.port }) : tlsConnect({ ...o.tls, host: o.host, port: o.port });
      socket.setNoDelay(true);
      const reader = new FrameReader(CLIENT_FRAME_BYTES_MAX);
      const timer = setTimeout(() => done(new NativeConnectionError(`No handshake from ${o.host}:${o.port} within ${o.connectTimeoutMs} ms`)), o.connectTimeoutMs ?? 10_000);
      const done = (e: Error | undefined, c?: NativeClientConnection) => {
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('error', onError);
        socket.off('close', onClose);
        if (e !== undefined) {
          socket.destroy();
          reject(e);
        } else {
          resolve(c!);
        }
      };
      const onError = (e: Error) => done(new NativeConnectionError(e.message));
      const onClose = () => done(new NativeConnectionError('The server closed the connection during the handshake'));
      const onData = (chunk: Buffer) => {
        let frames: Frame[];
        try {
          frames = reader.push(chunk);
        } catch (e) {
          return done(e as Error);
        }
        if (frames.length === 0) return;
        const f = frames[0];
        try {
          if (f.type === MessageType.ERROR) {
            const e = readError(f.payload);
            return done(new SqlError(e.code, e.sqlstate, e.message));
          }
          if (f.type !== MessageType.SERVER_HELLO) return done(new NativeProtocolError(`expected SERVER_HELLO, got type 0x${f.type.toString(16)}`));
          const c = new NativeClientConnection(socket, readServerHello(f.payload), reader);
          c.lastFlags = f.flags;
          done(undefined, c);
          // Frames that came with the hello (none, normally) are not lost.
          if (frames.length > 1) for (const more of frames.slice(1)) c.frame(more);
        } catch (e) {
          done(e as Error);
        }
      };
      socket.on('data', onData);
      socket.on('error', onError);
      socket.on('close', onClose);
      // Over TLS the password leaves only once the server's certificate passed the checks asked for.
      socket.once(o.tls === undefined ? 'connect' : 'secureConnect', () => {
        const w = new WireWriter();
        writeHello(w, 0, { user: o.user, password: o.password, database: o.database, clientName: o.clientName ?? 'mizzle-client' });
        socket.write(w.finish());
      });
    });
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  get inTransaction(): boolean {
    return (this.lastFlags & Flag.IN_TRANSACTION) !== 0;
  }

  /** Requests sent and not yet answered. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Sends one statement; many may be in flight at once (pipelining), up to the
   * server's bound, beyond which they wait here. Resolves with the reply; rejects
   * with a SqlError for an ERROR reply, otherwise the connection is broken.
   */
  async request(sql: string, params?: readonly NativeParam[], o: RequestOptions = {}): Promise<NativeReply> {
    while (this.pending.size >= this.hello.inFlightMax && this.failure === undefined) await new Promise<void>((r) => this.waiting.push(r));
    if (this.failure !== undefined) throw this.failure;
    if (this.closing) throw new NativeConnectionError('The connection is closing');
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const w = new WireWriter(64 + sql.length);
    writeQuery(w, id, o.flags ?? 0, sql, params, o.shardKey);
    return new Promise<NativeReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onRows: o.onRows });
      this.send(w.finish());
    });
  }

  /**
   * Follows the server's change log (REPLICATE): `each` gets the CHANGES frames received since
   * its last call, in order, and the next call waits for its promise. Meanwhile the socket is read
   * on, up to FOLLOW_READ_AHEAD_BYTES of queued frames, so a consumer that applies in groups (a
   * replica) finds the next group waiting; past that the socket is not read and a slow consumer
   * holds back the server (TCP fills) instead of buffering here. Rejects when the stream ends: the
   * server's ERROR as a SqlError, else a NativeConnectionError. Stop it with destroy().
   */
  follow(req: ReplicateRequest, each: (frames: ChangesFrame[]) => Promise<void>): Promise<never> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    let queue: ChangesFrame[] = [];
    let queuedBytes = 0;
    let working = false;
    let paused = false;
    return new Promise<never>((_, reject) => {
      const work = async () => {
        working = true;
        try {
          while (queue.length > 0 && this.failure === undefined) {
            const frames = queue;
            queue = [];
            queuedBytes = 0;
            if (paused) {
              paused = false;
              this.socket.resume();
            }
            await each(frames);
          }
        } catch (e) {
          this.fail(e as Error);
        } finally {
          working = false;
        }
      };
      this.pending.set(id, {
        resolve: () => reject(new NativeProtocolError('the change stream ended without an error')),
        reject,
        onChanges: (c) => {
          queue.push(c);
          for (const t of c.transactions) queuedBytes += t.bytes.length;
          if (queuedBytes > FOLLOW_READ_AHEAD_BYTES && !paused) {
            paused = true;
            this.socket.pause();
          }
          if (!working) void work();
        },
      });
      const w = new WireWriter(64);
      writeReplicate(w, id, req);
      this.send(w.finish());
    });
  }

  /**
   * Requests made in one turn (callers pipelining on this connection) leave in one system
   * call: the socket is corked until the turn's callbacks and promises have run.
   */
  private send(bytes: Buffer): void {
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(this.uncork);
    }
    this.socket.write(bytes);
  }

  private corked = false;
  private readonly uncork = () => {
    this.corked = false;
    this.socket.uncork();
  };

  private received(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    for (const f of frames) this.frame(f);
  }

  private frame(f: Frame): void {
    const p = this.pending.get(f.requestId);
    try {
      if (p === undefined) {
        // An ERROR for request 0 is the server giving up on the connection (shutdown, a bad frame).
        if (f.type === MessageType.ERROR) {
          const e = readError(f.payload);
          this.fail(new SqlError(e.code, e.sqlstate, e.message));
          return;
        }
        throw new NativeProtocolError(`a reply to request ${f.requestId}, which is not in flight`);
      }
      this.lastFlags = f.flags;
      switch (f.type) {
        case MessageType.OK:
          return this.settle(f.requestId, p, { kind: 'ok', ok: readOk(f.payload), flags: f.flags });
        case MessageType.REDIRECT:
          return this.settle(f.requestId, p, { kind: 'redirect', redirect: readRedirect(f.payload), flags: f.flags });
        case MessageType.CHANGES:
          if (p.onChanges === undefined) throw new NativeProtocolError('CHANGES for a request that did not ask to replicate');
          p.onChanges(readChanges(f.payload));
          return;
        case MessageType.ERROR: {
          const e = readError(f.payload);
          this.pending.delete(f.requestId);
          this.release();
          p.reject(new SqlError(e.code, e.sqlstate, e.message));
          return;
        }
        case MessageType.ROWS:
        case MessageType.ROW_CHUNK: {
          if ((f.type === MessageType.ROWS) !== (p.columns === undefined)) throw new NativeProtocolError('ROW_CHUNK without ROWS, or ROWS twice');
          const part = readRows(f.payload, f.flags, p.columns);
          p.columns = part.columns;
          if (p.onRows !== undefined) p.onRows(part.columns, part.rows);
          else if (p.rows === undefined) p.rows = part.rows;
          else for (const r of part.rows) p.rows.push(r);
          if ((f.flags & Flag.MORE) !== 0) return;
          return this.settle(f.requestId, p, { kind: 'rows', columns: part.columns, rows: p.rows ?? [], warnings: part.warnings ?? 0, flags: f.flags });
        }
        default:
          throw new NativeProtocolError(`unknown reply type 0x${f.type.toString(16)}`);
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private settle(id: number, p: Pending, r: NativeReply): void {
    this.pending.delete(id);
    this.release();
    p.resolve(r);
  }

  private release(): void {
    this.waiting.shift()?.();
    if (this.closing && this.pending.size === 0) this.destroy();
  }

  private closing = false;

  /** Closes once every request in flight has its answer; takes no new requests meanwhile. */
  closeWhenIdle(): void {
    this.closing = true;
    if (this.pending.size === 0) this.destroy();
  }

  /** Every request in flight fails with `e`, and the connection is closed. */
  private fail(e: Error): void {
    if (this.failure !== undefined) return;
    this.failure = e instanceof SqlError || e instanceof NativeProtocolError || e instanceof NativeConnectionError ? e : new NativeConnectionError(e.message);
    this.socket.destroy();
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
    for (const w of this.waiting.splice(0)) w();
  }

  /** Stops reading replies (the server then waits, as TCP fills): for a consumer that is behind. */
  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  /** Closes at once; requests in flight fail. */
  destroy(): void {
    this.fail(new NativeConnectionError('The connection was closed by the client'));
  }
}
