// What a replica needs from the server it follows: a stream of its committed transactions, given by whoever speaks its protocol.

/** One CHANGES frame: transactions as the source's change log stores them. */
export interface ChangeBatch {
  serverUuid: string;
  /** The newest sequence the source had committed when it sent the batch. */
  lastSequence: bigint;
  transactions: { sequence: bigint; bytes: Uint8Array }[];
}

/** A running stream; `ended` rejects when it ends (the source's SqlError, or a connection error). */
export interface FollowHandle {
  ended: Promise<never>;
  stop(): void;
}

export interface ReplicationSource {
  /** The source's address, for SHOW REPLICA STATUS and redirects. */
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /**
   * Connects, asks for the changes after `after` (of server `sourceUuid`; '' is any; from another
   * server, after the transaction `history` names: see ChangeStream.start) and hands `each` the
   * batches received since its last call, in order; the next call waits for its promise. A replica
   * behind its source finds many batches at once and applies them as one group; the read-ahead is
   * bounded, so a slow replica slows the source's sending, not its own memory.
   */
  follow(after: { sourceUuid: string; sequence: bigint; history?: { uuid: string; sequence: bigint } }, each: (batches: ChangeBatch[]) => Promise<void>): FollowHandle;
}

/** Makes the source of one URL scheme (`mizzle:`), from `--replica-of`. */
export type ReplicationSourceFactory = (url: URL) => ReplicationSource;
