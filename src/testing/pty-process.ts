// Runs a command under a real pseudo-terminal (through python3's pty module), for tests that type into an interactive program.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** Forks the command on a pty of 160x50, and copies our stdin into it and its output to our stdout. */
const PROXY = `
import fcntl, os, pty, select, struct, sys, termios
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 50, 160, 0, 0))
inputs = [fd, 0]
while True:
    r, _, _ = select.select(inputs, [], [])
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        os.write(1, data)
    if 0 in r:
        data = os.read(0, 65536)
        if data:
            os.write(fd, data)
        else:
            inputs = [fd]
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`;

export function ptyAvailable(): boolean {
  return spawnSync('python3', ['-c', 'import pty, termios, fcntl'], { stdio: 'ignore' }).status === 0;
}

/** Terminal output without its escape sequences and carriage returns. */
export function plainText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

export class PtyProcess {
  private raw = '';
  private readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(command: string, args: readonly string[], env: NodeJS.ProcessEnv) {
    this.child = spawn('python3', ['-c', PROXY, command, ...args], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    this.child.stdout!.on('data', (d: Buffer) => {
      this.raw += d.toString('utf8');
    });
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Everything shown so far, as plain text. */
  text(): string {
    return plainText(this.raw);
  }

  /** Types `keys` (use \r for Enter, \x03 for Ctrl-C, \x04 for Ctrl-D, \t for Tab). */
  type(keys: string): void {
    this.child.stdin!.write(keys);
  }

  /** Waits until the plain text after `from` matches `re`; returns the text's length at the match's end. */
  async expect(re: RegExp, from = 0, timeoutMs = 10_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.text();
      const m = re.exec(text.slice(from));
      if (m) return from + m.index + m[0].length;
      if (Date.now() > deadline) throw new Error(`no ${re} within ${timeoutMs} ms in:\n${text.slice(from)}`);
      if (this.child.exitCode !== null) throw new Error(`exited (${this.child.exitCode}) without ${re} in:\n${text.slice(from)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
