// Drizzle ORM against mizzle (a server over TCP, or in-process through the mysql2 drop-in: see orm-target.ts): its migrator (SQL in drizzle-kit's format), query builder, relational queries and CRUD.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { drizzle, type MySql2Database } from 'drizzle-orm/mysql2';
import { migrate } from 'drizzle-orm/mysql2/migrator';
import { and, asc, count, desc, eq, gt, inArray, like, relations, sql } from 'drizzle-orm';
import { bigint, boolean, datetime, decimal, index, int, json, mysqlEnum, mysqlTable, serial, text, timestamp, union, varchar } from 'drizzle-orm/mysql-core';
import { startOrmTarget, type OrmTarget } from '../../testing/orm-target.js';

/** The schema after both migrations, as an application would declare it. */
const users = mysqlTable('users', {
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 200 }).notNull().unique(),
  fullName: varchar('full_name', { length: 50 }),
  active: boolean('active').notNull().default(true),
  age: int('age'),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
const posts = mysqlTable('posts', {
  id: serial('id').primaryKey(),
  userId: bigint('user_id', { mode: 'number', unsigned: true }).notNull().references(() => users.id, { onDelete: 'cascade' }),
  title: varchar('title', { length: 255 }).notNull(),
  body: text('body'),
  score: decimal('score', { precision: 8, scale: 2 }).default('0'),
  meta: json('meta').$type<{ tags: string[] }>(),
}, (t) => [index('title_idx').on(t.title)]);
const usersRelations = relations(users, ({ many }) => ({ posts: many(posts) }));
const postsRelations = relations(posts, ({ one }) => ({ author: one(users, { fields: [posts.userId], references: [users.id] }) }));
const schema = { users, posts, usersRelations, postsRelations };

/** Two migrations as drizzle-kit generates them for MySQL (`--> statement-breakpoint` between statements). */
const MIGRATIONS: [string, string][] = [
  ['0000_init', [
    'CREATE TABLE `users` (\n\t`id` serial AUTO_INCREMENT NOT NULL,\n\t`email` varchar(100) NOT NULL,\n\t`name` varchar(50),\n\t`active` boolean NOT NULL DEFAULT true,\n\t`created_at` timestamp NOT NULL DEFAULT (now()),\n\tCONSTRAINT `users_id` PRIMARY KEY(`id`),\n\tCONSTRAINT `users_email_unique` UNIQUE(`email`)\n);\n',
    '\nCREATE TABLE `posts` (\n\t`id` serial AUTO_INCREMENT NOT NULL,\n\t`user_id` bigint unsigned NOT NULL,\n\t`title` varchar(255) NOT NULL,\n\t`body` text,\n\t`score` decimal(8,2) DEFAULT \'0\',\n\t`meta` json,\n\tCONSTRAINT `posts_id` PRIMARY KEY(`id`)\n);\n',
    '\nALTER TABLE `posts` ADD CONSTRAINT `posts_user_id_users_id_fk` FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON DELETE cascade ON UPDATE no action;',
    '\nCREATE INDEX `title_idx` ON `posts` (`title`);',
  ].join('--> statement-breakpoint')],
  ['0001_alter_users', [
    'ALTER TABLE `users` RENAME COLUMN `name` TO `full_name`;',
    '\nALTER TABLE `users` MODIFY COLUMN `email` varchar(200) NOT NULL;',
    '\nALTER TABLE `users` ADD `age` int;',
    '\nCREATE INDEX `active_age_idx` ON `users` (`active`,`age`);',
  ].join('--> statement-breakpoint')],
];

let target: OrmTarget;
let pool: mysql.Pool;
let db: MySql2Database<typeof schema>;
let folder: string;

before(async () => {
  target = await startOrmTarget();
  await target.run('CREATE DATABASE drizzledb');
  pool = target.mysql2.createPool({ ...target.connection('drizzledb'), connectionLimit: 4 }).promise();
  db = drizzle(pool, { schema, mode: 'default', logger: !!process.env.ORM_LOG_SQL });
  folder = mkdtempSync(join(tmpdir(), 'mizzle-drizzle-'));
  mkdirSync(join(folder, 'meta'));
  const when = Date.UTC(2025, 0, 1);
  for (const [tag, text] of MIGRATIONS) writeFileSync(join(folder, `${tag}.sql`), text);
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify({
    version: '7',
    dialect: 'mysql',
    entries: MIGRATIONS.map(([tag], idx) => ({ idx, version: '5', when: when + idx, tag, breakpoints: true })),
  }));
});

after(async () => {
  await pool?.end();
  await target.stop();
  if (folder) rmSync(folder, { recursive: true, force: true });
});

test('the migrator applies both migrations once and records them', async () => {
  await migrate(db, { migrationsFolder: folder });
  await migrate(db, { migrationsFolder: folder });
  const [applied] = await pool.query('SELECT COUNT(*) AS n FROM __drizzle_migrations');
  assert.equal(Number((applied as { n: number }[])[0]!.n), 2);
  const [cols] = await pool.query("SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'drizzledb' AND TABLE_NAME = 'users' ORDER BY ORDINAL_POSITION");
  assert.deepEqual((cols as { COLUMN_NAME: string; COLUMN_TYPE: string }[]).map((c) => `${c.COLUMN_NAME} ${c.COLUMN_TYPE}`),
    ['id bigint unsigned', 'email varchar(200)', 'full_name varchar(50)', 'active tinyint(1)', 'created_at timestamp', 'age int']);
  const [fks] = await pool.query("SELECT CONSTRAINT_NAME, DELETE_RULE FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = 'drizzledb'");
  assert.deepEqual(fks, [{ CONSTRAINT_NAME: 'posts_user_id_users_id_fk', DELETE_RULE: 'CASCADE' }]);
  // information_schema names compare case-insensitively, as in MySQL; `serial` brings its own UNIQUE key named `id`.
  const [idx] = await pool.query("SELECT DISTINCT INDEX_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'drizzledb' AND TABLE_NAME = 'users' ORDER BY INDEX_NAME");
  assert.deepEqual((idx as { INDEX_NAME: string }[]).map((r) => r.INDEX_NAME), ['active_age_idx', 'id', 'PRIMARY', 'users_email_unique']);
});

test('CRUD: insert with $returningId, joins with where/order/limit, aggregates, update, delete', async () => {
  const ids = await db.insert(users).values([
    { email: 'alice@example.com', fullName: 'Alice', age: 30 },
    { email: 'bob@example.com', fullName: 'Bob', age: 25 },
  ]).$returningId();
  assert.equal(ids.length, 2);
  const [alice, bob] = [ids[0]!.id, ids[1]!.id];
  assert.equal(bob, alice + 1);
  await db.insert(posts).values([
    { userId: alice, title: 'Hello', body: 'first', score: '1.50', meta: { tags: ['a'] } },
    { userId: alice, title: 'Again', score: '2.25' },
    { userId: bob, title: 'Bob here', score: '3' },
  ]);
  const rows = await db.select({ title: posts.title, author: users.fullName, score: posts.score })
    .from(posts).innerJoin(users, eq(users.id, posts.userId))
    .where(and(eq(users.active, true), gt(posts.score, '1')))
    .orderBy(desc(posts.score)).limit(2).offset(0);
  assert.deepEqual(rows, [{ title: 'Bob here', author: 'Bob', score: '3.00' }, { title: 'Again', author: 'Alice', score: '2.25' }]);
  const perUser = await db.select({ userId: posts.userId, n: count() }).from(posts).groupBy(posts.userId).orderBy(asc(posts.userId));
  assert.deepEqual(perUser.map((r) => r.n), [2, 1]);
  const [hello] = await db.select().from(posts).where(like(posts.title, 'He%'));
  assert.deepEqual(hello?.meta, { tags: ['a'] });

  const [res] = await db.update(users).set({ age: 26, fullName: 'Robert' }).where(eq(users.id, bob));
  assert.equal(res.affectedRows, 1);
  await db.update(users).set({ age: sql`${users.age} + 1` }).where(eq(users.id, alice));
  assert.deepEqual(await db.select({ n: users.fullName, age: users.age }).from(users).where(inArray(users.id, [alice, bob])).orderBy(users.id), [{ n: 'Alice', age: 31 }, { n: 'Robert', age: 26 }]);
  const [del] = await db.delete(posts).where(eq(posts.title, 'Again'));
  assert.equal(del.affectedRows, 1);
  assert.equal((await db.select({ n: count() }).from(posts))[0]!.n, 2);
});

test('relational queries: findMany with nested relations, findFirst', async () => {
  const all = await db.query.users.findMany({
    columns: { fullName: true },
    with: { posts: { columns: { title: true }, orderBy: [asc(posts.id)] } },
    where: like(users.email, '%@example.com'),
    orderBy: [asc(users.id)],
  });
  assert.deepEqual(all, [{ fullName: 'Alice', posts: [{ title: 'Hello' }] }, { fullName: 'Robert', posts: [{ title: 'Bob here' }] }]);
  const post = await db.query.posts.findFirst({ where: eq(posts.title, 'Bob here'), with: { author: { columns: { email: true } } } });
  assert.equal(post?.author.email, 'bob@example.com');
});

test('foreign keys: a bad reference fails with 1452, deleting the parent cascades', async () => {
  await assert.rejects(db.insert(posts).values({ userId: 9999, title: 'orphan' }), (e: { errno?: number; cause?: { errno: number } }) => (e.cause?.errno ?? e.errno) === 1452);
  const [{ id: carol }] = await db.insert(users).values({ email: 'carol@example.com', fullName: 'Carol' }).$returningId() as [{ id: number }];
  await db.insert(posts).values({ userId: carol, title: 'Carol 1' });
  await db.delete(users).where(eq(users.id, carol));
  assert.equal((await db.select({ n: count() }).from(posts).where(eq(posts.userId, carol)))[0]!.n, 0);
});

test('upsert with onDuplicateKeyUpdate, and insert ignore', async () => {
  await assert.rejects(db.insert(users).values({ email: 'alice@example.com' }), (e: { errno?: number; cause?: { errno: number } }) => (e.cause?.errno ?? e.errno) === 1062);
  await db.insert(users).values({ email: 'alice@example.com', fullName: 'Alice B' }).onDuplicateKeyUpdate({ set: { fullName: sql`values(${users.fullName})` } });
  await db.insert(users).values({ email: 'erin@example.com', fullName: 'Erin' }).onDuplicateKeyUpdate({ set: { fullName: 'never' } });
  await db.insert(users).ignore().values({ email: 'erin@example.com', fullName: 'Ignored' });
  const got = await db.select({ email: users.email, n: users.fullName }).from(users).where(inArray(users.email, ['alice@example.com', 'erin@example.com'])).orderBy(users.email);
  assert.deepEqual(got, [{ email: 'alice@example.com', n: 'Alice B' }, { email: 'erin@example.com', n: 'Erin' }]);
});

test('transactions commit, roll back, and nest as savepoints', async () => {
  await db.transaction(async (tx) => {
    const [{ id }] = await tx.insert(users).values({ email: 'tx@example.com', fullName: 'Tx' }).$returningId() as [{ id: number }];
    await tx.insert(posts).values({ userId: id, title: 'in tx' });
  });
  assert.equal((await db.select({ n: count() }).from(posts).where(eq(posts.title, 'in tx')))[0]!.n, 1);
  await assert.rejects(db.transaction(async (tx) => {
    await tx.insert(users).values({ email: 'gone@example.com' });
    tx.rollback();
  }));
  assert.equal((await db.select().from(users).where(eq(users.email, 'gone@example.com'))).length, 0);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ age: 1 }).where(eq(users.email, 'tx@example.com'));
    await tx.transaction(async (inner) => {
      await inner.update(users).set({ age: 2 }).where(eq(users.email, 'tx@example.com'));
      inner.rollback();
    }).catch(() => undefined);
  }, { isolationLevel: 'read committed' });
  assert.equal((await db.select({ age: users.age }).from(users).where(eq(users.email, 'tx@example.com')))[0]?.age, 1);
});

test('enum, onUpdateNow, $count, union, FOR UPDATE, prepared placeholders and CTEs from the builder', async () => {
  const tickets = mysqlTable('tickets', {
    id: int('id').autoincrement().primaryKey(),
    state: mysqlEnum('state', ['open', 'closed']).notNull().default('open'),
    touched: datetime('touched', { fsp: 3 }).notNull().default(sql`CURRENT_TIMESTAMP(3)`).$onUpdateFn(() => sql`CURRENT_TIMESTAMP(3)`),
    stamp: timestamp('stamp', { fsp: 3 }).defaultNow().onUpdateNow(),
  });
  await db.execute(sql`CREATE TABLE tickets (id int AUTO_INCREMENT PRIMARY KEY, state enum('open','closed') NOT NULL DEFAULT 'open', touched datetime(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), stamp timestamp(3) NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3))`);
  await db.insert(tickets).values([{}, {}, { state: 'closed' }]);
  assert.equal(await db.$count(tickets), 3);
  assert.equal(await db.$count(tickets, eq(tickets.state, 'open')), 2);
  const [before] = await db.select({ stamp: tickets.stamp }).from(tickets).where(eq(tickets.id, 1));
  await new Promise((r) => setTimeout(r, 30));
  await db.update(tickets).set({ state: 'closed' }).where(eq(tickets.id, 1));
  const [after] = await db.select({ stamp: tickets.stamp, state: tickets.state }).from(tickets).where(eq(tickets.id, 1));
  assert.equal(after?.state, 'closed');
  assert.ok(after!.stamp!.getTime() > before!.stamp!.getTime(), 'ON UPDATE moved the timestamp');
  await assert.rejects(db.insert(tickets).values({ state: 'bogus' as 'open' }), (e: { errno?: number; cause?: { errno: number } }) => (e.cause?.errno ?? e.errno) === 1265);

  const open = db.$with('open_ones').as(db.select({ id: tickets.id }).from(tickets).where(eq(tickets.state, 'open')));
  assert.deepEqual(await db.with(open).select().from(open), [{ id: 2 }]);
  const u = await union(db.select({ v: sql<string>`${tickets.state}`.as('v') }).from(tickets), db.select({ v: sql<string>`'other'`.as('v') }).from(tickets)).orderBy(sql`v`);
  assert.deepEqual(u.map((r) => r.v), ['closed', 'open', 'other'].sort());

  const byState = db.select({ id: tickets.id }).from(tickets).where(eq(tickets.state, sql.placeholder('s'))).orderBy(tickets.id).limit(sql.placeholder('n')).prepare();
  assert.deepEqual(await byState.execute({ s: 'closed', n: 1 }), [{ id: 1 }]);
  assert.deepEqual(await byState.execute({ s: 'closed', n: 5 }), [{ id: 1 }, { id: 3 }]);

  await db.transaction(async (tx) => {
    const locked = await tx.select().from(tickets).where(eq(tickets.id, 2)).for('update');
    assert.equal(locked.length, 1);
    await tx.delete(tickets).where(eq(tickets.id, 2));
  });
  assert.equal(await db.$count(tickets), 2);
});
