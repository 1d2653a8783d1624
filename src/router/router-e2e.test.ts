// `mizzle router` end to end: two real shard servers, a topology file and the router; mysql2 and the mariadb CLI through it, each shard checked directly, scatter answers compared with one unsharded server holding the same rows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import mysql from 'mysql2/promise';
import { startShardedKeyspace, type RouterProcess, type ShardedKeyspace } from '../testing/sharded-keyspace.js';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { ResolvedKeyspace } from '../sharding/topology.js';
import { readFileSync } from 'node:fs';
import { refused } from '../testing/assertions.js';

let ks: ShardedKeyspace;
let router: RouterProcess;
let plain: ServerProcess;
let viaRouter: mysql.Connection;
let single: mysql.Connection;
const shardConns = new Map<string, mysql.Connection>();

const DDL = [
  'CREATE TABLE users (id INT PRIMARY KEY, name VARCHAR(40) NOT NULL, city VARCHAR(20), age INT, score DECIMAL(8,2))',
  'CREATE TABLE orders (id INT PRIMARY KEY, user_id INT NOT NULL, amount DECIMAL(10,2) NOT NULL, note VARCHAR(20))',
  'CREATE TABLE countries (code CHAR(2) PRIMARY KEY, name VARCHAR(40))',
];
const CITIES = ['Oslo', 'Lima', 'oslo', 'Kyiv', 'Lima'];
const USERS = Array.from({ length: 40 }, (_, i) => [i + 1, `user${i + 1}`, i % 7 === 3 ? null : CITIES[i % 5], 18 + ((i * 7) % 50), i % 9 === 0 ? null : ((i * 37) % 1000) / 4]);
const ORDERS = Array.from({ length: 60 }, (_, i) => [i + 1, (i % 40) + 1, ((i * 53) % 997) / 4 + 1, i % 4 === 0 ? null : `n${i % 3}`]);

function shardOf(key: number): string {
  const topology = JSON.parse(readFileSync(ks.topologyPath, 'utf8')) as { keyspaces: Record<string, unknown> };
  return new ResolvedKeyspace(topology.keyspaces.app as ConstructorParameters<typeof ResolvedKeyspace>[0]).shardForKey(key).name;
}

async function rows(c: mysql.Connection, sql: string, params?: unknown[]): Promise<unknown[][]> {
  const [r] = await c.query({ sql, rowsAsArray: true }, params);
  return r as unknown[][];
}

before(async () => {
  ks = await startShardedKeyspace('app', { users: { shardKey: 'id' }, orders: { shardKey: 'user_id' }, countries: { reference: true } });
  router = await ks.startRouter();
  plain = await startServerProcess();
  viaRouter = await mysql.createConnection({ host: '127.0.0.1', port: router.port, user: 'root' });
  single = await mysql.createConnection({ host: '127.0.0.1', port: plain.port, user: 'root' });
  for (const s of ks.shards) shardConns.set(s.name, await mysql.createConnection({ host: '127.0.0.1', port: s.server.server.port, user: 'root' }));
});

after(async () => {
  await viaRouter?.end();
  await single?.end();
  for (const c of shardConns.values()) await c.end();
  await ks?.stop();
  await plain?.stop();
  plain?.cleanup();
});

test('DDL through the router reaches every shard', async () => {
  await viaRouter.query('CREATE DATABASE IF NOT EXISTS app');
  await viaRouter.query('USE app');
  for (const d of DDL) await viaRouter.query(d);
  for (const [name, c] of shardConns) {
    const tables = (await rows(c, 'SHOW TABLES FROM app')).map((r) => r[0]).sort();
    assert.deepEqual(tables, ['countries', 'orders', 'users'], `shard ${name}`);
  }
  await single.query('CREATE DATABASE app');
  await single.query('USE app');
  for (const d of DDL) await single.query(d);
});

test('inserts land on the shard of their key, point selects find them', async () => {
  for (const u of USERS) {
    // Without a column list too: the router reads the table's column order from a shard.
    if (Number(u[0]) % 2 === 0) await viaRouter.query('INSERT INTO users VALUES (?, ?, ?, ?, ?)', u);
    else await viaRouter.query('INSERT INTO users (id, name, city, age, score) VALUES (?, ?, ?, ?, ?)', u);
    await single.query('INSERT INTO users (id, name, city, age, score) VALUES (?, ?, ?, ?, ?)', u);
  }
  // Prepared statements (COM_STMT_EXECUTE) route by their parameters too.
  for (const o of ORDERS) {
    await viaRouter.execute('INSERT INTO orders (id, user_id, amount, note) VALUES (?, ?, ?, ?)', o);
    await single.query('INSERT INTO orders (id, user_id, amount, note) VALUES (?, ?, ?, ?)', o);
  }
  for (const [name, c] of shardConns) {
    const ids = (await rows(c, 'SELECT id FROM app.users ORDER BY id')).map((r) => Number(r[0]));
    const expected = USERS.map((u) => Number(u[0])).filter((id) => shardOf(id) === name);
    assert.deepEqual(ids, expected, `users on shard ${name}`);
    assert.ok(ids.length > 5, `shard ${name} holds a fair part of the users`);
    const orderUsers = (await rows(c, 'SELECT user_id FROM app.orders')).map((r) => Number(r[0]));
    assert.ok(orderUsers.every((u) => shardOf(u) === name), `orders on shard ${name} belong to its users`);
  }
  assert.deepEqual(await rows(viaRouter, 'SELECT id, name, city FROM users WHERE id = 7'), [[7, 'user7', CITIES[6 % 5]]]);
  const [prepared] = await viaRouter.execute('SELECT name FROM users WHERE id = ?', [12]);
  assert.deepEqual(prepared, [{ name: 'user12' }]);
  assert.deepEqual(await rows(viaRouter, 'SELECT COUNT(*) FROM orders WHERE user_id = 5'), await rows(single, 'SELECT COUNT(*) FROM orders WHERE user_id = 5'));
  // An IN list over keys of both shards reads just those rows.
  assert.deepEqual(await rows(viaRouter, 'SELECT id FROM users WHERE id IN (1, 2, 3, 4, 5, 6) ORDER BY id'), [[1], [2], [3], [4], [5], [6]]);
});

const SCATTER = [
  'SELECT id, name FROM users ORDER BY id',
  'SELECT id, name FROM users ORDER BY age DESC, id LIMIT 5',
  'SELECT id FROM users ORDER BY name LIMIT 4 OFFSET 10',
  'SELECT id, age FROM users ORDER BY age, id LIMIT 3, 6',
  'SELECT name FROM users WHERE age > 40 ORDER BY score DESC, id',
  'SELECT * FROM users ORDER BY id DESC LIMIT 3',
  'SELECT COUNT(*), SUM(age), MIN(age), MAX(age), AVG(age) FROM users',
  'SELECT COUNT(score), SUM(score), AVG(score), MIN(name), MAX(city) FROM users',
  'SELECT COUNT(*), SUM(amount), AVG(amount) FROM orders WHERE amount > 1000000',
  'SELECT city, COUNT(*), SUM(age), AVG(age) FROM users GROUP BY city ORDER BY city',
  'SELECT city, COUNT(*) AS n FROM users GROUP BY city ORDER BY n DESC, city LIMIT 2',
  'SELECT note, COUNT(*), MIN(amount), MAX(amount), SUM(amount) FROM orders GROUP BY note ORDER BY 1',
  'SELECT user_id, SUM(amount) FROM orders GROUP BY user_id ORDER BY SUM(amount) DESC, user_id LIMIT 5',
  'SELECT DISTINCT city FROM users ORDER BY city',
  'SELECT DISTINCT note FROM orders ORDER BY note LIMIT 2',
  'SELECT COUNT(*) FROM users WHERE id IN (1, 2, 3, 4, 5, 6)',
  'SELECT city, COUNT(*) FROM users GROUP BY city HAVING COUNT(*) > 7 ORDER BY city',
  'SELECT city, AVG(age) AS a FROM users GROUP BY city HAVING a BETWEEN 30 AND 50 OR city IS NULL ORDER BY a',
  'SELECT user_id FROM orders GROUP BY user_id HAVING SUM(amount) >= 300 AND NOT MAX(amount) < 200 ORDER BY user_id',
];

test('scatter queries answer exactly what one unsharded server answers', async () => {
  for (const sql of SCATTER) {
    const want = await rows(single, sql);
    const got = await rows(viaRouter, sql);
    assert.deepEqual(got, want, sql);
  }
  const [fields] = [(await viaRouter.query('SELECT city, COUNT(*) AS n FROM users GROUP BY city ORDER BY city'))[1]];
  assert.deepEqual(fields.map((f) => f.name), ['city', 'n']);
});

test('reference tables: reads from one shard, writes refused as multi-shard writes', async () => {
  for (const c of shardConns.values()) await c.query("INSERT INTO app.countries VALUES ('NO', 'Norway'), ('PE', 'Peru')");
  assert.deepEqual(await rows(viaRouter, 'SELECT name FROM countries ORDER BY code'), [['Norway'], ['Peru']]);
  await refused(viaRouter.query("INSERT INTO countries VALUES ('UA', 'Ukraine')"), 1235, '42000', /multi-shard writes.*--reference-writes/);
  await refused(viaRouter.query("UPDATE countries SET name = 'x'"), 1235, '42000', /multi-shard writes/);
});

test('--reference-writes copies a reference-table write to every shard; in a transaction or mixed with other tables it is still refused', async () => {
  const copying = await ks.startRouter(['--reference-writes']);
  const c = await mysql.createConnection({ host: '127.0.0.1', port: copying.port, user: 'root', database: 'app' });
  try {
    await c.query("INSERT INTO countries VALUES ('UA', 'Ukraine')");
    await c.query("UPDATE countries SET name = 'Perú' WHERE code = 'PE'");
    for (const [name, shard] of shardConns) {
      assert.deepEqual(await rows(shard, "SELECT code, name FROM app.countries WHERE code IN ('PE', 'UA') ORDER BY code"), [['PE', 'Perú'], ['UA', 'Ukraine']], `shard ${name}`);
    }
    await refused(c.query("INSERT INTO countries SELECT 'ZZ', name FROM users WHERE id = 1"), 1235, '42000', /also touches other tables/);
    await c.query('BEGIN');
    await refused(c.query("DELETE FROM countries WHERE code = 'UA'"), 1235, '42000', /reference-table write inside a transaction/);
    await c.query('ROLLBACK');
    await c.query("DELETE FROM countries WHERE code = 'UA'");
    for (const [name, shard] of shardConns) assert.deepEqual(await rows(shard, "SELECT COUNT(*) FROM app.countries WHERE code = 'UA'"), [[0]], `shard ${name}`);
  } finally {
    await c.end();
  }
});

test('multi-shard writes are refused with 1235; one-shard multi-row inserts run', async () => {
  const a = 1001;
  let b = 1002;
  while (shardOf(b) === shardOf(a)) b++;
  await refused(viaRouter.query(`INSERT INTO users (id, name) VALUES (${a}, 'a'), (${b}, 'b')`), 1235, '42000', /multi-shard writes/);
  await refused(viaRouter.query('UPDATE users SET age = age + 1'), 1235, '42000', /multi-shard writes/);
  await refused(viaRouter.query('DELETE FROM orders WHERE amount > 0'), 1235, '42000', /multi-shard writes/);
  await refused(viaRouter.query('UPDATE users SET id = 5000 WHERE id = 1'), 1235, '42000', /shard key/);
  await refused(viaRouter.query("INSERT INTO users (name) VALUES ('nokey')"), 1235, '42000', /shard key/);
  let c = a + 1;
  while (shardOf(c) !== shardOf(a) || c === b) c++;
  await viaRouter.query(`INSERT INTO users (id, name) VALUES (${a}, 'a'), (${c}, 'c')`);
  assert.deepEqual(await rows(viaRouter, `SELECT COUNT(*) FROM users WHERE id IN (${a}, ${c})`), [[2]]);
  await viaRouter.query(`DELETE FROM users WHERE id IN (${a}, ${c})`);
  assert.deepEqual(await rows(viaRouter, 'SELECT COUNT(*) FROM users'), [[USERS.length]]);
  // Nothing of the refused statements reached any shard.
  const onShards = await Promise.all([...shardConns.values()].map((s) => rows(s, 'SELECT COUNT(*) FROM app.users WHERE id >= 1000')));
  assert.deepEqual(onShards, [[[0]], [[0]]]);
});

test('a transaction is pinned to the first shard it touches', async () => {
  const a = 2001;
  let b = 2002;
  while (shardOf(b) === shardOf(a)) b++;
  await viaRouter.query('BEGIN');
  await viaRouter.query(`INSERT INTO users (id, name) VALUES (${a}, 'tx')`);
  assert.deepEqual(await rows(viaRouter, `SELECT name FROM users WHERE id = ${a}`), [['tx']]);
  await refused(viaRouter.query(`INSERT INTO users (id, name) VALUES (${b}, 'other')`), 1235, '42000', /pinned to shard/);
  await refused(viaRouter.query('SELECT COUNT(*) FROM users'), 1235, '42000', /transaction/);
  await viaRouter.query('ROLLBACK');
  assert.deepEqual(await rows(viaRouter, `SELECT COUNT(*) FROM users WHERE id IN (${a}, ${b})`), [[0]]);
  await viaRouter.query('START TRANSACTION');
  await viaRouter.query(`INSERT INTO users (id, name) VALUES (${a}, 'kept')`);
  await viaRouter.query(`UPDATE users SET age = 99 WHERE id = ${a}`);
  await viaRouter.query('COMMIT');
  assert.deepEqual(await rows(shardConns.get(shardOf(a)) as mysql.Connection, `SELECT name, age FROM app.users WHERE id = ${a}`), [['kept', 99]]);
  await viaRouter.query(`DELETE FROM users WHERE id = ${a}`);
});

test('session statements drivers send are answered', async () => {
  const [v] = await viaRouter.query('SELECT @@version AS v, DATABASE() AS db');
  assert.match(String((v as { v: string }[])[0].v), /mizzle/);
  assert.equal((v as { db: string }[])[0].db, 'app');
  await viaRouter.query("SET NAMES utf8mb4");
  await viaRouter.query("SET SESSION sql_mode = 'STRICT_TRANS_TABLES'");
  const tables = (await rows(viaRouter, 'SHOW TABLES')).map((r) => r[0]).sort();
  assert.deepEqual(tables, ['countries', 'orders', 'users']);
  assert.match(String((await rows(viaRouter, 'SHOW CREATE TABLE users'))[0][1]), /CREATE TABLE `users`/);
  assert.deepEqual((await rows(viaRouter, 'DESCRIBE orders')).map((r) => r[0]), ['id', 'user_id', 'amount', 'note']);
  assert.ok((await rows(viaRouter, 'EXPLAIN SELECT * FROM users WHERE id = 3')).length > 0);
  await refused(viaRouter.query('USE other'), 1049, '42000');
  await refused(viaRouter.query('SET autocommit = 0'), 1235, '42000', /autocommit/);
  await refused(viaRouter.query('SELECT COUNT(*) FROM users u JOIN orders o ON o.user_id = u.id'), 1235, '42000', /joins across shards/);
  await refused(viaRouter.query('SELECT city, COUNT(*) FROM users GROUP BY city HAVING COUNT(*) + 1 > 2'), 1235, '42000', /HAVING/);
  await refused(viaRouter.query('SELECT COUNT(DISTINCT city) FROM users'), 1235, '42000', /DISTINCT/);
  await refused(viaRouter.query('SELECT SUM(age) / COUNT(*) FROM users'), 1235, '42000', /over aggregates/);
  await refused(viaRouter.query('SELECT GROUP_CONCAT(name) FROM users'), 1235, '42000', /GROUP_CONCAT/);
  await refused(viaRouter.query('SELECT id FROM users WHERE id IN (SELECT user_id FROM orders)'), 1235, '42000', /subqueries/);
  // A join pinned to one shard by both keys runs there.
  assert.deepEqual(await rows(viaRouter, 'SELECT COUNT(*) FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id = 5 AND o.user_id = 5'), await rows(single, 'SELECT COUNT(*) FROM users u JOIN orders o ON o.user_id = u.id WHERE u.id = 5 AND o.user_id = 5'));
});

test('--no-scatter refuses queries that do not pin the shard key (here with mysql:// backends)', async () => {
  const strict = await ks.startRouter(['--no-scatter', '--backend-protocol', 'mysql']);
  const c = await mysql.createConnection({ host: '127.0.0.1', port: strict.port, user: 'root', database: 'app' });
  try {
    await refused(c.query('SELECT COUNT(*) FROM users'), 1235, '42000', /--no-scatter/);
    assert.deepEqual(await rows(c, 'SELECT name FROM users WHERE id = 3'), [['user3']]);
    assert.deepEqual(await rows(c, 'SELECT id, name FROM users WHERE id IN (3, 4) ORDER BY id'), [[3, 'user3'], [4, 'user4']]);
  } finally {
    await c.end();
  }
});

test('--scatter-rows-max: a scatter query whose shards answer more rows is refused with 1235 and their reads stopped; the connection goes on', async () => {
  const capped = await ks.startRouter(['--scatter-rows-max', '30']);
  const c = await mysql.createConnection({ host: '127.0.0.1', port: capped.port, user: 'root', database: 'app' });
  try {
    // 40 users over two shards: more than 30 together, though each shard alone answers fewer.
    await refused(c.query('SELECT id, name FROM users'), 1235, '42000', /scatter queries whose shards answer more than 30 rows together \(add a LIMIT or pin the shard key\)/);
    assert.deepEqual(await rows(c, 'SELECT COUNT(*) FROM users'), [[40]]);
    assert.deepEqual(await rows(c, 'SELECT id FROM users ORDER BY id LIMIT 3'), [[1], [2], [3]]);
    await refused(c.query('SELECT name FROM users ORDER BY name'), 1235, '42000', /more than 30 rows/);
    assert.deepEqual(await rows(c, 'SELECT name FROM users WHERE id = 7'), [['user7']]);
  } finally {
    await c.end();
  }
});

test('with MIZZLE_ROUTER_PASSWORD set, clients log in as --user with that password', async () => {
  const guarded = await ks.startRouter(['--user', 'app_user'], { MIZZLE_ROUTER_PASSWORD: 's3cret' });
  const c = await mysql.createConnection({ host: '127.0.0.1', port: guarded.port, user: 'app_user', password: 's3cret', database: 'app' });
  try {
    assert.deepEqual(await rows(c, 'SELECT name FROM users WHERE id = 2'), [['user2']]);
  } finally {
    await c.end();
  }
  await refused(mysql.createConnection({ host: '127.0.0.1', port: guarded.port, user: 'app_user', password: 'wrong' }), 1045, '28000');
  await refused(mysql.createConnection({ host: '127.0.0.1', port: guarded.port, user: 'root', password: 's3cret' }), 1045, '28000');
});

test('SHOW WARNINGS asks the shard that ran the last statement', async () => {
  const key = USERS.map((u) => Number(u[0])).find((id) => shardOf(id) !== ks.shards[0].name) as number;
  const [, fields] = await viaRouter.query(`SELECT name FROM users WHERE id = ${key} AND CAST('12abc' AS SIGNED) = 12`);
  assert.ok(fields.length === 1);
  const warnings = await rows(viaRouter, 'SHOW WARNINGS');
  assert.equal(warnings.length, 1);
  assert.match(String(warnings[0][2]), /12abc/);
  const [ok] = await viaRouter.query(`UPDATE users SET age = age WHERE id = ${key} AND CAST('7x' AS SIGNED) = 7`);
  assert.equal((ok as { warningStatus: number }).warningStatus, 1, 'the OK packet carries the shard\'s warning count');
});

test('the mariadb command-line client works through the router', { skip: !commandExists('mariadb') }, () => {
  const out = execFileSync('mariadb', ['-h', '127.0.0.1', '-P', String(router.port), '-u', 'root', '--skip-ssl', '-N', '-B', 'app', '-e', 'SELECT COUNT(*), SUM(age) FROM users; SELECT name FROM users WHERE id = 9'], { encoding: 'utf8' });
  const total = USERS.reduce((s, u) => s + Number(u[3]), 0);
  assert.equal(out.trim(), `${USERS.length}\t${total}\nuser9`);
});

function commandExists(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
