// Test helper: a real rsyslogd on its own Unix sockets and UDP port, writing every message's parsed fields to a file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One message as rsyslog parsed it. */
export interface ReceivedMessage {
  pri: number;
  version: string;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  structuredData: string;
  msg: string;
}

export interface RsyslogProcess {
  dir: string;
  /** imuxsock with rsyslog's default (syslog(3)-form) parser. */
  socket: string;
  /** imuxsock with the regular parser chain, which parses RFC 5424. */
  rfc5424Socket: string;
  udpPort: number;
  messages(): ReceivedMessage[];
  stop(): Promise<void>;
}

const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));

/** Why rsyslog tests cannot run here, or undefined. */
export function rsyslogMissing(): string | undefined {
  return RSYSLOGD ? undefined : 'rsyslogd is not installed (Debian package rsyslog)';
}

/** A UDP port nobody listens on right now. */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const port = s.address().port;
      s.close(() => resolve(port));
    });
  });
}

/** Starts rsyslogd in the foreground (-n) with its own config (-f) and pid file (-i); resolves when its inputs are up. */
export async function startRsyslog(opts: { dir?: string } = {}): Promise<RsyslogProcess> {
  if (!RSYSLOGD) throw new Error(rsyslogMissing());
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'mizzle-rsyslog-'));
  const socket = join(dir, 'log.sock');
  const rfc5424Socket = join(dir, 'log5424.sock');
  const out = join(dir, 'messages.tsv');
  const pidFile = join(dir, 'rsyslogd.pid');
  const udpPort = await freeUdpPort();
  const fields = ['%PRI%', '%PROTOCOL-VERSION%', '%TIMESTAMP:::date-rfc3339%', '%HOSTNAME%', '%APP-NAME%', '%PROCID%', '%MSGID%', '%STRUCTURED-DATA%', '%msg%'];
  writeFileSync(join(dir, 'rsyslog.conf'), [
    `global(workDirectory="${dir}")`,
    'module(load="imuxsock" SysSock.Use="off")',
    `input(type="imuxsock" Socket="${socket}")`,
    `input(type="imuxsock" Socket="${rfc5424Socket}" useSpecialParser="off" parseHostname="on")`,
    'module(load="imudp")',
    `input(type="imudp" address="127.0.0.1" port="${udpPort}")`,
    `template(name="fields" type="string" string="${fields.join('\\t')}\\n")`,
    `*.* action(type="omfile" file="${out}" template="fields")`,
    '',
  ].join('\n'));
  const child: ChildProcess = spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', pidFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 10_000;
  while (!(existsSync(pidFile) && existsSync(socket) && existsSync(rfc5424Socket))) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${output}`);
    if (Date.now() > deadline) throw new Error(`rsyslogd did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    dir,
    socket,
    rfc5424Socket,
    udpPort,
    messages() {
      if (!existsSync(out)) return [];
      return readFileSync(out, 'utf8').split('\n').filter((l) => l !== '').map((line) => {
        const parts = line.split('\t');
        const [pri, version, timestamp, hostname, appName, procId, msgId, structuredData] = parts;
        return { pri: Number(pri), version: version!, timestamp: timestamp!, hostname: hostname!, appName: appName!, procId: procId!, msgId: msgId!, structuredData: structuredData!, msg: parts.slice(8).join('\t').trim() };
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Whether the util-linux `logger` program is there (transport=socket needs it). */
export function loggerMissing(): string | undefined {
  return spawnSync('logger', ['--version']).error ? "the 'logger' program (util-linux) is not installed" : undefined;
}
