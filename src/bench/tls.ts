// `npm run bench:tls`: what TLS costs: on the MySQL protocol connection setup and point-select throughput encrypted vs clear, on the HTTP and native protocols the same throughput; writes bench/results.
import { readFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { connect } from '../client/index.js';
import { freePort, startServerProcess } from '../testing/server-process.js';
import { writeBenchResult } from './results-file.js';

const ROWS = 10000;
/** Connections opened and closed per kind for the setup figures. */
const CONNECTS = 200;
/** How long each throughput run lasts, and with how many clients. */
const RUN_MS = 5000;
const CLIENTS = [1, 8];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** Connect, one query, close: the milliseconds of each, sorted. */
async function connects(options: mysql.ConnectionOptions): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < CONNECTS; i++) {
    const t0 = performance.now();
    const c = await mysql.createConnection(options);
    await c.query('SELECT 1');
    await c.end();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/** Point selects per second from `clients` connections running back to back for RUN_MS. */
async function pointSelects(options: mysql.ConnectionOptions, clients: number): Promise<number> {
  const conns = await Promise.all(Array.from({ length: clients }, () => mysql.createConnection({ ...options, database: 'tb' })));
  let count = 0;
  const stopAt = Date.now() + RUN_MS;
  await Promise.all(conns.map(async (c, k) => {
    for (let i = k; Date.now() < stopAt; i += clients) {
      await c.execute({ sql: 'SELECT v FROM t WHERE id = ?', rowsAsArray: true }, [(i * 7919) % ROWS]);
      count++;
    }
  }));
  await Promise.all(conns.map((c) => c.end()));
  return Math.round((count * 1000) / RUN_MS);
}

/** Point selects per second over the HTTP API, each a POST /v1/query on kept-alive connections; the same node:http(s) client both ways, so only TLS differs. */
async function httpPointSelects(port: number, ca: Buffer | null, clients: number): Promise<number> {
  const agent = ca === null ? new HttpAgent({ keepAlive: true, maxSockets: clients }) : new HttpsAgent({ keepAlive: true, maxSockets: clients, ca });
  const send = ca === null ? httpRequest : httpsRequest;
  const post = (id: number) => new Promise<void>((resolve, reject) => {
    const body = JSON.stringify({ sql: 'SELECT v FROM t WHERE id = ?', params: [id], database: 'tb' });
    const req = send({ host: 'localhost', port, path: '/v1/query', method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  });
  let count = 0;
  const stopAt = Date.now() + RUN_MS;
  await Promise.all(Array.from({ length: clients }, async (_, k) => {
    for (let i = k; Date.now() < stopAt; i += clients) {
      await post((i * 7919) % ROWS);
      count++;
    }
  }));
  agent.destroy();
  return Math.round((count * 1000) / RUN_MS);
}

/** Point selects per second over the native protocol through the client library (`url` says clear or TLS), `clients` sessions at once. */
async function nativePointSelects(url: string, clients: number): Promise<number> {
  const db = connect(url, { poolSize: clients });
  let count = 0;
  const stopAt = Date.now() + RUN_MS;
  await Promise.all(Array.from({ length: clients }, async (_, k) => {
    for (let i = k; Date.now() < stopAt; i += clients) {
      await db.execute('SELECT v FROM t WHERE id = ?', [(i * 7919) % ROWS]);
      count++;
    }
  }));
  await db.close();
  return Math.round((count * 1000) / RUN_MS);
}

async function main(): Promise<void> {
  const [httpPort, nativePort] = [await freePort(), await freePort()];
  const server = await startServerProcess({
    args: ['--threads', '1', '--plugin-add', 'protocol-http', `--protocol-http.port=${httpPort}`, '--plugin-add', 'protocol-native', `--protocol-native.port=${nativePort}`],
  });
  const lines: string[] = [];
  try {
    const clear: mysql.ConnectionOptions = { host: '127.0.0.1', port: server.port, user: 'root' };
    const tls: mysql.ConnectionOptions = { ...clear, ssl: { ca: readFileSync(join(server.datadir, 'ca.pem')) } };
    const setup = await mysql.createConnection(clear);
    await setup.query('CREATE DATABASE tb');
    await setup.query('CREATE TABLE tb.t (id INT PRIMARY KEY, v VARCHAR(40))');
    for (let i = 0; i < ROWS; i += 1000) {
      await setup.query('INSERT INTO tb.t VALUES ' + Array.from({ length: 1000 }, (_, k) => `(${i + k}, 'value ${i + k}')`).join(','));
    }
    const probe = await mysql.createConnection(tls);
    const [[cipher]] = (await probe.query("SHOW STATUS LIKE 'Ssl_cipher'")) as [mysql.RowDataPacket[], unknown];
    await Promise.all([probe.end(), setup.end()]);
    lines.push('| connection | p50 ms | p99 ms |', '| --- | ---: | ---: |');
    for (const [name, o] of [['clear', clear], ['TLS', tls]] as const) {
      const t = await connects(o);
      lines.push(`| ${name} | ${percentile(t, 0.5).toFixed(2)} | ${percentile(t, 0.99).toFixed(2)} |`);
    }
    lines.push('', '| clients | clear point selects/s | TLS point selects/s | TLS / clear |', '| ---: | ---: | ---: | ---: |');
    for (const n of CLIENTS) {
      const a = await pointSelects(clear, n);
      const b = await pointSelects(tls, n);
      lines.push(`| ${n} | ${a} | ${b} | ${(b / a).toFixed(2)} |`);
    }
    const ca = readFileSync(join(server.datadir, 'ca.pem'));
    const caFile = join(server.datadir, 'ca.pem');
    lines.push('', '| protocol | clients | clear point selects/s | TLS point selects/s | TLS / clear |', '| --- | ---: | ---: | ---: | ---: |');
    for (const n of CLIENTS) {
      const a = await httpPointSelects(httpPort, null, n);
      const b = await httpPointSelects(httpPort, ca, n);
      lines.push(`| HTTP (http:// vs https://) | ${n} | ${a} | ${b} | ${(b / a).toFixed(2)} |`);
    }
    for (const n of CLIENTS) {
      const a = await nativePointSelects(`mizzle://root@localhost:${nativePort}/tb?ssl-mode=disabled`, n);
      const b = await nativePointSelects(`mizzles://root@localhost:${nativePort}/tb?ssl-ca=${caFile}`, n);
      lines.push(`| native (mizzle:// vs mizzles://) | ${n} | ${a} | ${b} | ${(b / a).toFixed(2)} |`);
    }
    lines.unshift(`TLS: ${String(cipher.Value)} with the generated P-256 certificate; clients on the same host.`, '');
  } finally {
    await server.stop();
    server.cleanup();
  }
  const date = new Date().toISOString();
  const text = [
    `# TLS cost on the MySQL, HTTP and native protocols, ${date}`,
    '',
    `Connection setup: connect, \`SELECT 1\`, close, ${CONNECTS} times each. Throughput: prepared primary-key`,
    `point selects over ${ROWS} rows, back to back for ${RUN_MS / 1000} s per run (MySQL: mysql2; HTTP: node:http and`,
    'node:https with kept-alive connections, one POST /v1/query each; native: the client library).',
    '',
    ...lines,
    '',
  ].join('\n');
  writeBenchResult('tls', date, text);
}

await main();
