#!/usr/bin/env node
// The `mizzle` command: starts the server, or runs one of COMMANDS (an audit log check, a backup, the change log, an auth-file password line, a replica's promotion, the SQL console), or prints --help or --version.
// The server's modules load only when they are needed, so `mizzle sql` (a client) starts as fast as a client should.
import { passwdCommand } from './passwd.js';

const serverModules = () => Promise.all([import('../kernel/config.js'), import('../kernel/help.js'), import('../kernel/kernel.js'), import('../plugins/index.js')]);

async function sqlCommand(args: string[]): Promise<number> {
  return (await import('./sql/command.js')).sqlCommand(args);
}

async function shardCommand(args: string[]): Promise<number> {
  return (await import('./shard/command.js')).shardCommand(args);
}

async function routerCommand(args: string[]): Promise<number> {
  return (await import('../router/command.js')).routerCommand(args);
}

async function auditCommand(args: string[]): Promise<number> {
  return (await import('./audit-verify.js')).auditCommand(args);
}

async function logCommand(args: string[]): Promise<number> {
  return (await import('./log-read.js')).logCommand(args);
}

/** `mizzle promote HOST:PORT`: PROMOTE on a replica. */
async function promoteCommand(args: string[]): Promise<number> {
  return (await import('./promote.js')).promoteCommand(args);
}

/** `mizzle backup [--datadir DIR] --to DEST`: an online, consistent copy of the datadir. */
async function backupCommand(args: string[]): Promise<number> {
  const [{ ConfigError }, , , { SHIPPED_PLUGINS }] = await serverModules();
  const { backupDatadir } = await import('../kernel/backup.js');
  const i = args.indexOf('--to');
  const dest = i >= 0 ? args[i + 1] : undefined;
  if (!dest) {
    process.stderr.write('usage: mizzle backup [--datadir DIR] --to DEST\n');
    return 2;
  }
  const rest = [...args.slice(0, i), ...args.slice(i + 2)];
  try {
    const r = await backupDatadir({ argv: rest, env: process.env, cwd: process.cwd(), plugins: SHIPPED_PLUGINS, dest });
    process.stdout.write(`backup of ${r.engines.join(', ') || 'nothing'} written to ${r.dest} (change log up to sequence ${r.sequence})\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`mizzle backup: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

/** What may come first on the command line; anything else there that is not an option is a mistake, not a server start. */
const COMMANDS: Record<string, (args: string[]) => Promise<number>> = { audit: auditCommand, backup: backupCommand, log: logCommand, passwd: passwdCommand, promote: promoteCommand, router: routerCommand, shard: shardCommand, sql: sqlCommand };

async function main(argv: string[]): Promise<number> {
  // `mizzle sql` reads its own options, where -h is the host and -? its help, as in the mysql CLI.
  if (argv[0] === 'sql') return sqlCommand(argv.slice(1));
  // `mizzle shard --help` lists the shard subcommands, not the server's options.
  if (argv[0] === 'shard') return shardCommand(argv.slice(1));
  // `mizzle router --help` is the router's own usage, not the server's options.
  if (argv[0] === 'router') return routerCommand(argv.slice(1));
  const [word] = argv;
  if (argv.includes('--help') || argv.includes('-h') || argv.includes('-?') || argv.includes('--version') || argv.includes('-V') || (word !== undefined && !word.startsWith('-'))) {
    const [, { helpText, USAGE }, { MIZZLE_VERSION }, { SHIPPED_PLUGINS }] = await serverModules();
    if (argv.includes('--help') || argv.includes('-h') || argv.includes('-?')) {
      process.stdout.write(helpText(SHIPPED_PLUGINS.map((p) => p.manifest), MIZZLE_VERSION));
      return 0;
    }
    if (argv.includes('--version') || argv.includes('-V')) {
      process.stdout.write(`mizzle ${MIZZLE_VERSION}\n`);
      return 0;
    }
    const command = word !== undefined && Object.hasOwn(COMMANDS, word) ? COMMANDS[word] : undefined;
    if (command) return command(argv.slice(1));
    process.stderr.write(`mizzle: unknown command '${word}' (commands: ${Object.keys(COMMANDS).join(', ')}; with only options, mizzle starts the server)\n\n${USAGE}`);
    return 2;
  }
  const [{ ConfigError, loadConfig, threadsOption }, { SHIPPED_PLUGINS }, { createLogger }, { Coordinator }, { createSharedMemory }] = await Promise.all([
    import('../kernel/config.js'), import('../plugins/index.js'), import('../kernel/logger.js'), import('../kernel/threads/coordinator.js'), import('../kernel/threads/shared-memory.js'),
  ]);
  const log = createLogger({ json: argv.includes('--log-json') });
  const workerScript = new URL('./worker.js', import.meta.url);
  // With worker threads asked for, they are spawned before this thread loads the server's modules, so that theirs load meanwhile.
  // A configuration that cannot be read spawns none: startServer reads it again and says what is wrong.
  let earlyWorkers: InstanceType<typeof Coordinator> | undefined;
  try {
    const config = loadConfig(argv, process.env, process.cwd(), SHIPPED_PLUGINS.map((p) => p.manifest));
    const threads = threadsOption(config);
    // The shipped memory engine runs in one thread (startServer decides it from the engine): no worker is spawned for it,
    // which would cost its start-up about 250 ms now that the default is one per core. Workers spawned early for an
    // engine that turns out not to share are ended by startServer.
    const memoryEngine = String(config.kernel['default-storage-engine']).toLowerCase() === 'memory';
    if (threads > 1 && !memoryEngine) earlyWorkers = new Coordinator(workerScript, createSharedMemory(threads), { argv, env: process.env, cwd: process.cwd() }, log);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
  }
  const [{ startServer }, { NativeChangeSource }] = await Promise.all([import('../kernel/server.js'), import('../client/native/change-source.js')]);
  // One failed promise (a client's commit, a library's internal bookkeeping) must not take the server down.
  process.on('unhandledRejection', (reason: unknown) => {
    log.error('unhandled rejection', { error: reason instanceof Error ? reason.stack ?? reason.message : String(reason) });
  });
  // SIGINT/SIGTERM are handled from here on: clients may be served before the start is complete
  // (the first worker listens while others start), and a signal then stops the server once started.
  // The handlers are `once`: a second signal ends the process at once (a start stuck on --topology, say).
  let signalled: string | undefined;
  let onSignal = (signal: string) => {
    signalled = signal;
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  let server;
  try {
    server = await startServer({ argv, env: process.env, cwd: process.cwd(), plugins: SHIPPED_PLUGINS, log, workerScript, earlyWorkers,
      // --replica-of: the replica reads its source's change stream with the client library.
      replicationSources: { 'mizzle:': (url) => new NativeChangeSource(url) } });
  } catch (e) {
    if (e instanceof ConfigError || (e instanceof Error && (e as NodeJS.ErrnoException).code === 'EADDRINUSE')) {
      log.error(`cannot start: ${e.message}`);
      return 1;
    }
    throw e;
  }
  const running = server;
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info(`received ${signal}`);
      running.stop().then(resolve, (e: unknown) => {
        log.error('error during shutdown', { error: String(e) });
        resolve();
      });
    };
    if (signalled !== undefined) stop(signalled);
    else onSignal = stop;
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`mizzle: fatal: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
