// Replica lag under write load: a primary and a replica on loopback, sysbench oltp_write_only on the primary, and a probe
// that measures, for a row written every PROBE_MS, the time from the primary's acknowledgement of its commit to the
// replica's commit of it (seen on the replica's own change stream, which pushes each commit as it happens).
// Run after `node scripts/build.mjs` (needs sysbench):
//   node bench/replication-lag/run.mjs [--seconds=20] [--threads=8] [--server-threads=1] [--out=bench/results/DATE-replication-lag.md]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const PROBE_MS = 20;
const OUT = arg('out', join('bench', 'results', `${new Date().toISOString().slice(0, 10)}-replication-lag.md`));

async function node(datadir, args) {
  const nativePort = await freePort();
  const server = await startServerProcess({ datadir, args: ['--threads', String(SERVER_THREADS), '--plugin-add', 'protocol-native', `--protocol-native.port=${nativePort}`, ...args] });
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
  const dirs = [mkdtempSync(join(tmpdir(), 'lag-primary-')), mkdtempSync(join(tmpdir(), 'lag-replica-'))];
  const primary = await node(dirs[0], []);
  const replica = await node(dirs[1], ['--replica-of', `mizzle://root@127.0.0.1:${primary.nativePort}`]);
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
    // The replica catches up with the prepared tables before the measurement.
    for (;;) {
      const [s] = await q(replica.server.port, 'SHOW REPLICA STATUS');
      if (s.Lag_transactions === 0 && s.Replica_SQL_Running === 'Yes') break;
      await new Promise((r) => setTimeout(r, 100));
    }

    const acked = new Map();
    const arrived = new Map();
    const lags = [];
    const settle = (id) => {
      if (acked.has(id) && arrived.has(id)) lags.push(Math.max(0, arrived.get(id) - acked.get(id)));
    };
    const observer = await NativeClientConnection.connect({ host: '127.0.0.1', port: replica.nativePort, user: 'root', password: '', database: null });
    const following = observer.follow({ sourceUuid: '', afterSequence: 0n }, async (frame) => {
      const now = performance.now();
      for (const t of frame.transactions) {
        for (const c of decodeTransaction(t.bytes).changes) {
          if (c.change.case !== 'row' || c.change.value.table !== 'p' || c.change.value.schema !== 'probe') continue;
          const id = Number(c.change.value.after[0].kind.value);
          arrived.set(id, now);
          settle(id);
        }
      }
    });
    following.catch(() => undefined);

    let probing = true;
    const probe = (async () => {
      const c = await mysql.createConnection({ host: '127.0.0.1', port: primary.server.port, user: 'root' });
      for (let id = 1; probing; id++) {
        await c.query('INSERT INTO probe.p VALUES (?, ?)', [id, Date.now()]);
        acked.set(id, performance.now());
        settle(id);
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
    while (lags.length < acked.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    observer.destroy();
    if (run.status !== 0) throw new Error(`sysbench run failed:\n${run.out}`);
    const tps = /transactions:\s+\d+\s+\(([\d.]+) per sec/.exec(run.out)?.[1] ?? '?';
    const [final] = await q(replica.server.port, 'SHOW REPLICA STATUS');
    const sorted = [...lags].sort((a, b) => a - b);
    const f = (x) => (x === undefined ? '?' : x.toFixed(1));
    const cpus = (await import('node:os')).cpus();
    const report = [
      `# Replica lag under sysbench oltp_write_only (${new Date().toISOString().slice(0, 10)})`,
      '',
      `A primary and one replica on loopback (${SERVER_THREADS} server thread(s) each, ${cpus.length} cores: ${cpus[0]?.model ?? '?'}), sysbench`,
      `oltp_write_only at ${THREADS} threads for ${SECONDS} s on the primary (2 tables of 10,000 rows), and a probe row inserted every`,
      `${PROBE_MS} ms on its own connection. Lag of a probe: from the primary's acknowledgement of its commit to the replica's`,
      'commit of it, seen on the replica\'s own change stream (pushed as each commit happens). Made by `node bench/replication-lag/run.mjs`.',
      '',
      '| sysbench tps | probes | p50 ms | p95 ms | p99 ms | max ms | replica error |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      `| ${tps} | ${sorted.length} of ${acked.size} | ${f(pct(sorted, 50))} | ${f(pct(sorted, 95))} | ${f(pct(sorted, 99))} | ${f(sorted[sorted.length - 1])} | ${final.Last_Error || 'none'} |`,
      '',
    ].join('\n');
    writeFileSync(OUT, report);
    process.stdout.write(report + `\nwritten to ${OUT}\n`);
  } finally {
    await replica.server.stop();
    await primary.server.stop();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`${e.stack ?? e}\n`);
  process.exit(1);
});
