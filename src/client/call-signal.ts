// One signal per call that fires on the caller's AbortSignal or the call's time limit, its reason a MizzleError.
import { ClientCode, MizzleError } from './errors.js';

/** What a call may pass: a time limit (ms, 0 for none) and a signal to cancel it. */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface CallSignal {
  /** Undefined when the call has neither a time limit nor a caller's signal. */
  readonly signal: AbortSignal | undefined;
  /** Stops the timer and detaches from the caller's signal. */
  done(): void;
}

/** Whether `e` is the error a fired CallSignal carries. */
export function isCallEnd(e: unknown): e is MizzleError {
  return e instanceof MizzleError && (e.kind === 'timeout' || e.kind === 'aborted');
}

/** The reason a call's signal carries when its time limit passed. */
function timeoutError(timeoutMs: number): MizzleError {
  return new MizzleError(`The call took longer than ${timeoutMs} ms`, ClientCode.TIMEOUT, 'HY000', 'timeout');
}

/**
 * A signal with its time limit, kept for the next call once its call ended without firing.
 * Allocating an AbortController and a timer for every call was a tenth of the client's CPU
 * on point selects; a slot instead re-arms one lazy timer: the timer checks the current
 * call's deadline when it fires and waits again for what is left, so a call costs a clock read.
 */
class TimedSlot {
  readonly controller = new AbortController();
  private deadline = 0;
  private timeoutMs = 0;
  private busy = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** When the armed timer fires (performance.now() time), or Infinity when none is armed. */
  private firesAt = Infinity;
  private readonly check = () => {
    this.timer = undefined;
    this.firesAt = Infinity;
    if (!this.busy) return;
    const left = this.deadline - performance.now();
    if (left <= 0) this.controller.abort(timeoutError(this.timeoutMs));
    else this.arm(left);
  };

  private arm(ms: number): void {
    this.timer = setTimeout(this.check, ms);
    this.firesAt = performance.now() + ms;
  }

  start(timeoutMs: number): void {
    this.busy = true;
    this.timeoutMs = timeoutMs;
    this.deadline = performance.now() + timeoutMs;
    if (this.firesAt > this.deadline) {
      // No timer, or one set for a longer limit of an earlier call: this call's limit comes first.
      clearTimeout(this.timer);
      this.arm(timeoutMs);
    } else {
      // A timer left from an earlier call fires first and re-arms for the rest; while a call runs it holds the process.
      this.timer!.ref();
    }
  }

  /** Whether the slot can serve another call (its signal never fired). */
  end(): boolean {
    this.busy = false;
    // An idle slot's timer must not keep the process alive; it fires once more and stops.
    this.timer?.unref();
    return !this.controller.signal.aborted;
  }
}

/** Slots of ended calls, for the next ones; bounded so a burst of calls does not pin its slots forever. */
const idleSlots: TimedSlot[] = [];
const IDLE_SLOTS_MAX = 64;

export function callSignal(o: CallOptions, defaultTimeoutMs: number): CallSignal {
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs;
  if (timeoutMs <= 0 && o.signal === undefined) return { signal: undefined, done: () => undefined };
  if (o.signal === undefined) return timedSignal(timeoutMs);
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(new MizzleError('The call was aborted', ClientCode.ABORTED, '70100', 'aborted'));
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (o.signal.aborted) onAbort();
  else o.signal.addEventListener('abort', onAbort, { once: true });
  if (timeoutMs > 0 && !ctl.signal.aborted) {
    timer = setTimeout(() => ctl.abort(timeoutError(timeoutMs)), timeoutMs);
  }
  return {
    signal: ctl.signal,
    done() {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** A call with a time limit only (the common case): a reused slot. */
function timedSignal(timeoutMs: number): CallSignal {
  const slot = idleSlots.pop() ?? new TimedSlot();
  slot.start(timeoutMs);
  let ended = false;
  return {
    signal: slot.controller.signal,
    done() {
      if (ended) return;
      ended = true;
      if (slot.end() && idleSlots.length < IDLE_SLOTS_MAX) idleSlots.push(slot);
    },
  };
}

/** Rejects with the signal's reason when it fires; never settles otherwise. */
export function whenAborted(signal: AbortSignal | undefined): { promise: Promise<never>; detach(): void } {
  if (signal === undefined) return { promise: new Promise<never>(() => undefined), detach: () => undefined };
  let onAbort: () => void = () => undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, detach: () => signal.removeEventListener('abort', onAbort) };
}
