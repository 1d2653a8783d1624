// `mizzle shard put FILE|-`: writes one keyspace's topology (its JSON checked first) to the store, creating or replacing it.
import { readFile } from 'node:fs/promises';
import { parseKeyspace, type KeyspaceTopology } from '../../sharding/topology.js';
import type { ShardSubcommand } from './command.js';
import { onePositional, parseOptions } from './options.js';

/** A keyspace file is small; anything much larger is a mistake (a lookup table of 100 000 keys fits well within). */
const KEYSPACE_FILE_MAX_BYTES = 16 * 1024 * 1024;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += b.length;
    if (size > KEYSPACE_FILE_MAX_BYTES) throw new Error(`standard input is larger than ${KEYSPACE_FILE_MAX_BYTES} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readKeyspaceFile(path: string): Promise<KeyspaceTopology> {
  const name = path === '-' ? 'standard input' : path;
  let text: string;
  try {
    text = path === '-' ? await readStdin() : await readFile(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${name}: ${(e as Error).message}`);
  }
  if (text.length > KEYSPACE_FILE_MAX_BYTES) throw new Error(`${name} is larger than ${KEYSPACE_FILE_MAX_BYTES} bytes`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new Error(`${name} is not JSON: ${(e as Error).message}`);
  }
  return parseKeyspace(json);
}

export const put: ShardSubcommand = {
  summary: 'write a keyspace from its JSON file (- for standard input), creating or replacing it',
  usage: 'mizzle shard put --topology ADDRESS KEYSPACE_FILE.json|-',
  check(args) {
    onePositional(parseOptions(args, {}), 'KEYSPACE_FILE');
  },
  async run({ args, topology, out }) {
    const keyspace = await readKeyspaceFile(onePositional(parseOptions(args, {}), 'KEYSPACE_FILE'));
    const stored = await topology.update(keyspace.name, () => keyspace);
    out(`${JSON.stringify(stored, null, 2)}\n`);
    return 0;
  },
};
