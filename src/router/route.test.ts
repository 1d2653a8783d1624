// Routing decisions on a two-shard keyspace, without servers: what pins a shard, what scatters, what goes everywhere, what is refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../sql/parser/index.js';
import { ResolvedKeyspace } from '../sharding/topology.js';
import { route } from './route.js';
import { planScatter } from './scatter.js';

const ks = new ResolvedKeyspace({
  name: 'app',
  sharding: { function: 'hash' },
  tables: { users: { shardKey: 'id' }, orders: { shardKey: 'user_id' }, countries: { reference: true } },
  shards: [
    { name: '-80', primary: { host: 'a', port: 1 }, replicas: [], state: 'serving' },
    { name: '80-', primary: { host: 'b', port: 2 }, replicas: [], state: 'serving' },
  ],
});

const r = (sql: string) => route(ks, parse(sql));
const shardOf = (k: number) => ks.shardForKey(k).name;
/** Two keys on different shards. */
const [a, b] = (() => {
  let y = 2;
  while (shardOf(y) === shardOf(1)) y++;
  return [1, y];
})();

test('the shard key pins a statement to its shard', () => {
  for (const sql of [`SELECT * FROM users WHERE id = ${a}`, `SELECT * FROM users u WHERE name = 'x' AND u.id = '${a}'`, `UPDATE users SET name = 'x' WHERE id = ${a}`, `DELETE FROM orders WHERE user_id = ${a}`, `INSERT INTO users (id, name) VALUES (${a}, 'x')`, `INSERT INTO users SET name = 'x', id = ${a}`]) {
    const got = r(sql);
    assert.equal(got.kind, 'shard', sql);
    assert.equal(got.kind === 'shard' ? got.shard.name : '', shardOf(a), sql);
  }
  assert.equal(shardOf(42), ks.shardForKey('42').name, 'a key as text routes as the number');
});

test('reads that do not pin the key scatter; IN lists scatter to their shards only', () => {
  assert.equal(r('SELECT COUNT(*) FROM users').kind, 'scatter');
  assert.equal(r(`SELECT * FROM users WHERE id = ${a} OR id = ${b}`).kind, 'scatter');
  const inList = r(`SELECT * FROM users WHERE id IN (${a}, ${b})`);
  assert.equal(inList.kind === 'scatter' ? inList.shards?.length : -1, 2);
  const oneShard = r(`SELECT * FROM users WHERE id IN (${a}, ${a})`);
  assert.equal(oneShard.kind, 'shard');
});

test('with referenceWrites, a write to reference tables alone goes to every shard; one that also touches a sharded table is refused', () => {
  const copy = { referenceWrites: true };
  assert.deepEqual(route(ks, parse("INSERT INTO countries VALUES ('x')"), copy), { kind: 'every', what: 'reference-table write' });
  assert.deepEqual(route(ks, parse("UPDATE countries SET name = 'y' WHERE code = 'x'"), copy), { kind: 'every', what: 'reference-table write' });
  assert.throws(() => route(ks, parse("INSERT INTO countries SELECT name, name FROM users WHERE id = 1"), copy), /also touches other tables/);
  assert.deepEqual(route(ks, parse('CREATE TABLE t (id INT)')), { kind: 'every', what: 'DDL' });
});

test('DDL goes to every shard; reference reads to any one; undeclared tables to the first shard', () => {
  assert.equal(r('CREATE TABLE t (x INT)').kind, 'every');
  assert.equal(r('ALTER TABLE users ADD COLUMN z INT').kind, 'every');
  assert.equal(r('CREATE DATABASE app').kind, 'every');
  assert.equal(r('SELECT * FROM countries').kind, 'any');
  const un = r('INSERT INTO misc VALUES (1)');
  assert.equal(un.kind === 'shard' ? un.shard.name : '', '-80');
  assert.equal(r('SELECT 1').kind, 'any');
});

test('multi-shard writes and what cannot be merged are refused with 1235', () => {
  const refusals: [string, RegExp][] = [
    [`INSERT INTO users (id) VALUES (${a}), (${b})`, /multi-shard writes/],
    ['UPDATE users SET name = 1', /multi-shard writes/],
    ["INSERT INTO countries VALUES ('x')", /reference table/],
    ['UPDATE users SET id = 3 WHERE id = 1', /shard key/],
    ['INSERT INTO users (id) SELECT 1', /INSERT \.\.\. SELECT/],
    ['SELECT * FROM users JOIN orders ON users.id = orders.user_id', /joins across shards/],
    ['SELECT * FROM users WHERE id IN (SELECT user_id FROM orders)', /subqueries/],
    ['CREATE DATABASE other', /databases other than/],
  ];
  for (const [sql, message] of refusals) assert.throws(() => r(sql), (e: Error & { code?: number }) => e.code === 1235 && message.test(e.message), sql);
});

test('scatter plans: LIMIT widened per shard, AVG split into SUM and COUNT, groups by position', () => {
  const sql1 = 'SELECT id FROM users ORDER BY name LIMIT 5 OFFSET 10';
  assert.equal(planScatter(parse(sql1) as never, sql1).sql, 'SELECT id, `name` AS `__mizzle_order_0` FROM users ORDER BY name LIMIT 15');
  const sql2 = 'SELECT city, AVG(age) FROM users GROUP BY city';
  assert.equal(planScatter(parse(sql2) as never, sql2).sql, 'SELECT `city` AS `__mizzle_0`, SUM(`age`) AS `__mizzle_1`, COUNT(`age`) AS `__mizzle_2` FROM users GROUP BY 1');
});

test('a statement pinned by key carries one of its keys (for the frame header); one that also reads an unsharded table carries none', () => {
  const key = (sql: string) => {
    const got = r(sql);
    return got.kind === 'shard' && got.key !== undefined ? String(got.key) : undefined;
  };
  assert.equal(key(`SELECT * FROM users WHERE id = ${a}`), String(a));
  assert.equal(key(`INSERT INTO users (id, name) VALUES (${a}, 'x')`), String(a));
  assert.equal(key(`UPDATE users SET name = 'y' WHERE id = ${b}`), String(b));
  assert.equal(key(`EXPLAIN SELECT * FROM users WHERE id = ${b}`), String(b));
  assert.equal(key(`SELECT * FROM users u JOIN settings s ON s.id = 1 WHERE u.id = ${a}`), undefined);
  assert.equal(key('SELECT * FROM settings'), undefined);
});
