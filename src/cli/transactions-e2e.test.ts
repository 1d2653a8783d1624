// Transactions over the wire with mysql2: status flags, isolation levels, savepoints, lock waits, timeouts, deadlocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;
const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'tx' });
const one = async (c: mysql.Connection, sql: string): Promise<unknown> => {
  const [rows] = await c.query({ sql, rowsAsArray: true });
  return (rows as unknown[][])[0]?.[0];
};

before(async () => {
  server = await startServerProcess();
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE tx');
  await c.query('CREATE TABLE tx.t (id INT PRIMARY KEY, n INT)');
  await c.query('INSERT INTO tx.t VALUES (1, 0), (2, 0)');
  await c.end();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

test('@@in_transaction and @@autocommit follow BEGIN, COMMIT and autocommit=0', async () => {
  const c = await connect();
  assert.equal(await one(c, 'SELECT @@in_transaction'), 0);
  await c.query('BEGIN');
  assert.equal(await one(c, 'SELECT @@in_transaction'), 1);
  await c.query('COMMIT');
  await c.query('SET autocommit = 0');
  await c.query('SELECT 1 FROM t');
  assert.equal(await one(c, 'SELECT @@in_transaction'), 1);
  assert.equal(await one(c, 'SELECT @@autocommit'), 0);
  await c.query('ROLLBACK');
  await c.end();
});

test('each isolation level over the wire', async () => {
  const a = await connect();
  const b = await connect();
  try {
    for (const [level, seesNew] of [['REPEATABLE READ', false], ['READ COMMITTED', true], ['SERIALIZABLE', false]] as const) {
      await b.query(`SET SESSION TRANSACTION ISOLATION LEVEL ${level}`);
      assert.equal(await one(b, 'SELECT @@transaction_isolation'), level.replace(' ', '-'));
      await b.query('START TRANSACTION');
      const before = Number(await one(b, 'SELECT n FROM t WHERE id = 2'));
      if (level === 'SERIALIZABLE') {
        // b's read took a shared lock: a's write must wait; let it time out.
        await a.query('SET innodb_lock_wait_timeout = 1');
        await assert.rejects(a.query('UPDATE t SET n = n + 1 WHERE id = 2'), (e: { errno: number }) => e.errno === 1205);
        await b.query('COMMIT');
        continue;
      }
      await a.query('UPDATE t SET n = n + 1 WHERE id = 2');
      const afterCommit = Number(await one(b, 'SELECT n FROM t WHERE id = 2'));
      assert.equal(afterCommit, seesNew ? before + 1 : before, level);
      await b.query('COMMIT');
    }
  } finally {
    await a.end();
    await b.end();
  }
});

test('savepoints, a lock wait that succeeds, and a deadlock victim over the wire', async () => {
  const a = await connect();
  const b = await connect();
  try {
    await a.query('BEGIN');
    await a.query('UPDATE t SET n = 10 WHERE id = 1');
    await a.query('SAVEPOINT sp');
    await a.query('UPDATE t SET n = 20 WHERE id = 1');
    await a.query('ROLLBACK TO SAVEPOINT sp');
    const waiting = b.query('UPDATE t SET n = n + 1 WHERE id = 1');
    await new Promise((r) => setTimeout(r, 50));
    await a.query('COMMIT');
    await waiting;
    assert.equal(Number(await one(a, 'SELECT n FROM t WHERE id = 1')), 11);

    await a.query('BEGIN');
    await b.query('BEGIN');
    await a.query('UPDATE t SET n = 1 WHERE id = 1');
    await b.query('UPDATE t SET n = 2 WHERE id = 2');
    const aWaits = a.query('UPDATE t SET n = 1 WHERE id = 2');
    await new Promise((r) => setTimeout(r, 30));
    await assert.rejects(b.query('UPDATE t SET n = 2 WHERE id = 1'), (e: { errno: number; sqlState: string }) => e.errno === 1213 && e.sqlState === '40001');
    assert.equal(await one(b, 'SELECT @@in_transaction'), 0, 'the victim was rolled back');
    await aWaits;
    await a.query('COMMIT');
  } finally {
    await a.end();
    await b.end();
  }
});

test('no lost updates over the wire: two sessions each increment 1000 times and the count is 2000', async () => {
  const setup = await connect();
  await setup.query('CREATE TABLE counter (id INT PRIMARY KEY, n INT)');
  await setup.query('INSERT INTO counter VALUES (1, 0)');
  await setup.end();
  const bump = async () => {
    const c = await connect();
    for (let i = 0; i < 1000; i++) await c.query('UPDATE counter SET n = n + 1 WHERE id = 1');
    await c.end();
  };
  await Promise.all([bump(), bump()]);
  const c = await connect();
  assert.equal(Number(await one(c, 'SELECT n FROM counter WHERE id = 1')), 2000);
  await c.end();
});
