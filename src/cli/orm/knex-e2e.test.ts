// Knex against a real mizzle server over TCP: its own migrations (schema builder, foreign keys, indexes, column changes) and CRUD.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import knexFactory, { type Knex } from 'knex';
import { startOrmTarget, type OrmTarget } from '../../testing/orm-target.js';

let target: OrmTarget;
let db: Knex;

/**
 * Knex's client for the target: its mysql2 dialect, loading the target's mysql2 module (the drop-in in-process).
 * Knex takes a client class in `client`; its mysql2 dialect loads the driver in initializeDriver().
 */
function knexClientOn(t: OrmTarget): string | typeof Knex.Client {
  if (t.kind === 'tcp') return 'mysql2';
  const mysql2Dialect = knexFactory({ client: 'mysql2' }).client.constructor as typeof Knex.Client;
  return class extends mysql2Dialect {
    override initializeDriver(): void {
      this.driver = t.mysql2;
    }
  };
}

/** Migrations given in code through Knex's documented `migrationSource` hook, so they run as `knex migrate` would run files. */
const migrations: Record<string, { up(k: Knex): Promise<void>; down(k: Knex): Promise<void> }> = {
  '001_users_posts': {
    async up(k) {
      await k.schema.createTable('users', (t) => {
        t.increments('id');
        t.string('email', 100).notNullable().unique();
        t.string('name', 50);
        t.boolean('active').notNullable().defaultTo(true);
        t.timestamps(true, true);
      });
      await k.schema.createTable('posts', (t) => {
        t.increments('id');
        t.integer('user_id').unsigned().notNullable().references('id').inTable('users').onDelete('CASCADE');
        t.string('title').notNullable().index();
        t.text('body');
        t.decimal('score', 8, 2).defaultTo(0);
        t.json('meta');
      });
    },
    async down(k) {
      await k.schema.dropTable('posts');
      await k.schema.dropTable('users');
    },
  },
  '002_alter_users': {
    async up(k) {
      await k.schema.alterTable('users', (t) => {
        t.integer('age').nullable();
        t.renameColumn('name', 'full_name');
        t.string('email', 200).notNullable().alter();
        t.index(['active', 'age'], 'users_active_age');
      });
      await k.schema.alterTable('posts', (t) => {
        t.string('slug', 80).nullable().unique();
      });
    },
    async down(k) {
      await k.schema.alterTable('posts', (t) => {
        t.dropUnique(['slug']);
        t.dropColumn('slug');
      });
      await k.schema.alterTable('users', (t) => {
        t.dropIndex(['active', 'age'], 'users_active_age');
        t.string('email', 100).notNullable().alter();
        t.renameColumn('full_name', 'name');
        t.dropColumn('age');
      });
    },
  },
};

const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations).sort(),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name]!,
};

before(async () => {
  target = await startOrmTarget();
  await target.run('CREATE DATABASE knexdb');
  db = knexFactory({
    client: knexClientOn(target),
    connection: target.connection('knexdb'),
    pool: { min: 0, max: 4 },
    migrations: { migrationSource },
  });
  if (process.env.ORM_LOG_SQL) db.on('query', (q: { sql: string }) => console.error('knex>', q.sql));
});

after(async () => {
  await db?.destroy();
  await target.stop();
});

test('migrate.latest runs both migrations and records them', async () => {
  const [batch, log] = await db.migrate.latest();
  assert.equal(batch, 1);
  assert.deepEqual(log, ['001_users_posts', '002_alter_users']);
  assert.equal(await db.schema.hasTable('users'), true);
  assert.equal(await db.schema.hasColumn('users', 'full_name'), true);
  assert.equal(await db.schema.hasColumn('users', 'name'), false);
  assert.equal(await db.schema.hasColumn('posts', 'slug'), true);
  const info = await db('users').columnInfo();
  assert.equal(info.email?.maxLength, 200);
  assert.equal(info.age?.nullable, true);
  const [done] = await db.migrate.list();
  assert.equal((done as unknown[]).length, 2);
});

test('CRUD: insert returns ids, joins, where/order/limit, update, delete', async () => {
  const [alice] = await db('users').insert({ email: 'alice@example.com', full_name: 'Alice', age: 30 });
  const [bob] = await db('users').insert({ email: 'bob@example.com', full_name: 'Bob', age: 25 });
  assert.equal(typeof alice, 'number');
  assert.equal(bob, alice! + 1);
  await db('posts').insert([
    { user_id: alice, title: 'Hello', body: 'first', score: 1.5, meta: JSON.stringify({ tags: ['a'] }), slug: 'hello' },
    { user_id: alice, title: 'Again', body: 'second', score: 2.25, slug: 'again' },
    { user_id: bob, title: 'Bob here', body: null, score: 3, slug: 'bob-here' },
  ]);
  const rows = await db('posts')
    .join('users', 'users.id', 'posts.user_id')
    .select('posts.title', 'users.full_name as author', 'posts.score')
    .where('users.active', true)
    .andWhere('posts.score', '>', 1)
    .orderBy('posts.score', 'desc')
    .limit(2)
    .offset(0);
  assert.deepEqual(rows.map((r) => [r.title, r.author, r.score]), [['Bob here', 'Bob', '3.00'], ['Again', 'Alice', '2.25']]);
  const counts = await db('posts').select('user_id').count({ n: '*' }).groupBy('user_id').orderBy('user_id');
  assert.deepEqual(counts.map((r) => Number(r.n)), [2, 1]);
  const meta = await db('posts').where({ slug: 'hello' }).first('meta');
  assert.deepEqual(typeof meta.meta === 'string' ? JSON.parse(meta.meta) : meta.meta, { tags: ['a'] });

  assert.equal(await db('users').where({ id: bob }).update({ age: 26, full_name: 'Robert' }), 1);
  assert.equal((await db('users').where({ id: bob }).first()).full_name, 'Robert');
  assert.equal(await db('posts').whereIn('slug', ['again']).del(), 1);
  assert.equal(Number((await db('posts').count({ n: '*' }))[0]!.n), 2);
  await db('users').increment('age', 1).where({ id: alice });
  assert.equal((await db('users').where({ id: alice }).first('age')).age, 31);
  // knex's .stream() rides on mysql2's query().stream(): rows arrive one by one.
  const streamed: string[] = [];
  for await (const r of db('users').select('email').orderBy('id').stream()) streamed.push((r as { email: string }).email);
  assert.deepEqual(streamed, ['alice@example.com', 'bob@example.com']);
});

test('foreign keys: a bad reference fails with 1452, deleting the parent cascades', async () => {
  await assert.rejects(db('posts').insert({ user_id: 9999, title: 'orphan' }), (e: { errno: number }) => e.errno === 1452);
  const [carol] = await db('users').insert({ email: 'carol@example.com', full_name: 'Carol' });
  await db('posts').insert({ user_id: carol, title: 'Carol 1' });
  assert.equal(await db('users').where({ id: carol }).del(), 1);
  assert.equal(Number((await db('posts').where({ user_id: carol }).count({ n: '*' }))[0]!.n), 0);
});

test('unique index rejects duplicates; upsert with onConflict().merge()', async () => {
  await assert.rejects(db('users').insert({ email: 'alice@example.com' }), (e: { errno: number }) => e.errno === 1062);
  await db('users').insert({ email: 'alice@example.com', full_name: 'Alice B', age: 40 }).onConflict('email').merge(['full_name']);
  const a = await db('users').where({ email: 'alice@example.com' }).first();
  assert.equal(a.full_name, 'Alice B');
  assert.equal(a.age, 31);
  await db('users').insert({ email: 'dave@example.com', full_name: 'Dave' }).onConflict('email').ignore();
  await db('users').insert({ email: 'dave@example.com', full_name: 'Dave 2' }).onConflict('email').ignore();
  assert.equal((await db('users').where({ email: 'dave@example.com' }).first()).full_name, 'Dave');
});

test('transactions commit and roll back', async () => {
  await db.transaction(async (trx) => {
    const [id] = await trx('users').insert({ email: 'tx@example.com', full_name: 'Tx' });
    await trx('posts').insert({ user_id: id, title: 'in tx' });
  });
  assert.equal(Number((await db('posts').where({ title: 'in tx' }).count({ n: '*' }))[0]!.n), 1);
  await assert.rejects(db.transaction(async (trx) => {
    await trx('users').insert({ email: 'gone@example.com' });
    await trx('posts').insert({ user_id: 12345, title: 'never' });
  }), (e: { errno: number }) => e.errno === 1452);
  assert.equal(await db('users').where({ email: 'gone@example.com' }).first(), undefined);
  // A nested transaction is a savepoint: rolling it back keeps the outer one's work.
  await db.transaction(async (trx) => {
    await trx('users').where({ email: 'tx@example.com' }).update({ age: 1 });
    await trx.transaction(async (inner) => {
      await inner('users').where({ email: 'tx@example.com' }).update({ age: 2 });
      await inner.rollback();
    }).catch(() => undefined);
  });
  assert.equal((await db('users').where({ email: 'tx@example.com' }).first()).age, 1);
});

test('more schema builder forms: renameTable, enum/uuid/bigIncrements/datetime(6), nullability, dropForeign, dropPrimary, views', async () => {
  await db.schema.createTable('events', (t) => {
    t.bigIncrements('id');
    t.uuid('ref').notNullable();
    t.enu('level', ['info', 'warn', 'error']).notNullable().defaultTo('info');
    t.datetime('at', { precision: 6 }).notNullable().defaultTo(db.fn.now(6));
    t.integer('user_id').unsigned();
    t.foreign('user_id', 'events_user_fk').references('users.id').onDelete('SET NULL');
    t.specificType('tags', 'varchar(64)');
    t.string('note', 40).notNullable();
    t.comment('audit events');
  });
  await db.schema.renameTable('events', 'audit_events');
  assert.equal(await db.schema.hasTable('events'), false);
  await db.schema.alterTable('audit_events', (t) => {
    // Knex rebuilds the type from DATA_TYPE alone (so not on an unsigned column, which MySQL would refuse too).
    t.setNullable('note');
    t.dropNullable('tags');
    t.unique(['ref'], { indexName: 'audit_ref_unique' });
  });
  const info = await db('audit_events').columnInfo();
  assert.equal(info.note?.nullable, true);
  assert.equal(info.tags?.nullable, false);
  assert.equal(info.level?.type, 'enum');
  assert.equal(info.ref?.maxLength, 36);
  const [user] = await db('users').insert({ email: 'audit@example.com' });
  await db('audit_events').insert({ ref: '11111111-2222-3333-4444-555555555555', level: 'warn', user_id: user, tags: 't' });
  await assert.rejects(db('audit_events').insert({ ref: '11111111-2222-3333-4444-555555555555', user_id: user, tags: 't' }), (e: { errno: number }) => e.errno === 1062);
  await assert.rejects(db('audit_events').insert({ ref: 'x', level: 'fatal', user_id: user, tags: 't' }), (e: { errno: number }) => e.errno === 1265);
  await assert.rejects(db('audit_events').insert({ ref: 'y', user_id: user }), (e: { errno: number }) => e.errno === 1364);
  const [{ at }] = await db('audit_events').select('at');
  assert.ok(at instanceof Date);
  await db.schema.alterTable('audit_events', (t) => t.dropForeign('user_id', 'events_user_fk'));
  await db('audit_events').insert({ ref: '22222222-2222-3333-4444-555555555555', user_id: 777777, tags: 't' });
  await db.schema.createView('audit_counts', (v) => {
    v.columns(['level', 'n']);
    v.as(db('audit_events').select('level').count('* as n').groupBy('level'));
  });
  const counts = await db('audit_counts').orderBy('level');
  assert.deepEqual(counts.map((r) => [r.level, Number(r.n)]), [['info', 1], ['warn', 1]]);
  await db.schema.dropView('audit_counts');
  await db.schema.createTable('pairs', (t) => {
    t.integer('a').notNullable();
    t.integer('b').notNullable();
    t.primary(['a', 'b'], 'pairs_pk');
  });
  await db.schema.alterTable('pairs', (t) => t.dropPrimary('pairs_pk'));
  await db('pairs').insert([{ a: 1, b: 1 }, { a: 1, b: 1 }]);
  await db.schema.dropTable('pairs');
  await db.schema.dropTable('audit_events');
  await db('users').where({ id: user }).del();
});

test('migrate.rollback runs the down migrations', async () => {
  const [batch, log] = await db.migrate.rollback();
  assert.equal(batch, 1);
  assert.deepEqual(log.slice().sort(), ['001_users_posts', '002_alter_users']);
  assert.equal(await db.schema.hasTable('users'), false);
  assert.equal(await db.schema.hasTable('posts'), false);
  const [again] = await db.migrate.latest();
  assert.equal(again, 1);
  await db.migrate.down();
  assert.equal(await db.schema.hasColumn('users', 'name'), true);
  assert.equal(await db.schema.hasColumn('users', 'age'), false);
  assert.equal((await db('users').columnInfo()).email?.maxLength, 100);
});
