// `mizzle log read`: prints the change log as JSON lines, replayable SQL, or the raw length-delimited protobuf messages.
import { ConfigError } from '../kernel/config.js';
import { readChangeLog } from '../kernel/change-log-reader.js';
import { SHIPPED_PLUGINS } from '../plugins/index.js';
import { decodeTransaction, lengthPrefix, transactionToJson, transactionToSql } from '../storage/change-log/index.js';

const USAGE = 'usage: mizzle log read [--datadir DIR] [--from ID] [--format json|sql|binary]\n' +
  '  --from ID   start at this commit id (SEQUENCE or SERVER_UUID:SEQUENCE), inclusive\n' +
  '  --format    json: one object per transaction per line (default); sql: statements that redo the changes;\n' +
  '              binary: each stored protobuf Transaction with a varint length prefix (for other languages)\n';

const FORMATS = ['json', 'sql', 'binary'] as const;
type Format = (typeof FORMATS)[number];

/** Takes `--name value` or `--name=value` out of `args`. */
function takeOption(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name) return args.splice(i, 2)[1] ?? '';
    if (args[i].startsWith(name + '=')) return args.splice(i, 1)[0].slice(name.length + 1);
  }
  return undefined;
}

/** The sequence of an id given as `N` or `uuid:N`. */
function parseFrom(text: string): bigint | undefined {
  const m = /^(?:[0-9a-fA-F-]{36}:)?(\d{1,20})$/.exec(text);
  return m ? BigInt(m[1]) : undefined;
}

function write(chunk: string | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(chunk, (e) => (e ? reject(e) : resolve()));
  });
}

export async function logCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'read') {
    process.stderr.write(USAGE);
    return 2;
  }
  const fromText = takeOption(rest, '--from');
  const format = (takeOption(rest, '--format') ?? 'json') as Format;
  const from = fromText === undefined ? 1n : parseFrom(fromText);
  if (from === undefined || !FORMATS.includes(format)) {
    process.stderr.write(`mizzle log read: ${from === undefined ? `bad --from '${fromText}'` : `unknown --format '${format}'`}\n${USAGE}`);
    return 2;
  }
  try {
    await readChangeLog({
      argv: rest, env: process.env, cwd: process.cwd(), plugins: SHIPPED_PLUGINS, from,
      each: async (page) => {
        const parts: (string | Buffer)[] = [];
        for (const { bytes } of page) {
          if (format === 'binary') parts.push(lengthPrefix(bytes.length), bytes);
          else parts.push((format === 'sql' ? transactionToSql(decodeTransaction(bytes)) : transactionToJson(decodeTransaction(bytes))) + '\n');
        }
        await write(format === 'binary' ? Buffer.concat(parts as Buffer[]) : parts.join(''));
      },
    });
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`mizzle log read: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
