// `npm run slt -- [--server HOST:PORT] [--user U] [--password P] PATH...`: runs sqllogictest files and prints the pass rate.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EmbeddedBackend, WireBackend, type Backend } from './backends.js';
import { runFile, type FileReport } from './runner.js';

function collect(path: string, out: string[]): void {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (path.endsWith('.test')) out.push(path);
}

interface Args {
  server?: string;
  user: string;
  password: string;
  quiet: boolean;
  paths: string[];
}

function parseArgs(argv: string[]): Args {
  const a: Args = { user: 'root', password: '', quiet: false, paths: [] };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i];
    if (v === '--server') a.server = argv[++i];
    else if (v === '--user') a.user = argv[++i];
    else if (v === '--password') a.password = argv[++i];
    else if (v === '--quiet') a.quiet = true;
    else a.paths.push(v);
  }
  return a;
}

/** Runs the given files; returns the per-file reports (used by tests too). */
export async function runSlt(paths: string[], backend: Backend, print: (line: string) => void, quiet = false, maxRecordsPerFile = Infinity): Promise<FileReport[]> {
  const files: string[] = [];
  for (const p of paths) collect(p, files);
  const reports: FileReport[] = [];
  let n = 0;
  for (const f of files) {
    const display = relative(process.cwd(), f) || f;
    const r = await runFile(f, display, backend, `slt_${process.pid}_${n++}`, maxRecordsPerFile);
    if (!quiet) for (const line of r.failures) print(line);
    print(`${display}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${r.ms} ms)`);
    reports.push(r);
  }
  return reports;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.paths.length === 0) {
    process.stderr.write('usage: npm run slt -- [--server HOST:PORT] [--user U] [--password P] [--quiet] PATH...\n');
    process.exit(2);
  }
  let backend: Backend;
  if (args.server) {
    const [host, port] = args.server.split(':');
    backend = await WireBackend.open(host || '127.0.0.1', Number(port || 3306), args.user, args.password);
  } else {
    backend = await EmbeddedBackend.open();
  }
  const t0 = Date.now();
  const reports = await runSlt(args.paths, backend, (l) => process.stdout.write(l + '\n'), args.quiet);
  await backend.close();
  const passed = reports.reduce((s, r) => s + r.passed, 0);
  const failed = reports.reduce((s, r) => s + r.failed, 0);
  const skipped = reports.reduce((s, r) => s + r.skipped, 0);
  const slow = reports.flatMap((r) => r.slow).sort((a, b) => b[0] - a[0]).slice(0, 10);
  process.stdout.write('\nslowest queries:\n' + slow.map(([ms, w]) => `  ${ms.toFixed(1)} ms  ${w}`).join('\n') + '\n');
  process.stdout.write(`total time: ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  const total = passed + failed;
  process.stdout.write(`pass rate: ${total ? ((100 * passed) / total).toFixed(2) : '0.00'}%\n`);
}

if (process.argv[1] && process.argv[1].endsWith('main.js')) {
  main().catch((e: unknown) => {
    process.stderr.write(`slt: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
