// A long recursive CTE and a big window computation pause like other queries: KILL QUERY and max_execution_time stop them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

let server: ServerProcess;
const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'heavy' });
const errno = (e: unknown): number | undefined => (e as { errno?: number }).errno;

/** Millions of one-row rounds: many seconds of work (the depth limit is raised in the session first). */
const LONG_RECURSION = 'WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3000000) SELECT COUNT(*) FROM r';
/** 180,000 joined rows, each summing a sliding frame of 2001 rows: hundreds of millions of additions. */
const BIG_WINDOW = 'SELECT COUNT(*) FROM (SELECT SUM(a.v) OVER (ORDER BY a.id, b.id ROWS BETWEEN 1000 PRECEDING AND 1000 FOLLOWING) AS w FROM t a JOIN t b ON a.v = b.v) x';

before(async () => {
  server = await startServerProcess({ args: ['--max-execution-time=0'] });
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root' });
  await c.query('CREATE DATABASE heavy');
  await c.query('CREATE TABLE heavy.t (id INT PRIMARY KEY, v INT)');
  await c.query('INSERT INTO heavy.t VALUES ' + Array.from({ length: 3000 }, (_, i) => `(${i}, ${i % 50})`).join(','));
  await c.end();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

for (const [kind, sql] of [['recursive CTE', LONG_RECURSION], ['window computation', BIG_WINDOW]] as const) {
  test(`KILL QUERY stops a long ${kind} within the bound; the session goes on`, async () => {
    const victim = await connect();
    const killer = await connect();
    await victim.query('SET cte_max_recursion_depth = 4294967295');
    const [[[id]]] = (await victim.query({ sql: 'SELECT CONNECTION_ID()', rowsAsArray: true })) as unknown as [[[number]]];
    const result = victim.query(sql).then(() => ({ code: 0, at: Date.now() }), (e: unknown) => ({ code: errno(e), at: Date.now() }));
    await new Promise((r) => setTimeout(r, 300));
    // The statement is still running (it would take seconds), so the KILL really interrupts it.
    const killedAt = Date.now();
    await killer.query(`KILL QUERY ${id}`);
    const { code, at } = await result;
    assert.equal(code, 1317);
    assert.ok(at - killedAt < 300, `stopped ${at - killedAt} ms after KILL QUERY`);
    const [[[one]]] = (await victim.query({ sql: 'SELECT 1', rowsAsArray: true })) as unknown as [[[number]]];
    assert.equal(one, 1);
    await Promise.all([victim.end(), killer.end()]);
  });

  test(`max_execution_time stops a long ${kind} at its deadline`, async () => {
    const c = await connect();
    await c.query('SET cte_max_recursion_depth = 4294967295');
    await c.query('SET max_execution_time = 200');
    const t0 = Date.now();
    await assert.rejects(c.query(sql), (e) => errno(e) === 3024);
    assert.ok(Date.now() - t0 < 1000, `stopped after ${Date.now() - t0} ms`);
    await c.end();
  });
}
