// A commit counter every thread shares: writers bump it after a logged commit, change streams wait on it instead of polling.

/** Words of the shared buffer. */
const GENERATION = 0;
export const COMMIT_SIGNAL_BYTES = 4;

/**
 * Wakes whoever waits for new change-log entries, across worker threads: the counter lives in a
 * SharedArrayBuffer and waiters use Atomics.waitAsync, so a commit on any thread wakes a stream
 * on any other at once.
 */
export class CommitSignal {
  private readonly words: Int32Array;

  constructor(buffer: SharedArrayBuffer = new SharedArrayBuffer(COMMIT_SIGNAL_BYTES)) {
    this.words = new Int32Array(buffer, 0, 1);
  }

  /** The current generation: read it before reading the log, then wait for it to change. */
  get generation(): number {
    return Atomics.load(this.words, GENERATION);
  }

  /** A logged commit is durable. */
  bump(): void {
    Atomics.add(this.words, GENERATION, 1);
    Atomics.notify(this.words, GENERATION);
  }

  /** Resolves when the generation is no longer `seen`, or after `timeoutMs`; true when it changed. */
  async changedSince(seen: number, timeoutMs: number): Promise<boolean> {
    const w = Atomics.waitAsync(this.words, GENERATION, seen, timeoutMs);
    const outcome = w.async ? await w.value : w.value;
    return outcome !== 'timed-out';
  }
}
