// A transaction's name on every server (its origin uuid and sequence), and finding it in a log: how a re-pointed replica continues.
import type { KvReader } from '../kv.js';
import { CAT_LOG, catalogKindBounds } from '../key-layout.js';
import { decodeTransaction, sequenceOf } from './log-store.js';
import type { Transaction } from './gen/mizzle/replication/v1/change_log_pb.js';

const LOG_BOUNDS = catalogKindBounds(CAT_LOG);

/** Where a transaction was first committed, and its sequence there. */
export interface OriginId {
  uuid: string;
  sequence: bigint;
}

/**
 * The origin id of a logged transaction: its own id when first committed here; what the applier
 * recorded otherwise (undefined for a replica's message written before origin sequences were logged).
 */
export function originOf(t: Transaction): OriginId | undefined {
  const own = t.id?.serverUuid ?? '';
  const uuid = t.originServerUuid || own;
  if (t.originSequence !== 0n) return { uuid, sequence: t.originSequence };
  return uuid === own ? { uuid, sequence: t.id?.sequence ?? 0n } : undefined;
}

/** The origin id of the newest logged transaction: the last thing this server's data holds (undefined: an empty log). */
export function newestOrigin(r: KvReader): OriginId | undefined {
  for (const e of r.range({ start: LOG_BOUNDS.start, end: LOG_BOUNDS.end, reverse: true })) return originOf(decodeTransaction(e.value));
  return undefined;
}

/** Where `wanted` is in a log: its local sequence, or what the log knows of its origin instead. */
export type OriginSearch =
  | { found: true; at: bigint }
  /** `newest`: the newest transaction of `wanted`'s origin the log holds (undefined: none). */
  | { found: false; newest: bigint | undefined };

/**
 * Finds the transaction named `wanted`, reading from the newest back (a replica asks for
 * something recent). A server applies its sources' transactions in their order, so the first
 * one of `wanted`'s origin with a lower sequence ends the search: `wanted` is not here. An origin
 * the log never saw reads the whole kept log once (one read transaction, at a replica's connect).
 */
export function findOrigin(r: KvReader, wanted: OriginId): OriginSearch {
  let newest: bigint | undefined;
  for (const e of r.range({ start: LOG_BOUNDS.start, end: LOG_BOUNDS.end, reverse: true })) {
    const o = originOf(decodeTransaction(e.value));
    if (o === undefined || o.uuid !== wanted.uuid) continue;
    if (o.sequence === wanted.sequence) return { found: true, at: sequenceOf(Buffer.from(e.key)) };
    newest ??= o.sequence;
    if (o.sequence < wanted.sequence) break;
  }
  return { found: false, newest };
}
