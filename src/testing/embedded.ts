// An in-process mizzle on a fresh temporary datadir, for tests that drive the SQL engine without the wire.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../kernel/logger.js';
import type { KernelSession, StatementResult } from '../kernel/plugin.js';
import { startServer, type RunningServer } from '../kernel/server.js';
import { SHIPPED_PLUGINS } from '../plugins/index.js';

export interface Embedded {
  server: RunningServer;
  datadir: string;
  session(database?: string | null): KernelSession;
  /** Runs one statement and returns its result. */
  run(session: KernelSession, sql: string): Promise<StatementResult>;
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
  return {
    server,
    datadir,
    session: (database = null) => server.kernel.openSession({ user: 'root', host: 'localhost', database }),
    async run(session, sql) {
      let out: StatementResult | undefined;
      await session.execute(sql, false, (r) => { out = r; });
      return out as StatementResult;
    },
    async stop(o = {}) {
      await server.stop();
      if (!o.keepData && !opts.datadir) rmSync(datadir, { recursive: true, force: true });
    },
  };
}
