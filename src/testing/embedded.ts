// An in-process mizzle on a fresh temporary datadir, for tests that drive the SQL engine without the wire.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../kernel/logger.js';
import type { KernelSession } from '../kernel/plugin.js';
import type { StatementResult } from '../base/result.js';
import { startServer, type RunningServer } from '../kernel/server.js';
import { SHIPPED_PLUGINS } from '../plugins/index.js';
import type { Row } from '../base/value.js';

export interface Embedded {
  server: RunningServer;
  datadir: string;
  session(database?: string | null): KernelSession;
  /** Runs one statement and returns its result. */
  run(session: KernelSession, sql: string): Promise<StatementResult>;
  /** Runs a statement that must return rows (asserted) and returns them. */
  rows(session: KernelSession, sql: string): Promise<Row[]>;
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export async function startEmbedded(opts: { datadir?: string; args?: string[] } = {}): Promise<Embedded> {
  const datadir = opts.datadir ?? mkdtempSync(join(tmpdir(), 'mizzle-test-'));
  const server = await startServer({
    argv: ['--datadir', datadir, ...(opts.args ?? [])],
    env: {},
    cwd: datadir,
    plugins: SHIPPED_PLUGINS,
    log: silentLogger,
    embedded: true,
  });
  const embedded: Embedded = {
    server,
    datadir,
    session: (database = null) => server.kernel.openSession({ user: 'root', host: 'localhost', database }),
    async run(session, sql) {
      let out: StatementResult | undefined;
      await session.execute(sql, false, (r) => { out = r; });
      return out as StatementResult;
    },
    async rows(session, sql) {
      const r = await embedded.run(session, sql);
      assert.equal(r.kind, 'rows', sql);
      return r.kind === 'rows' ? r.rows : [];
    },
    async stop(o = {}) {
      await server.stop();
      if (!o.keepData && !opts.datadir) rmSync(datadir, { recursive: true, force: true });
    },
  };
  return embedded;
}

/** An embedded server with one session that has run `setup`, statement by statement (test fixtures). */
export async function startEmbeddedWith(setup: readonly string[]): Promise<{ db: Embedded; session: KernelSession }> {
  const db = await startEmbedded();
  const session = db.session();
  for (const sql of setup) await db.run(session, sql);
  return { db, session };
}
