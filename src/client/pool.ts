// A small pool of transport sessions: reuses idle ones, opens up to a bound, queues callers beyond it (bounded too).
import { callSignal, whenAborted, type CallOptions } from './call-signal.js';
import { usageError } from './errors.js';
import type { Transport, TransportSession } from './transport.js';

/** Callers that may wait for a session at once; one more is refused at once rather than queued without end. */
export const MAX_WAITING = 1000;

interface Waiter {
  resolve(s: TransportSession): void;
  reject(e: unknown): void;
}

export class SessionPool {
  private readonly idle: TransportSession[] = [];
  private readonly waiting: Waiter[] = [];
  private opened = 0;
  private closed = false;

  constructor(private readonly transport: Transport, private readonly size: number, private readonly defaultTimeoutMs: number) {}

  /** A session for the caller's sole use until release(). */
  async acquire(o: CallOptions = {}): Promise<TransportSession> {
    if (this.closed) throw usageError('The client is closed');
    for (let s = this.idle.pop(); s !== undefined; s = this.idle.pop()) {
      if (s.usable) return s;
      this.discard(s);
    }
    const call = callSignal(o, this.defaultTimeoutMs);
    const aborted = whenAborted(call.signal);
    try {
      if (this.opened < this.size) {
        this.opened++;
        try {
          return await Promise.race([this.transport.open(call.signal), aborted.promise]);
        } catch (e) {
          this.opened--;
          throw e;
        }
      }
      if (this.waiting.length >= MAX_WAITING) throw usageError(`More than ${MAX_WAITING} calls wait for a session; raise poolSize or slow down`);
      const waited = new Promise<TransportSession>((resolve, reject) => this.waiting.push({ resolve, reject }));
      return await Promise.race([waited, aborted.promise.catch((e: unknown) => this.giveUp(waited, e))]);
    } finally {
      aborted.detach();
      call.done();
    }
  }

  /** A waiter that gave up: its place is dropped, and a session handed to it meanwhile goes back. */
  private giveUp(waited: Promise<TransportSession>, e: unknown): never {
    void waited.then((s) => this.release(s), () => undefined);
    throw e;
  }

  /** Gives a session back: to the next waiter, to the idle list, or closed when it is broken. */
  release(s: TransportSession): void {
    if (!s.usable || this.closed) {
      this.discard(s);
      return;
    }
    const w = this.waiting.shift();
    if (w !== undefined) w.resolve(s);
    else this.idle.push(s);
  }

  /** Closes a session instead of giving it back (its state is the caller's, not for the next one). */
  retire(s: TransportSession): void {
    this.discard(s);
  }

  private discard(s: TransportSession): void {
    this.opened--;
    void s.close().catch(() => undefined);
    // A slot opened: a waiter can have a new session.
    if (this.closed) return;
    const w = this.waiting.shift();
    if (w === undefined) return;
    this.opened++;
    this.transport.open().then(w.resolve, (e: unknown) => {
      this.opened--;
      w.reject(e);
    });
  }

  /** Closes idle sessions; those in use close when released. Waiting callers are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(usageError('The client was closed'));
    const idle = this.idle.splice(0);
    this.opened -= idle.length;
    await Promise.all(idle.map((s) => s.close().catch(() => undefined)));
  }
}
