// `npm run bench:heavy`: point-select latency beside one heavy join, beside heavy writes (UPDATE, INSERT ... SELECT, DELETE) and
// beside DDL that copies rows (ALTER TABLE rebuild, ADD INDEX, CREATE TABLE ... SELECT), on mizzle and on MariaDB in the same run;
// writes bench/results. Arguments, if any, pick the heavy statements by kind (`node dist/bench/heavy-query.js 'alter add column'`).
import { loadavg } from 'node:os';
import mysql from 'mysql2/promise';
import { startServerProcess } from '../testing/server-process.js';
import { mariadbServerAvailable, startMariadb } from '../testing/mariadb-process.js';
import { writeBenchResult } from './results-file.js';

/** Rows in the table; the join below examines ROWS^2 pairs. */
const ROWS = 4000;
const HEAVY_JOIN = 'SELECT COUNT(*) FROM t a JOIN t b ON a.v + b.v = 7';
/** Rows of the table the heavy UPDATE changes, every one of them (in one transaction). */
const UPDATE_ROWS = 30000;
const HEAVY_UPDATE = 'UPDATE u SET n = n + 1';
/** Copies every row of u to v (emptied before each round, outside the measurement). */
const HEAVY_INSERT_SELECT = 'INSERT INTO v SELECT id, n FROM u';
/** Deletes every row of v (filled before each round, outside the measurement). */
const HEAVY_DELETE = 'DELETE FROM v';
/** The DDL statements copy every row of a fresh copy of u. */
const FRESH_COPY = ['DROP TABLE IF EXISTS w, w2', 'CREATE TABLE w (id INT PRIMARY KEY, n INT NOT NULL)', 'INSERT INTO w SELECT id, n FROM u'];
const HEAVY_ADD_COLUMN = 'ALTER TABLE w ADD COLUMN x INT NOT NULL DEFAULT 7 FIRST';
const HEAVY_ADD_INDEX = 'ALTER TABLE w ADD INDEX wn (n)';
const HEAVY_CREATE_SELECT = 'CREATE TABLE w2 AS SELECT id, n FROM u';
/** Each run of the heavy join is measured this many times. */
const ROUNDS = 3;

interface Figures {
  heavyMs: number;
  selects: number;
  p50: number;
  p99: number;
  max: number;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

/** What one kind of heavy statement needs before each of its rounds (not measured). */
interface Heavy {
  kind: string;
  sql: string;
  beforeRound?: string[];
}

const HEAVY: Heavy[] = [
  { kind: 'join', sql: HEAVY_JOIN },
  { kind: 'update', sql: HEAVY_UPDATE },
  { kind: 'insert ... select', sql: HEAVY_INSERT_SELECT, beforeRound: ['TRUNCATE TABLE v'] },
  { kind: 'delete', sql: HEAVY_DELETE, beforeRound: ['INSERT INTO v SELECT id, n FROM u'] },
  { kind: 'alter add column', sql: HEAVY_ADD_COLUMN, beforeRound: FRESH_COPY },
  { kind: 'alter add index', sql: HEAVY_ADD_INDEX, beforeRound: FRESH_COPY },
  { kind: 'create table ... select', sql: HEAVY_CREATE_SELECT, beforeRound: FRESH_COPY },
];
const picked = process.argv.slice(2);
const RUN = picked.length === 0 ? HEAVY : HEAVY.filter((h) => picked.includes(h.kind));

async function measure(port: number, heavyStatement: Heavy): Promise<Figures> {
  const heavySql = heavyStatement.sql;
  const setup = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root' });
  await setup.query('CREATE DATABASE IF NOT EXISTS hq');
  await setup.query('DROP TABLE IF EXISTS hq.t, hq.u, hq.v, hq.w, hq.w2');
  await setup.query('CREATE TABLE hq.t (id INT PRIMARY KEY, v INT, s VARCHAR(40))');
  await setup.query('INSERT INTO hq.t VALUES ' + Array.from({ length: ROWS }, (_, i) => `(${i}, ${i % 50}, 'row ${(i * 7919) % ROWS}')`).join(','));
  await setup.query('CREATE TABLE hq.u (id INT PRIMARY KEY, n INT NOT NULL)');
  await setup.query('CREATE TABLE hq.v (id INT PRIMARY KEY, n INT NOT NULL, KEY (n))');
  for (let from = 0; from < UPDATE_ROWS; from += 10000) {
    await setup.query('INSERT INTO hq.u VALUES ' + Array.from({ length: 10000 }, (_, i) => `(${from + i}, 0)`).join(','));
  }
  await setup.end();
  const heavy = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'hq' });
  const light = await mysql.createConnection({ host: '127.0.0.1', port, user: 'root', database: 'hq' });
  const waits: number[] = [];
  let heavyMs = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const sql of heavyStatement.beforeRound ?? []) await heavy.query(sql);
    let done = false;
    const t0 = Date.now();
    const running = heavy.query(heavySql).then(() => {
      done = true;
      heavyMs += Date.now() - t0;
    });
    for (let i = 0; !done; i++) {
      const s = performance.now();
      await light.query({ sql: `SELECT s FROM t WHERE id = ${(i * 31) % ROWS}`, rowsAsArray: true });
      waits.push(performance.now() - s);
    }
    await running;
  }
  await Promise.all([heavy.end(), light.end()]);
  waits.sort((a, b) => a - b);
  return { heavyMs: Math.round(heavyMs / ROUNDS), selects: waits.length, p50: percentile(waits, 0.5), p99: percentile(waits, 0.99), max: waits[waits.length - 1] };
}

/** Every heavy statement on one server: a row for each. */
async function measureAll(name: string, port: number): Promise<string[]> {
  const rows: string[] = [];
  for (const h of RUN) rows.push(row(`${name}, ${h.kind}`, await measure(port, h)));
  return rows;
}

function row(name: string, f: Figures): string {
  return `| ${name} | ${f.heavyMs} | ${f.selects} | ${f.p50.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.max.toFixed(1)} |`;
}

async function main(): Promise<void> {
  // One thread, as the results so far were measured.
  const mizzle = await startServerProcess({ args: ['--threads', '1'] });
  let table: string[];
  try {
    table = await measureAll('mizzle', mizzle.port);
  } finally {
    await mizzle.stop();
    mizzle.cleanup();
  }
  if (mariadbServerAvailable()) {
    const maria = await startMariadb();
    try {
      table.push(...(await measureAll('MariaDB', maria.port)));
    } finally {
      await maria.stop();
    }
  }
  const date = new Date().toISOString();
  const text = [
    `# Point selects beside a heavy join and heavy writes, ${date}`,
    '',
    `One session runs \`${HEAVY_JOIN}\` over ${ROWS} rows (${ROWS * ROWS} row pairs), then \`${HEAVY_UPDATE}\` over ${UPDATE_ROWS} rows,`,
    `\`${HEAVY_INSERT_SELECT}\` (the ${UPDATE_ROWS} rows into an indexed table) and \`${HEAVY_DELETE}\` (the same rows), all in autocommit,`,
    `then, each on a fresh copy w of u, \`${HEAVY_ADD_COLUMN}\` (a copying rebuild), \`${HEAVY_ADD_INDEX}\` and \`${HEAVY_CREATE_SELECT}\`,`,
    `each ${ROUNDS} times; another runs primary-key point selects back to back until it ends. Latencies are the point selects' round trips, in ms.`,
    `Load average at the start: ${loadavg().map((l) => l.toFixed(1)).join(' ')} (2 cores).`,
    '',
    '| server, heavy statement | heavy ms | point selects | p50 | p99 | max |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...table,
    '',
  ].join('\n');
  writeBenchResult('heavy-query', date, text);
}

await main();
