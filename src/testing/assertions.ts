// Shared test helpers: waiting for a condition, asserting a MySQL error, and a server with one client.
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from './server-process.js';

/** Polls `read` until `check` accepts its value; fails with the last value after `timeoutMs`. */
export async function eventually<T>(read: () => T, check: (v: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = read();
    if (check(v)) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}; last: ${JSON.stringify(v).slice(0, 2000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Runs `check` until it passes (it throws until then); after `timeoutMs` its last error is the test's. */
export async function passesEventually(check: () => Promise<void>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Rejects with exactly this MySQL error (errno, SQLSTATE, and the message when given). */
export async function refused(p: Promise<unknown>, errno: number, sqlState: string, message?: RegExp | string): Promise<void> {
  await assert.rejects(p, (e: { errno?: number; sqlState?: string; message: string }) => {
    assert.equal(e.errno, errno, e.message);
    assert.equal(e.sqlState, sqlState);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  });
}

/**
 * Starts mizzle with `args`, connects one root client, runs `body` with a query function that
 * resolves to the result or the error, then stops the server and removes its datadir.
 */
export async function withServerAndClient(args: string[], body: (s: ServerProcess, q: (sql: string) => Promise<unknown>) => Promise<void>): Promise<void> {
  const s = await startServerProcess({ args });
  const c = await mysql.createConnection({ host: '127.0.0.1', port: s.port, user: 'root' });
  try {
    await body(s, async (sql) => c.query(sql).catch((e: unknown) => e));
  } finally {
    await c.end().catch(() => undefined);
    await s.stop();
    s.cleanup();
  }
}

/** Runs `text` (several statements allowed) on a fresh root connection to `server` and returns the last result's rows. */
export async function sqlOnce(server: { port: number }, text: string): Promise<mysql.RowDataPacket[]> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', multipleStatements: true });
  try {
    const [rows] = await c.query(text);
    return rows as mysql.RowDataPacket[];
  } finally {
    await c.end();
  }
}

/** The first column of each row `sql` returns. */
export async function firstColumn(c: mysql.Connection, sql: string): Promise<unknown[]> {
  const [rows] = (await c.query({ sql, rowsAsArray: true })) as unknown as [unknown[][], unknown];
  return rows.map((r) => r[0]);
}

/** Connections to `server` as any user, remembered so `closeAll` ends every one (in a test's finally). */
export function connectionsTo(server: ServerProcess): { connect(user: string, database?: string): Promise<mysql.Connection>; closeAll(): Promise<void> } {
  const open: mysql.Connection[] = [];
  return {
    async connect(user, database) {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user, database });
      open.push(c);
      return c;
    },
    async closeAll() {
      for (const c of open) await c.end().catch(() => undefined);
    },
  };
}
