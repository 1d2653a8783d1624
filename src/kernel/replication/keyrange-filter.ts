// A replica's key-range filter (`--replica-keyrange KEYSPACE/SHARD`): of a sharded table's row changes it applies only those whose key maps into SHARD.
import { create } from '@bufbuild/protobuf';
import { pb } from '../../storage/change-log/index.js';
import { parseShardName, rangeContains, type KeyRange } from '../../sharding/keyspace-id.js';
import { ResolvedKeyspace, type KeyspaceTopology } from '../../sharding/topology.js';
import type { ShardKeyValue } from '../../sharding/shard-key.js';

/** One change to apply; `mayBeAbsent`: the seed may or may not hold this row (a DELETE that finds none is fine). */
export interface FilteredChange {
  change: pb.RowChange;
  mayBeAbsent: boolean;
}

/** KEYSPACE/SHARD as given to --replica-keyrange, checked. */
export function parseKeyrangeOption(text: string): { keyspace: string; shard: string; range: KeyRange } {
  const m = /^([A-Za-z0-9_$]{1,64})\/([0-9a-fA-F]*-[0-9a-fA-F]*)$/.exec(text.trim());
  if (!m) throw new Error(`--replica-keyrange '${text}' is not KEYSPACE/SHARD (like app/-80 or app/80-c0)`);
  return { keyspace: m[1], shard: m[2].toLowerCase(), range: parseShardName(m[2].toLowerCase()) };
}

/** A logged value as a shard key: integers as integers (so 42 routes as the client's 42), NULL as the empty key. */
function keyValue(v: pb.Value | undefined): ShardKeyValue {
  const k = v?.kind;
  return k === undefined || k.case === undefined || k.case === 'null' ? '' : k.value;
}

export class KeyrangeFilter {
  private resolved: ResolvedKeyspace | undefined;
  private resolvedFrom: KeyspaceTopology | undefined;

  /** `keyspace()` gives the keyspace's current topology (its table rules and function may change while the replica runs). */
  constructor(readonly keyspaceName: string, readonly shard: string, private readonly range: KeyRange, private readonly keyspace: () => KeyspaceTopology | undefined) {}

  private resolve(): ResolvedKeyspace {
    const k = this.keyspace();
    if (k === undefined) throw new Error(`--replica-keyrange ${this.keyspaceName}/${this.shard}: the topology has no keyspace '${this.keyspaceName}'`);
    if (k !== this.resolvedFrom) {
      this.resolved = new ResolvedKeyspace(k);
      this.resolvedFrom = k;
    }
    return this.resolved as ResolvedKeyspace;
  }

  /**
   * What of `r` this replica applies: all of it outside the keyspace's sharded tables; of a
   * sharded table's row, the change when its key is in range, nothing when it is not, and an
   * INSERT or DELETE when an UPDATE moves the key into or out of the range.
   */
  filter(r: pb.RowChange): FilteredChange[] {
    if (r.schema !== this.keyspaceName) return [{ change: r, mayBeAbsent: false }];
    const ks = this.resolve();
    const rule = ks.tableRule(r.table);
    const shardKey = rule?.shardKey;
    if (shardKey === undefined) return [{ change: r, mayBeAbsent: false }];
    const column = r.columns.findIndex((c) => c.toLowerCase() === shardKey.toLowerCase());
    if (column < 0) throw new Error(`table \`${r.schema}\`.\`${r.table}\` has no shard key column \`${shardKey}\``);
    const inRange = (image: pb.Value[]) => rangeContains(this.range, ks.keyspaceId(keyValue(image[column])));
    switch (r.kind) {
      case pb.RowChange_Kind.INSERT:
        return inRange(r.after) ? [{ change: r, mayBeAbsent: false }] : [];
      case pb.RowChange_Kind.UPDATE: {
        const wasIn = inRange(r.before);
        const isIn = inRange(r.after);
        if (wasIn && isIn) return [{ change: r, mayBeAbsent: false }];
        if (wasIn) return [{ change: create(pb.RowChangeSchema, { ...r, kind: pb.RowChange_Kind.DELETE, after: [] }), mayBeAbsent: false }];
        if (!isIn) return [];
        // The row comes in: a seed (backup image) may still hold its old version under the same primary key.
        return [
          { change: create(pb.RowChangeSchema, { ...r, kind: pb.RowChange_Kind.DELETE, after: [] }), mayBeAbsent: true },
          { change: create(pb.RowChangeSchema, { ...r, kind: pb.RowChange_Kind.INSERT, before: [] }), mayBeAbsent: false },
        ];
      }
      default:
        return inRange(r.before) ? [{ change: r, mayBeAbsent: false }] : [];
    }
  }

  /** Whether a row with this shard key belongs here (the split's clean-up of a seed asks this). */
  owns(key: ShardKeyValue): boolean {
    return rangeContains(this.range, this.resolve().keyspaceId(key));
  }
}
