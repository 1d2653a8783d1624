// A long recursive CTE and a big window computation pause like other queries: KILL QUERY and max_execution_time stop them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { assertKillQueryStops } from '../testing/kill-query-check.js';

let server: ServerProcess;
const connect = () => mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', database: 'heavy' });
const errno = (e: unknown): number | undefined => (e as { errno?: number }).errno;

/** Millions of one-row rounds: many seconds of work (the depth limit is raised in the session first). */
const LONG_RECURSION = 'WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 3000000) SELECT COUNT(*) FROM r';
/** Four aggregates over a sliding frame of 6,001 rows, for each of 3,000 rows: tens of millions of additions. */
const BIG_WINDOW = 'SELECT COUNT(*) FROM (SELECT ' +
  ['SUM', 'AVG', 'MIN', 'MAX'].map((f) => `${f}(v) OVER (ORDER BY id ROWS BETWEEN 3000 PRECEDING AND 3000 FOLLOWING)`).join(', ') +
  ' FROM t) x';

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
  test(`KILL QUERY stops a long ${kind} within the bound; the session goes on`, () => assertKillQueryStops(connect, sql, ['SET cte_max_recursion_depth = 4294967295']));

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
