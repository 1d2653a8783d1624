// A small pool of transport sessions: lends them whole or, on wires that pipeline, shares them among one-statement calls; opens up to a bound, queues callers beyond it (bounded too).
import { callSignal, whenAborted, type CallOptions } from './call-signal.js';
import { usageError } from './errors.js';
import type { Transport, TransportSession } from './transport.js';

/** Callers that may wait for a session at once; one more is refused at once rather than queued without end. */
export const MAX_WAITING = 1000;

/**
 * A shared session with calls on it and no answer for this long is passed over by new calls
 * while another session has room: a slow statement holds up only the calls already behind it.
 */
export const STALL_MS = 25;

/** One session of the pool, or one being opened. */
interface Lane {
  /** Undefined while it opens. */
  session: TransportSession | undefined;
  opening: Promise<TransportSession> | undefined;
  /** Lent whole: a transaction, a stream, a reserved session. */
  lent: boolean;
  /** One-statement calls on it now, those waiting for it to open included. */
  calls: number;
  /** When it last answered a call, or took one while idle (see STALL_MS). */
  progressAt: number;
}

interface Waiter {
  shared: boolean;
  resolve(s: TransportSession): void;
  reject(e: unknown): void;
}

/**
 * Sessions are lent whole (`acquire`) for work that holds one. A one-statement call
 * (`share`) on a transport with a pipelineDepth above 1 goes instead onto the busiest
 * session that still has room, up to that many calls at once: their requests and answers
 * then travel together, in one system call each way, instead of one connection per
 * caller. A further session is opened only when every one is full (or stalled), up to `size`.
 */
export class SessionPool {
  private readonly lanes: Lane[] = [];
  private readonly bySession = new Map<TransportSession, Lane>();
  private readonly waiting: Waiter[] = [];
  private readonly depth: number;
  private closed = false;

  constructor(private readonly transport: Transport, private readonly size: number, private readonly defaultTimeoutMs: number) {
    this.depth = Math.max(1, transport.pipelineDepth ?? 1);
  }

  /** A session for the caller's sole use until release(). */
  acquire(o: CallOptions = {}): Promise<TransportSession> {
    return this.take(false, o);
  }

  /** A session for one statement, perhaps carrying other callers' statements at once; give it back with release(). */
  share(o: CallOptions = {}): Promise<TransportSession> {
    return this.take(this.depth > 1, o);
  }

  private async take(shared: boolean, o: CallOptions): Promise<TransportSession> {
    if (this.closed) throw usageError('The client is closed');
    let lane: Lane | undefined;
    if (this.waiting.length === 0) {
      lane = this.pick(shared);
      if (lane !== undefined) {
        this.claim(lane, shared);
        if (lane.session !== undefined) return lane.session;
      }
    }
    const call = callSignal(o, this.defaultTimeoutMs);
    const aborted = whenAborted(call.signal);
    try {
      // A shared lane is opened without the caller's signal: others may join it meanwhile.
      if (lane === undefined && this.waiting.length === 0 && this.lanes.length < this.size) lane = this.open(shared, shared ? undefined : call.signal);
      if (lane !== undefined) return await this.joined(lane, shared, aborted.promise);
      if (this.waiting.length >= MAX_WAITING) throw usageError(`More than ${MAX_WAITING} calls wait for a session; raise poolSize or slow down`);
      const waited = new Promise<TransportSession>((resolve, reject) => this.waiting.push({ shared, resolve, reject }));
      return await Promise.race([waited, aborted.promise.catch((e: unknown) => this.giveUp(waited, e))]);
    } finally {
      aborted.detach();
      call.done();
    }
  }

  /**
   * The lane a call goes on now, without opening one: for a shared call the busiest
   * lane with room that is not stalled, else (when no more may be opened) the least
   * busy with room; for a whole loan an idle lane. Broken idle lanes are dropped on the way.
   */
  private pick(shared: boolean): Lane | undefined {
    const now = performance.now();
    let best: Lane | undefined;
    let fallback: Lane | undefined;
    for (let i = this.lanes.length - 1; i >= 0; i--) {
      const lane = this.lanes[i]!;
      if (lane.lent) continue;
      if (lane.session !== undefined && !lane.session.usable) {
        if (lane.calls === 0) this.discard(lane);
        continue;
      }
      if (!shared) {
        if (lane.calls === 0 && lane.session !== undefined) return lane;
        continue;
      }
      if (lane.calls >= this.depth) continue;
      if (lane.calls > 0 && now - lane.progressAt > STALL_MS) {
        if (fallback === undefined || lane.calls < fallback.calls) fallback = lane;
      } else if (best === undefined || lane.calls > best.calls) {
        best = lane;
      }
    }
    if (best !== undefined || this.lanes.length < this.size) return best;
    return fallback;
  }

  private claim(lane: Lane, shared: boolean): void {
    if (!shared) {
      lane.lent = true;
      return;
    }
    if (lane.calls === 0) lane.progressAt = performance.now();
    lane.calls++;
  }

  /** Starts a new lane, claimed by the caller. */
  private open(shared: boolean, signal: AbortSignal | undefined): Lane {
    const lane: Lane = { session: undefined, opening: undefined, lent: !shared, calls: shared ? 1 : 0, progressAt: performance.now() };
    this.lanes.push(lane);
    lane.opening = this.transport.open(signal).then(
      (s) => {
        lane.opening = undefined;
        lane.session = s;
        this.bySession.set(s, lane);
        this.settle(lane);
        this.dispatch();
        return s;
      },
      (e: unknown) => {
        this.remove(lane);
        this.dispatch();
        throw e;
      },
    );
    // Callers that gave up do not leave the failure unhandled.
    lane.opening.catch(() => undefined);
    return lane;
  }

  /** Waits for a lane the caller claimed to open; a caller that gives up meanwhile leaves it. */
  private async joined(lane: Lane, shared: boolean, aborted: Promise<never>): Promise<TransportSession> {
    if (lane.session !== undefined) return lane.session;
    if (lane.opening === undefined) throw usageError('The client was closed');
    try {
      return await Promise.race([lane.opening, aborted]);
    } catch (e) {
      if (lane.session !== undefined) this.release(lane.session);
      else if (shared) lane.calls--;
      else if (lane.opening !== undefined) void lane.opening.then((s) => this.retire(s), () => undefined);
      throw e;
    }
  }

  /** A waiter that gave up: its place is dropped, and a session handed to it meanwhile goes back. */
  private giveUp(waited: Promise<TransportSession>, e: unknown): never {
    void waited.then((s) => this.release(s), () => undefined);
    throw e;
  }

  /** Gives a session back (after a whole loan or one shared call): it serves the next waiter, waits idle, or is closed when broken. */
  release(s: TransportSession): void {
    const lane = this.bySession.get(s);
    if (lane === undefined) {
      void s.close().catch(() => undefined);
      return;
    }
    if (lane.lent) lane.lent = false;
    else {
      lane.calls--;
      lane.progressAt = performance.now();
    }
    this.settle(lane);
    this.dispatch();
  }

  /** Closes a session lent whole instead of giving it back (its state is the caller's, not for the next one). */
  retire(s: TransportSession): void {
    const lane = this.bySession.get(s);
    if (lane === undefined) void s.close().catch(() => undefined);
    else this.discard(lane);
    this.dispatch();
  }

  /** A lane nobody uses is closed when it is broken or the pool is. */
  private settle(lane: Lane): void {
    if (lane.lent || lane.calls > 0 || lane.session === undefined) return;
    if (this.closed || !lane.session.usable) this.discard(lane);
  }

  private discard(lane: Lane): void {
    this.remove(lane);
    void lane.session?.close().catch(() => undefined);
  }

  private remove(lane: Lane): void {
    const at = this.lanes.indexOf(lane);
    if (at >= 0) this.lanes.splice(at, 1);
    if (lane.session !== undefined) this.bySession.delete(lane.session);
  }

  /** Serves waiters in order while there is room: a lane now free, or a new one. */
  private dispatch(): void {
    while (!this.closed && this.waiting.length > 0) {
      const w = this.waiting[0]!;
      const lane = this.pick(w.shared);
      if (lane !== undefined && lane.session !== undefined) {
        this.waiting.shift();
        this.claim(lane, w.shared);
        w.resolve(lane.session);
        continue;
      }
      if (lane === undefined && this.lanes.length >= this.size) return;
      this.waiting.shift();
      const target = lane ?? this.open(w.shared, undefined);
      if (lane !== undefined) this.claim(lane, w.shared);
      target.opening!.then(w.resolve, w.reject);
    }
  }

  /** Closes idle sessions; those in use close when given back. Waiting callers are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.waiting.splice(0)) w.reject(usageError('The client was closed'));
    const idle = this.lanes.filter((l) => !l.lent && l.calls === 0 && l.session !== undefined);
    for (const lane of idle) this.remove(lane);
    await Promise.all(idle.map((l) => l.session!.close().catch(() => undefined)));
  }
}
