// The pause token: running operators hand it up between slices of work, where the driver may give the thread back.
import type { Row } from '../../base/value.js';

/**
 * Yielded by a running plan between slices of work. Every operator passes it up unchanged, so
 * the statement's driver can return to the event loop (other sessions, KILL, timers) and then
 * resume the generators exactly where they stopped; code that materializes rows drops it.
 */
export const PAUSE: unique symbol = Symbol('pause');
export type Pause = typeof PAUSE;

/** What pulling a running plan gives: a row, or a pause. */
export type Pulled = Row | Pause;

/** Rows a loop handles between two pauses: small enough that one slice stays well under a millisecond. */
export const PAUSE_EVERY = 512;

/** Appends the rows of `source` to `into`, passing pauses up (materializing without blocking the driver). */
export function* collect(source: Iterable<Pulled>, into: Row[]): Generator<Pause, Row[]> {
  for (const r of source) {
    if (r === PAUSE) yield PAUSE;
    else into.push(r);
  }
  return into;
}

/**
 * Every row of `source`, pauses dropped: for callers that must have all rows at once (subqueries,
 * INSERT ... SELECT). They cannot give the thread back, but `checkpoint` runs at each pause, so the
 * statement's deadline (and a KILL seen earlier) still stops them there.
 */
export function drain(source: Iterable<Pulled>, checkpoint?: () => void): Row[] {
  const out: Row[] = [];
  for (const r of source) {
    if (r !== PAUSE) out.push(r);
    else if (checkpoint) checkpoint();
  }
  return out;
}

/** Runs a stepped computation to its end without pausing (statements not run by a pausing driver). */
export function finish<T>(steps: Generator<Pause, T>): T {
  for (;;) {
    const s = steps.next();
    if (s.done) return s.value;
  }
}

/**
 * A stable sort that pauses: chunks are sorted one at a time, then merged pairwise, with a
 * pause after each chunk and every PAUSE_EVERY merged items. Small inputs sort in one go.
 */
export function* sortWithPauses<T>(items: T[], compare: (a: T, b: T) => number): Generator<Pause, T[]> {
  const CHUNK = 8192;
  if (items.length <= CHUNK) return items.sort(compare);
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) {
    runs.push(items.slice(i, i + CHUNK).sort(compare));
    yield PAUSE;
  }
  while (runs.length > 1) {
    const next: T[][] = [];
    for (let r = 0; r + 1 < runs.length; r += 2) {
      const a = runs[r];
      const b = runs[r + 1];
      const merged: T[] = new Array(a.length + b.length);
      let i = 0;
      let j = 0;
      let k = 0;
      while (i < a.length && j < b.length) {
        // Ties take from the left run: stable.
        merged[k++] = compare(b[j], a[i]) < 0 ? b[j++] : a[i++];
        if (k % PAUSE_EVERY === 0) yield PAUSE;
      }
      while (i < a.length) merged[k++] = a[i++];
      while (j < b.length) merged[k++] = b[j++];
      next.push(merged);
    }
    if (runs.length % 2 === 1) next.push(runs[runs.length - 1]);
    runs = next;
  }
  return runs[0];
}

/** A stepped computation that is already done: `value`, with no pause. */
export function* settled<T>(value: T): Generator<Pause, T> {
  return value;
}
