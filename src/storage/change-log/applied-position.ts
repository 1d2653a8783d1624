// Where a replica stands in its source's change log: the last source transaction applied, stored in the write that applied it.
import type { KvReader, KvWriter } from '../kv.js';
import { CAT_REPLICA, catalogKey } from '../key-layout.js';

/** The source server and the sequence of its last transaction applied here. */
export interface AppliedPosition {
  sourceUuid: string;
  sequence: bigint;
}

/**
 * A transaction a replica applies: written with its rows, the replica's own log entry keeps the
 * origin's uuid and the applied position moves to `sequence` of `sourceUuid`, in the same write.
 */
export interface ReplicatedOrigin extends AppliedPosition {
  /** The server where the transaction was first committed, and its sequence there: the transaction's name on every server. */
  originUuid: string;
  originSequence: bigint;
}

const KEY = catalogKey(CAT_REPLICA);

export function readAppliedPosition(r: KvReader): AppliedPosition | undefined {
  const v = r.get(KEY);
  if (v === undefined) return undefined;
  const o = JSON.parse(Buffer.from(v).toString('utf8')) as { source_uuid: string; sequence: string };
  return { sourceUuid: o.source_uuid, sequence: BigInt(o.sequence) };
}

/** RESET REPLICA, PROMOTE: no position; a source is then asked by the newest transaction this server holds. */
export function clearAppliedPosition(w: KvWriter): void {
  w.del(KEY);
}

export function writeAppliedPosition(w: KvWriter, p: AppliedPosition): void {
  w.put(KEY, Buffer.from(JSON.stringify({ source_uuid: p.sourceUuid, sequence: p.sequence.toString() })));
}
