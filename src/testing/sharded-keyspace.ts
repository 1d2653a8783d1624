// A sharded keyspace on loopback for end-to-end tests: two shard servers (MySQL and native protocols), a topology file naming them, and `mizzle router` processes in front.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { startNativeProtocolServer, type NativeProtocolServer } from './native-protocol-server.js';
import { freePort } from './server-process.js';
import type { TableRule } from '../sharding/topology.js';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'cli', 'mizzle.js');

export interface RouterProcess {
  port: number;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

export interface ShardedKeyspace {
  keyspace: string;
  topologyPath: string;
  /** The shard servers by shard name ('-80', '80-'). */
  shards: { name: string; server: NativeProtocolServer }[];
  startRouter(extraArgs?: string[], env?: NodeJS.ProcessEnv): Promise<RouterProcess>;
  stop(): Promise<void>;
}

/** How many rows of `table` each shard holds, read straight from the shards' servers, in shard order. */
export async function rowsPerShard(ks: ShardedKeyspace, table: string): Promise<number[]> {
  const counts: number[] = [];
  for (const s of ks.shards) {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: s.server.server.port, user: 'root', database: ks.keyspace });
    try {
      const [rows] = await c.query(`SELECT COUNT(*) AS n FROM \`${table}\``);
      counts.push(Number((rows as { n: number }[])[0].n));
    } finally {
      await c.end();
    }
  }
  return counts;
}

/** Starts `mizzle router` on a free port in front of the topology file; resolves once it listens. */
export async function startRouterProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RouterProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'router', '--port', String(port), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 15_000;
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes('mizzle router started')) return resolve();
      if (child.exitCode !== null) return reject(new Error(`mizzle router exited with ${child.exitCode}:\n${out}`));
      if (Date.now() > deadline) return reject(new Error(`mizzle router did not start in time:\n${out}`));
      setTimeout(check, 20);
    };
    check();
  });
  return {
    port,
    child,
    log: () => out,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Two shard servers ('-80' and '80-', hash sharding) of `keyspace` with `tables`' rules, in a topology file. */
export async function startShardedKeyspace(keyspace: string, tables: Record<string, TableRule>, serverArgs: readonly string[] = []): Promise<ShardedKeyspace> {
  const names = ['-80', '80-'];
  const servers = await Promise.all(names.map(() => startNativeProtocolServer(serverArgs)));
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-topology-'));
  const topologyPath = join(dir, 'topology.json');
  const shards = names.map((name, i) => ({ name, server: servers[i] }));
  const topology = {
    keyspaces: {
      [keyspace]: {
        name: keyspace,
        sharding: { function: 'hash' },
        tables,
        shards: shards.map((s) => ({ name: s.name, primary: { host: '127.0.0.1', port: s.server.nativePort, mysqlPort: s.server.server.port }, replicas: [] })),
      },
    },
  };
  writeFileSync(topologyPath, JSON.stringify(topology, null, 2));
  const routers: RouterProcess[] = [];
  return {
    keyspace,
    topologyPath,
    shards,
    async startRouter(extraArgs = [], env = {}) {
      const r = await startRouterProcess(['--topology', topologyPath, '--keyspace', keyspace, ...extraArgs], env);
      routers.push(r);
      return r;
    },
    async stop() {
      await Promise.all(routers.map((r) => r.stop()));
      await Promise.all(servers.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
