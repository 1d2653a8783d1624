// Replica lag under write load: a primary and replicas on loopback, sysbench oltp_write_only on the primary, and a probe
// that measures, for a row written every PROBE_MS, the time from the primary's acknowledgement of its commit to each
// replica's commit of it (seen on the replica's own change stream, which pushes each commit as it happens).
// Run after `node scripts/build.mjs` (needs sysbench):
//   node bench/replication-lag/run.mjs [--seconds=20] [--threads=8] [--replicas=2] [--server-threads=1]
//     [--profile-replica=DIR (a CPU profile of the first replica)] [--out=bench/results/DATE-replication-lag.md]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus as cpuCount, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, startServerProcess } from '../../dist/testing/server-process.js';
import { NativeClientConnection } from '../../dist/protocol/native/client-end.js';
import { decodeTransaction } from '../../dist/storage/change-log/index.js';

const arg = (name, fallback) => {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : fallback;
};
const SECONDS = Number(arg('seconds', '20'));
const THREADS = Number(arg('threads', '8'));
const SERVER_THREADS = Number(arg('server-threads', '1'));
const REPLICAS = Number(arg('replicas', '2'));
const PROFILE_DIR = arg('profile-replica', '');
const PROBE_MS = 20;
const OUT = arg('out', join('bench', 'results', `${new Date().toISOString().slice(0, 10)}-replication-lag.md`));

async function node(datadir, args, nodeArgs = []) {
  const nativePort = await freePort();
  const server = await startServerProcess({ datadir, nodeArgs, args: ['--threads', String(SERVER_THREADS), '--plugin-add', 'protocol-native', `--protocol-native.port=${nativePort}`, ...args] });
  return { server, nativePort };
}

function sysbench(port, action, threads, seconds) {
  const args = ['oltp_write_only', '--db-driver=mysql', '--mysql-host=127.0.0.1', `--mysql-port=${port}`, '--mysql-user=root', '--mysql-db=sbtest',
    '--tables=2', '--table-size=10000', `--threads=${threads}`, `--time=${seconds}`, '--report-interval=0', '--rand-type=uniform', action];
  return new Promise((resolve) => {
    const p = spawn('sysbench', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (status) => resolve({ out, status }));
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main() {
  if (spawnSync('sh', ['-c', 'command -v sysbench']).status !== 0) throw new Error('sysbench is not installed');
  const dirs = [mkdtempSync(join(tmpdir(), 'lag-primary-'))];
  const primary = await node(dirs[0], []);
  const replicas = [];
  for (let i = 0; i < REPLICAS; i++) {
    dirs.push(mkdtempSync(join(tmpdir(), `lag-replica${i + 1}-`)));
    const profile = PROFILE_DIR !== '' && i === 0 ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [];
    replicas.push(await node(dirs[i + 1], ['--replica-of', `mizzle://root@127.0.0.1:${primary.nativePort}`], profile));
  }
  const q = async (port, sql) => {
    const c = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
    try {
      return (await c.query(sql))[0];
    } finally {
      await c.end();
    }
  };
  try {
    await q(primary.server.port, 'CREATE DATABASE sbtest');
    await q(primary.server.port, 'CREATE DATABASE probe');
    await q(primary.server.port, 'CREATE TABLE probe.p (id BIGINT PRIMARY KEY, at BIGINT)');
    const prep = await sysbench(primary.server.port, 'prepare', 2, 10);
    if (prep.status !== 0) throw new Error(`sysbench prepare failed:\n${prep.out}`);
    // The replicas catch up with the prepared tables before the measurement.
    for (const replica of replicas) {
      for (;;) {
        const [s] = await q(replica.server.port, 'SHOW REPLICA STATUS');
        if (s.Lag_transactions === 0 && s.Replica_SQL_Running === 'Yes') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }

    const acked = new Map();
    // Per replica: when each probe arrived there, and the lags measured.
    const seen = replicas.map(() => ({ arrived: new Map(), lags: [] }));
    const settle = (id) => {
      if (!acked.has(id)) return;
      for (const r of seen) if (r.arrived.has(id) && !r.arrived.get(id).settled) {
        const a = r.arrived.get(id);
        a.settled = true;
        r.lags.push(Math.max(0, a.at - acked.get(id)));
      }
    };
    const observers = [];
    for (let i = 0; i < replicas.length; i++) {
      const observer = await NativeClientConnection.connect({ host: '127.0.0.1', port: replicas[i].nativePort, user: 'root', password: '', database: null });
      observers.push(observer);
      observer.follow({ sourceUuid: '', afterSequence: 0n }, async (frames) => {
        const now = performance.now();
        for (const t of frames.flatMap((f) => f.transactions)) {
          for (const c of decodeTransaction(t.bytes).changes) {
            if (c.change.case !== 'row' || c.change.value.table !== 'p' || c.change.value.schema !== 'probe') continue;
            const id = Number(c.change.value.after[0].kind.value);
            seen[i].arrived.set(id, { at: now, settled: false });
            settle(id);
          }
        }
      }).catch(() => undefined);
    }

    let probing = true;
    const loads = [];
    const probe = (async () => {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: primary.server.port, user: 'root' });
      for (let id = 1; probing; id++) {
        await c.query('INSERT INTO probe.p VALUES (?, ?)', [id, Date.now()]);
        acked.set(id, performance.now());
        settle(id);
        if (id % 50 === 0) loads.push(loadavg()[0]);
        await new Promise((r) => setTimeout(r, PROBE_MS));
      }
      await c.end();
    })();
    // --threads=0: the probe alone, for the lag of an idle primary.
    const run = THREADS > 0 ? await sysbench(primary.server.port, 'run', THREADS, SECONDS) : await new Promise((r) => setTimeout(() => r({ out: '', status: 0 }), SECONDS * 1000));
    probing = false;
    await probe;
    // The last probes arrive.
    const deadline = Date.now() + 10_000;
    while (seen.some((r) => r.lags.length < acked.size) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const o of observers) o.destroy();
    if (run.status !== 0) throw new Error(`sysbench run failed:\n${run.out}`);
    const tps = /transactions:\s+\d+\s+\(([\d.]+) per sec/.exec(run.out)?.[1] ?? '?';
    const f = (x) => (x === undefined ? '?' : x.toFixed(1));
    const row = (name, lags, error, expected = acked.size) => {
      const sorted = [...lags].sort((a, b) => a - b);
      return `| ${name} | ${tps} | ${sorted.length} of ${expected} | ${f(pct(sorted, 50))} | ${f(pct(sorted, 95))} | ${f(pct(sorted, 99))} | ${f(sorted[sorted.length - 1])} | ${error} |`;
    };
    const rows = [];
    for (let i = 0; i < replicas.length; i++) {
      const [final] = await q(replicas[i].server.port, 'SHOW REPLICA STATUS');
      rows.push(row(`replica ${i + 1}`, seen[i].lags, final.Last_Error || 'none'));
    }
    const all = seen.flatMap((r) => r.lags).sort((a, b) => a - b);
    if (replicas.length > 1) rows.push(row('all replicas', all, '', acked.size * replicas.length));
    const p99 = pct(all, 99);
    const missing = seen.some((r) => r.lags.length < acked.size);
    const cpus = cpuCount();
    const load = loads.length > 0 ? `${Math.min(...loads).toFixed(1)} to ${Math.max(...loads).toFixed(1)}` : '?';
    const report = [
      `# Replica lag under sysbench oltp_write_only (${new Date().toISOString().slice(0, 10)})`,
      '',
      `A primary and ${replicas.length} replica(s) on loopback (${SERVER_THREADS} server thread(s) each, ${cpus.length} cores: ${cpus[0]?.model ?? '?'}), sysbench`,
      `oltp_write_only at ${THREADS} threads for ${SECONDS} s on the primary (2 tables of 10,000 rows), and a probe row inserted every`,
      `${PROBE_MS} ms on its own connection. Lag of a probe: from the primary's acknowledgement of its commit to a replica's`,
      'commit of it, seen on the replica\'s own change stream (pushed as each commit happens). Made by `node bench/replication-lag/run.mjs`.',
      `Load average (1 min) during the run: ${load}.`,
      '',
      '| replica | sysbench tps | probes | p50 ms | p95 ms | p99 ms | max ms | replica error |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      `Target (issue 15): p99 under 100 ms on every replica. ${missing ? 'NOT MET: probes did not all arrive' : p99 < 100 ? `Met: p99 ${f(p99)} ms.` : `Not met: p99 ${f(p99)} ms.`}`,
      '',
    ].join('\n');
    writeFileSync(OUT, report);
    process.stdout.write(report + `\nwritten to ${OUT}\n`);
  } finally {
    for (const r of replicas) await r.server.stop();
    await primary.server.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
