// The mysql:// transport keeps prepared statements per session: a repeated execute prepares once (the server's
// Com_stmt_* counters show it), and the kept statements stay right after DDL and after USE.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from '../index.js';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';

let server: ServerProcess;
before(async () => {
  server = await startServerProcess();
});
after(async () => {
  await server.stop();
  server.cleanup();
});

test('execute prepares a statement once per session and reuses it; DDL and USE do not leave it stale', async () => {
  const client = connect(`mysql://root@127.0.0.1:${server.port}/`);
  const s = await client.reserve();
  try {
    const counters = async (): Promise<Record<string, number>> => {
      const r = await s.query("SHOW GLOBAL STATUS LIKE 'Com_stmt_%'");
      return Object.fromEntries(r.rows.map((row) => [String(row[0]), Number(row[1])]));
    };
    await s.query('CREATE DATABASE a');
    await s.query('CREATE DATABASE b');
    await s.query('CREATE TABLE a.t (id INT PRIMARY KEY, v INT)');
    await s.query('CREATE TABLE b.t (id INT PRIMARY KEY, w VARCHAR(5))');
    await s.query('INSERT INTO a.t VALUES (1, 10), (2, 20)');
    await s.query("INSERT INTO b.t VALUES (1, 'bee')");
    await s.query('USE a');
    const before = await counters();
    for (let i = 0; i < 50; i++) assert.deepEqual((await s.execute('SELECT v FROM t WHERE id = ?', [1 + (i % 2)])).rows, [[10 * (1 + (i % 2))]]);
    const after = await counters();
    assert.equal(after.Com_stmt_prepare! - before.Com_stmt_prepare!, 1, 'prepared once');
    assert.equal(after.Com_stmt_execute! - before.Com_stmt_execute!, 50);
    assert.equal(after.Com_stmt_close! - before.Com_stmt_close!, 0);

    await s.query('ALTER TABLE t ADD COLUMN extra INT DEFAULT 7');
    const altered = await s.execute('SELECT * FROM t WHERE id = ?', [1]);
    assert.deepEqual([altered.columns.map((c) => c.name), altered.rows], [['id', 'v', 'extra'], [[1, 10, 7]]]);
    // After USE the same text means b.t: it is prepared again there.
    await s.query('USE b');
    const other = await s.execute('SELECT * FROM t WHERE id = ?', [1]);
    assert.deepEqual([other.columns.map((c) => c.name), other.rows], [['id', 'w'], [[1, 'bee']]]);
  } finally {
    await s.release();
    await client.close();
  }
});
