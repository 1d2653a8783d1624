// Where each applier plugin (change-data capture) stands in this server's change log: the last sequence it acknowledged as durable.
import type { KvReader, KvWriter } from '../kv.js';
import { CAT_APPLIER, catalogKey } from '../key-layout.js';

/** The last sequence the applier `name` acknowledged, or undefined when it never did. */
export function readApplierPosition(r: KvReader, name: string): bigint | undefined {
  const v = r.get(catalogKey(CAT_APPLIER, name));
  if (v === undefined) return undefined;
  const o = JSON.parse(Buffer.from(v).toString('utf8')) as { sequence: string };
  return BigInt(o.sequence);
}

export function writeApplierPosition(w: KvWriter, name: string, sequence: bigint): void {
  w.put(catalogKey(CAT_APPLIER, name), Buffer.from(JSON.stringify({ sequence: sequence.toString() })));
}
