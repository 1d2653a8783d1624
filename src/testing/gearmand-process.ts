// Test helpers: a real gearmand on a free loopback port, and a real worker (`gearman -w`) appending each job's workload to a file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';

const GEARMAND = ['/usr/sbin/gearmand', '/usr/bin/gearmand'].find((p) => existsSync(p));

/** Why Gearman tests cannot run here, or undefined. */
export function gearmanMissing(): string | undefined {
  if (!GEARMAND) return 'gearmand is not installed (Debian package gearman-job-server)';
  if (spawnSync('gearman', ['-H']).error) return "the 'gearman' tool is not installed (Debian package gearman-tools)";
  return undefined;
}

export interface ChildHandle {
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

function track(child: ChildProcess): ChildHandle {
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/** gearmand in the foreground on 127.0.0.1:port, logging into dir; resolves when it accepts connections. */
export async function startGearmand(dir: string, port: number): Promise<ChildHandle> {
  if (!GEARMAND) throw new Error(gearmanMissing());
  const h = track(spawn(GEARMAND, [`--port=${port}`, '--listen=127.0.0.1', `--log-file=${join(dir, 'gearmand.log')}`, `--pid-file=${join(dir, 'gearmand.pid')}`], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (h.child.exitCode !== null) throw new Error(`gearmand exited with ${h.child.exitCode}: ${h.output()}`);
    if (Date.now() > deadline) throw new Error(`gearmand did not start: ${h.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return h;
}

/** A worker for `fn` that appends every job's workload, one a line, to `file`. */
export function startWorker(port: number, fn: string, file: string): ChildHandle {
  return track(spawn('gearman', ['-w', '-h', '127.0.0.1', '-p', String(port), '-f', fn, '--', 'sh', '-c', `cat >> '${file}'; echo >> '${file}'`], { stdio: ['ignore', 'pipe', 'pipe'] }));
}

/**
 * The workloads the worker has finished writing, parsed as JSON. A job is complete once its
 * newline follows it: what comes after the last newline may be a job still being written.
 */
export function receivedJobs(file: string): Record<string, unknown>[] {
  if (!existsSync(file)) return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  lines.pop();
  return lines.filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}
