// The shared check of the heavy-query tests: a running statement stops soon after KILL QUERY, and its session goes on.
import assert from 'node:assert/strict';
import type { Connection } from 'mysql2/promise';

const errno = (e: unknown): number | undefined => (e as { errno?: number }).errno;

/**
 * Starts `sql` on one connection (after its `setup` statements), lets it run 300 ms, kills it
 * from another, and asserts error 1317 within 300 ms of the KILL and a working session after.
 */
export async function assertKillQueryStops(connect: () => Promise<Connection>, sql: string, setup: readonly string[] = []): Promise<void> {
  const victim = await connect();
  const killer = await connect();
  for (const s of setup) await victim.query(s);
  const [[[id]]] = (await victim.query({ sql: 'SELECT CONNECTION_ID()', rowsAsArray: true })) as unknown as [[[number]]];
  const result = victim.query(sql).then(() => ({ code: 0, at: Date.now() }), (e: unknown) => ({ code: errno(e), at: Date.now() }));
  await new Promise((r) => setTimeout(r, 300));
  const killedAt = Date.now();
  await killer.query(`KILL QUERY ${id}`);
  const { code, at } = await result;
  assert.equal(code, 1317);
  assert.ok(at - killedAt < 300, `stopped ${at - killedAt} ms after KILL QUERY`);
  const [[[one]]] = (await victim.query({ sql: 'SELECT 1', rowsAsArray: true })) as unknown as [[[number]]];
  assert.equal(one, 1);
  await Promise.all([victim.end(), killer.end()]);
}
