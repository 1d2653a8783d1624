// The bank test: concurrent transfers keep the total constant at every read, with deadlocks detected and retried.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess } from '../testing/server-process.js';

const ACCOUNTS = 10;
const START_BALANCE = 1000;
const WRITERS = 8;
const TRANSFERS_PER_WRITER = 120;
const READERS = 2;

test('bank: transfers in transactions keep the total, readers always see it whole', { timeout: 300_000 }, async () => {
  const server = await startServerProcess();
  const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'bank' });
  try {
    const setup = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
    await setup.query('CREATE DATABASE bank');
    await setup.query('CREATE TABLE bank.acct (id INT PRIMARY KEY, bal INT NOT NULL)');
    const values = Array.from({ length: ACCOUNTS }, (_, i) => `(${i + 1}, ${START_BALANCE})`).join(',');
    await setup.query(`INSERT INTO bank.acct VALUES ${values}`);
    await setup.end();
    const total = ACCOUNTS * START_BALANCE;
    const retried = { deadlock: 0, timeout: 0 };
    let committed = 0;
    let done = false;

    const transferLoop = async (seed: number) => {
      const c = await connect();
      await c.query('SET innodb_lock_wait_timeout = 5');
      let x = seed;
      const next = () => (x = (x * 1103515245 + 12345) % 2147483648);
      for (let i = 0; i < TRANSFERS_PER_WRITER; ) {
        const from = (next() % ACCOUNTS) + 1;
        const to = (next() % ACCOUNTS) + 1;
        const amount = next() % 50;
        if (from === to) continue;
        try {
          await c.query('BEGIN');
          await c.query('UPDATE acct SET bal = bal - ? WHERE id = ?', [amount, from]);
          await c.query('UPDATE acct SET bal = bal + ? WHERE id = ?', [amount, to]);
          await c.query('COMMIT');
          committed++;
          i++;
        } catch (e) {
          const errno = (e as { errno?: number }).errno;
          if (errno === 1213) retried.deadlock++;
          else if (errno === 1205) retried.timeout++;
          else throw e;
          await c.query('ROLLBACK');
        }
      }
      await c.end();
    };

    const readerLoop = async () => {
      const c = await connect();
      let reads = 0;
      while (!done) {
        await c.query('BEGIN');
        const [[r]] = (await c.query('SELECT SUM(bal) AS s, COUNT(*) AS n FROM acct')) as [mysql.RowDataPacket[], unknown];
        const [rows] = await c.query('SELECT bal FROM acct');
        await c.query('COMMIT');
        assert.equal(Number(r.s), total, 'the total inside one transaction');
        assert.equal((rows as mysql.RowDataPacket[]).reduce((s, x) => s + Number(x.bal), 0), total, 'a second read in the same snapshot agrees');
        reads++;
      }
      await c.end();
      return reads;
    };

    const readers = Array.from({ length: READERS }, () => readerLoop());
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => transferLoop(w * 7919 + 1)));
    done = true;
    const reads = await Promise.all(readers);
    const check = await connect();
    const [[end]] = (await check.query('SELECT SUM(bal) AS s FROM acct')) as [mysql.RowDataPacket[], unknown];
    await check.end();
    assert.equal(Number(end.s), total);
    assert.equal(committed, WRITERS * TRANSFERS_PER_WRITER);
    assert.ok(reads.every((n) => n > 0), 'readers ran while writers did');
    process.stdout.write(`# bank: ${committed} transfers, ${retried.deadlock} deadlocks and ${retried.timeout} lock timeouts retried, ${reads.reduce((a, b) => a + b, 0)} consistent reads\n`);
  } finally {
    await server.stop();
    server.cleanup();
  }
});
