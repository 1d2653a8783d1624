// `npm run bench [-- --full] [--threads=1,2]`: sysbench OLTP tests against mizzle (at each thread count) and MariaDB in the same run, as ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess, type ServerProcess } from '../testing/server-process.js';
import { startMariadb, type MariadbProcess } from '../testing/mariadb-process.js';

const TESTS = [
  'oltp_point_select', 'oltp_read_only', 'oltp_read_write', 'oltp_write_only', 'oltp_insert',
  'oltp_update_index', 'oltp_update_non_index', 'oltp_delete', 'select_random_points', 'select_random_ranges',
] as const;

interface Mode {
  tables: number;
  tableSize: number;
  seconds: number;
  threads: number;
  psModes: readonly ('auto' | 'disable')[];
}

const SHORT: Mode = { tables: 2, tableSize: 10_000, seconds: 5, threads: 8, psModes: ['auto', 'disable'] };
const FULL: Mode = { tables: 4, tableSize: 100_000, seconds: 30, threads: 8, psModes: ['auto', 'disable'] };

interface RunResult {
  tps: number;
  qps: number;
  p95ms: number;
  errors: number;
  ok: boolean;
  failure?: string;
}

function ensureTools(): void {
  const have = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
  if (have('sysbench') && have('mariadbd') && have('mariadb')) return;
  process.stderr.write('installing sysbench and mariadb-server with apt-get...\n');
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  execFileSync('apt-get', ['install', '-y', '-qq', 'sysbench', 'mariadb-server', 'mariadb-client'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function sysbench(test: string, action: 'prepare' | 'run' | 'cleanup', port: number, mode: Mode, ps: string): { out: string; status: number | null } {
  const args = [
    test, '--db-driver=mysql', '--mysql-host=127.0.0.1', `--mysql-port=${port}`, '--mysql-user=root', '--mysql-db=sbtest',
    `--tables=${mode.tables}`, `--table-size=${mode.tableSize}`, `--threads=${action === 'run' ? mode.threads : Math.min(mode.tables, 4)}`,
    `--time=${mode.seconds}`, '--report-interval=0', `--db-ps-mode=${ps}`, '--rand-type=uniform', action,
  ];
  const r = spawnSync('sysbench', args, { encoding: 'utf8', timeout: (mode.seconds + 600) * 1000 });
  return { out: (r.stdout ?? '') + (r.stderr ?? ''), status: r.status };
}

function parse(out: string, status: number | null): RunResult {
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : NaN;
  };
  const tps = num(/transactions:\s+\d+\s+\(([\d.]+) per sec/);
  const qps = num(/queries:\s+\d+\s+\(([\d.]+) per sec/);
  const p95ms = num(/95th percentile:\s+([\d.]+)/);
  const errors = num(/ignored errors:\s+(\d+)/);
  const ok = status === 0 && Number.isFinite(tps);
  const fatal = /FATAL: (.*)/.exec(out);
  return { tps, qps, p95ms, errors: Number.isFinite(errors) ? errors : 0, ok, failure: ok ? undefined : fatal ? fatal[1] : `sysbench exited with ${status}` };
}

/**
 * The resident memory of the whole process (`field` VmRSS): every thread (the workers too) shares one address space, so it is
 * their sum. RssAnon is the part that is the process's own; the rest is mostly the node binary's pages, shared with every node process.
 */
function rssMb(pid: number | undefined, field: 'VmRSS' | 'RssAnon' = 'VmRSS'): number {
  if (!pid) return NaN;
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** `<base>.md`, or `<base>-2.md`, `-3`... when a run of the same day is already there: history is never overwritten. */
function resultsFile(dir: string, base: string): string {
  let file = join(dir, `${base}.md`);
  for (let n = 2; existsSync(file); n++) file = join(dir, `${base}-${n}.md`);
  return file;
}

function mysqlCli(port: number, sql: string): void {
  execFileSync('mariadb', ['-h127.0.0.1', `-P${port}`, '-uroot', '--skip-ssl', '-e', sql], { stdio: 'ignore' });
}

async function main(): Promise<void> {
  const full = process.argv.includes('--full');
  const mode = full ? FULL : SHORT;
  const only = process.argv.find((a) => a.startsWith('--tests='))?.slice('--tests='.length).split(',');
  const unknown = only?.filter((t) => !(TESTS as readonly string[]).includes(t)) ?? [];
  if (unknown.length > 0) {
    // Before any server starts: a typo must not run nothing and write an empty table into the history.
    process.stderr.write(`bench: unknown test ${unknown.map((t) => `'${t}'`).join(', ')}; the tests are ${TESTS.join(', ')}\n`);
    process.exit(2);
  }
  const tests = only ? TESTS.filter((t) => only.includes(t)) : TESTS;
  ensureTools();

  // mizzle at one thread and at one per core (or as asked), each beside MariaDB in the same interleaved run.
  const threadsArg = process.argv.find((a) => a.startsWith('--threads='))?.slice('--threads='.length);
  const threadCounts = [...new Set((threadsArg ?? `1,${availableParallelism()}`).split(',').map(Number))];
  if (threadCounts.some((n) => !Number.isInteger(n) || n < 1)) {
    process.stderr.write(`bench: --threads takes whole numbers from 1, comma-separated (got ${threadsArg})\n`);
    process.exit(2);
  }
  const mizzles: { threads: number; proc: ServerProcess; startMs: number; idleMb: number; idleAnonMb: number; load: number }[] = [];
  for (const threads of threadCounts) {
    // Start-up as a client sees it: from spawning the process to the first connection that gets the greeting.
    // The machine may be shared: the load average beside the time says how busy it was.
    const load = loadavg()[0];
    const proc = await startServerProcess({ args: ['--threads', String(threads)], waitFor: 'greeting' });
    const startMs = Math.round(proc.readyMs);
    // Idle RSS once every worker has started (the first may greet before the others are up).
    while (!proc.log().includes('mizzle started')) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    mizzles.push({ threads, proc, startMs, idleMb: rssMb(proc.child.pid), idleAnonMb: rssMb(proc.child.pid, 'RssAnon'), load });
  }
  const t1 = performance.now();
  const maria: MariadbProcess = await startMariadb();
  const mariaStartMs = Math.round(performance.now() - t1);
  const name = (threads: number) => `mizzle@${threads}`;
  const servers = [
    ...mizzles.map((m) => ({ name: name(m.threads), port: m.proc.port, pid: m.proc.child.pid })),
    { name: 'MariaDB', port: maria.port, pid: maria.child.pid },
  ];
  const results = new Map<string, RunResult>();
  try {
    for (const s of servers) {
      mysqlCli(s.port, 'CREATE DATABASE IF NOT EXISTS sbtest');
      process.stderr.write(`preparing ${mode.tables} x ${mode.tableSize} rows on ${s.name}...\n`);
      const p = sysbench('oltp_common', 'prepare', s.port, mode, 'disable');
      if (p.status !== 0) throw new Error(`sysbench prepare failed on ${s.name}:\n${p.out}`);
    }
    let round = 0;
    for (const test of tests) {
      for (const ps of mode.psModes) {
        // Rotate which server goes first, so drift of the machine cancels out.
        const k = round++ % servers.length;
        const order = [...servers.slice(k), ...servers.slice(0, k)];
        for (const s of order) {
          process.stderr.write(`${test} ps-mode=${ps} on ${s.name}...\n`);
          const r = sysbench(test, 'run', s.port, mode, ps);
          results.set(`${test}/${ps}/${s.name}`, parse(r.out, r.status));
        }
      }
    }
    const endRss = servers.map((s) => rssMb(s.pid));
    const lines: string[] = [];
    const date = new Date().toISOString();
    lines.push(`# sysbench: mizzle vs MariaDB ${full ? '(full)' : '(short)'}`, '');
    lines.push(`${date}; ${mode.tables} tables x ${mode.tableSize} rows, ${mode.threads} sysbench threads, ${mode.seconds} s per run; ${availableParallelism()} cores; mizzle at ${threadCounts.join(' and ')} worker thread(s) (mizzle@N); every server with durable commits (their defaults); runs rotate between servers.`, '');
    const low = threadCounts[0];
    const high = threadCounts[threadCounts.length - 1];
    const header = ['test', 'ps-mode', ...threadCounts.map((t) => `${name(t)} qps`), 'MariaDB qps', ...threadCounts.map((t) => `ratio @${t}`), ...(high !== low ? [`speed-up ${low}→${high}`] : []), ...threadCounts.map((t) => `p95 ms @${t}`), 'MariaDB p95 ms', 'errors'];
    lines.push(`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i < 2 ? '---' : '---:')).join(' | ')} |`);
    for (const test of tests) {
      for (const ps of mode.psModes) {
        const rs = threadCounts.map((t) => results.get(`${test}/${ps}/${name(t)}`) as RunResult);
        const b = results.get(`${test}/${ps}/MariaDB`) as RunResult;
        const f = (r: RunResult, v: number) => (r.ok ? v.toFixed(1) : 'FAILED');
        const ratio = (a: RunResult) => (a.ok && b.ok && b.qps > 0 ? (a.qps / b.qps).toFixed(2) : 'n/a');
        const first = rs[0];
        const last = rs[rs.length - 1];
        const speedup = high !== low ? [first.ok && last.ok && first.qps > 0 ? `${(last.qps / first.qps).toFixed(2)}×` : 'n/a'] : [];
        const errors = [...rs, b].map((r) => (r.ok ? String(r.errors) : r.failure)).join(' / ');
        lines.push(`| ${[test, ps, ...rs.map((r) => f(r, r.qps)), f(b, b.qps), ...rs.map(ratio), ...speedup, ...rs.map((r) => f(r, r.p95ms)), f(b, b.p95ms), errors].join(' | ')} |`);
      }
    }
    lines.push('', '| server | start-up to accepting connections | idle RSS | RSS at end |', '| --- | ---: | ---: | ---: |');
    mizzles.forEach((m, i) => lines.push(`| ${name(m.threads)} | ${m.startMs} ms (spawn to first greeting, includes Node start; load ${m.load.toFixed(2)}) | ${m.idleMb} MB (${m.idleAnonMb} MB anonymous) | ${endRss[i]} MB |`));
    lines.push(`| MariaDB | ${mariaStartMs} ms (includes mariadb-install-db) | n/a | ${endRss[mizzles.length]} MB |`);
    const table = lines.join('\n') + '\n';
    process.stdout.write(table);
    const dir = join(fileURLToPath(import.meta.url), '..', '..', '..', 'bench', 'results');
    mkdirSync(dir, { recursive: true });
    const file = resultsFile(dir, `${date.slice(0, 10)}${full ? '' : '-short'}`);
    writeFileSync(file, table);
    process.stderr.write(`written to ${file}\n`);
  } finally {
    for (const m of mizzles) {
      await m.proc.stop();
      m.proc.cleanup();
    }
    await maria.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
