// max_user_concurrent_statements over the wire: one user's extra statement gets 1226 on any worker thread,
// another user and the administrator are unaffected, the refusals are counted and logged, and KILL QUERY gives the slot back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';

const servers: ServerProcess[] = [];
after(async () => {
  for (const s of servers) {
    await s.stop();
    s.cleanup();
  }
});

const errno = (e: unknown): number | undefined => (e as { errno?: number }).errno;
const one = async (c: mysql.Connection, sql: string): Promise<unknown> => {
  const [rows] = await c.query({ sql, rowsAsArray: true });
  return (rows as unknown[][])[0]?.[0];
};
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Waits until `user` shows `n` sessions running SLEEP in the process list. */
async function sleeping(admin: mysql.Connection, user: string, n: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const [rows] = await admin.query({ sql: 'SHOW PROCESSLIST', rowsAsArray: true });
    const ids = (rows as unknown[][]).filter((r) => r[1] === user && /SLEEP/i.test(String(r[7] ?? ''))).map((r) => Number(r[0]));
    if (ids.length === n) return;
    await pause(25);
  }
  throw new Error(`${user} never had ${n} sleeping statements`);
}

test('max_user_concurrent_statements: 1226 past the cap for one user, others unaffected, counted, slot back after KILL QUERY', async () => {
  const server = await startServerProcess({ args: ['--max-user-concurrent-statements=2'] });
  servers.push(server);
  const connect = (user: string) => mysql.createConnection({ host: '127.0.0.1', port: server.port, user });
  const root = await connect('root');
  assert.equal(Number(await one(root, 'SELECT @@global.max_user_concurrent_statements')), 2);
  // Several connections so that, with worker threads, bob's sessions land on both workers.
  const bobs = await Promise.all([1, 2, 3, 4].map(() => connect('bob')));
  const running = [bobs[0], bobs[1]].map((c) => c.query('SELECT SLEEP(30)').then(() => 0, (e: unknown) => errno(e)));
  await sleeping(root, 'bob', 2);
  const ids = [bobs[0].threadId, bobs[1].threadId];
  for (const extra of [bobs[2], bobs[3]]) {
    await assert.rejects(extra.query('SELECT 1'), (e: unknown) => {
      assert.equal(errno(e), 1226);
      assert.equal((e as { sqlState?: string }).sqlState, '42000');
      assert.equal((e as Error).message, "User 'bob' has exceeded the 'max_user_concurrent_statements' resource (current value: 2)");
      return true;
    });
  }
  // Another user has its own count, and root (the administrator without an authorization plugin) is exempt.
  const alice = await connect('alice');
  await Promise.all([alice, await connect('alice')].map((c) => c.query('SELECT SLEEP(0.3)')));
  const roots = [root, await connect('root'), await connect('root')];
  await Promise.all(roots.map((c) => c.query('SELECT SLEEP(0.2)')));
  const [status] = await root.query({ sql: "SHOW GLOBAL STATUS LIKE 'User_statement_limit_refusals'", rowsAsArray: true });
  assert.equal(Number((status as unknown[][])[0][1]), 2);
  // KILL QUERY ends one sleeper (1317): its slot comes back.
  await root.query(`KILL QUERY ${ids[0]}`);
  assert.equal(await running[0], 1317);
  await sleeping(root, 'bob', 1);
  assert.equal(await one(bobs[2], 'SELECT 7'), 7);
  // Disconnecting mid-statement gives its slot back too.
  await root.query(`KILL ${ids[1]}`);
  await sleeping(root, 'bob', 0);
  // The killed session leaves the process list as it closes; its statement lets go of its slot a moment
  // later, when its SLEEP has been interrupted: both slots are free again within a bounded wait.
  let both: unknown[] = [];
  for (let attempt = 0; attempt < 40 && both.length === 0; attempt++) {
    const tries = await Promise.all([bobs[2], bobs[3]].map((c) => c.query('SELECT SLEEP(0.3)').then(() => 0, (e: unknown) => errno(e))));
    if (tries.every((code) => code === 0)) both = tries;
    else if (tries.some((code) => code !== 0 && code !== 1226)) assert.fail(`unexpected errors ${tries.join(', ')}`);
    else await pause(50);
  }
  assert.equal(both.length, 2, 'both of bob\'s slots came back after the KILL');
  assert.notEqual(await running[1], 0, 'the killed connection did not finish its SLEEP(30)');
  // SET GLOBAL 0 lifts the cap.
  await root.query('SET GLOBAL max_user_concurrent_statements = 0');
  await Promise.all([bobs[2], bobs[3], await connect('bob')].map((c) => c.query('SELECT SLEEP(0.2)')));
  assert.match(server.log(), /statement refused: the user runs max_user_concurrent_statements/);
  await Promise.all([...roots, alice, bobs[2], bobs[3]].map((c) => c.end()));
  for (const c of [bobs[0], bobs[1]]) c.destroy();
});
