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

export function callSignal(o: CallOptions, defaultTimeoutMs: number): CallSignal {
  const timeoutMs = o.timeoutMs ?? defaultTimeoutMs;
  if (timeoutMs <= 0 && o.signal === undefined) return { signal: undefined, done: () => undefined };
  const ctl = new AbortController();
  const onAbort = () => ctl.abort(new MizzleError('The call was aborted', ClientCode.ABORTED, '70100', 'aborted'));
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (o.signal?.aborted) onAbort();
  else o.signal?.addEventListener('abort', onAbort, { once: true });
  if (timeoutMs > 0 && !ctl.signal.aborted) {
    timer = setTimeout(() => ctl.abort(new MizzleError(`The call took longer than ${timeoutMs} ms`, ClientCode.TIMEOUT, 'HY000', 'timeout')), timeoutMs);
  }
  return {
    signal: ctl.signal,
    done() {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
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
