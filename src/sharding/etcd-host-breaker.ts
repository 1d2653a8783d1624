// A per-member circuit breaker for the etcd client: a member that failed a few times in a row is skipped for one second, so a dead member costs no time but a returning one is used again quickly.
import { isRecoverableError, type IOptions } from 'etcd3';

type HostPolicy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;
type GlobalPolicy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;

/** Consecutive failures of a member before it is skipped. */
const FAILURES_TO_OPEN = 3;
/** How long it is skipped; the etcd3 default (5 s) would hold changes back that long after etcd returns. */
const OPEN_MS = 1_000;

export class MemberSkippedError extends Error {}

const noEvent = () => ({ dispose: () => undefined });

/** A new breaker for one member (the etcd3 client asks for one per host). */
export function memberBreaker(host: string): HostPolicy {
  let failures = 0;
  let openUntil = 0;
  const signal = new AbortController().signal;
  const policy: Omit<HostPolicy, '_altReturn'> = {
    onSuccess: noEvent,
    onFailure: noEvent,
    async execute(fn) {
      if (failures >= FAILURES_TO_OPEN && Date.now() < openUntil) throw new MemberSkippedError(`etcd member ${host} failed ${failures} times in a row; skipped for now`);
      try {
        const out = await fn({ signal });
        failures = 0;
        return out;
      } catch (e) {
        if (e instanceof Error && isRecoverableError(e)) {
          failures++;
          if (failures >= FAILURES_TO_OPEN) openUntil = Date.now() + OPEN_MS;
        }
        throw e;
      }
    },
  };
  // `_altReturn` exists only in the type (cockatiel documents it as never defined).
  return policy as HostPolicy;
}

/**
 * The client's policy around each call: a call that failed on one member in a way worth retrying
 * is tried again, each time on a member picked afresh. The etcd3 default (3 retries) can pick a
 * dead member every time; with a member's breaker opening after FAILURES_TO_OPEN failures,
 * `members * FAILURES_TO_OPEN + 1` attempts always reach a live member if there is one.
 * A call that finds every member skipped waits for the breakers once (at most OPEN_MS).
 */
export function retryAcrossMembers(members: number): GlobalPolicy {
  const attempts = members * FAILURES_TO_OPEN + 1;
  const policy: Omit<GlobalPolicy, '_altReturn'> = {
    onSuccess: noEvent,
    onFailure: noEvent,
    async execute(fn, signal = new AbortController().signal) {
      let cause: unknown;
      let waited = false;
      for (let attempt = 1; ; attempt++) {
        try {
          return await fn({ signal });
        } catch (e) {
          if (e instanceof MemberSkippedError) {
            // Every member skipped: this call's own failures say more than that. Skipped by earlier
            // calls' failures (etcd may be back by now): once, wait for the breakers to let a call through.
            if (cause !== undefined || waited) throw cause ?? e;
            waited = true;
            await new Promise((r) => setTimeout(r, OPEN_MS));
            continue;
          }
          if (attempt >= attempts || signal.aborted || !(e instanceof Error && isRecoverableError(e))) throw e;
          cause = e;
        }
      }
    },
  };
  return policy as GlobalPolicy;
}
