// Pages through a datadir's change log: read by the running server when one runs on it (its admin socket), else from the storage opened here.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig, pluginOptionValues } from './config.js';
import type { Plugin, StorageEngine } from './plugin.js';
import { PluginRegistry } from './registry.js';
import { silentLogger } from './logger.js';
import { readEncoded } from '../storage/change-log/log-store.js';
import type { KvReader } from '../storage/kv.js';
import { askServer } from './admin-socket.js';
import { runningServerPid } from './datadir.js';

/** Transactions read per read transaction, so a long log neither pins one snapshot nor fills memory. */
const PAGE_TRANSACTIONS = 1000;

/**
 * Calls `each` with every stored transaction (its sequence and encoded bytes) from sequence
 * `from` on, in commit order; `each` may wait (for stdout to drain) between pages.
 */
export async function readChangeLog(opts: { argv: readonly string[]; env: NodeJS.ProcessEnv; cwd: string; plugins: readonly Plugin[]; from: bigint; each: (page: { seq: bigint; bytes: Buffer }[]) => Promise<void> }): Promise<void> {
  const registry = new PluginRegistry(opts.plugins);
  const config = loadConfig(opts.argv, opts.env, opts.cwd, registry.manifests());
  const datadir = String(config.kernel.datadir);
  if (!existsSync(datadir)) throw new ConfigError(`data directory ${datadir} does not exist`);
  // A second process must not open a running server's storage (see LmdbStore.copyTo): the server reads for us.
  const pid = runningServerPid(datadir);
  if (pid !== undefined) return readFromServer(datadir, pid, opts.from, opts.each);
  const name = String(config.kernel['default-storage-engine']).toLowerCase();
  const p = opts.plugins.find((x) => x.manifest.name === name && x.manifest.kind === 'storage');
  if (!p) throw new ConfigError(`the default storage engine '${name}' is not a storage plugin`);
  const options = pluginOptionValues(p.manifest, config.raw);
  const engine = (await p.init({ options, datadir, log: silentLogger, get kernel(): never { throw new Error('no kernel while reading the log'); } })) as StorageEngine;
  if (!engine.persistent) throw new ConfigError(`the default storage engine '${name}' keeps no data on disk, so no change log`);
  const dir = join(datadir, p.manifest.name);
  if (!existsSync(dir)) throw new ConfigError(`${dir} does not exist: no server has run on this data directory`);
  const store = await engine.open({ dir, options });
  try {
    let next = opts.from;
    for (;;) {
      const from = next;
      const page = store.read((r) => readPage(r, from));
      if (page.length === 0) return;
      await opts.each(page);
      next = page[page.length - 1].seq + 1n;
    }
  } finally {
    await store.close();
  }
}

/** Up to PAGE_TRANSACTIONS stored transactions from sequence `from` on. */
export function readPage(r: KvReader, from: bigint): { seq: bigint; bytes: Buffer }[] {
  const out: { seq: bigint; bytes: Buffer }[] = [];
  for (const e of readEncoded(r, from)) {
    out.push(e);
    if (out.length >= PAGE_TRANSACTIONS) break;
  }
  return out;
}

/** The same pages, asked of the server running on the datadir, one request per page. */
async function readFromServer(datadir: string, pid: number, from: bigint, each: (page: { seq: bigint; bytes: Buffer }[]) => Promise<void>): Promise<void> {
  let next = from;
  for (;;) {
    const result = await askServer(datadir, pid, { op: 'log', from: next.toString() }, 'read its change log');
    const page = (result as { seq: string; bytes: string }[]).map((t) => ({ seq: BigInt(t.seq), bytes: Buffer.from(t.bytes, 'base64') }));
    if (page.length === 0) return;
    await each(page);
    next = page[page.length - 1].seq + 1n;
  }
}
