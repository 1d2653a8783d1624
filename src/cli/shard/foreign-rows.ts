// A split child's clean-up: the rows its seed (a backup image of the parent) copied whose shard key belongs to another child, deleted in batches.
import type { ClientValue } from '../../client/index.js';
import { quoteIdentifier } from '../../base/identifier.js';
import type { KeyrangeFilter } from '../../kernel/replication/keyrange-filter.js';
import type { KeyspaceTopology } from '../../sharding/topology.js';
import type { ShardServer } from './shard-server.js';

/** Keys read per batch, and deleted per statement. */
const READ_BATCH = 1000;
const DELETE_BATCH = 200;

/**
 * Deletes, from every sharded table of the keyspace on `child`, the rows whose shard key the
 * filter does not own: keys are read in key order, a batch at a time, and deleted by key (all rows
 * of one key belong to one shard). The child is a read-only replica: it is opened for the clean-up
 * and made read-only again; its key-range filter keeps new foreign rows out meanwhile.
 */
export async function deleteForeignRows(child: ShardServer, ks: KeyspaceTopology, filter: KeyrangeFilter): Promise<number> {
  let removed = 0;
  await child.setReadOnly(false);
  try {
    for (const [table, rule] of Object.entries(ks.tables)) {
      if (rule.shardKey === undefined) continue;
      const t = `${quoteIdentifier(ks.name)}.${quoteIdentifier(table)}`;
      const k = quoteIdentifier(rule.shardKey);
      let after: ClientValue | undefined;
      let first = true;
      for (;;) {
        let keys: ClientValue[];
        try {
          const r = await child.query(`SELECT DISTINCT ${k} FROM ${t}${first ? '' : ` WHERE ${k} > ?`} ORDER BY ${k} LIMIT ${READ_BATCH}`, first ? [] : [after as ClientValue]);
          keys = r.rows.map((row) => row[0]);
        } catch (e) {
          // A table the keyspace declares but this server has not created holds nothing to clean.
          if ((e as { code?: number }).code === 1146) break;
          throw e;
        }
        first = false;
        const foreign = keys.filter((key) => !filter.owns(key ?? ''));
        for (let i = 0; i < foreign.length; i += DELETE_BATCH) {
          const chunk = foreign.slice(i, i + DELETE_BATCH);
          const nonNull = chunk.filter((x) => x !== null);
          const where = [nonNull.length > 0 ? `${k} IN (${nonNull.map(() => '?').join(', ')})` : '', chunk.includes(null) ? `${k} IS NULL` : ''].filter((x) => x !== '').join(' OR ');
          removed += (await child.query(`DELETE FROM ${t} WHERE ${where}`, nonNull)).rowsAffected;
        }
        if (keys.length < READ_BATCH) break;
        after = keys[keys.length - 1];
      }
    }
  } finally {
    await child.setReadOnly(true);
  }
  return removed;
}
