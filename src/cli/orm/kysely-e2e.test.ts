// Kysely against mizzle (a server over TCP, or in-process through the mysql2 drop-in: see orm-target.ts): its Migrator and schema builder (foreign keys, indexes, column changes), introspection and CRUD.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Kysely, Migrator, MysqlDialect, sql, type Migration, type Generated } from 'kysely';
import { jsonArrayFrom, jsonObjectFrom } from 'kysely/helpers/mysql';
import { startOrmTarget, type OrmTarget } from '../../testing/orm-target.js';

interface Database {
  users: { id: Generated<number>; email: string; full_name: string | null; active: Generated<number>; age: number | null; created_at: Generated<Date> };
  posts: { id: Generated<number>; user_id: number; title: string; body: string | null; score: Generated<string>; meta: unknown };
}

/** Two migrations, given in code through Kysely's documented MigrationProvider. */
const MIGRATIONS: Record<string, Migration> = {
  '001_users_posts': {
    async up(db: Kysely<unknown>) {
      await db.schema.createTable('users')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('email', 'varchar(100)', (c) => c.notNull().unique())
        .addColumn('name', 'varchar(50)')
        .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
        .addColumn('created_at', 'timestamp', (c) => c.notNull().defaultTo(sql`CURRENT_TIMESTAMP`))
        .execute();
      await db.schema.createTable('posts')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('user_id', 'integer', (c) => c.notNull())
        .addColumn('title', 'varchar(255)', (c) => c.notNull())
        .addColumn('body', 'text')
        .addColumn('score', 'decimal(8, 2)', (c) => c.notNull().defaultTo(0))
        .addColumn('meta', 'json')
        .addForeignKeyConstraint('posts_user_fk', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('posts_title_idx').on('posts').column('title').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('posts').execute();
      await db.schema.dropTable('users').execute();
    },
  },
  '002_alter_users': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('users').addColumn('age', 'integer').execute();
      await db.schema.alterTable('users').renameColumn('name', 'full_name').execute();
      await db.schema.alterTable('users').modifyColumn('email', 'varchar(200)', (c) => c.notNull()).execute();
      await db.schema.alterTable('posts').alterColumn('score', (c) => c.setDefault(1)).execute();
      await db.schema.createIndex('users_active_age_idx').on('users').columns(['active', 'age']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('users_active_age_idx').on('users').execute();
      await db.schema.alterTable('posts').alterColumn('score', (c) => c.setDefault(0)).execute();
      await db.schema.alterTable('users').modifyColumn('email', 'varchar(100)', (c) => c.notNull()).execute();
      await db.schema.alterTable('users').renameColumn('full_name', 'name').execute();
      await db.schema.alterTable('users').dropColumn('age').execute();
    },
  },
};

let target: OrmTarget;
let db: Kysely<Database>;
let migrator: Migrator;

before(async () => {
  target = await startOrmTarget();
  await target.run('CREATE DATABASE kyselydb');
  db = new Kysely<Database>({
    dialect: new MysqlDialect({ pool: target.mysql2.createPool({ ...target.connection('kyselydb'), connectionLimit: 4 }) }),
    log: process.env.ORM_LOG_SQL ? (e) => console.error('kysely>', e.query.sql, e.level === 'error' ? e.error : '') : undefined,
  });
  migrator = new Migrator({ db, provider: { getMigrations: async () => MIGRATIONS } });
});

after(async () => {
  await db?.destroy();
  await target.stop();
});

const columnsOf = async (table: string) => (await db.introspection.getTables()).find((t) => t.name === table)?.columns ?? [];

test('the Migrator runs both migrations, and introspection sees the result', async () => {
  const { error, results } = await migrator.migrateToLatest();
  assert.equal(error, undefined);
  assert.deepEqual(results?.map((r) => [r.migrationName, r.status]), [['001_users_posts', 'Success'], ['002_alter_users', 'Success']]);
  const users = await columnsOf('users');
  assert.deepEqual(users.map((c) => c.name), ['id', 'email', 'full_name', 'active', 'created_at', 'age']);
  assert.equal(users.find((c) => c.name === 'id')?.isAutoIncrementing, true);
  assert.equal(users.find((c) => c.name === 'age')?.isNullable, true);
  assert.equal((await columnsOf('posts')).find((c) => c.name === 'score')?.hasDefaultValue, true);
  const [defaults] = await sql<{ COLUMN_DEFAULT: string; CHARACTER_MAXIMUM_LENGTH: number }>`SELECT COLUMN_DEFAULT, (SELECT CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'kyselydb' AND TABLE_NAME = 'users' AND COLUMN_NAME = 'email') AS CHARACTER_MAXIMUM_LENGTH FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'kyselydb' AND TABLE_NAME = 'posts' AND COLUMN_NAME = 'score'`.execute(db).then((r) => r.rows);
  assert.deepEqual([String(defaults?.COLUMN_DEFAULT), Number(defaults?.CHARACTER_MAXIMUM_LENGTH)], ['1.00', 200]);
  // Run again: nothing to do.
  assert.deepEqual((await migrator.migrateToLatest()).results, []);
});

test('CRUD: insertId, joins with where/order/limit, aggregates, update, delete', async () => {
  const a = await db.insertInto('users').values({ email: 'alice@example.com', full_name: 'Alice', age: 30 }).executeTakeFirstOrThrow();
  const b = await db.insertInto('users').values({ email: 'bob@example.com', full_name: 'Bob', age: 25 }).executeTakeFirstOrThrow();
  const alice = Number(a.insertId);
  const bob = Number(b.insertId);
  assert.ok(alice > 0);
  assert.equal(bob, alice + 1);
  const many = await db.insertInto('posts').values([
    { user_id: alice, title: 'Hello', body: 'first', score: '1.50', meta: JSON.stringify({ tags: ['a'] }) },
    { user_id: alice, title: 'Again', score: '2.25', meta: null },
    { user_id: bob, title: 'Bob here', meta: null },
  ]).executeTakeFirstOrThrow();
  assert.equal(Number(many.numInsertedOrUpdatedRows), 3);
  const rows = await db.selectFrom('posts').innerJoin('users', 'users.id', 'posts.user_id')
    .select(['posts.title', 'users.full_name as author', 'posts.score'])
    .where('users.active', '=', 1).where('posts.score', '>', '1')
    .orderBy('posts.score', 'desc').limit(2).offset(0).execute();
  assert.deepEqual(rows, [{ title: 'Again', author: 'Alice', score: '2.25' }, { title: 'Hello', author: 'Alice', score: '1.50' }]);
  const counts = await db.selectFrom('posts').select(['user_id', db.fn.countAll<number>().as('n'), db.fn.max('score').as('top')])
    .groupBy('user_id').orderBy('user_id').execute();
  assert.deepEqual(counts.map((r) => [Number(r.n), r.top]), [[2, '2.25'], [1, '1.00']]);
  const hello = await db.selectFrom('posts').select('meta').where('title', 'like', 'He%').executeTakeFirstOrThrow();
  assert.deepEqual(hello.meta, { tags: ['a'] });
  const sub = await db.selectFrom('users').select('full_name')
    .where('id', 'in', (eb) => eb.selectFrom('posts').select('user_id').where('title', '=', 'Bob here')).execute();
  assert.deepEqual(sub, [{ full_name: 'Bob' }]);

  const up = await db.updateTable('users').set({ age: 26, full_name: 'Robert' }).where('id', '=', bob).executeTakeFirstOrThrow();
  assert.equal(Number(up.numUpdatedRows), 1);
  await db.updateTable('users').set((eb) => ({ age: eb('age', '+', 1) })).where('id', '=', alice).execute();
  assert.deepEqual(await db.selectFrom('users').select(['full_name', 'age']).where('id', 'in', [alice, bob]).orderBy('id').execute(), [{ full_name: 'Alice', age: 31 }, { full_name: 'Robert', age: 26 }]);
  const del = await db.deleteFrom('posts').where('title', '=', 'Again').executeTakeFirstOrThrow();
  assert.equal(Number(del.numDeletedRows), 1);
  assert.equal(Number((await db.selectFrom('posts').select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 2);
});

test('foreign keys: a bad reference fails with 1452, deleting the parent cascades', async () => {
  await assert.rejects(db.insertInto('posts').values({ user_id: 9999, title: 'orphan', meta: null }).execute(), (e: { errno: number }) => e.errno === 1452);
  const carol = Number((await db.insertInto('users').values({ email: 'carol@example.com', full_name: 'Carol', age: null }).executeTakeFirstOrThrow()).insertId);
  await db.insertInto('posts').values({ user_id: carol, title: 'Carol 1', meta: null }).execute();
  await db.deleteFrom('users').where('id', '=', carol).execute();
  assert.equal(Number((await db.selectFrom('posts').select(db.fn.countAll().as('n')).where('user_id', '=', carol).executeTakeFirstOrThrow()).n), 0);
});

test('upsert with onDuplicateKeyUpdate, and ignore()', async () => {
  await assert.rejects(db.insertInto('users').values({ email: 'alice@example.com', full_name: null, age: null }).execute(), (e: { errno: number }) => e.errno === 1062);
  await db.insertInto('users').values({ email: 'alice@example.com', full_name: 'Alice B', age: null })
    .onDuplicateKeyUpdate((eb) => ({ full_name: eb.fn('VALUES', [eb.ref('full_name')]) })).execute();
  await db.insertInto('users').values({ email: 'erin@example.com', full_name: 'Erin', age: null }).onDuplicateKeyUpdate({ full_name: 'never' }).execute();
  await db.insertInto('users').ignore().values({ email: 'erin@example.com', full_name: 'Ignored', age: null }).execute();
  const got = await db.selectFrom('users').select(['email', 'full_name', 'age']).where('email', 'in', ['alice@example.com', 'erin@example.com']).orderBy('email').execute();
  assert.deepEqual(got, [{ email: 'alice@example.com', full_name: 'Alice B', age: 31 }, { email: 'erin@example.com', full_name: 'Erin', age: null }]);
});

test('transactions commit and roll back', async () => {
  await db.transaction().execute(async (trx) => {
    const id = Number((await trx.insertInto('users').values({ email: 'tx@example.com', full_name: 'Tx', age: null }).executeTakeFirstOrThrow()).insertId);
    await trx.insertInto('posts').values({ user_id: id, title: 'in tx', meta: null }).execute();
  });
  assert.equal((await db.selectFrom('posts').select('title').where('title', '=', 'in tx').execute()).length, 1);
  await assert.rejects(db.transaction().setIsolationLevel('serializable').execute(async (trx) => {
    await trx.insertInto('users').values({ email: 'gone@example.com', full_name: null, age: null }).execute();
    await trx.insertInto('posts').values({ user_id: 12345, title: 'never', meta: null }).execute();
  }), (e: { errno: number }) => e.errno === 1452);
  assert.equal(await db.selectFrom('users').select('id').where('email', '=', 'gone@example.com').executeTakeFirst(), undefined);
  const locked = await db.transaction().execute(async (trx) => trx.selectFrom('users').select('full_name').where('email', '=', 'tx@example.com').forUpdate().executeTakeFirst());
  assert.equal(locked?.full_name, 'Tx');
});

test('nested JSON (kysely/helpers/mysql), CTEs, window functions, unions', async () => {
  const nested = await db.selectFrom('users').select((eb) => [
    'users.full_name',
    jsonArrayFrom(eb.selectFrom('posts').select(['posts.title', 'posts.score']).whereRef('posts.user_id', '=', 'users.id').orderBy('posts.id')).as('posts'),
    jsonObjectFrom(eb.selectFrom('posts').select('posts.title').whereRef('posts.user_id', '=', 'users.id').orderBy('posts.score', 'desc').limit(1)).as('top'),
  ]).where('users.email', 'in', ['alice@example.com', 'bob@example.com']).orderBy('users.id').execute();
  assert.deepEqual(nested, [
    { full_name: 'Alice B', posts: [{ title: 'Hello', score: 1.5 }], top: { title: 'Hello' } },
    { full_name: 'Robert', posts: [{ title: 'Bob here', score: 1 }], top: { title: 'Bob here' } },
  ]);
  const ranked = await db.with('scored', (q) => q.selectFrom('posts').select(['user_id', 'title', 'score']))
    .selectFrom('scored').select((eb) => ['title', eb.fn.agg<number>('rank', []).over((o) => o.orderBy('score', 'desc')).as('r')])
    .orderBy('r').orderBy('title').execute();
  assert.deepEqual(ranked.map((r) => [r.title, Number(r.r)]), [['Hello', 1], ['Bob here', 2], ['in tx', 2]]);
  const both = await db.selectFrom('users').select('email as v').where('email', 'like', 'a%')
    .union(db.selectFrom('posts').select('title as v').where('title', '=', 'Hello')).orderBy('v').execute();
  assert.deepEqual(both.map((r) => r.v), ['alice@example.com', 'Hello']);
});

test('migrating down runs the down migrations in reverse', async () => {
  const step = await migrator.migrateDown();
  assert.deepEqual(step.results?.map((r) => [r.migrationName, r.direction, r.status]), [['002_alter_users', 'Down', 'Success']]);
  assert.deepEqual((await columnsOf('users')).map((c) => c.name), ['id', 'email', 'name', 'active', 'created_at']);
  const first = await migrator.migrateDown();
  assert.equal(first.error, undefined);
  assert.deepEqual(first.results?.map((r) => r.migrationName), ['001_users_posts']);
  assert.equal((await db.introspection.getTables()).some((t) => t.name === 'users'), false);
});
