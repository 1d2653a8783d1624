// Starts a throwaway MariaDB server (Debian's mariadbd) on a temporary datadir and a free port: the peer tests and benchmarks compare with.
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './server-process.js';

export interface MariadbProcess {
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Whether Debian's MariaDB server is installed here. */
export function mariadbServerAvailable(): boolean {
  // mariadb-install-db has no --version and exits 1 on --help, so only its presence is checked.
  return spawnSync('mariadbd', ['--version']).status === 0 && spawnSync('sh', ['-c', 'command -v mariadb-install-db']).status === 0;
}

/** Initializes a datadir, starts mariadbd with its defaults (durable commits) and waits until it answers. */
export async function startMariadb(extraArgs: string[] = []): Promise<MariadbProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'mariadb-peer-'));
  const datadir = join(dir, 'data');
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${datadir}`, '--auth-root-authentication-method=normal', '--skip-test-db', '--user=root'], { stdio: 'ignore' });
  const port = await freePort();
  const child = spawn('mariadbd', ['--no-defaults', `--datadir=${datadir}`, `--port=${port}`, '--bind-address=127.0.0.1', `--socket=${join(dir, 'sock')}`, '--user=root', ...extraArgs], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 30000;
  for (;;) {
    const probe = spawnSync('mariadb', ['-h127.0.0.1', `-P${port}`, '-uroot', '--skip-ssl', '-e', 'SELECT 1'], { stdio: 'ignore' });
    if (probe.status === 0) break;
    if (child.exitCode !== null) throw new Error('mariadbd exited during startup');
    if (Date.now() > deadline) throw new Error('mariadbd did not start in 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
