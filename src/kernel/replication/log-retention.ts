// Keeps the change log within its age and size limits: purges the oldest transactions in short writes, never what a live replica stream needs.
import type { KvStore } from '../../storage/kv.js';
import { logSummary, purgeStep, recordCountedBytes, sumBytes, type PurgeLimits } from '../../storage/change-log/index.js';
import type { Logger } from '../logger.js';
import type { StreamHolds } from './stream-holds.js';

/** One purge step deletes at most this much: a short LMDB write other commits barely wait for. */
export const PURGE_STEP_TRANSACTIONS = 1000;
export const PURGE_STEP_BYTES = 4 * 1024 * 1024;
/** How often the background task looks at the limits. */
export const PURGE_CHECK_MS = 1000;
/** Transactions read per read transaction while counting the size of a log written before it was kept. */
const COUNT_PAGE = 10_000;

const NO_LIMIT = 0xffffffffffffffffn;

/** The limits, read at each check (SET GLOBAL changes them). */
export interface RetentionPolicy {
  /** Purge what was committed longer ago (0: no age limit). */
  expireSeconds: number;
  /** Purge the oldest while the log holds more bytes (0: no size limit). */
  maxBytes: number;
  /** Keep what live replica streams still need. */
  holdForReplicas: boolean;
}

/** What a PURGE BINARY LOGS did; `heldAt` is set when a replica's hold kept some of what was asked. */
export interface PurgeOutcome {
  transactions: number;
  bytes: number;
  heldAt: { sequence: bigint; streams: number } | undefined;
}

export class LogRetention {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly store: KvStore,
    private readonly holds: StreamHolds,
    private readonly policy: () => RetentionPolicy,
    private readonly log: Logger,
    /** Renews this thread's read view, so a check sees every thread's commits. */
    private readonly fresh: () => void,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The background task; only one thread of a server runs it. */
  start(): void {
    if (this.timer !== undefined || this.closed) return;
    this.timer = setInterval(() => {
      this.running ??= this.check().catch((e: unknown) => this.log.error('purging the change log failed', { error: e instanceof Error ? e.message : String(e) })).finally(() => {
        this.running = undefined;
      });
    }, PURGE_CHECK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** The hold that applies: the lowest sequence a live stream needs, unless the policy ignores replicas. */
  private hold(): { sequence: bigint; streams: number } | undefined {
    return this.policy().holdForReplicas ? this.holds.lowest() : undefined;
  }

  /** One check: count an old log's size once, then purge in steps while a limit is passed, yielding between steps. */
  private async check(): Promise<void> {
    this.fresh();
    if (this.store.read((r) => logSummary(r).bytes) === undefined) await this.countBytes();
    for (;;) {
      const p = this.policy();
      if (this.closed || (p.expireSeconds <= 0 && p.maxBytes <= 0)) return;
      const now = this.clock();
      const limits: PurgeLimits = {
        below: this.hold()?.sequence ?? NO_LIMIT,
        committedBeforeMs: p.expireSeconds > 0 ? now - p.expireSeconds * 1000 : undefined,
        overBytes: p.maxBytes > 0 ? p.maxBytes : undefined,
        maxTransactions: PURGE_STEP_TRANSACTIONS,
        maxBytes: PURGE_STEP_BYTES,
        nowMs: now,
      };
      // An asynchronous commit: while another thread holds the write lock (a big commit being applied), this one goes on.
      let done = { transactions: 0, bytes: 0 };
      await this.store.commit((w) => {
        done = purgeStep(w, limits);
      });
      if (done.transactions === 0) return;
      this.log.debug('purged change-log transactions', { transactions: done.transactions, bytes: done.bytes });
      await new Promise((r) => setImmediate(r));
    }
  }

  /** A log written before its size was kept: counted in read pages, recorded in one short write. */
  private async countBytes(): Promise<void> {
    for (;;) {
      const start = this.store.read((r) => logSummary(r).first);
      let next = start;
      let bytes = 0;
      for (;;) {
        const page = this.store.read((r) => sumBytes(r, next, COUNT_PAGE));
        bytes += page.bytes;
        next = page.next;
        if (page.done || this.closed) break;
        await new Promise((r) => setImmediate(r));
      }
      if (this.closed || this.store.write((w) => recordCountedBytes(w, start, next, bytes))) return;
    }
  }

  /**
   * PURGE BINARY LOGS: everything below `toSequence`, or committed before `beforeMs`, in short
   * writes; what a live replica needs stays unless the policy ignores replicas.
   */
  purge(target: { toSequence: bigint } | { beforeMs: number }): PurgeOutcome {
    this.fresh();
    const hold = this.hold();
    const wanted = 'toSequence' in target ? target.toSequence : NO_LIMIT;
    const below = hold !== undefined && hold.sequence < wanted ? hold.sequence : wanted;
    const out: PurgeOutcome = { transactions: 0, bytes: 0, heldAt: undefined };
    for (;;) {
      const now = this.clock();
      const step = this.store.write((w) => purgeStep(w, {
        below,
        committedBeforeMs: 'beforeMs' in target ? target.beforeMs : undefined,
        maxTransactions: PURGE_STEP_TRANSACTIONS,
        maxBytes: PURGE_STEP_BYTES,
        nowMs: now,
      }));
      out.transactions += step.transactions;
      out.bytes += step.bytes;
      if (step.transactions === 0) break;
    }
    if (hold !== undefined) {
      // Held back when the oldest kept transaction is the hold's and the statement wanted it gone.
      const left = this.store.read((r) => logSummary(r));
      const wantedGone = 'toSequence' in target ? left.first < target.toSequence : left.oldestCommitMs !== undefined && left.oldestCommitMs < target.beforeMs;
      if (left.first === hold.sequence && left.first < left.last && wantedGone) out.heldAt = hold;
    }
    return out;
  }
}
