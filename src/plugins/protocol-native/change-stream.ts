// REPLICATE: pushes the change log to a replica as transactions commit, a page at a time, never faster than the replica reads.
import { sqlError, type SqlError } from '../../base/errors.js';
import type { ChangeFeed, StreamHold } from '../../kernel/plugin.js';
import { CHANGES_FRAME_BYTES_TARGET, CHANGES_PER_FRAME_MAX } from '../../protocol/native/constants.js';
import { writeChanges, type ReplicateRequest } from '../../protocol/native/messages.js';
import { WireWriter } from '../../protocol/native/wire-writer.js';

/** With nothing new to send, an empty CHANGES goes out this often: the replica knows the source lives and that it is caught up. */
export const HEARTBEAT_MS = 1000;

/**
 * Frames whose first transaction the stream keeps from purging: the replica applies a frame
 * before it reads the next, but frames can still sit in socket buffers when it disconnects, and it
 * then asks again from what it applied.
 */
export const HELD_FRAMES = 16;

/** The error a replica gets when what it needs next was purged (MySQL's words for the GTID case). */
export function purgedError(serverUuid: string, after: bigint, first: bigint): SqlError {
  return sqlError('SOURCE_FATAL_READING_LOG', `Cannot replicate because the source purged required binary logs: the replica needs ${serverUuid}:${after + 1n}, the source's log starts at ${serverUuid}:${first}. Provision the replica again from a backup (mizzle backup), or keep the log longer (binlog_expire_logs_seconds, max_binlog_total_size)`);
}

/**
 * The error a replica gets when its newest transaction is not in this log: it committed
 * transactions this server never received (a former primary), or this server's copy was purged.
 */
export function divergedError(history: { uuid: string; sequence: bigint }, newest: bigint | undefined): SqlError {
  if (newest !== undefined && newest > history.sequence) {
    return sqlError('SOURCE_FATAL_READING_LOG', `Cannot replicate: the replica's newest transaction ${history.uuid}:${history.sequence} is not in the source's change log (purged, or never applied there). Provision the replica again from a backup of the source (mizzle backup)`);
  }
  const from = (newest ?? 0n) + 1n;
  const range = from === history.sequence ? `${history.uuid}:${from}` : `${history.uuid}:${from}-${history.sequence}`;
  return sqlError('SOURCE_FATAL_READING_LOG', `Replica has transactions the source never received (${range}): it diverged; restore it from a backup of the source (mizzle backup)`);
}

/** What a stream needs of its connection. */
export interface StreamHost {
  write(bytes: Buffer): void;
  /** While the replica has not read what was written: a promise for when it has, or is gone (null: nothing pending). */
  backlog(): Promise<void> | null;
  readonly open: boolean;
}

/**
 * One replica's stream. It reads the log in short read transactions (a slow replica pins no
 * snapshot), holds at most one frame beyond what the socket took, and sleeps on the commit
 * signal when it has sent everything. Its errors end the stream, never the server.
 */
export class ChangeStream {
  private stopped = false;

  constructor(
    private readonly feed: ChangeFeed,
    private readonly serverUuid: string,
    private readonly host: StreamHost,
    private readonly requestId: number,
  ) {}

  /**
   * Checks the request: where the stream starts (the last sequence the replica has), or the error
   * to answer instead. A replica whose position is in this log continues from it; one coming from
   * another server (re-pointed after a promotion, or a former primary) continues after the newest
   * transaction it holds, found here by its origin id, and is refused when it holds one this log never had.
   */
  static start(feed: ChangeFeed | undefined, serverUuid: string, req: ReplicateRequest): { after: bigint } | SqlError {
    if (feed === undefined) return sqlError('SOURCE_FATAL_READING_LOG', 'The source has no change log to stream (it runs with --log-bin off)');
    let after = req.afterSequence;
    if (req.sourceUuid !== serverUuid && req.history !== undefined) {
      const found = feed.findOrigin(req.history);
      if (!found.found) return divergedError(req.history, found.newest);
      after = found.at;
    } else if (req.sourceUuid !== '' && req.sourceUuid !== serverUuid) {
      return sqlError('SOURCE_FATAL_READING_LOG', `The replica's position is in the change log of server ${req.sourceUuid}, not of this server (${serverUuid})`);
    }
    const last = feed.lastSequence();
    if (after > last) {
      return sqlError('SOURCE_FATAL_READING_LOG', `The replica asks for changes after ${serverUuid}:${after}, but this server's log ends at ${last}`);
    }
    const first = feed.firstSequence();
    if (first > after + 1n) return purgedError(serverUuid, after, first);
    return { after };
  }

  /**
   * Streams until the connection closes or stop(); resolves then. Rejects with 1236 when what
   * comes next was purged (by a forced purge, or between the request's check and its hold).
   */
  async run(after: bigint): Promise<void> {
    let next = after + 1n;
    const hold = this.feed.hold(next);
    const sent: bigint[] = [];
    try {
      await this.stream(next, sent, hold);
    } finally {
      hold?.release();
    }
  }

  private async stream(from: bigint, sent: bigint[], hold: StreamHold | undefined): Promise<void> {
    let next = from;
    while (!this.stopped && this.host.open) {
      // The generation is read before the log, so a commit between the two still wakes the wait below.
      const seen = this.feed.generation;
      const page = this.feed.page(next, CHANGES_PER_FRAME_MAX, CHANGES_FRAME_BYTES_TARGET);
      if (page.length > 0) {
        if (page[0].sequence !== next) throw purgedError(this.serverUuid, next - 1n, page[0].sequence);
        next = page[page.length - 1].sequence + 1n;
        sent.push(page[0].sequence);
        if (sent.length > HELD_FRAMES) sent.shift();
        hold?.move(sent[0]);
        this.send(page);
        const pending = this.host.backlog();
        if (pending) await pending;
        continue;
      }
      if (!(await this.feed.changedSince(seen, HEARTBEAT_MS)) && !this.stopped && this.host.open) this.send([]);
    }
  }

  private send(page: { sequence: bigint; bytes: Buffer }[]): void {
    const bytes = page.reduce((n, t) => n + t.bytes.length + 12, 64);
    const w = new WireWriter(bytes);
    writeChanges(w, this.requestId, { serverUuid: this.serverUuid, lastSequence: this.feed.lastSequence(), transactions: page });
    this.host.write(w.finish());
  }

  stop(): void {
    this.stopped = true;
  }
}
