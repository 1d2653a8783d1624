// Logging in with mysql_clear_password over the wire, as the password-checking authentication plugins' tests do.
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import type { ServerProcess } from './server-process.js';

/** Connects as `user` with the clear-text exchange; `extra` adds mysql2 options (e.g. a custom auth plugin). */
export function cleartextLogin(server: ServerProcess, user: string, password: string, extra: Record<string, unknown> = {}): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user, password, enableCleartextPlugin: true, ...extra });
}

/** Logs in and checks the session is that user's. */
export async function loginSucceeds(server: ServerProcess, user: string, password: string): Promise<void> {
  const c = await cleartextLogin(server, user, password);
  const [rows] = await c.query('select user() as u');
  assert.equal((rows as { u: string }[])[0].u, `${user}@127.0.0.1`);
  await c.end();
}

/** Logs in, expects 1045 "Access denied for user ...", and returns how long the refusal took. */
export async function loginRefused(server: ServerProcess, user: string, password: string, extra: Record<string, unknown> = {}): Promise<number> {
  const t0 = Date.now();
  const e = (await cleartextLogin(server, user, password, extra).then(
    async (c) => {
      await c.end();
      return assert.fail(`${user} logged in`);
    },
    (err: { errno?: number; message: string }) => err,
  )) as { errno?: number; message: string };
  assert.equal(e.errno, 1045, e.message);
  assert.match(e.message, /^Access denied for user/);
  return Date.now() - t0;
}

/** Waits up to 2 s for the server's log to match `re`. */
export async function logShows(server: ServerProcess, re: RegExp): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!re.test(server.log())) {
    if (Date.now() > deadline) assert.fail(`server log lacks ${re}:\n${server.log().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
