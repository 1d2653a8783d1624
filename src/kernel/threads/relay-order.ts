// Puts the events the workers relay to the main thread back into the order they happened across workers.
import type { RelayedEvent } from './messages.js';

/** How long a missing event may hold back those after it (its worker stalled or ended without sending it). */
export const RELAY_GAP_MS = 1000;

/** Whether sequence number `a` comes before `b` (they wrap below 2^32). */
function before(a: number, b: number): boolean {
  return ((a - b) | 0) < 0;
}

interface Pending {
  seqs: number[];
  events: RelayedEvent[];
  /** The next one to deliver. */
  at: number;
}

/**
 * Each worker numbers the events it relays from one counter in shared memory, taken when the
 * event happens, and sends them in batches. Merged here by that number, they reach the main
 * thread's plugins (audit-file's chain, the statement logs) in the order they happened on the
 * server: a failed login answered on one worker comes before the next client's on another.
 * An event held back by a missing number waits at most RELAY_GAP_MS; one that comes later than
 * that is delivered when it comes.
 */
export class RelayOrder {
  private next = 0;
  private readonly pending: Pending[][];
  private gapTimer: NodeJS.Timeout | undefined;

  constructor(workers: number, private readonly deliver: (events: RelayedEvent[]) => void, private readonly gapMs = RELAY_GAP_MS) {
    this.pending = Array.from({ length: workers }, () => []);
  }

  /** A batch from `worker`, numbered `seqs` (increasing, as the worker took them). */
  received(worker: number, seqs: readonly number[], events: readonly RelayedEvent[]): void {
    const out: RelayedEvent[] = [];
    // Events whose turn was skipped (a gap given up on) go out at once, in their worker's order.
    let i = 0;
    while (i < seqs.length && before(seqs[i], this.next)) out.push(events[i++]);
    if (i < seqs.length) this.pending[worker]?.push({ seqs: seqs.slice(i), events: events.slice(i), at: 0 });
    this.drain(out);
  }

  /** Delivers what is in order now; waits (bounded) for a missing number. */
  private drain(out: RelayedEvent[]): void {
    for (;;) {
      const w = this.workerHolding(this.next);
      if (w < 0) break;
      const queue = this.pending[w];
      const head = queue[0];
      out.push(head.events[head.at]);
      if (++head.at === head.seqs.length) queue.shift();
      this.next = (this.next + 1) >>> 0;
    }
    if (out.length > 0) this.deliver(out);
    const waiting = this.pending.some((q) => q.length > 0);
    // The wait is for the number now missing: when delivery moved on, a new gap (if any) gets its full time.
    if (this.gapTimer && (!waiting || out.length > 0)) {
      clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
    }
    if (waiting && !this.gapTimer) {
      this.gapTimer = setTimeout(() => this.skipGap(), this.gapMs);
      this.gapTimer.unref();
    }
  }

  /** The worker whose next event is number `seq`, or -1. */
  private workerHolding(seq: number): number {
    for (let w = 0; w < this.pending.length; w++) {
      const head = this.pending[w][0];
      if (head !== undefined && head.seqs[head.at] === seq) return w;
    }
    return -1;
  }

  /** The missing number did not come in time: the earliest event waiting goes next. */
  private skipGap(): void {
    this.gapTimer = undefined;
    let earliest: number | undefined;
    for (const queue of this.pending) {
      const head = queue[0];
      if (head !== undefined && (earliest === undefined || before(head.seqs[head.at], earliest))) earliest = head.seqs[head.at];
    }
    if (earliest === undefined) return;
    this.next = earliest;
    this.drain([]);
  }

  /** Everything still held goes out, in order (the server stops). */
  flush(): void {
    while (this.pending.some((q) => q.length > 0)) {
      if (this.gapTimer) clearTimeout(this.gapTimer);
      this.gapTimer = undefined;
      this.skipGap();
    }
    if (this.gapTimer) clearTimeout(this.gapTimer);
    this.gapTimer = undefined;
  }
}
