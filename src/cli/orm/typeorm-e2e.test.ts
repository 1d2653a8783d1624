// TypeORM against a real mizzle server over TCP: synchronize, a changed entity re-synchronized, migrations through QueryRunner, and CRUD.
import 'reflect-metadata';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource, EntitySchema, MoreThan, Table, TableColumn, TableForeignKey, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';
import { startOrmTarget, type OrmTarget } from '../../testing/orm-target.js';

interface User { id: number; email: string; name: string | null; active: boolean; age?: number | null; posts?: Post[]; role?: string; createdAt?: Date; updatedAt?: Date; version?: number; tags?: Tag[] }
interface Tag { id: number; label: string; users?: User[] }
interface Post { id: number; title: string; body: string | null; score: string; meta: unknown; user: User | { id: number } }

let target: OrmTarget;
let ds: DataSource;

/** TypeORM's connection options for the target: its `driver` option takes the mysql2 module, `extra` reaches createPool. */
function typeormConnection(t: OrmTarget, database: string) {
  const { host, port, db } = t.connection() as { host?: string; port?: number; db?: unknown };
  return { type: 'mysql' as const, host, port, username: 'root', password: '', database, driver: t.mysql2, extra: db === undefined ? {} : { db } };
}

/** The entities of the first release; the second widens `email`, adds `age` and an index, and is re-synchronized. */
interface PostCount { userId: number; n: string }

function entities(release: 1 | 2): [EntitySchema<User>, EntitySchema<Post>, EntitySchema<Tag>, EntitySchema<PostCount>] {
  const user = new EntitySchema<User>({
    name: 'User',
    tableName: 'users',
    columns: {
      id: { type: 'int', primary: true, generated: 'increment' },
      email: { type: 'varchar', length: release === 1 ? 100 : 200, unique: true },
      name: { type: 'varchar', length: 50, nullable: true },
      active: { type: 'boolean', default: true },
      role: { type: 'enum', enum: ['admin', 'member'], default: 'member' },
      createdAt: { type: 'datetime', precision: 6, createDate: true },
      updatedAt: { type: 'datetime', precision: 6, updateDate: true },
      version: { type: 'int', version: true },
      ...(release === 2 ? { age: { type: 'int' as const, nullable: true } } : {}),
    },
    indices: release === 2 ? [{ name: 'IDX_users_active_age', columns: ['active', 'age'] }] : [],
    relations: {
      posts: { type: 'one-to-many', target: 'Post', inverseSide: 'user' },
      tags: { type: 'many-to-many', target: 'Tag', inverseSide: 'users', joinTable: { name: 'user_tags' } },
    },
  });
  const tag = new EntitySchema<Tag>({
    name: 'Tag',
    tableName: 'tags_m2m',
    columns: { id: { type: 'int', primary: true, generated: 'increment' }, label: { type: 'varchar', length: 30, unique: true } },
    relations: { users: { type: 'many-to-many', target: 'User', inverseSide: 'tags' } },
  });
  const post = new EntitySchema<Post>({
    name: 'Post',
    tableName: 'posts',
    columns: {
      id: { type: 'int', primary: true, generated: 'increment' },
      title: { type: 'varchar', length: 255, nullable: false },
      body: { type: 'text', nullable: true },
      score: { type: 'decimal', precision: 8, scale: 2, default: 0 },
      meta: { type: 'json', nullable: true },
    },
    indices: [{ name: 'IDX_posts_title', columns: ['title'] }],
    relations: { user: { type: 'many-to-one', target: 'User', inverseSide: 'posts', joinColumn: { name: 'userId' }, nullable: false, onDelete: 'CASCADE' } },
  });
  // A view, which TypeORM records in its typeorm_metadata table and finds again through information_schema.VIEWS.
  const counts = new EntitySchema<PostCount>({
    name: 'PostCount',
    tableName: 'post_counts',
    type: 'view',
    expression: 'SELECT `userId` AS `userId`, COUNT(*) AS `n` FROM `posts` GROUP BY `userId`',
    columns: { userId: { type: 'int', primary: true }, n: { type: 'bigint' } },
  });
  return [user, post, tag, counts];
}

async function open(release: 1 | 2, extra: Partial<{ migrations: (new () => MigrationInterface)[]; synchronize: boolean }> = {}): Promise<DataSource> {
  const source = new DataSource({
    ...typeormConnection(target, 'typeormdb'),
    entities: entities(release),
    synchronize: extra.synchronize ?? true,
    migrations: extra.migrations ?? [],
    logging: process.env.ORM_LOG_SQL ? 'all' : false,
  });
  return source.initialize();
}

before(async () => {
  target = await startOrmTarget();
  await target.run('CREATE DATABASE typeormdb');
});

after(async () => {
  if (ds?.isInitialized) await ds.destroy();
  await target.stop();
});

test('synchronize creates the tables, the foreign key and the indexes', async () => {
  ds = await open(1);
  const qr = ds.createQueryRunner();
  try {
    const posts = await qr.getTable('posts');
    assert.ok(posts);
    assert.deepEqual(posts.foreignKeys.map((fk) => [fk.columnNames, fk.referencedTableName, fk.referencedColumnNames, fk.onDelete]), [[['userId'], 'users', ['id'], 'CASCADE']]);
    assert.ok(posts.indices.some((i) => i.name === 'IDX_posts_title'));
    const users = await qr.getTable('users');
    assert.equal(users?.findColumnByName('email')?.length, '100');
    assert.equal(users?.findColumnByName('email')?.isUnique, true);
  } finally {
    await qr.release();
  }
  // Nothing left to do: the schema matches the entities.
  assert.deepEqual((await ds.driver.createSchemaBuilder().log()).upQueries, []);
});

test('a changed entity is re-synchronized, keeping the rows', async () => {
  await ds.getRepository<User>('User').save({ email: 'before@example.com', name: 'Before' });
  await ds.destroy();
  ds = await open(2);
  const qr = ds.createQueryRunner();
  try {
    const users = await qr.getTable('users');
    assert.equal(users?.findColumnByName('email')?.length, '200');
    assert.equal(users?.findColumnByName('age')?.isNullable, true);
    assert.ok(users?.indices.some((i) => i.name === 'IDX_users_active_age'));
  } finally {
    await qr.release();
  }
  // TypeORM changes a column's length by dropping and re-adding it (as on MySQL): the row stays, its email is reset.
  assert.equal((await ds.getRepository<User>('User').findOneBy({ name: 'Before' }))?.email, '');
  assert.deepEqual((await ds.driver.createSchemaBuilder().log()).upQueries, []);
});

class CreateTags1700000000000 implements MigrationInterface {
  async up(qr: QueryRunner): Promise<void> {
    await qr.createTable(new Table({
      name: 'tags',
      columns: [
        { name: 'id', type: 'int', isPrimary: true, isGenerated: true, generationStrategy: 'increment' },
        { name: 'label', type: 'varchar', length: '20' },
        { name: 'postId', type: 'int', isNullable: true },
      ],
    }));
    await qr.createForeignKey('tags', new TableForeignKey({ columnNames: ['postId'], referencedTableName: 'posts', referencedColumnNames: ['id'], onDelete: 'SET NULL' }));
  }
  async down(qr: QueryRunner): Promise<void> {
    await qr.dropTable('tags', true, true, true);
  }
}

class AlterTags1700000000001 implements MigrationInterface {
  async up(qr: QueryRunner): Promise<void> {
    await qr.addColumn('tags', new TableColumn({ name: 'color', type: 'varchar', length: '10', default: "'red'" }));
    await qr.renameColumn('tags', 'label', 'name');
    await qr.changeColumn('tags', 'name', new TableColumn({ name: 'name', type: 'varchar', length: '40', isNullable: true }));
    await qr.createIndex('tags', new TableIndex({ name: 'IDX_tags_name', columnNames: ['name'], isUnique: true }));
  }
  async down(qr: QueryRunner): Promise<void> {
    await qr.dropIndex('tags', 'IDX_tags_name');
    await qr.changeColumn('tags', 'name', new TableColumn({ name: 'name', type: 'varchar', length: '20' }));
    await qr.renameColumn('tags', 'name', 'label');
    await qr.dropColumn('tags', 'color');
  }
}

test('migrations: createTable, createForeignKey, addColumn, renameColumn, changeColumn, createIndex, and undo', async () => {
  await ds.destroy();
  ds = await open(2, { migrations: [CreateTags1700000000000, AlterTags1700000000001] });
  const ran = await ds.runMigrations({ transaction: 'each' });
  assert.deepEqual(ran.map((m) => m.name), ['CreateTags1700000000000', 'AlterTags1700000000001']);
  const qr = ds.createQueryRunner();
  try {
    let tags = await qr.getTable('tags');
    assert.deepEqual(tags?.columns.map((c) => c.name).sort(), ['color', 'id', 'name', 'postId']);
    assert.equal(tags?.findColumnByName('name')?.length, '40');
    assert.equal(tags?.findColumnByName('name')?.isNullable, true);
    assert.equal(tags?.foreignKeys[0]?.onDelete, 'SET NULL');
    assert.ok(tags?.indices.some((i) => i.name === 'IDX_tags_name' && i.isUnique));
    await ds.undoLastMigration();
    tags = await qr.getTable('tags');
    assert.deepEqual(tags?.columns.map((c) => c.name).sort(), ['id', 'label', 'postId']);
    assert.equal(tags?.findColumnByName('label')?.length, '20');
    await ds.undoLastMigration();
    assert.equal(await qr.hasTable('tags'), false);
    assert.equal(await ds.showMigrations(), true);
  } finally {
    await qr.release();
  }
});

test('CRUD: save returns ids, find with relations/where/order/take, query builder joins, update, delete', async () => {
  const users = ds.getRepository<User>('User');
  const posts = ds.getRepository<Post>('Post');
  const alice = await users.save({ email: 'alice@example.com', name: 'Alice', age: 30 });
  const bob = await users.save({ email: 'bob@example.com', name: 'Bob', age: 25 });
  assert.equal(typeof alice.id, 'number');
  assert.equal(bob.id, alice.id + 1);
  assert.equal(alice.active, true);
  const inserted = await posts.insert([
    { user: { id: alice.id }, title: 'Hello', body: 'first', score: '1.50', meta: { tags: ['a'] } },
    { user: { id: alice.id }, title: 'Again', score: '2.25' },
    { user: { id: bob.id }, title: 'Bob here', score: '3' },
  ]);
  assert.equal(inserted.identifiers.length, 3);
  assert.deepEqual(inserted.identifiers.map((i) => i.id), [inserted.identifiers[0]!.id, inserted.identifiers[0]!.id + 1, inserted.identifiers[0]!.id + 2]);

  const found = await posts.find({ relations: { user: true }, where: { score: MoreThan('1') }, order: { score: 'DESC' }, take: 2 });
  assert.deepEqual(found.map((p) => [p.title, (p.user as User).name, p.score]), [['Bob here', 'Bob', '3.00'], ['Again', 'Alice', '2.25']]);
  // skip/take count users, not joined rows (TypeORM pages over a DISTINCT of the ids first).
  const withPosts = await users.find({ relations: { posts: true }, order: { id: 'ASC' }, skip: 1, take: 2 });
  assert.deepEqual(withPosts.map((u) => [u.name, u.posts?.map((p) => p.title).sort()]), [['Alice', ['Again', 'Hello']], ['Bob', ['Bob here']]]);
  const qb = await ds.createQueryBuilder().select('u.name', 'name').addSelect('COUNT(p.id)', 'n')
    .from('users', 'u').leftJoin('posts', 'p', 'p.userId = u.id').where('u.active = :active', { active: true })
    .groupBy('u.id').orderBy('n', 'DESC').addOrderBy('u.id').limit(3).getRawMany<{ name: string; n: string | number }>();
  assert.deepEqual(qb.map((r) => [r.name, Number(r.n)]), [['Alice', 2], ['Bob', 1], ['Before', 0]]);
  assert.deepEqual((await posts.findOneBy({ title: 'Hello' }))?.meta, { tags: ['a'] });

  assert.equal((await users.update({ id: bob.id }, { age: 26, name: 'Robert' })).affected, 1);
  assert.equal((await users.findOneBy({ id: bob.id }))?.name, 'Robert');
  await users.increment({ id: alice.id }, 'age', 1);
  assert.equal((await users.findOneBy({ id: alice.id }))?.age, 31);
  assert.equal((await posts.delete({ title: 'Again' })).affected, 1);
  assert.equal(await posts.count(), 2);
  const [page, total] = await posts.findAndCount({ order: { id: 'ASC' }, take: 1 });
  assert.equal(total, 2);
  assert.equal(page[0]?.title, 'Hello');
});

test('a view entity reads its view', async () => {
  const rows = await ds.getRepository<PostCount>('PostCount').find({ order: { userId: 'ASC' } });
  assert.deepEqual(rows.map((r) => Number(r.n)), [1, 1]);
  const [meta] = await ds.query("SELECT `type`, `name` FROM `typeorm_metadata` WHERE `type` = 'VIEW'");
  assert.equal(meta.name, 'post_counts');
});

test('foreign keys: a bad reference fails with 1452, removing the parent cascades', async () => {
  const posts = ds.getRepository<Post>('Post');
  await assert.rejects(posts.insert({ user: { id: 9999 }, title: 'orphan' }), (e: { driverError?: { errno: number } }) => e.driverError?.errno === 1452);
  const carol = await ds.getRepository<User>('User').save({ email: 'carol@example.com', name: 'Carol' });
  await posts.save({ user: { id: carol.id }, title: 'Carol 1' });
  await ds.getRepository<User>('User').remove(carol);
  assert.equal(await posts.count({ where: { title: 'Carol 1' } }), 0);
});

test('many-to-many through a join table; create/update dates and the version column', async () => {
  const users = ds.getRepository<User>('User');
  const tags = ds.getRepository<Tag>('Tag');
  const [red, blue] = await tags.save([{ label: 'red' }, { label: 'blue' }]);
  const u = await users.save({ email: 'm2m@example.com', name: 'M', tags: [red!, blue!] });
  assert.equal(u.role, 'member');
  assert.ok(u.createdAt instanceof Date);
  assert.equal(u.version, 1);
  const loaded = await users.findOne({ where: { id: u.id }, relations: { tags: true } });
  assert.deepEqual(loaded?.tags?.map((t) => t.label).sort(), ['blue', 'red']);
  loaded!.tags = [blue!];
  loaded!.role = 'admin';
  const before = loaded!.updatedAt!.getTime();
  // TypeORM sets `updatedAt = CURRENT_TIMESTAMP` (whole seconds, as on MySQL): wait into the next second.
  await new Promise((r) => setTimeout(r, 1100));
  await users.save(loaded!);
  const again = await users.findOne({ where: { id: u.id }, relations: { tags: true } });
  assert.deepEqual(again?.tags?.map((t) => t.label), ['blue']);
  assert.equal(again?.role, 'admin');
  assert.equal(again?.version, 2);
  assert.ok(again!.updatedAt!.getTime() > before, 'updatedAt moved on');
  const byTag = await users.createQueryBuilder('u').innerJoin('u.tags', 't').where('t.label = :l', { l: 'blue' }).getMany();
  assert.deepEqual(byTag.map((x) => x.email), ['m2m@example.com']);
  await assert.rejects(users.update({ id: u.id }, { role: 'owner' }), (e: { driverError?: { errno: number } }) => e.driverError?.errno === 1265);
});

test('upsert and orIgnore', async () => {
  const users = ds.getRepository<User>('User');
  await assert.rejects(users.insert({ email: 'alice@example.com' }), (e: { driverError?: { errno: number } }) => e.driverError?.errno === 1062);
  await users.upsert({ email: 'alice@example.com', name: 'Alice B' }, ['email']);
  assert.equal((await users.findOneBy({ email: 'alice@example.com' }))?.name, 'Alice B');
  await users.upsert([{ email: 'erin@example.com', name: 'Erin' }], { conflictPaths: ['email'] });
  assert.equal((await users.findOneBy({ email: 'erin@example.com' }))?.name, 'Erin');
  await users.createQueryBuilder().insert().values({ email: 'erin@example.com', name: 'Ignored' }).orIgnore().execute();
  assert.equal((await users.findOneBy({ email: 'erin@example.com' }))?.name, 'Erin');
});

test('transactions commit and roll back; pessimistic locks', async () => {
  await ds.transaction(async (em) => {
    const u = await em.getRepository<User>('User').save({ email: 'tx@example.com', name: 'Tx' });
    await em.getRepository<Post>('Post').save({ user: { id: u.id }, title: 'in tx' });
  });
  assert.equal(await ds.getRepository<Post>('Post').countBy({ title: 'in tx' }), 1);
  await assert.rejects(ds.transaction(async (em) => {
    await em.getRepository<User>('User').save({ email: 'gone@example.com' });
    await em.getRepository<Post>('Post').insert({ user: { id: 12345 }, title: 'never' });
  }));
  assert.equal(await ds.getRepository<User>('User').findOneBy({ email: 'gone@example.com' }), null);
  const qr = ds.createQueryRunner();
  await qr.connect();
  await qr.startTransaction('READ COMMITTED');
  try {
    const locked = await qr.manager.getRepository<User>('User').findOne({ where: { email: 'tx@example.com' }, lock: { mode: 'pessimistic_write' } });
    assert.equal(locked?.name, 'Tx');
    await qr.manager.getRepository<User>('User').update({ email: 'tx@example.com' }, { age: 99 });
    await qr.rollbackTransaction();
  } finally {
    await qr.release();
  }
  assert.equal((await ds.getRepository<User>('User').findOneBy({ email: 'tx@example.com' }))?.age, null);
});

test('dropDatabase-free teardown: synchronize(true) drops and recreates the schema', async () => {
  await ds.synchronize(true);
  assert.equal(await ds.getRepository<User>('User').count(), 0);
  assert.deepEqual((await ds.driver.createSchemaBuilder().log()).upQueries, []);
});

test('no schema drift: every common column type synchronizes once and then compares equal', async () => {
  await target.run('CREATE DATABASE typeorm_types');
  const kinds = new EntitySchema<Record<string, unknown>>({
    name: 'Kinds',
    tableName: 'kinds',
    columns: {
      id: { type: 'bigint', primary: true, generated: 'increment', unsigned: true },
      uuid: { type: 'uuid', generated: 'uuid' },
      tiny: { type: 'tinyint', default: 0 },
      small: { type: 'smallint', unsigned: true, nullable: true },
      medium: { type: 'mediumint', nullable: true },
      flag: { type: 'bool', default: false },
      price: { type: 'decimal', precision: 10, scale: 2, default: '9.99' },
      ratio: { type: 'float', nullable: true },
      big: { type: 'double', nullable: true },
      code: { type: 'char', length: 3, default: 'abc' },
      title: { type: 'varchar', length: 120, comment: 'shown to users' },
      latin: { type: 'varchar', length: 20, charset: 'latin1', collation: 'latin1_swedish_ci', nullable: true },
      body: { type: 'text', nullable: true },
      long: { type: 'longtext', nullable: true },
      blob: { type: 'blob', nullable: true },
      bin: { type: 'varbinary', length: 16, nullable: true },
      day: { type: 'date', nullable: true },
      at: { type: 'time', nullable: true },
      year: { type: 'year', nullable: true },
      when: { type: 'timestamp', precision: 3, default: () => 'CURRENT_TIMESTAMP(3)' },
      doc: { type: 'json', nullable: true },
      list: { type: 'simple-array', nullable: true },
      obj: { type: 'simple-json', nullable: true },
      mood: { type: 'enum', enum: ['happy', 'sad'], nullable: true },
      bits: { type: 'set', enum: ['a', 'b', 'c'], default: ['a'] },
      total: { type: 'int', asExpression: '`tiny` + 1', generatedType: 'STORED', nullable: true },
    },
    uniques: [{ name: 'UQ_kinds_code_title', columns: ['code', 'title'] }],
  });
  const source = await new DataSource({
    ...typeormConnection(target, 'typeorm_types'),
    entities: [kinds], synchronize: true, logging: process.env.ORM_LOG_SQL ? 'all' : false,
  }).initialize();
  try {
    assert.deepEqual((await source.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query), []);
    const repo = source.getRepository<Record<string, unknown>>('Kinds');
    const saved = await repo.save({ title: 't', list: ['x', 'y'], obj: { a: 1 }, mood: 'sad', bits: ['a', 'c'], doc: { k: [1] } });
    const back = await repo.findOneByOrFail({ id: saved.id as string });
    assert.match(String(back.uuid), /^[0-9a-f-]{36}$/);
    assert.deepEqual([back.list, back.obj, back.mood, back.bits, back.doc, back.price, back.code, back.total], [['x', 'y'], { a: 1 }, 'sad', ['a', 'c'], { k: [1] }, '9.99', 'abc', 1]);
  } finally {
    await source.destroy();
  }
});
