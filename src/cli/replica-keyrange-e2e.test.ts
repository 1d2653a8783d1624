// A replica with --replica-keyrange on a real primary/replica pair: of a sharded table it holds exactly the primary's rows in its range, keys moved in or out by UPDATE included; reference tables and other databases in full.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResolvedKeyspace } from '../sharding/topology.js';
import { KEYSPACE, ShardCluster, TABLE } from '../testing/shard-moves-scenario.js';

const ids = (rows: unknown[][]) => rows.map(([id]) => Number(id)).sort((a, b) => a - b);

test('a key-range replica applies only its range of a sharded table, turning updates that move a key into inserts and deletes', { timeout: 120_000 }, async () => {
  const c = await ShardCluster.open();
  try {
    const [np, nr] = [await c.nativePort(), await c.nativePort()];
    await c.writeTopology(np, [], ['countries']);
    const ks = new ResolvedKeyspace(c.topology.current().keyspaces[KEYSPACE]);
    const low = (k: number) => ks.keyspaceId(k) < 0x8000000000000000n;
    const p = await c.start(np);
    await c.sql(p, `CREATE DATABASE ${KEYSPACE}`);
    await c.sql(p, `CREATE TABLE ${TABLE} (id BIGINT PRIMARY KEY, v INT NOT NULL)`);
    await c.sql(p, `CREATE TABLE ${KEYSPACE}.countries (code CHAR(2) PRIMARY KEY)`);
    await c.sql(p, 'CREATE DATABASE other');
    await c.sql(p, 'CREATE TABLE other.t (id BIGINT PRIMARY KEY)');
    const r = await c.replicaOf(p, nr, '-80');
    const keys = Array.from({ length: 60 }, (_, i) => i + 1);
    for (const k of keys) await c.sql(p, `INSERT INTO ${TABLE} VALUES (?, 0)`, [k]);
    await c.sql(p, `INSERT INTO ${KEYSPACE}.countries VALUES ('fr'), ('de')`);
    await c.sql(p, 'INSERT INTO other.t VALUES (1), (2), (3)');
    const inKey = keys.find(low) as number;
    const outKey = keys.find((k) => !low(k)) as number;
    const freshIn = Array.from({ length: 200 }, (_, i) => 1000 + i).find(low) as number;
    const freshOut = Array.from({ length: 200 }, (_, i) => 1000 + i).find((k) => !low(k)) as number;
    // In → out (a delete here), out → in (an insert here), in → in and out → out (an update, nothing).
    await c.sql(p, `UPDATE ${TABLE} SET id = ? WHERE id = ?`, [freshOut, inKey]);
    await c.sql(p, `UPDATE ${TABLE} SET id = ?, v = 7 WHERE id = ?`, [freshIn, outKey]);
    await c.sql(p, `UPDATE ${TABLE} SET v = v + 1`);
    await c.sql(p, `DELETE FROM ${TABLE} WHERE id IN (?, ?)`, [keys.filter(low)[1], keys.filter((k) => !low(k))[1]]);
    await c.caughtUp(r, p);
    const status = await c.sql(r, 'SHOW REPLICA STATUS');
    assert.equal(status.length, 1);
    const primaryRows = (await c.sql(p, `SELECT id, v FROM ${TABLE} ORDER BY id`)).map(([id, v]) => [Number(id), Number(v)]);
    const replicaRows = (await c.sql(r, `SELECT id, v FROM ${TABLE} ORDER BY id`)).map(([id, v]) => [Number(id), Number(v)]);
    assert.deepEqual(replicaRows, primaryRows.filter(([id]) => low(id)));
    assert.ok(replicaRows.some(([id, v]) => id === freshIn && v === 8), 'the key moved in arrived with its values');
    assert.ok(replicaRows.length > 10 && replicaRows.length < primaryRows.length);
    assert.deepEqual((await c.sql(r, `SELECT code FROM ${KEYSPACE}.countries ORDER BY code`)).map(([code]) => code), ['de', 'fr']);
    assert.deepEqual(ids(await c.sql(r, 'SELECT id FROM other.t')), [1, 2, 3]);
  } finally {
    await c.close();
  }
});
