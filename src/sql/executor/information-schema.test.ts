// information_schema through the SQL engine: its tables answer like any table, it cannot be changed, and its names fold case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbeddedWith, type Embedded } from '../../testing/embedded.js';
import type { KernelSession } from '../../kernel/plugin.js';
import type { StatementResult } from '../../base/result.js';
import type { Row } from '../../base/value.js';
import { SHIPPED_PLUGINS } from '../../plugins/index.js';
import type { AccessRequest, Plugin } from '../../kernel/plugin.js';
import { startServer } from '../../kernel/server.js';
import { silentLogger } from '../../kernel/logger.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let db: Embedded;
let s: KernelSession;

before(async () => {
  ({ db, session: s } = await startEmbeddedWith([
    'CREATE DATABASE app',
    'CREATE TABLE app.users (id INT UNSIGNED AUTO_INCREMENT PRIMARY KEY, email VARCHAR(100) NOT NULL, bio TEXT, score DECIMAL(6,2) DEFAULT 1.50, seen DATETIME(3), kind ENUM(\'a\',\'bb\'), UNIQUE KEY by_email (email)) COMMENT \'people\'',
    'CREATE TABLE app.posts (id BIGINT PRIMARY KEY, user_id INT UNSIGNED NOT NULL, title CHAR(10), KEY by_user (user_id, title))',
    'CREATE VIEW app.emails AS SELECT email FROM app.users',
    'CREATE DATABASE other',
    'CREATE TABLE other.users (x INT)',
    "INSERT INTO app.users (email) VALUES ('a@x'), ('b@x'), ('c@x')",
  ]));
});

after(async () => {
  await db.stop();
});

const rows = (sql: string, session = s): Promise<Row[]> => db.rows(session, sql);

async function columns(sql: string): Promise<string[]> {
  const r = await db.run(s, sql);
  return r.kind === 'rows' ? r.columns.map((c) => c.name) : [];
}

async function fails(sql: string, code: number, message?: RegExp): Promise<void> {
  await assert.rejects(db.run(s, sql), (e: { code?: number; message: string }) => {
    assert.equal(e.code, code, `${sql}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('PLUGINS has MySQL\'s columns and a row for every shipped plugin', async () => {
  assert.deepEqual(await columns('SELECT * FROM information_schema.PLUGINS'), [
    'PLUGIN_NAME', 'PLUGIN_VERSION', 'PLUGIN_STATUS', 'PLUGIN_TYPE', 'PLUGIN_TYPE_VERSION', 'PLUGIN_LIBRARY',
    'PLUGIN_LIBRARY_VERSION', 'PLUGIN_AUTHOR', 'PLUGIN_DESCRIPTION', 'PLUGIN_LICENSE', 'LOAD_OPTION',
  ]);
  const got = await rows('SELECT PLUGIN_NAME, PLUGIN_STATUS, PLUGIN_TYPE FROM information_schema.PLUGINS ORDER BY PLUGIN_NAME');
  assert.deepEqual(got.map((r) => r[0]), SHIPPED_PLUGINS.map((p) => p.manifest.name).sort());
  assert.deepEqual(got.find((r) => r[0] === 'lmdb'), ['lmdb', 'ACTIVE', 'STORAGE']);
  assert.deepEqual(got.find((r) => r[0] === 'auth-file'), ['auth-file', 'DISABLED', 'AUTHENTICATION']);
});

test('names of the schema, its tables and columns fold case', async () => {
  assert.deepEqual(await rows("SELECT COUNT(*) FROM INFORMATION_SCHEMA.plugins WHERE plugin_name = 'lmdb'"), [[1]]);
  assert.deepEqual(await rows("SELECT t.table_name FROM Information_Schema.Tables AS t WHERE t.TABLE_SCHEMA = 'APP' AND t.table_name = 'USERS'"), [['users']]);
});

test('TABLES: base tables with exact row counts, views, system views; WHERE, ORDER BY, OR, IN', async () => {
  assert.deepEqual(await rows("SELECT TABLE_NAME, TABLE_TYPE, ENGINE, TABLE_ROWS, TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app' ORDER BY TABLE_NAME DESC"), [
    ['users', 'BASE TABLE', 'lmdb', 3, 'people'], ['posts', 'BASE TABLE', 'lmdb', 0, ''], ['emails', 'VIEW', null, null, 'VIEW'],
  ]);
  assert.deepEqual(await rows("SELECT TABLE_SCHEMA FROM information_schema.TABLES WHERE TABLE_NAME = 'users' OR TABLE_NAME = 'posts' ORDER BY 1"), [['app'], ['app'], ['other']]);
  assert.deepEqual(await rows("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA IN ('other')"), [['users']]);
  assert.deepEqual(await rows("SELECT TABLE_TYPE FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'PROCESSLIST'"), [['SYSTEM VIEW']]);
});

test('a condition on an outer query\'s column does not narrow the rows built', async () => {
  // `o.TABLE_NAME` belongs to the outer query: the inner TABLES must still list every table.
  const got = await rows("SELECT o.TABLE_NAME, (SELECT COUNT(*) FROM information_schema.TABLES i WHERE i.TABLE_SCHEMA = 'app' AND o.TABLE_NAME = 'users') AS n FROM information_schema.TABLES o WHERE o.TABLE_SCHEMA = 'other'");
  assert.deepEqual(got, [['users', 3]]);
});

test('COLUMNS: positions, types and their measures, keys, defaults, extras', async () => {
  const got = await rows(`SELECT COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, DATA_TYPE, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE,
    DATETIME_PRECISION, COLLATION_NAME, COLUMN_TYPE, COLUMN_KEY, EXTRA FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'users' ORDER BY ORDINAL_POSITION`);
  assert.deepEqual(got, [
    ['id', 1, null, 'NO', 'int', null, 10, 0, null, null, 'int unsigned', 'PRI', 'auto_increment'],
    ['email', 2, null, 'NO', 'varchar', 100, null, null, null, 'utf8mb4_0900_ai_ci', 'varchar(100)', 'UNI', ''],
    ['bio', 3, null, 'YES', 'text', 65535, null, null, null, 'utf8mb4_0900_ai_ci', 'text', '', ''],
    ['score', 4, '1.50', 'YES', 'decimal', null, 6, 2, null, null, 'decimal(6,2)', '', ''],
    ['seen', 5, null, 'YES', 'datetime', null, null, null, 3, null, 'datetime(3)', '', ''],
    ['kind', 6, null, 'YES', 'enum', 2, null, null, null, 'utf8mb4_0900_ai_ci', "enum('a','bb')", '', ''],
  ]);
  // information_schema describes itself too.
  assert.deepEqual(await rows("SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'information_schema' AND TABLE_NAME = 'PROCESSLIST'"), [[8]]);
});

test('STATISTICS lists every index column in order', async () => {
  assert.deepEqual(await rows("SELECT INDEX_NAME, NON_UNIQUE, SEQ_IN_INDEX, COLUMN_NAME FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = 'app' AND TABLE_NAME = 'posts' ORDER BY INDEX_NAME, SEQ_IN_INDEX"), [
    ['by_user', 1, 1, 'user_id'], ['by_user', 1, 2, 'title'], ['PRIMARY', 0, 1, 'id'],
  ]);
});

test('joins, aggregates and subqueries work across information_schema and ordinary tables', async () => {
  assert.deepEqual(await rows(`SELECT t.TABLE_NAME, COUNT(*) AS cols, COUNT(CASE WHEN c.COLUMN_KEY = 'PRI' THEN 1 END) AS pk FROM information_schema.TABLES t
    JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
    WHERE t.TABLE_SCHEMA = 'app' AND t.TABLE_TYPE = 'BASE TABLE' GROUP BY t.TABLE_NAME HAVING cols > 2 ORDER BY cols`), [['posts', 3, 1], ['users', 6, 1]]);
  assert.deepEqual(await rows("SELECT email FROM app.users WHERE 'users' IN (SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'app') ORDER BY email LIMIT 1"), [['a@x']]);
  assert.deepEqual(await rows("SELECT s.SCHEMA_NAME, COUNT(t.TABLE_NAME) FROM information_schema.SCHEMATA s LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME AND t.TABLE_TYPE = 'BASE TABLE' WHERE s.SCHEMA_NAME <> 'information_schema' GROUP BY s.SCHEMA_NAME ORDER BY 1"), [['app', 2], ['other', 1]]);
  await db.run(s, 'CREATE TABLE app.plugin_copy AS SELECT PLUGIN_NAME FROM information_schema.PLUGINS');
  assert.deepEqual(await rows('SELECT COUNT(*) = (SELECT COUNT(*) FROM information_schema.PLUGINS) FROM app.plugin_copy'), [[1]]);
  await db.run(s, 'DROP TABLE app.plugin_copy');
});

test('PROCESSLIST shows the sessions SHOW PROCESSLIST shows, with the full statement', async () => {
  const other = db.session('app');
  try {
    const got = await rows('SELECT ID, USER, DB, COMMAND, INFO FROM information_schema.PROCESSLIST ORDER BY ID');
    const shown = await rows('SHOW FULL PROCESSLIST');
    assert.deepEqual(got.map((r) => r[0]), shown.map((r) => r[0]));
    assert.deepEqual(got.find((r) => r[0] === other.id), [other.id, 'root', 'app', 'Sleep', null]);
    assert.deepEqual(got.find((r) => r[4] !== null)?.[4], 'SELECT ID, USER, DB, COMMAND, INFO FROM information_schema.PROCESSLIST ORDER BY ID');
  } finally {
    other.close();
  }
});

test('USE information_schema, SHOW TABLES, DESCRIBE, COM_FIELD_LIST, and a session opened in it', async () => {
  const is = db.session();
  try {
    await db.run(is, 'USE information_schema');
    assert.equal(is.database, 'information_schema');
    const names = (await rows('SHOW TABLES', is)).map((r) => r[0]);
    for (const t of ['COLUMNS', 'PLUGINS', 'PROCESSLIST', 'SCHEMATA', 'STATISTICS', 'TABLES']) assert.ok(names.includes(t), t);
    assert.deepEqual(await rows("SHOW FULL TABLES FROM information_schema LIKE 'SCHEMA%'"), [['SCHEMATA', 'SYSTEM VIEW'], ['SCHEMA_PRIVILEGES', 'SYSTEM VIEW']]);
    assert.deepEqual((await rows('DESCRIBE schemata', is)).map((r) => r[0]), ['CATALOG_NAME', 'SCHEMA_NAME', 'DEFAULT_CHARACTER_SET_NAME', 'DEFAULT_COLLATION_NAME', 'SQL_PATH', 'DEFAULT_ENCRYPTION']);
    assert.deepEqual((await rows('SHOW COLUMNS FROM PLUGINS FROM information_schema')).length, 11);
    assert.deepEqual(await rows("SELECT SCHEMA_NAME FROM schemata WHERE SCHEMA_NAME = 'app'", is), [['app']]);
    assert.deepEqual(is.listFields('processlist').map((c) => c.name), ['ID', 'USER', 'HOST', 'DB', 'COMMAND', 'TIME', 'STATE', 'INFO']);
    assert.deepEqual((await rows('SHOW DATABASES', is)).map((r) => r[0]), ['app', 'information_schema', 'other']);
  } finally {
    is.close();
  }
  const opened = db.server.kernel.openSession({ user: 'root', host: 'localhost', database: 'INFORMATION_SCHEMA' });
  try {
    assert.deepEqual(await rows("SELECT COUNT(*) FROM tables WHERE table_schema = 'app'", opened), [[3]]);
  } finally {
    opened.close();
  }
});

test('information_schema cannot be changed: 1044, as MySQL answers', async () => {
  const denied = /^Access denied for user 'root'@'localhost' to database 'information_schema'$/;
  for (const sql of [
    "INSERT INTO information_schema.PLUGINS (PLUGIN_NAME) VALUES ('x')",
    "REPLACE INTO information_schema.SCHEMATA (SCHEMA_NAME) VALUES ('x')",
    "UPDATE information_schema.TABLES SET TABLE_NAME = 'x'",
    'DELETE FROM information_schema.PROCESSLIST',
    'TRUNCATE TABLE information_schema.PLUGINS',
    'CREATE TABLE information_schema.mine (a INT)',
    'CREATE TABLE information_schema.mine LIKE app.users',
    'DROP TABLE information_schema.PLUGINS',
    'ALTER TABLE information_schema.PLUGINS ADD COLUMN x INT',
    'CREATE INDEX i ON information_schema.PLUGINS (PLUGIN_NAME)',
    'CREATE VIEW information_schema.v AS SELECT 1',
    'RENAME TABLE app.posts TO information_schema.posts',
    'CREATE DATABASE information_schema',
    'DROP DATABASE INFORMATION_SCHEMA',
  ]) await fails(sql, 1044, denied);
  // Reading it while changing an ordinary table is fine.
  await db.run(s, "INSERT INTO app.posts (id, user_id, title) SELECT 99, 1, LEFT(TABLE_TYPE, 10) FROM information_schema.TABLES WHERE TABLE_NAME = 'users' AND TABLE_SCHEMA = 'app'");
  assert.deepEqual(await rows('SELECT title FROM app.posts WHERE id = 99'), [['BASE TABLE']]);
  await db.run(s, 'DELETE FROM app.posts WHERE id = 99');
});

test('an unknown information_schema table is 1109', async () => {
  await fails('SELECT * FROM information_schema.nothing_here', 1109, /^Unknown table 'NOTHING_HERE' in information_schema$/);
  await fails('DESCRIBE information_schema.nothing_here', 1109);
});

test('a prepared statement with parameters, as ORMs send it', async () => {
  const p = s.prepare('SELECT COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION');
  const r = await s.executePrepared(p.id, ['app', 'posts']);
  assert.equal(r.kind, 'rows');
  if (r.kind === 'rows') assert.deepEqual(r.rows, [['id'], ['user_id'], ['title']]);
  s.closePrepared(p.id);
});

test('with an authorization plugin, information_schema lists only what the user may see, and reading it needs no grant', async () => {
  // A test authorizer: 'guest' may use only schema 'app', and has no PROCESS right.
  const guestRules: Plugin<'authorization'> = {
    manifest: { name: 'guest-rules', kind: 'authorization', version: '0', description: 'test', defaultEnabled: true, options: [] },
    init: () => ({
      authorize: (req: AccessRequest) => req.user !== 'guest' || (req.object !== 'process' && req.name === 'app'),
    }),
  };
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-is-'));
  const server = await startServer({ argv: ['--datadir', datadir], env: {}, cwd: datadir, plugins: [...SHIPPED_PLUGINS, guestRules], log: silentLogger, embedded: true });
  const run = async (session: KernelSession, sql: string): Promise<Row[]> => {
    let out: StatementResult | undefined;
    await session.execute(sql, false, (r) => { out = r; });
    return out?.kind === 'rows' ? out.rows : [];
  };
  try {
    const root = server.kernel.openSession({ user: 'root', host: 'localhost', database: null });
    for (const sql of ['CREATE DATABASE app', 'CREATE DATABASE secret', 'CREATE TABLE app.t (a INT)', 'CREATE TABLE secret.s (b INT)']) await run(root, sql);
    const guest = server.kernel.openSession({ user: 'guest', host: 'localhost', database: null });
    assert.deepEqual(await run(guest, 'SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1'), [['app'], ['information_schema']]);
    assert.deepEqual(await run(guest, "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_TYPE = 'BASE TABLE'"), [['app', 't']]);
    assert.deepEqual(await run(guest, "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'secret'"), [[0]]);
    assert.deepEqual(await run(guest, 'SELECT USER FROM information_schema.PROCESSLIST'), [['guest']]);
    assert.deepEqual((await run(root, 'SELECT USER FROM information_schema.PROCESSLIST ORDER BY ID')).map((r) => r[0]), ['root', 'guest']);
    await run(guest, 'USE information_schema');
    await assert.rejects(run(guest, 'DELETE FROM PLUGINS'), { code: 1044 });
    // Listing what is hidden counts no access denial: only statements refused do.
    assert.equal(server.kernel.counters.accessDenied, 0);
  } finally {
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('an information_schema column selected without an alias is named as the table defines it (MySQL 8, which drizzle-kit reads)', async () => {
  assert.deepEqual(await columns("SELECT table_name, t.table_schema, Table_Rows FROM information_schema.tables t WHERE table_schema = 'app'"), ['TABLE_NAME', 'TABLE_SCHEMA', 'TABLE_ROWS']);
  assert.deepEqual(await columns('SELECT table_name AS table_name, LOWER(table_name), table_name + 0 FROM information_schema.tables LIMIT 1'), ['table_name', 'LOWER(table_name)', 'table_name + 0']);
  assert.deepEqual(await columns('SELECT * FROM (SELECT column_name FROM information_schema.columns) x LIMIT 1'), ['COLUMN_NAME']);
  // Columns of other tables keep the spelling of the query.
  assert.deepEqual(await columns('SELECT EMAIL, Id FROM app.users LIMIT 1'), ['EMAIL', 'Id']);
});
