// Starts the real `mizzle` binary as a child process on a free port, for end-to-end tests over the wire.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'cli', 'mizzle.js');

/** Ports this process handed out: two servers of one test must not get the same. */
const handedOut = new Set<number>();

/**
 * The lowest port the kernel hands out on its own (to listen(0) and to every outgoing
 * connection's local end). Ports below it are never taken behind a test's back by a
 * client socket, which is what made "free" ports from listen(0) collide under load.
 */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    if (Number.isInteger(low) && low > 20000) return low;
  } catch {
    // Not Linux (no such file): other systems start theirs at 32768 or higher (IANA's range at 49152).
  }
  // Linux's default low end; also taken when the file names a range starting unusually low.
  return 32768;
}

const PICK_FROM = 15000;
const PICK_TO = ephemeralLow();

/** Whether `port` can be listened on at loopback right now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/**
 * A port free now, below the kernel's ephemeral range (so no client socket of this or another
 * test process can take it before the server binds it), chosen at random (so concurrent test
 * files rarely try the same one) and not handed out before by this process.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = PICK_FROM + Math.floor(Math.random() * (PICK_TO - PICK_FROM));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port between ${PICK_FROM} and ${PICK_TO}`);
}

export interface ServerProcess {
  port: number;
  datadir: string;
  child: ChildProcess;
  /** Milliseconds from spawning the process until it was found ready (see `waitFor`). */
  readyMs: number;
  /** Everything the server wrote to stderr so far. */
  log(): string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
  /** Removes the datadir (when the test created it). */
  cleanup(): void;
}

/** Whether a server on `port` answers a new connection with its first packet (the MySQL greeting). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('data', () => done(true));
    socket.once('error', () => done(false));
    socket.once('close', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

/**
 * Starts mizzle with `args` and resolves once it accepts connections: by default when it logs
 * `mizzle started`; with `waitFor: 'greeting'` when a client connecting to `--port` gets the
 * MySQL greeting (what start-up time means to a client, measured by the bench).
 * `nodeArgs`: flags for node itself (`--cpu-prof`, which NODE_OPTIONS does not allow).
 */
export async function startServerProcess(opts: StartOptions = {}): Promise<ServerProcess> {
  const datadir = opts.datadir ?? mkdtempSync(join(tmpdir(), 'mizzle-e2e-'));
  // The free port found here may be taken by another test's process before the server binds it: then try another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(opts, datadir);
    } catch (e) {
      if (!(e instanceof PortTaken) || attempt >= PORT_ATTEMPTS) throw e;
    }
  }
}

interface StartOptions {
  datadir?: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  nodeArgs?: string[];
  timeoutMs?: number;
  waitFor?: 'log' | 'greeting';
}

/** Starts with another port when the chosen one was taken meanwhile (EADDRINUSE), up to this many times. */
const PORT_ATTEMPTS = 3;

class PortTaken extends Error {}

async function launch(opts: StartOptions, datadir: string): Promise<ServerProcess> {
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), CLI, '--datadir', datadir, '--port', String(port), ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdout?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (opts.timeoutMs ?? 15000);
  await new Promise<void>((resolve, reject) => {
    const check = async () => {
      if (opts.waitFor === 'greeting' ? await greets(port) : stderr.includes('mizzle started')) return resolve();
      if (child.exitCode !== null) {
        const taken = stderr.includes('EADDRINUSE') && stderr.includes(`:${port}`);
        return reject(taken ? new PortTaken(`port ${port} was taken`) : new Error(`mizzle exited with ${child.exitCode}:\n${stderr}`));
      }
      if (Date.now() > deadline) {
        // A server that never started must not outlive the test (its file would hang waiting for it).
        child.kill('SIGKILL');
        return reject(new Error(`mizzle did not start in time:\n${stderr}`));
      }
      setTimeout(() => void check(), opts.waitFor === 'greeting' ? 5 : 20);
    };
    void check();
  });
  const readyMs = performance.now() - spawnedAt;
  return {
    port,
    datadir,
    child,
    readyMs,
    log: () => stderr,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    cleanup() {
      if (!opts.datadir) rmSync(datadir, { recursive: true, force: true });
    },
  };
}
