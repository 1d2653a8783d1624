// Feeds one applier plugin (change-data capture) from this server's change log: in commit order, from its stored position, storing it only after the plugin acknowledged.
import type { Logger } from '../logger.js';
import type { ChangeApplier, CommittedTransaction, StreamHold } from '../plugin.js';
import { decodeTransaction, transactionToJson, type pb } from '../../storage/change-log/index.js';
import { WakeablePause } from './wakeable-pause.js';

/** What the feed needs of its server. */
export interface ApplierFeedHost {
  readonly log: Logger;
  /** Transactions from `from` on, read fresh (every thread's commits). */
  page(from: bigint, maxCount: number, maxBytes: number): { sequence: bigint; bytes: Buffer }[];
  /** The oldest kept and newest committed sequences (0n: none). */
  bounds(): { first: bigint; last: bigint };
  /** Keeps the log from `sequence` on (undefined: every hold slot is taken). */
  hold(sequence: bigint): StreamHold | undefined;
  /** Read before `page`; `changedSince` resolves when any thread commits more. */
  readonly generation: number;
  changedSince(seen: number, timeoutMs: number): Promise<boolean>;
  readPosition(name: string): bigint | undefined;
  writePosition(name: string, sequence: bigint): void;
}

/** One batch: at most this many transactions, and about this many bytes of encoded messages. */
export const APPLIER_BATCH_MAX = 500;
export const APPLIER_BATCH_BYTES = 1024 * 1024;
/** After a failed apply: the first pause, doubled up to the last. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5000;
/** Waits for a commit at most this long before looking again (a purge or a lost wake-up). */
const IDLE_WAIT_MS = 1000;

class Committed implements CommittedTransaction {
  private text: string | undefined;
  constructor(readonly sequence: bigint, readonly id: string, readonly transaction: pb.Transaction) {}

  json(): string {
    this.text ??= transactionToJson(this.transaction);
    return this.text;
  }
}

export class ApplierFeed {
  private closed = false;
  private loop: Promise<void> | undefined;
  /** Ends the wait for the next commit at close(). */
  private wake: (() => void) | undefined;
  /** Between failed deliveries; close() cuts it short. */
  private readonly retryPause = new WakeablePause();
  private hold: StreamHold | undefined;
  /** The last sequence the plugin acknowledged (0n: none). */
  private position = 0n;
  /** Commit time of the oldest transaction handed out and not acknowledged yet; undefined when caught up. */
  private pendingCommitMs: number | undefined;
  private newest = 0n;
  private failures = 0;
  private lastError = '';
  /** Set when feeding cannot go on (the log lost what the plugin needs): the plugin gets nothing more until a restart. */
  private stopped: string | undefined;

  /** `name`: the plugin's, the key its position is stored under. */
  constructor(readonly name: string, private readonly applier: ChangeApplier, private readonly host: ApplierFeedHost) {}

  /** Starts feeding: holds the log from the stored position (or from the oldest kept transaction) before anything can purge it. */
  start(): void {
    const stored = this.host.readPosition(this.name);
    const { first, last } = this.host.bounds();
    this.position = stored ?? (first > 0n ? first - 1n : last);
    this.newest = last;
    if (this.position > last) {
      // A datadir put back from an older copy: new commits would reuse sequences the plugin already has.
      this.stopped = `its position ${this.position} is past the change log's last sequence ${last} (a datadir restored from an older copy?); ${this.name} stopped`;
      this.host.log.error(`${this.name}: ${this.stopped}`);
      return;
    }
    this.hold = this.host.hold(this.position + 1n);
    if (this.hold === undefined) this.host.log.warn(`${this.name}: every change-log hold slot is taken; retention may purge what this applier has not taken yet`);
    this.loop = this.run();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.retryPause.wake();
    await this.loop;
    this.hold?.release();
  }

  /** SHOW GLOBAL STATUS rows (and so /metrics): `Applier_<name>_...`. */
  statusRows(nowMs: number): [string, number][] {
    const base = `Applier_${this.name.replace(/^applier-/, '').replace(/[^A-Za-z0-9]/g, '_')}`;
    const behind = this.newest > this.position ? this.newest - this.position : 0n;
    return [
      [`${base}_last_sequence`, Number(this.position)],
      [`${base}_lag_transactions`, Number(behind)],
      [`${base}_lag_ms`, this.pendingCommitMs === undefined || behind === 0n ? 0 : Math.max(0, nowMs - this.pendingCommitMs)],
      [`${base}_failures`, this.failures],
      [`${base}_running`, this.stopped === undefined && !this.closed ? 1 : 0],
    ];
  }

  /** The last failure, or why feeding stopped ('' when none). */
  get error(): string {
    return this.stopped ?? this.lastError;
  }

  private async run(): Promise<void> {
    let delay = RETRY_FIRST_MS;
    while (!this.closed) {
      const seen = this.host.generation;
      const page = this.host.page(this.position + 1n, APPLIER_BATCH_MAX, APPLIER_BATCH_BYTES);
      if (page.length === 0) {
        this.pendingCommitMs = undefined;
        const { first, last } = this.host.bounds();
        this.newest = last;
        if (first > this.position + 1n) return this.stop(first);
        const changed = this.host.changedSince(seen, IDLE_WAIT_MS);
        await Promise.race([changed, new Promise<void>((resolve) => (this.wake = resolve))]);
        this.wake = undefined;
        continue;
      }
      if (page[0].sequence !== this.position + 1n) return this.stop(page[0].sequence);
      const batch = page.map((e) => {
        const t = decodeTransaction(e.bytes);
        return new Committed(e.sequence, `${t.id?.serverUuid ?? ''}:${e.sequence}`, t);
      });
      this.pendingCommitMs = Number(batch[0].transaction.commitTimeMs);
      const lastSeq = batch[batch.length - 1].sequence;
      if (lastSeq > this.newest) this.newest = lastSeq;
      try {
        await this.applier.apply(batch);
      } catch (e) {
        this.failures++;
        this.lastError = e instanceof Error ? e.message : String(e);
        // Commits go on while the plugin fails: the lag in transactions counts them.
        this.newest = this.host.bounds().last;
        this.host.log.warn(`${this.name}: delivering transactions failed; retrying`, { from: String(this.position + 1n), error: this.lastError, retry_ms: delay });
        await this.retryPause.sleep(delay);
        delay = Math.min(delay * 2, RETRY_MAX_MS);
        continue;
      }
      delay = RETRY_FIRST_MS;
      this.lastError = '';
      // Stored after the plugin made them durable: a crash before this line delivers them again, never skips them.
      this.host.writePosition(this.name, lastSeq);
      this.position = lastSeq;
      this.hold?.move(lastSeq + 1n);
    }
  }

  /** The log no longer holds the next transaction the plugin needs (purged with binlog_retain_for_replicas off): stop, loudly. */
  private stop(firstKept: bigint): void {
    this.stopped = `the change log no longer holds sequence ${this.position + 1n} (it starts at ${firstKept}); ${this.name} stopped`;
    this.host.log.error(`${this.name}: ${this.stopped}`);
  }
}
