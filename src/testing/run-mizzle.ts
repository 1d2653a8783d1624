// Runs the `mizzle` command line to completion for end-to-end tests: its exit code and output, killed (and the test failed) if it hangs.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'cli', 'mizzle.js');
const HANG_MS = 30_000;

export interface MizzleRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `mizzle ARGS…` with `stdin` on its standard input (empty when not given). */
export function runMizzle(args: string[], stdin?: string): Promise<MizzleRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`mizzle ${args.join(' ')} hung:\n${stderr}`));
    }, HANG_MS);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin ?? '');
  });
}
