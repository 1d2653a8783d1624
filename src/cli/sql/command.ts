// `mizzle sql`: connects, then runs -e, piped stdin, or the interactive console on a terminal.
import { fstatSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { connect } from '../../client/index.js';
import { parseSqlArgs, SqlUsageError, SQL_USAGE } from './args.js';
import { Output } from './output.js';
import { promptPassword } from './password-prompt.js';
import { Progress } from './progress.js';
import { runRepl } from './repl.js';
import { errorLine, runInput, type RunOptions } from './runner.js';
import { ConsoleSession } from './session.js';

function home(env: NodeJS.ProcessEnv): string {
  return env.HOME ?? homedir();
}

function readCnf(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return readFileSync(join(home(env), '.mizzle.cnf'), 'utf8');
  } catch {
    return undefined;
  }
}

/** The size of a file on stdin (`< dump.sql`), for the progress line's percentage. */
function stdinFileSize(): number | undefined {
  try {
    const st = fstatSync(0);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

async function* textOnce(text: string): AsyncGenerator<string> {
  yield text;
}

async function readAll(input: AsyncIterable<string | Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(parts).toString('utf8');
}

/**
 * --each: the same statements on each server in turn (Boots' multi-host mode), every result with
 * the server in a first column, errors naming it. A server that cannot be reached or fails does
 * not stop the others; the exit code is 1 if any did.
 */
async function runEach(servers: readonly URL[], text: string, o: Omit<RunOptions, 'label' | 'progress'>): Promise<number> {
  let code = 0;
  for (const url of servers) {
    const label = url.host;
    let session: ConsoleSession;
    try {
      session = await ConsoleSession.open(url);
    } catch (e) {
      o.err(errorLine(e, undefined, label));
      code = 1;
      continue;
    }
    try {
      code = Math.max(code, await runInput(session, textOnce(text), { ...o, label }));
    } finally {
      await session.close();
    }
  }
  return code;
}

/** `--script job.mjs`: the glue jobs operators write, given a connected client; a throw is exit code 1. */
async function runScript(file: string, url: URL, err: (line: string) => void): Promise<number> {
  const client = connect(url, { timeoutMs: 0 });
  try {
    const mod = (await import(pathToFileURL(resolve(file)).href)) as { default?: unknown };
    if (typeof mod.default !== 'function') {
      err(`mizzle sql: ${file} has no default export function (export default async (db) => { ... })`);
      return 2;
    }
    await (mod.default as (db: typeof client) => unknown)(client);
    return 0;
  } catch (e) {
    err(errorLine(e));
    return 1;
  } finally {
    await client.close();
  }
}

export async function sqlCommand(argv: string[]): Promise<number> {
  const env = process.env;
  const err = (line: string) => void process.stderr.write(line + '\n');
  let args;
  try {
    args = parseSqlArgs(argv, env, readCnf(env));
  } catch (e) {
    if (!(e instanceof SqlUsageError)) throw e;
    process.stderr.write(`mizzle sql: ${e.message}\n\n${SQL_USAGE}`);
    return 2;
  }
  if (args.help) {
    process.stdout.write(SQL_USAGE);
    return 0;
  }
  const interactive = args.execute === undefined && process.stdin.isTTY === true;
  if (args.askPassword) {
    if (!process.stdin.isTTY) {
      err('mizzle sql: -p without a password needs a terminal to ask on; give -pPASSWORD, --password=PASSWORD or a URL with one');
      return 2;
    }
    try {
      args.url.password = encodeURIComponent(await promptPassword(process.stdin, process.stderr));
      for (const u of args.each ?? []) u.password = args.url.password;
    } catch {
      return 1;
    }
  }
  // A reader that went away (`| head`) ends the output, not with a stack trace.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  if (args.script !== undefined) return runScript(args.script, args.url, err);
  if (args.each !== undefined) {
    if (interactive) {
      err('mizzle sql: --each runs -e or piped statements, not the interactive console');
      return 2;
    }
    const text = args.execute ?? (await readAll(process.stdin));
    const format = args.format ?? (process.stdout.isTTY ? 'table' : 'tsv');
    const out = new Output(process.stdout);
    const code = await runEach(args.each, text, { format, force: args.force, columnNames: args.columnNames, out, err });
    await out.flush();
    return code;
  }
  let session: ConsoleSession;
  try {
    session = await ConsoleSession.open(args.url);
  } catch (e) {
    err(errorLine(e));
    return 1;
  }
  try {
    const format = args.format ?? (process.stdout.isTTY ? 'table' : 'tsv');
    if (interactive) {
      return await runRepl(session, {
        format: args.format ?? 'table',
        columnNames: args.columnNames,
        historyFile: env.MIZZLE_HISTFILE ?? join(home(env), '.mizzle_history'),
        input: process.stdin,
        output: process.stdout,
        err,
      });
    }
    const input: AsyncIterable<string | Buffer> = args.execute !== undefined ? textOnce(args.execute) : process.stdin;
    const progress = args.execute === undefined && process.stderr.isTTY ? new Progress(process.stderr, { totalBytes: stdinFileSize() }) : undefined;
    progress?.start();
    return await runInput(session, input, { format, force: args.force, columnNames: args.columnNames, out: new Output(process.stdout), err, progress });
  } finally {
    await session.close();
  }
}
