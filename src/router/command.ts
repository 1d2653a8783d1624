// `mizzle router`: a MySQL protocol front for one sharded keyspace, so unmodified MySQL clients and ORMs use it; statements are routed to the shards' primaries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../kernel/logger.js';
import { MIZZLE_VERSION } from '../kernel/kernel.js';
import { plugin as mysqlProtocol, type MysqlProtocolServer } from '../plugins/protocol-mysql/index.js';
import { openTopology } from '../sharding/open-topology.js';
import type { TopologySource } from '../sharding/topology-source.js';
import { KeyspaceView } from './backends.js';
import { RouterKernel } from './kernel.js';
import { SCATTER_ROWS_MAX } from './scatter.js';

export const ROUTER_DEFAULT_PORT = 6033;

export const ROUTER_USAGE = `usage: mizzle router --topology ADDRESS --keyspace NAME [options]
  --topology ADDRESS      etcd://host:port[,…]/prefix or a topology JSON file (MIZZLE_TOPOLOGY works too)
  --keyspace NAME         the sharded keyspace clients use (its name is their database)
  --port N                MySQL port to listen on (default ${ROUTER_DEFAULT_PORT})
  --bind ADDRESS          address to listen on (default 127.0.0.1)
  --user NAME             the user clients log in as when MIZZLE_ROUTER_PASSWORD is set (default root)
  --backend-user NAME     the user the router logs in to the shards' servers as (default root;
                          password from MIZZLE_BACKEND_PASSWORD)
  --backend-protocol P    native (mizzle://, the default) or mysql (mysql:// to each server's mysqlPort)
  --no-scatter            refuse queries that do not pin the shard key (they would run on every shard)
  --reference-writes      copy writes to reference tables to every shard in turn (not atomic across
                          shards; refused by default with 1235)
  --scatter-rows-max N    rows the shards' answers to one scatter query may hold together; past it the
                          query is refused with 1235 and the shards' reads stopped (default ${SCATTER_ROWS_MAX})
Without MIZZLE_ROUTER_PASSWORD only loopback clients are admitted (any user name, no password).
`;

export interface RouterOptions {
  topology: string;
  keyspace: string;
  port: number;
  bind: string;
  user: string;
  backendUser: string;
  backendProtocol: 'native' | 'mysql';
  noScatter: boolean;
  referenceWrites: boolean;
  scatterRowsMax: number;
}

export class RouterUsageError extends Error {}

export function parseRouterArgs(args: readonly string[], env: NodeJS.ProcessEnv): RouterOptions {
  const o: RouterOptions = { topology: env.MIZZLE_TOPOLOGY ?? '', keyspace: '', port: ROUTER_DEFAULT_PORT, bind: '127.0.0.1', user: 'root', backendUser: 'root', backendProtocol: 'native', noScatter: false, referenceWrites: false, scatterRowsMax: SCATTER_ROWS_MAX };
  for (let i = 0; i < args.length; i++) {
    const [flag, inline] = args[i].includes('=') ? [args[i].slice(0, args[i].indexOf('=')), args[i].slice(args[i].indexOf('=') + 1)] : [args[i], undefined];
    if (flag === '--no-scatter' || flag === '--reference-writes') {
      if (inline !== undefined) throw new RouterUsageError(`${flag} takes no value`);
      if (flag === '--no-scatter') o.noScatter = true;
      else o.referenceWrites = true;
      continue;
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new RouterUsageError(`${flag} needs a value`);
    switch (flag) {
      case '--topology': o.topology = value; break;
      case '--keyspace': o.keyspace = value; break;
      case '--bind': o.bind = value; break;
      case '--user': o.user = value; break;
      case '--backend-user': o.backendUser = value; break;
      case '--port': {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 0 || n > 65535) throw new RouterUsageError(`--port must be 0..65535, not ${value}`);
        o.port = n;
        break;
      }
      case '--scatter-rows-max': {
        const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
        if (!(n >= 1 && n <= 100_000_000)) throw new RouterUsageError(`--scatter-rows-max must be 1..100000000, not ${value}`);
        o.scatterRowsMax = n;
        break;
      }
      case '--backend-protocol':
        if (value !== 'native' && value !== 'mysql') throw new RouterUsageError(`--backend-protocol is native or mysql, not ${value}`);
        o.backendProtocol = value;
        break;
      default:
        throw new RouterUsageError(`unknown option ${flag}`);
    }
  }
  if (o.topology === '') throw new RouterUsageError('--topology is required');
  if (o.keyspace === '') throw new RouterUsageError('--keyspace is required');
  return o;
}

export async function routerCommand(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(ROUTER_USAGE);
    return 0;
  }
  let o: RouterOptions;
  try {
    o = parseRouterArgs(args, process.env);
  } catch (e) {
    if (!(e instanceof RouterUsageError)) throw e;
    process.stderr.write(`mizzle router: ${e.message}\n${ROUTER_USAGE}`);
    return 2;
  }
  const log = createLogger({});
  let source: TopologySource;
  try {
    source = await openTopology(o.topology);
    await source.start();
  } catch (e) {
    process.stderr.write(`mizzle router: ${(e as Error).message}\n`);
    return 1;
  }
  if (source.current().keyspaces[o.keyspace] === undefined) {
    process.stderr.write(`mizzle router: ${source.description} has no keyspace '${o.keyspace}'\n`);
    await source.close();
    return 1;
  }
  const view = new KeyspaceView(source, o.keyspace);
  source.onChange(() => log.info('topology changed', { keyspace: o.keyspace }));
  const kernel = new RouterKernel(
    view,
    { backend: { keyspace: o.keyspace, protocol: o.backendProtocol, user: o.backendUser, password: process.env.MIZZLE_BACKEND_PASSWORD ?? '' }, noScatter: o.noScatter, referenceWrites: o.referenceWrites, scatterRowsMax: o.scatterRowsMax },
    { user: o.user, password: process.env.MIZZLE_ROUTER_PASSWORD },
    MIZZLE_VERSION,
  );
  // The protocol plugin keeps caching_sha2_password's RSA key in a datadir; the router's is a private temporary one.
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-router-'));
  const server = (await mysqlProtocol.init({
    options: { port: o.port, bind: o.bind, max_connections: 1000, connect_timeout: 10, default_auth: 'caching_sha2_password', caching_sha2_password_private_key_path: '' },
    datadir,
    log,
    kernel,
  })) as MysqlProtocolServer;
  try {
    await server.start();
  } catch (e) {
    process.stderr.write(`mizzle router: cannot listen on ${o.bind}:${o.port}: ${(e as Error).message}\n`);
    rmSync(datadir, { recursive: true, force: true });
    return 1;
  }
  log.info(`mizzle router started: ${server.describe()} → keyspace ${o.keyspace} (${view.current().shards.length} shards, ${source.description}${o.noScatter ? ', no scatter' : ''})`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
  });
  log.info('mizzle router stopping');
  kernel.shutdown();
  await server.stop();
  view.close();
  await source.close();
  rmSync(datadir, { recursive: true, force: true });
  return 0;
}
