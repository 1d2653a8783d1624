// The data directory: created on first start, locked against a second server, holding the server UUID.
import { randomUUID } from 'node:crypto';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config.js';

/** The lock file a running server keeps in its datadir, holding its pid. */
const PID_FILE = 'mizzle.pid';

/** Data directories this process has open (a second server in the same process must be refused too). */
const heldHere = new Set<string>();
const UUID_FILE = 'server-uuid';

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid in the datadir's lock file when that process is alive (a server runs on it), else undefined. */
export function runningServerPid(datadir: string): number | undefined {
  let pid: number;
  try {
    pid = parseInt(readFileSync(join(datadir, PID_FILE), 'utf8'), 10);
  } catch {
    return undefined;
  }
  return Number.isFinite(pid) && pid > 0 && processAlive(pid) ? pid : undefined;
}

/** An opened data directory; `release` removes the lock on shutdown. */
export interface DataDir {
  path: string;
  serverUuid: string;
  release(): void;
}

/**
 * Creates the directory if needed, refuses to start when it is not writable or
 * another live server holds its lock, and reads or creates the server UUID.
 */
export function openDataDir(path: string, joining = false): DataDir {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new ConfigError(`cannot create data directory ${path}: ${(e as Error).message}`);
  }
  try {
    accessSync(path, constants.W_OK | constants.R_OK);
  } catch {
    throw new ConfigError(`data directory ${path} is not readable and writable by this user`);
  }
  const pidPath = join(path, PID_FILE);
  // A worker thread joins the directory its main thread locked: no lock of its own, nothing to release.
  if (joining) return { path, serverUuid: readFileSync(join(path, UUID_FILE), 'utf8').trim(), release: () => undefined };
  if (heldHere.has(pidPath)) throw new ConfigError(`data directory ${path} is in use by another mizzle server (pid ${process.pid})`);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(pidPath, 'wx');
      writeFileSync(fd, String(process.pid) + '\n');
      closeSync(fd);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new ConfigError(`cannot lock data directory ${path}: ${(e as Error).message}`);
      const other = runningServerPid(path);
      if (other !== undefined && other !== process.pid) {
        throw new ConfigError(`data directory ${path} is in use by another mizzle server (pid ${other})`);
      }
      // A stale lock left by a killed server: take it over.
      unlinkSync(pidPath);
    }
  }
  heldHere.add(pidPath);
  const uuidPath = join(path, UUID_FILE);
  let serverUuid: string;
  if (existsSync(uuidPath)) {
    serverUuid = readFileSync(uuidPath, 'utf8').trim();
  } else {
    serverUuid = randomUUID();
    writeFileSync(uuidPath, serverUuid + '\n');
  }
  return {
    path,
    serverUuid,
    release() {
      heldHere.delete(pidPath);
      try {
        if (existsSync(pidPath) && parseInt(readFileSync(pidPath, 'utf8'), 10) === process.pid) unlinkSync(pidPath);
      } catch {
        // Best effort: a leftover lock is detected as stale on the next start.
      }
    },
  };
}
