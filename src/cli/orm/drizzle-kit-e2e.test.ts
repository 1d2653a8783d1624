// drizzle-kit's own CLI against a mizzle server: push (twice: the second must find nothing to change), a schema change
// pushed as ALTERs, pull (introspection back into a schema file), and generate + migrate into a fresh database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DRIZZLE_KIT = join(REPO, 'node_modules/drizzle-kit/bin.cjs');

/** The application's schema, first version: keys, a foreign key, enum, JSON, decimal and expression defaults. */
const SCHEMA_V1 = `
import { sql } from 'drizzle-orm';
import { bigint, boolean, decimal, index, json, mysqlEnum, mysqlTable, serial, text, timestamp, uniqueIndex, varchar } from 'drizzle-orm/mysql-core';
export const users = mysqlTable('users', {
  id: serial('id').primaryKey(),
  email: varchar('email', { length: 200 }).notNull().unique(),
  fullName: varchar('full_name', { length: 50 }),
  active: boolean('active').notNull().default(true),
  role: mysqlEnum('role', ['admin', 'user']).default('user'),
  createdAt: timestamp('created_at').notNull().defaultNow(),
});
export const posts = mysqlTable('posts', {
  id: serial('id').primaryKey(),
  userId: bigint('user_id', { mode: 'number', unsigned: true }).notNull().references(() => users.id, { onDelete: 'cascade' }),
  title: varchar('title', { length: 255 }).notNull(),
  body: text('body'),
  score: decimal('score', { precision: 8, scale: 2 }).default('0.00'),
  meta: json('meta'),
}, (t) => [index('title_idx').on(t.title)]);
export const tokens = mysqlTable('tokens', {
  id: varchar('id', { length: 36 }).primaryKey().default(sql\`(uuid())\`),
  userId: bigint('user_id', { mode: 'number', unsigned: true }).notNull(),
  issued: timestamp('issued', { fsp: 3 }).notNull().defaultNow().onUpdateNow(),
}, (t) => [uniqueIndex('tokens_user_idx').on(t.userId)]);
`;

/** Second version: a longer column, a new column with a default, a new index. */
const SCHEMA_V2 = SCHEMA_V1
  .replace("fullName: varchar('full_name', { length: 50 }),", "fullName: varchar('full_name', { length: 120 }),\n  nickname: varchar('nickname', { length: 30 }).default('none'),")
  .replace("(t) => [index('title_idx').on(t.title)]", "(t) => [index('title_idx').on(t.title), index('score_idx').on(t.score)]");

let server: ServerProcess;
let project: string;
/** drizzle-kit is a CLI that talks to a server over TCP: the in-process (embedded) ORM target has nothing to add. */
const skip = process.env.MIZZLE_ORM_TARGET === 'embedded' ? 'drizzle-kit needs a server over TCP (run by the main suite)' : false;

before(async () => {
  if (skip) return;
  // MIZZLE_* variables are server settings: the test's own must not reach it.
  server = await startServerProcess({ env: { MIZZLE_ORM_TARGET: undefined } });
  project = mkdtempSync(join(tmpdir(), 'mizzle-drizzle-kit-'));
  // The schema file imports drizzle-orm: the project resolves packages from the repository's node_modules.
  symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
  for (const [file, db, out] of [['app.config.ts', 'app', 'pulled'], ['fresh.config.ts', 'fresh', 'migrations']]) {
    writeFileSync(join(project, file), `export default { dialect: 'mysql', schema: './schema.ts', out: './${out}', dbCredentials: { url: 'mysql://root@127.0.0.1:${server.port}/${db}' } };\n`);
  }
  await query('CREATE DATABASE app');
  await query('CREATE DATABASE fresh');
});

after(async () => {
  await server?.stop();
  if (project) rmSync(project, { recursive: true, force: true });
});

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  try {
    return (await c.query(sql))[0] as Record<string, unknown>[];
  } finally {
    await c.end();
  }
}

/** Runs drizzle-kit in the project; resolves with its output (spinner frames included), rejects on a non-zero exit. */
function drizzleKit(...args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [DRIZZLE_KIT, ...args], { cwd: project, env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0 && !/^\s*Error\b/m.test(out)) resolvePromise(out);
      else reject(new Error(`drizzle-kit ${args.join(' ')} exited ${code}:\n${out}`));
    });
  });
}

test('drizzle-kit push creates the schema, and a second push finds nothing to change (introspection matches)', { timeout: 300_000, skip }, async () => {
  writeFileSync(join(project, 'schema.ts'), SCHEMA_V1);
  assert.match(await drizzleKit('push', '--force', '--config', 'app.config.ts'), /Changes applied/);
  const tables = (await query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'app' ORDER BY 1")).map((r) => r.t);
  assert.deepEqual(tables, ['posts', 'tokens', 'users']);
  const again = await drizzleKit('push', '--force', '--verbose', '--config', 'app.config.ts');
  assert.match(again, /No changes detected/, `a second push wanted changes:\n${again}`);

  // The expression default is computed for each row, so two rows get two ids. (No rows go into users: drizzle-kit
  // truncates a table whose column type it changes, and MySQL, like mizzle, refuses to truncate a referenced table.)
  await query('INSERT INTO app.tokens (user_id) VALUES (1), (2)');
  const [ids] = await query('SELECT COUNT(DISTINCT id) AS n, MIN(LENGTH(id)) AS len FROM app.tokens');
  assert.deepEqual([Number(ids.n), Number(ids.len)], [2, 36]);
});

test('drizzle-kit push turns a schema change into ALTERs, then finds nothing left; pull writes the schema back', { timeout: 300_000, skip }, async () => {
  writeFileSync(join(project, 'schema.ts'), SCHEMA_V2);
  const pushed = await drizzleKit('push', '--force', '--verbose', '--config', 'app.config.ts');
  assert.match(pushed, /ALTER TABLE `users` MODIFY COLUMN `full_name` varchar\(120\)/);
  assert.match(pushed, /ALTER TABLE `users` ADD `nickname` varchar\(30\) DEFAULT 'none'/);
  assert.match(pushed, /CREATE INDEX `score_idx` ON `posts` \(`score`\)/);
  assert.doesNotMatch(pushed, /PRIMARY KEY|`created_at`|`score` decimal/, 'only the changed parts are altered');
  assert.match(await drizzleKit('push', '--force', '--verbose', '--config', 'app.config.ts'), /No changes detected/);
  await query("INSERT INTO app.users (email) VALUES ('a@example.com')");
  const [nick] = await query("SELECT nickname, active, role FROM app.users WHERE email = 'a@example.com'");
  assert.deepEqual({ ...nick }, { nickname: 'none', active: 1, role: 'user' });

  await drizzleKit('pull', '--config', 'app.config.ts');
  const pulled = readFileSync(join(project, 'pulled/schema.ts'), 'utf8');
  assert.match(pulled, /mysqlTable\("tokens"/);
  assert.match(pulled, /id: varchar\(\{ length: 36 \}\)\.default\(sql`\(uuid\(\)\)`\)\.notNull\(\)/);
  assert.match(pulled, /primaryKey\(\{ columns: \[table\.id\], name: "users_id"\}\)/);
  assert.match(pulled, /references\(\(\) => users\.id, \{ onDelete: "cascade" \} \)/);
  assert.match(pulled, /index\("score_idx"\)\.on\(table\.score\)/);
  assert.match(pulled, /nickname: varchar\(\{ length: 30 \}\)\.default\('none'\)/);
});

test('drizzle-kit generate writes a migration and migrate applies it once to a fresh database', { timeout: 300_000, skip }, async () => {
  writeFileSync(join(project, 'schema.ts'), SCHEMA_V2);
  assert.match(await drizzleKit('generate', '--config', 'fresh.config.ts'), /migration file/);
  await drizzleKit('migrate', '--config', 'fresh.config.ts');
  await drizzleKit('migrate', '--config', 'fresh.config.ts');
  const tables = (await query("SELECT table_name AS t FROM information_schema.tables WHERE table_schema = 'fresh' ORDER BY 1")).map((r) => r.t);
  assert.deepEqual(tables, ['__drizzle_migrations', 'posts', 'tokens', 'users']);
  const [applied] = await query('SELECT COUNT(*) AS n FROM fresh.__drizzle_migrations');
  assert.equal(Number(applied.n), 1, 'the second migrate applied nothing');
  const [fk] = await query("SELECT referenced_table_name AS r FROM information_schema.referential_constraints WHERE constraint_schema = 'fresh'");
  assert.equal(fk.r, 'users');
});
