// An ORM flow unchanged through `mizzle router`: Knex (mysql2 dialect) creates a table sharded by id, then creates, finds, updates, counts, lists and deletes rows by id, and runs a transaction, while each shard holds only its rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import knexFactory, { type Knex } from 'knex';
import mysql from 'mysql2/promise';
import { rowsPerShard, startShardedKeyspace, type ShardedKeyspace } from '../testing/sharded-keyspace.js';
import { refused } from '../testing/assertions.js';

let ks: ShardedKeyspace;
let db: Knex;

before(async () => {
  ks = await startShardedKeyspace('shop', { accounts: { shardKey: 'id' }, audit: { shardKey: 'account_id' } });
  // The keyspace's database exists on each shard before the ORM connects to it (an operator's step).
  for (const s of ks.shards) {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: s.server.server.port, user: 'root' });
    await c.query('CREATE DATABASE shop');
    await c.end();
  }
  const router = await ks.startRouter();
  db = knexFactory({ client: 'mysql2', connection: { host: '127.0.0.1', port: router.port, user: 'root', database: 'shop' }, pool: { min: 0, max: 4 } });
});

after(async () => {
  await db?.destroy();
  await ks?.stop();
});

interface Account {
  id: number;
  email: string;
  name: string | null;
  balance: string;
}

test('Knex: schema, create, find, update, delete by id through the router', async () => {
  assert.equal(await db.schema.hasTable('accounts'), false);
  await db.schema.createTable('accounts', (t) => {
    t.integer('id').primary();
    t.string('email', 100).notNullable();
    t.string('name', 50);
    t.decimal('balance', 10, 2).notNullable().defaultTo(0);
    t.timestamps(true, true);
  });
  await db.schema.createTable('audit', (t) => {
    t.integer('account_id').notNullable();
    t.integer('seq').notNullable();
    t.string('what', 40);
    t.primary(['account_id', 'seq']);
  });
  assert.equal(await db.schema.hasTable('accounts'), true);

  for (let id = 1; id <= 20; id++) await db('accounts').insert({ id, email: `a${id}@example.org`, name: `Name ${id}`, balance: id * 10 });
  const three = await db<Account>('accounts').where({ id: 3 }).first();
  assert.equal(three?.email, 'a3@example.org');
  assert.equal(three?.balance, '30.00');

  assert.equal(await db('accounts').where({ id: 4 }).update({ name: 'Renamed', balance: db.raw('balance + 5') }), 1);
  assert.deepEqual(await db('accounts').where('id', 4).select('name', 'balance'), [{ name: 'Renamed', balance: '45.00' }]);

  assert.equal(await db('accounts').where({ id: 5 }).del(), 1);
  assert.equal(await db('accounts').where({ id: 5 }).first(), undefined);

  // Reads over every shard are merged.
  const [{ n }] = await db('accounts').count('* as n');
  assert.equal(Number(n), 19);
  const page = await db('accounts').select('id').orderBy('balance', 'desc').limit(3).offset(1);
  assert.deepEqual(page.map((r: { id: number }) => r.id), [19, 18, 17]);
  const [{ total }] = await db('accounts').sum('balance as total');
  assert.equal(total, String((210 * 10 - 50 + 5).toFixed(2)));

  // Each shard holds only some of the rows, and together all of them.
  const counts = await rowsPerShard(ks, 'accounts');
  assert.ok(counts.every((n) => n > 0 && n < 19), `rows per shard: ${counts.join(', ')}`);
  assert.equal(counts.reduce((x, y) => x + y, 0), 19);
});

test('Knex: a transaction on one account commits; one spanning two shards is refused and rolled back', async () => {
  await db.transaction(async (trx) => {
    await trx('accounts').where({ id: 7 }).update({ balance: 700 });
    await trx('audit').insert({ account_id: 7, seq: 1, what: 'set balance' });
  });
  assert.equal((await db<Account>('accounts').where({ id: 7 }).first())?.balance, '700.00');
  assert.deepEqual(await db('audit').where({ account_id: 7 }).select('what'), [{ what: 'set balance' }]);

  const ids = await db('accounts').pluck('id');
  const shardOfKey = async (id: number): Promise<number> => {
    for (let i = 0; i < ks.shards.length; i++) {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: ks.shards[i].server.server.port, user: 'root', database: 'shop' });
      const [r] = await c.query('SELECT id FROM accounts WHERE id = ?', [id]);
      await c.end();
      if ((r as unknown[]).length > 0) return i;
    }
    return -1;
  };
  const first = await shardOfKey(1);
  let other = 2;
  while ((await shardOfKey(ids[other] as number)) === first) other++;
  await refused(
    db.transaction(async (trx) => {
      await trx('accounts').where({ id: 1 }).update({ name: 'in tx' });
      await trx('accounts').where({ id: ids[other] }).update({ name: 'in tx' });
    }),
    1235,
    '42000',
    /pinned to shard/,
  );
  assert.notEqual((await db<Account>('accounts').where({ id: 1 }).first())?.name, 'in tx');
});
