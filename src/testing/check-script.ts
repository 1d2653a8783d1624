// Runs a driver check script kept in test/drivers (Python, PHP) against a server, for end-to-end tests
// of clients written in other languages. A script prints "ok <check>" per passed check and exits
// non-zero with its error on the first failure.
import { execFile, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The repository's test/drivers/<name>. */
export function driverScript(name: string): string {
  return join(REPO_ROOT, 'test', 'drivers', name);
}

/** The first interpreter of `candidates` for which `probe` (its arguments) exits 0, or undefined. */
export function interpreterWith(candidates: readonly string[], probe: readonly string[]): string | undefined {
  return candidates.find((c) => spawnSync(c, probe, { stdio: 'ignore' }).status === 0);
}

export interface CheckRun {
  /** The names of the checks that printed "ok". */
  passed: string[];
  /** Exit code (null when killed). */
  status: number | null;
  /** Everything else the script wrote (its error and traceback on failure). */
  output: string;
}

/** Runs `interpreter script ...args` without a shell; resolves when it exits (or is killed after `timeoutMs`). */
export function runCheckScript(interpreter: string, script: string, args: readonly string[], timeoutMs = 60_000): Promise<CheckRun> {
  return new Promise((resolve) => {
    execFile(interpreter, [script, ...args], { timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const passed: string[] = [];
      const other: string[] = [];
      for (const line of stdout.split('\n')) {
        if (line.startsWith('ok ')) passed.push(line.slice(3).trim());
        else if (line.trim() !== '') other.push(line);
      }
      const status = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ passed, status, output: [...other, stderr].join('\n') });
    });
  });
}
