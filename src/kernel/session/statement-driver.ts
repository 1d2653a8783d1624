// Drives a statement that runs in slices: between slices it gives the thread back, then checks KILL QUERY and the deadline.
import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RowSink } from '../../base/result.js';
import type { Pause } from '../../sql/executor/pause.js';
import type { StatementMeter } from './statement-meter.js';

/**
 * How long a statement works before it lets the event loop run other sessions' statements,
 * KILL and timers. Small enough that a heavy query adds at most this much to a point select
 * waiting behind it; large enough that the turns cost nothing measurable.
 */
export const SLICE_MS = 4;

/**
 * Runs `steps` to its end, returning to the event loop whenever a slice has used SLICE_MS.
 * After each turn the meter is checked, so KILL QUERY (1317) and max_execution_time (3024)
 * stop the statement within a slice. An abandoned statement's generator is closed, which
 * releases its snapshot. SLEEP() owed by the rows computed so far is waited out at the next pause,
 * and a `sink` whose client is behind is waited for there too.
 */
export async function runSteps<T>(steps: Generator<Pause, T>, meter: StatementMeter, sink?: RowSink): Promise<T> {
  let sliceStart = performance.now();
  try {
    for (;;) {
      const step = steps.next();
      if (meter.sleepMs > 0) {
        await meter.sleep();
        sliceStart = performance.now();
      }
      if (step.done) return step.value;
      // Rows stream to a client that is behind: compute no more until it has taken them.
      const backlog = sink?.backlog();
      if (backlog) {
        await meter.waitForClient(backlog);
        sliceStart = performance.now();
        continue;
      }
      if (performance.now() - sliceStart >= SLICE_MS) {
        await nextTurn();
        meter.tick();
        sliceStart = performance.now();
      }
    }
  } finally {
    steps.return(undefined as T);
  }
}
