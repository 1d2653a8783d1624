// Replication filters on a real primary and replica: only the databases and tables the filters keep arrive, filtered transactions still move the applied position, across a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { passesEventually, sqlOnce } from '../testing/assertions.js';

const ARRIVAL_MS = 15_000;

const sql = sqlOnce;

async function replicaStatus(server: ServerProcess): Promise<Record<string, unknown>> {
  const rows = await sql(server, 'SHOW REPLICA STATUS');
  return rows[0];
}

async function primaryLastId(primary: ServerProcess): Promise<string> {
  const rows = await sql(primary, 'SHOW MASTER STATUS');
  const uuid = (await sql(primary, 'SELECT @@server_uuid AS u'))[0].u as string;
  return `${uuid}:${String(rows[0].Position)}`;
}

async function schemas(server: ServerProcess): Promise<string[]> {
  return (await sql(server, 'SHOW DATABASES')).map((r) => String(Object.values(r)[0])).filter((s) => !['information_schema', 'mysql', 'performance_schema', 'sys'].includes(s)).sort();
}

async function caughtUp(replica: ServerProcess, primary: ServerProcess): Promise<void> {
  const last = await primaryLastId(primary);
  await passesEventually(async () => {
    const s = await replicaStatus(replica);
    assert.equal(s.Last_Error, '', `no apply error: ${String(s.Last_Error)}`);
    assert.equal(s.Last_Applied_Id, last, 'filtered transactions move the applied position too');
  }, ARRIVAL_MS);
}

test('replicate-do-db, -ignore-table and -wild-ignore-table on a replica: what they keep arrives, the rest never does, across a restart', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-filters-'));
  const primaryNative = await freePort();
  const replicaNative = await freePort();
  const primary = await startServerProcess({ datadir: join(dir, 'primary'), args: ['--plugin-add', 'protocol-native', `--protocol-native.port=${primaryNative}`] });
  // The do-db list comes from the [replication] section (repeated lines add up), the table filters from repeated flags.
  const cnf = join(dir, 'replica.cnf');
  writeFileSync(cnf, `[replication]\nreplica-of = mizzle://root@127.0.0.1:${primaryNative}\nreplicate-do-db = app\nreplicate-do-db = shop\n`);
  // The replica also feeds what it applies to a change-data capture file.
  const replicaArgs = ['--config', cnf, '--plugin-add', 'protocol-native', '--plugin-add', 'applier-ndjson', `--protocol-native.port=${replicaNative}`,
    '--replicate-ignore-table', 'app.secrets', '--replicate-wild-ignore-table', 'app.tmp%', '--replicate-wild-ignore-table=shop.x\\_%'];
  let replica = await startServerProcess({ datadir: join(dir, 'replica'), args: replicaArgs });
  try {
    await sql(primary, `CREATE DATABASE app; CREATE DATABASE shop; CREATE DATABASE other;
      CREATE TABLE app.users (id INT PRIMARY KEY, name VARCHAR(20)); CREATE TABLE app.secrets (id INT PRIMARY KEY, v VARCHAR(20));
      CREATE TABLE app.tmp_load (id INT PRIMARY KEY); CREATE TABLE shop.items (id INT PRIMARY KEY); CREATE TABLE shop.x_cache (id INT PRIMARY KEY);
      CREATE TABLE shop.xycache (id INT PRIMARY KEY); CREATE TABLE other.t (id INT PRIMARY KEY)`);
    await sql(primary, `INSERT INTO app.users VALUES (1, 'ann'); INSERT INTO app.secrets VALUES (1, 'pw'); INSERT INTO app.tmp_load VALUES (1);
      INSERT INTO shop.items VALUES (1); INSERT INTO shop.x_cache VALUES (1); INSERT INTO shop.xycache VALUES (1); INSERT INTO other.t VALUES (1)`);
    // One transaction over kept and filtered tables: only the kept rows are applied, atomically.
    await sql(primary, "BEGIN; INSERT INTO app.users VALUES (2, 'bob'); UPDATE app.secrets SET v = 'x'; INSERT INTO other.t VALUES (2); COMMIT");
    // A transaction entirely filtered out, last: the replica's position still reaches it.
    await sql(primary, 'INSERT INTO other.t VALUES (3)');
    await caughtUp(replica, primary);
    assert.deepEqual(await schemas(replica), ['app', 'shop'], 'CREATE DATABASE other was filtered');
    const tables = (await sql(replica, "SELECT CONCAT(table_schema, '.', table_name) AS t FROM information_schema.tables WHERE table_schema IN ('app', 'shop') ORDER BY 1")).map((r) => r.t);
    assert.deepEqual(tables, ['app.users', 'shop.items', 'shop.xycache'], 'ignored tables were never created');
    assert.deepEqual((await sql(replica, 'SELECT id, name FROM app.users ORDER BY id')).map((r) => [r.id, r.name]), [[1, 'ann'], [2, 'bob']]);
    const s = await replicaStatus(replica);
    assert.equal(s.Replicate_Do_DB, 'app,shop');
    assert.equal(s.Replicate_Ignore_DB, '');
    assert.equal(s.Replicate_Ignore_Table, 'app.secrets');
    assert.equal(s.Replicate_Wild_Ignore_Table, 'app.tmp%,shop.x\\_%');

    // A restart resumes after the last (filtered) transaction: nothing is fetched or applied twice.
    const before = await primaryLastId(primary);
    await replica.stop();
    replica = await startServerProcess({ datadir: join(dir, 'replica'), args: replicaArgs });
    assert.equal((await replicaStatus(replica)).Last_Applied_Id, before, 'the stored position is the last filtered transaction');
    await sql(primary, "INSERT INTO app.users VALUES (3, 'cy'); INSERT INTO other.t VALUES (4); DROP TABLE app.secrets; DROP DATABASE other");
    await caughtUp(replica, primary);
    assert.deepEqual((await sql(replica, 'SELECT id FROM app.users ORDER BY id')).map((r) => r.id), [1, 2, 3]);
    assert.deepEqual(await schemas(replica), ['app', 'shop']);
    // The replica's change-data capture sees what it applied, under its own ids, and nothing filtered.
    const lastOwn = Number((await sql(replica, 'SHOW MASTER STATUS'))[0].Position);
    let rowTables: string[] = [];
    await passesEventually(async () => {
      const text = readFileSync(join(dir, 'replica', 'changes.ndjson'), 'utf8');
      const lines = text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { id: string; changes: { type: string; schema: string; table?: string }[] });
      assert.equal(Number(lines[lines.length - 1].id.split(':')[1]), lastOwn);
      rowTables = [...new Set(lines.flatMap((l) => l.changes.filter((c) => c.type !== 'ddl').map((c) => `${c.schema}.${String(c.table)}`)))].sort();
    }, ARRIVAL_MS);
    assert.deepEqual(rowTables, ['app.users', 'shop.items', 'shop.xycache']);

    // CHANGE REPLICATION FILTER: refused while the applier runs (3017), then replaces the filters it names.
    await assert.rejects(sql(replica, 'CHANGE REPLICATION FILTER REPLICATE_IGNORE_TABLE = (app.users)'), (e: { errno?: number }) => e.errno === 3017);
    await sql(replica, 'STOP REPLICA');
    await assert.rejects(sql(replica, "CHANGE REPLICATION FILTER REPLICATE_WILD_DO_TABLE = ('nodot')"), (e: { errno?: number }) => e.errno === 1210);
    await sql(replica, "CHANGE REPLICATION FILTER REPLICATE_IGNORE_TABLE = (app.users, `shop`.`xycache`), REPLICATE_WILD_IGNORE_TABLE = ()");
    await sql(replica, 'START REPLICA');
    const changed = await replicaStatus(replica);
    assert.equal(changed.Replicate_Ignore_Table, 'app.users,shop.xycache');
    assert.equal(changed.Replicate_Wild_Ignore_Table, '');
    assert.equal(changed.Replicate_Do_DB, 'app,shop', 'filters it does not name stay');
    await sql(primary, "INSERT INTO app.users VALUES (4, 'dee'); INSERT INTO shop.items VALUES (2)");
    await caughtUp(replica, primary);
    assert.deepEqual((await sql(replica, 'SELECT id FROM app.users ORDER BY id')).map((r) => r.id), [1, 2, 3], 'app.users is ignored now');
    assert.deepEqual((await sql(replica, 'SELECT id FROM shop.items ORDER BY id')).map((r) => r.id), [1, 2]);
    await assert.rejects(sql(primary, 'CHANGE REPLICATION FILTER REPLICATE_DO_DB = (app)'), (e: { errno?: number }) => e.errno === 1200);
  } finally {
    await replica.stop();
    await primary.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a filter without --replica-of, or a table filter without a database, is refused at startup', { timeout: 30_000 }, async () => {
  await assert.rejects(startServerProcess({ args: ['--replicate-do-db', 'app'] }), /--replicate-do-db filters what a replica applies: it needs --replica-of/);
  await assert.rejects(startServerProcess({ args: ['--replica-of', 'mizzle://root@127.0.0.1:1', '--replicate-do-table', 'users'] }), /--replicate-do-table 'users' is not db_name.table_name/);
});
