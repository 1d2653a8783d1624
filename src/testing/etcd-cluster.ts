// Starts a throwaway etcd cluster (Debian's etcd-server, /usr/bin/etcd) on loopback with free ports and temporary data dirs, for tests that need a real topology store.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Etcd3 } from 'etcd3';
import { freePort } from './server-process.js';

export const ETCD_BINARY = '/usr/bin/etcd';

/** A loaded 2-core machine can take a while to elect a leader; a cluster that is not healthy by then never will be. */
const STARTUP_TIMEOUT_MS = 60_000;
/** etcd logs a lot; only the tail is kept for error messages. */
const LOG_TAIL_CHARS = 8_000;

export interface EtcdCluster {
  /** etcd://127.0.0.1:P1,127.0.0.1:P2,…/PREFIX/ with a prefix unique to this cluster. */
  address: string;
  /** The members' client URLs, http://127.0.0.1:PORT, by member index. */
  endpoints: string[];
  /** SIGKILL member i (its data dir stays, so restart(i) brings it back). */
  kill(i: number): Promise<void>;
  /** Start member i again on its ports and data dir; resolves once it is healthy (which needs a quorum of members up). */
  restart(i: number): Promise<void>;
  /** Kill every member and remove the data dirs. */
  stop(): Promise<void>;
  /** Member i's recent log, for failure messages. */
  log(i: number): string;
  /** The index of the member that is the leader now (asked of each running member), undefined when none says it is. */
  leader(): Promise<number | undefined>;
}

interface Member {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  child?: ChildProcess;
  exited?: Promise<void>;
  logTail: string;
}

/** Members still running when the test process exits are killed with it, so a failed test leaves no etcd behind. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

let clusters = 0;

export function etcdAvailable(): boolean {
  return existsSync(ETCD_BINARY);
}

/** GET /health on a member: true when it has a leader and a quorum answers. */
function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/health', timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve(res.statusCode === 200 && /"health"\s*:\s*"true"/.test(body)));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/** Ports are picked free but bound later by etcd; another process may take one in between, so a start that loses that race is tried again. */
const PORT_RACE_ATTEMPTS = 3;

export async function startEtcdCluster(opts: { members?: number } = {}): Promise<EtcdCluster> {
  const count = opts.members ?? 3;
  if (!Number.isInteger(count) || count < 1 || count > 7) throw new Error(`an etcd test cluster has 1 to 7 members, not ${count}`);
  if (!etcdAvailable()) throw new Error(`${ETCD_BINARY} is missing (apt-get install etcd-server)`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(count);
    } catch (e) {
      if (attempt >= PORT_RACE_ATTEMPTS || !/address already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startOnce(count: number): Promise<EtcdCluster> {
  const root = mkdtempSync(join(tmpdir(), 'mizzle-etcd-'));
  const token = `mizzle-test-${process.pid}-${++clusters}-${Date.now().toString(36)}`;
  const members: Member[] = [];
  for (let i = 0; i < count; i++) {
    members.push({ name: `m${i}`, clientPort: await freePort(), peerPort: await freePort(), dataDir: join(root, `m${i}`), logTail: '' });
  }
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peerPort}`).join(',');

  const launch = (m: Member): void => {
    const child = spawn(ETCD_BINARY, [
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', `http://127.0.0.1:${m.clientPort}`,
      '--advertise-client-urls', `http://127.0.0.1:${m.clientPort}`,
      '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-cluster', initialCluster,
      '--initial-cluster-token', token,
      '--initial-cluster-state', 'new',
      // Slightly slower heartbeats than the defaults: fewer spurious elections when the machine is busy.
      '--heartbeat-interval', '150',
      '--election-timeout', '1500',
      '--logger', 'zap',
      '--log-level', 'warn',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (d: Buffer): void => {
      m.logTail = (m.logTail + d.toString()).slice(-LOG_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    running.add(child);
    m.exited = new Promise<void>((resolve) => child.once('exit', () => {
      running.delete(child);
      resolve();
    }));
    m.child = child;
  };

  const waitHealthy = async (which: Member[]): Promise<void> => {
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    for (;;) {
      const states = await Promise.all(which.map((m) => healthy(m.clientPort)));
      if (states.every(Boolean)) return;
      const dead = which.find((m) => m.child?.exitCode !== null);
      if (dead) throw new Error(`etcd member ${dead.name} exited during startup:\n${dead.logTail}`);
      if (Date.now() > deadline) {
        const sick = which.filter((_, i) => !states[i]);
        throw new Error(`etcd members ${sick.map((m) => m.name).join(', ')} not healthy after ${STARTUP_TIMEOUT_MS / 1000} s:\n${sick.map((m) => m.logTail).join('\n')}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };

  const kill = async (m: Member): Promise<void> => {
    if (m.child && m.child.exitCode === null && m.child.signalCode === null) m.child.kill('SIGKILL');
    await m.exited;
  };

  const member = (i: number): Member => {
    const m = members[i];
    if (m === undefined) throw new Error(`no etcd member ${i} (the cluster has ${count})`);
    return m;
  };

  for (const m of members) launch(m);
  try {
    await waitHealthy(members);
  } catch (e) {
    await Promise.all(members.map(kill));
    rmSync(root, { recursive: true, force: true });
    throw e;
  }

  return {
    address: `etcd://${members.map((m) => `127.0.0.1:${m.clientPort}`).join(',')}/${token}/`,
    endpoints: members.map((m) => `http://127.0.0.1:${m.clientPort}`),
    kill: (i) => kill(member(i)),
    async restart(i) {
      const m = member(i);
      await kill(m);
      launch(m);
      await waitHealthy([m]);
    },
    async stop() {
      await Promise.all(members.map(kill));
      rmSync(root, { recursive: true, force: true });
    },
    log: (i) => member(i).logTail,
    async leader() {
      for (let i = 0; i < members.length; i++) {
        const child = members[i].child;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) continue;
        const client = new Etcd3({ hosts: [`http://127.0.0.1:${members[i].clientPort}`], dialTimeout: 2000 });
        try {
          const s = await client.maintenance.status();
          if (s.leader === s.header.member_id) return i;
        } catch {
          // A member that does not answer is not the leader we can find.
        } finally {
          client.close();
        }
      }
      return undefined;
    },
  };
}
