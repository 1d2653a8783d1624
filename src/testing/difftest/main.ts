// `npm run difftest -- [--seed N] [--queries N] [--time S] [--out FILE]`: random queries on mizzle and MariaDB, compared.
import { writeFileSync } from 'node:fs';
import { writeBenchResult } from '../../bench/results-file.js';
import { mariadbServerAvailable } from '../mariadb-process.js';
import { startPeers } from './servers.js';
import { runDifferential } from './runner.js';
import { agreementOf, renderReport } from './report.js';

interface Args { seed: number; queries: number; seconds: number; out?: string }

function parseArgs(argv: string[]): Args {
  const a: Args = { seed: 1, queries: 5000, seconds: 600 };
  const num = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0) throw new Error(`${flag} needs a non-negative integer`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--seed') a.seed = num(v, argv[++i]);
    else if (v === '--queries') a.queries = num(v, argv[++i]);
    else if (v === '--time') a.seconds = num(v, argv[++i]);
    else if (v === '--out') a.out = argv[++i];
    else throw new Error(`unknown option ${v} (options: --seed N, --queries N, --time S, --out FILE)`);
  }
  return a;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (!mariadbServerAvailable()) throw new Error('mariadbd and mariadb-install-db are needed (Debian package mariadb-server)');
  const peers = await startPeers();
  try {
    const result = await runDifferential(peers, {
      seed: args.seed, queries: args.queries, seconds: args.seconds,
      progress: (n) => { if (n % 500 === 0) process.stderr.write(`${n} queries\n`); },
    });
    const date = new Date().toISOString();
    const text = renderReport(result, date.slice(0, 10));
    if (args.out) {
      writeFileSync(args.out, text);
      process.stdout.write(`written to ${args.out}\n`);
    } else writeBenchResult('difftest', date, text);
    process.stdout.write(`agreement ${(agreementOf(result) * 100).toFixed(2)}% (${result.agreed}/${result.queries}), ${result.differences.length} differences\n`);
  } finally {
    await peers.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`difftest: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
