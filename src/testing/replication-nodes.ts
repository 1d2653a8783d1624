// Test servers for replication e2e tests: a node with the native protocol, a replica of one, SQL, status, and a hash of all data.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from './server-process.js';
import { passesEventually } from './assertions.js';

/** How long a change may take to reach a replica before a test fails (loopback, a loaded machine). */
export const ARRIVAL_MS = 15_000;

export interface Node {
  server: ServerProcess;
  nativePort: number;
  datadir: string;
}

export async function startNode(datadir: string, nativePort: number, args: string[] = []): Promise<Node> {
  const server = await startServerProcess({ datadir, args: ['--plugin-add', 'protocol-native', `--protocol-native.port=${nativePort}`, ...args] });
  return { server, nativePort, datadir };
}

export function startReplica(datadir: string, nativePort: number, primary: Node): Promise<Node> {
  return startNode(datadir, nativePort, ['--replica-of', `mizzle://root@127.0.0.1:${primary.nativePort}`]);
}

export async function sql(node: Node, text: string, params: unknown[] = []): Promise<mysql.RowDataPacket[]> {
  const c = await mysql.createConnection({ host: '127.0.0.1', port: node.server.port, user: 'root' });
  try {
    const [rows] = await c.query(text, params);
    return rows as mysql.RowDataPacket[];
  } finally {
    await c.end();
  }
}

export async function status(node: Node): Promise<Record<string, unknown>> {
  const rows = await sql(node, 'SHOW REPLICA STATUS');
  assert.equal(rows.length, 1, 'a replica shows one status row');
  return rows[0];
}

/** A hash of every row of every user table and view, in a fixed order: equal on two servers when their data is. */
export async function dataHash(node: Node): Promise<string> {
  const h = createHash('sha256');
  const tables = await sql(node, "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1, 2");
  for (const t of tables) {
    const name = `\`${String(t.table_schema ?? t.TABLE_SCHEMA)}\`.\`${String(t.table_name ?? t.TABLE_NAME)}\``;
    const rows = (await sql(node, `SELECT * FROM ${name}`)).map((r) => JSON.stringify(r)).sort();
    h.update(name + JSON.stringify(rows));
  }
  return h.digest('hex');
}

/** Waits until `check` passes (it throws until then), or fails with its last error. */
export function eventually(check: () => Promise<void>, ms = ARRIVAL_MS): Promise<void> {
  return passesEventually(check, ms);
}

/** Waits until the replica applied everything its source has and holds the same data. */
export async function caughtUp(replica: Node, primary: Node): Promise<void> {
  const primaryHash = await dataHash(primary);
  await eventually(async () => {
    const s = await status(replica);
    assert.equal(s.Last_Error, '', `no apply error: ${String(s.Last_Error)}`);
    assert.equal(s.Lag_transactions, 0);
    assert.equal(await dataHash(replica), primaryHash);
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
