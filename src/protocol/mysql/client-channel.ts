// The client end's transport: one TCP connection to a server, packets framed on the way out and payloads queued as they arrive.
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { PacketFramer, type FramerSink } from './framer.js';
import { PacketWriter } from './packet-writer.js';

/** The largest payload the client end accepts: a server's reply is bounded by the memory it is willing to use, not by us. */
const CLIENT_MAX_PAYLOAD = 1 << 30;
const WRITER_CAPACITY = 1024;
/**
 * Payloads read off the socket but not yet taken: past PAUSE_AT the socket stops reading (the
 * kernel's buffers, then the server, wait), below RESUME_AT it reads again. A large result that
 * its reader takes slowly then holds a bounded number of rows here, not all of them.
 */
const PAUSE_AT = 4096;
const RESUME_AT = 1024;

interface Received {
  payload: Buffer;
  seq: number;
}

/**
 * Packets to and from a server. Writes made in one tick leave in one socket write
 * (so pipelined commands arrive together); reads hand out payloads in arrival order,
 * also after the server has closed, and fail only when none is left.
 */
export class ClientChannel implements FramerSink {
  /** The TCP socket, or the TLS socket over it after startTls(). */
  socket: Socket;
  /** Resolves when the socket has closed, whoever closed it. */
  readonly closed: Promise<void>;
  /** Sequence id of the last physical packet of the payload read last. */
  lastSeq = -1;
  /** Payloads in arrival order; the next to read is at `head` (the array is compacted now and then, not shifted per read). */
  private received: Received[] = [];
  private head = 0;
  private paused = false;
  private wake: (() => void) | null = null;
  private failure: Error | null = null;
  private readonly out = new PacketWriter(WRITER_CAPACITY);
  private corked = false;

  constructor(port: number, host = '127.0.0.1') {
    this.socket = connect(port, host);
    this.socket.setNoDelay(true);
    const framer = new PacketFramer(this, CLIENT_MAX_PAYLOAD);
    this.toFramer = (chunk: Buffer) => framer.push(chunk);
    this.socket.on('data', this.toFramer);
    this.socket.on('error', (e: Error) => {
      this.failure ??= e;
    });
    this.closed = new Promise((resolve) =>
      this.socket.on('close', () => {
        resolve();
        this.notify();
      }),
    );
  }

  private readonly toFramer: (chunk: Buffer) => void;

  /**
   * After an SSLRequest: the rest of the connection is TLS over the same socket. Resolves
   * once the server's certificate passed the checks `options` ask for; rejects (and
   * closes) otherwise, before anything more was sent.
   */
  async startTls(options: ConnectionOptions): Promise<void> {
    const raw = this.socket;
    // The SSLRequest must have left in clear before TLS takes the socket over.
    while (raw.writableCorked > 0) raw.uncork();
    if (raw.writableLength > 0) await new Promise((resolve) => raw.once('drain', resolve).once('close', resolve));
    raw.off('data', this.toFramer);
    const tls = tlsConnect({ ...options, socket: raw });
    this.socket = tls;
    return new Promise((resolve, reject) => {
      const failed = (e: Error) => {
        this.failure ??= e;
        tls.destroy();
        reject(e);
      };
      tls.once('error', failed);
      tls.once('secureConnect', () => {
        tls.off('error', failed);
        tls.on('error', (e: Error) => {
          this.failure ??= e;
        });
        tls.on('data', this.toFramer);
        resolve();
      });
    });
  }

  /** A channel whose socket has connected; rejects with the socket's error (refused, unreachable). */
  static open(port: number, host = '127.0.0.1'): Promise<ClientChannel> {
    const ch = new ClientChannel(port, host);
    return new Promise((resolve, reject) => {
      const failed = (e: Error) => reject(e);
      ch.socket.once('error', failed);
      ch.socket.once('connect', () => {
        ch.socket.off('error', failed);
        resolve(ch);
      });
    });
  }

  onPayload(payload: Buffer, seq: number): void {
    this.received.push({ payload, seq });
    if (!this.paused && this.received.length - this.head >= PAUSE_AT) {
      this.paused = true;
      this.socket.pause();
    }
    this.notify();
  }

  onOversize(declared: number): void {
    this.failure ??= new Error(`the server sent a ${declared}-byte packet, more than this client accepts`);
    this.socket.destroy();
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  /** How many payloads wait to be read. */
  get pending(): number {
    return this.received.length - this.head;
  }

  /** The next payload; rejects once the connection has closed and nothing is left to read. */
  async read(): Promise<Buffer> {
    for (;;) {
      if (this.head < this.received.length) {
        const next = this.received[this.head++]!;
        this.taken();
        this.lastSeq = next.seq;
        return next.payload;
      }
      if (this.socket.destroyed) throw this.failure ?? new Error('the server closed the connection');
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** After a read: drops what was read once it is most of the array, and reads from the socket again below RESUME_AT. */
  private taken(): void {
    const left = this.received.length - this.head;
    if (this.head === this.received.length) {
      this.received = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head >= left) {
      this.received = this.received.slice(this.head);
      this.head = 0;
    }
    if (this.paused && left <= RESUME_AT) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /**
   * Sends the packets `build` writes (a codec's write function), the first with
   * sequence id `seq`; returns the id that follows the last one sent, where the
   * reply continues (a payload of 16 MiB or more takes several ids).
   */
  send(build: (w: PacketWriter) => void, seq = 0): number {
    this.out.seq = seq;
    try {
      build(this.out);
    } catch (e) {
      // Nothing of a half-built batch may leave with the next one.
      this.out.abort();
      this.out.take();
      throw e;
    }
    const next = this.out.seq;
    this.write(this.out.take());
    return next;
  }

  /** Sends each payload as one packet with sequence id `seq` (payloads a codec cannot build: empty or deliberately wrong ones). */
  sendPayloads(payloads: readonly Buffer[], seq = 0): number {
    return this.send((w) => {
      for (const p of payloads) {
        w.seq = seq;
        w.begin().bytes(p).end();
      }
    });
  }

  /** Bytes as they are, headers included: for tests that send what is not a packet at all. */
  write(bytes: Buffer): void {
    if (this.socket.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    this.socket.write(bytes);
  }

  /** Half-closes: the server sees end of input; what it still sends can be read. */
  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
