// `npm run bench:protocols` (also the end of `npm run bench`): point selects over mizzle's three protocols through the
// client library, beside mysql2 on the MySQL protocol for reference, on one server; writes bench/results.
import { cpus, loadavg } from 'node:os';
import mysql from 'mysql2/promise';
import { connect, type Client } from '../client/index.js';
import { freePort, startServerProcess } from '../testing/server-process.js';
import { writeBenchResult } from './results-file.js';

const ROWS = 10_000;
/** How long each run lasts, after a warm-up of a tenth of it. */
const RUN_MS = Number(process.env.BENCH_RUN_MS ?? 4000);
/** Runs of each driver, taken in turns so that a change in the machine's load falls on all of them; the median is reported. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CLIENTS = [1, 8];
const POINT_SELECT = 'SELECT v FROM t WHERE id = ?';

interface Figures {
  qps: number;
  p50: number;
  p99: number;
}

/** One way to run a point select: `run(i)` on caller `k` of `clients`. */
interface Driver {
  name: string;
  open(clients: number): Promise<{ run: (k: number, id: number) => Promise<unknown>; close: () => Promise<void> }>;
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;
}

/** Point selects from `clients` concurrent callers back to back for `ms`; latency of each call. */
async function measure(driver: Driver, clients: number, ms: number): Promise<Figures> {
  const opened = await driver.open(clients);
  const latencies: number[] = [];
  try {
    const stopAt = performance.now() + ms;
    await Promise.all(
      Array.from({ length: clients }, async (_, k) => {
        for (let i = k; performance.now() < stopAt; i += clients) {
          const t0 = performance.now();
          await opened.run(k, (i * 7919) % ROWS);
          latencies.push(performance.now() - t0);
        }
      }),
    );
  } finally {
    await opened.close();
  }
  const sorted = Float64Array.from(latencies).sort();
  return { qps: Math.round((latencies.length * 1000) / ms), p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/** The client library on `url`, one pool shared by the callers. */
function clientLibrary(name: string, url: string): Driver {
  return {
    name,
    async open(clients) {
      const c: Client = connect(url, { poolSize: clients });
      return { run: (_k, id) => c.query(POINT_SELECT, [id]), close: () => c.close() };
    },
  };
}

function mysql2Driver(port: number): Driver {
  return {
    name: 'mysql2 (reference), MySQL protocol',
    async open(clients) {
      const conns = await Promise.all(Array.from({ length: clients }, () => mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'pb' })));
      return {
        run: (k, id) => conns[k]!.execute({ sql: POINT_SELECT, rowsAsArray: true }, [id]),
        close: async () => void (await Promise.all(conns.map((c) => c.end()))),
      };
    },
  };
}

async function main(): Promise<void> {
  const [httpPort, nativePort] = [await freePort(), await freePort()];
  // One thread compares the wires alone (with more, how connections spread over workers would count too).
  const server = await startServerProcess({
    args: ['--threads', '1', '--plugin-add', 'protocol-http', `--protocol-http.port=${httpPort}`, '--plugin-add', 'protocol-native', `--protocol-native.port=${nativePort}`],
  });
  const results: { driver: string; clients: number; f: Figures; qpsRuns: number[] }[] = [];
  const loadBefore = loadavg()[0]!;
  try {
    const setup = connect(`mysql://root@127.0.0.1:${server.port}/?ssl-mode=disabled`);
    await setup.query('CREATE DATABASE pb');
    await setup.query('CREATE TABLE pb.t (id INT PRIMARY KEY, v VARCHAR(40))');
    for (let i = 0; i < ROWS; i += 1000) {
      await setup.query('INSERT INTO pb.t VALUES ' + Array.from({ length: 1000 }, (_, k) => `(${i + k}, 'value ${i + k}')`).join(','));
    }
    await setup.close();
    const drivers = [
      mysql2Driver(server.port),
      clientLibrary('client library, mysql://', `mysql://root@127.0.0.1:${server.port}/pb?ssl-mode=disabled`),
      clientLibrary('client library, mizzle:// (native)', `mizzle://root@127.0.0.1:${nativePort}/pb?ssl-mode=disabled`),
      clientLibrary('client library, http://', `http://127.0.0.1:${httpPort}/?database=pb`),
    ];
    for (const clients of CLIENTS) {
      const runs = drivers.map(() => [] as Figures[]);
      for (let round = 0; round < ROUNDS; round++) {
        for (const [i, d] of drivers.entries()) {
          await measure(d, clients, RUN_MS / 10);
          const f = await measure(d, clients, RUN_MS);
          runs[i]!.push(f);
          process.stdout.write(`${d.name}, ${clients} client(s), round ${round + 1}: ${f.qps}/s p50 ${f.p50.toFixed(3)} ms p99 ${f.p99.toFixed(3)} ms (load ${loadavg()[0]!.toFixed(1)})\n`);
        }
      }
      for (const [i, d] of drivers.entries()) {
        const byQps = [...runs[i]!].sort((a, b) => a.qps - b.qps);
        results.push({ driver: d.name, clients, f: byQps[Math.floor(byQps.length / 2)]!, qpsRuns: runs[i]!.map((f) => f.qps) });
      }
    }
  } finally {
    await server.stop();
    server.cleanup();
  }
  const base = (clients: number) => results.find((r) => r.driver === 'client library, mysql://' && r.clients === clients)!.f.qps;
  const date = new Date().toISOString();
  const text = [
    `# Point selects over the three protocols, ${date}`,
    '',
    `One mizzle server (--threads 1, lmdb) with protocol-http and protocol-native; \`${POINT_SELECT}\` over ${ROWS} rows`,
    `with a bound parameter, callers back to back for ${RUN_MS / 1000} s per run (after a warm-up), on the same host;`,
    `${ROUNDS} runs of each, the drivers taking turns, and the median run shown (every run's selects/s in the last column).`,
    'The client library has a pool of as many sessions as callers (mizzle:// puts up to 4 calls on one connection before it opens another);',
    'mysql2 gets one connection per caller. All in clear (`ssl-mode=disabled`).',
    `Load average (1 min) ${loadBefore.toFixed(2)} at the start, ${loadavg()[0]!.toFixed(2)} at the end, on ${cpus().length} cores.`,
    '',
    '| driver | callers | selects/s | p50 ms | p99 ms | / client library mysql:// | runs |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map((r) => `| ${r.driver} | ${r.clients} | ${r.f.qps} | ${r.f.p50.toFixed(3)} | ${r.f.p99.toFixed(3)} | ${(r.f.qps / base(r.clients)).toFixed(2)} | ${r.qpsRuns.join(', ')} |`),
    '',
  ].join('\n');
  writeBenchResult('protocols', date, text);
}

await main();
