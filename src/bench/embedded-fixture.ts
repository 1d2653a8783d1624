// `npm run bench:embedded`: embedded mizzle's start-to-first-query and fixture-copy times, beside MariaDB making the same fixture copy; writes bench/results.
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Mizzle } from '../embedded/index.js';
import { mariadbServerAvailable, startMariadb } from '../testing/mariadb-process.js';
import { writeBenchResult } from './results-file.js';

/** Rows in the fixture's main table (plus one child row per ten). */
const ROWS = 10_000;
/** Each figure is the median of this many runs. */
const RUNS = 15;

const SCHEMA = [
  'CREATE TABLE customer (id INT AUTO_INCREMENT PRIMARY KEY, email VARCHAR(60) NOT NULL, created DATETIME, balance DECIMAL(10,2), UNIQUE KEY u_email (email))',
  'CREATE TABLE note (id INT PRIMARY KEY, customer_id INT NOT NULL, body VARCHAR(200), KEY k_customer (customer_id))',
];

function inserts(): string[] {
  const out: string[] = [];
  for (let start = 0; start < ROWS; start += 1000) {
    const values = Array.from({ length: 1000 }, (_, k) => `(${start + k + 1}, 'user${start + k}@example.com', '2024-01-01 00:00:00', ${((start + k) % 997) / 10})`);
    out.push(`INSERT INTO customer VALUES ${values.join(',')}`);
  }
  out.push(`INSERT INTO note VALUES ${Array.from({ length: ROWS / 10 }, (_, k) => `(${k + 1}, ${k * 10 + 1}, 'note ${k}')`).join(',')}`);
  return out;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function mizzleFigures(engine: 'memory' | 'lmdb'): Promise<{ startMs: number; cloneMs: number }> {
  const starts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const db = await Mizzle.open({ engine });
    await db.query('SELECT 1');
    starts.push(performance.now() - t0);
    await db.close();
  }
  const seed = await Mizzle.open({ engine });
  await seed.query('CREATE DATABASE fx');
  const fx = await seed.reserve();
  await fx.query('USE fx');
  for (const sql of [...SCHEMA, ...inserts()]) await fx.query(sql);
  await fx.release();
  const snap = seed.snapshot();
  await seed.close();
  const clones: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const db = await Mizzle.open({ engine, from: snap });
    const { rows } = await db.query('SELECT COUNT(*) FROM fx.customer');
    clones.push(performance.now() - t0);
    if (rows[0][0] !== ROWS) throw new Error(`the copy has ${String(rows[0][0])} rows`);
    await db.close();
  }
  return { startMs: median(starts), cloneMs: median(clones) };
}

/** MariaDB's quickest copy of a seeded database: a new database, CREATE TABLE ... LIKE and INSERT ... SELECT per table. */
async function mariadbCloneMs(): Promise<number | undefined> {
  if (!mariadbServerAvailable()) return undefined;
  const maria = await startMariadb();
  try {
    const c = await mysql.createConnection({ host: '127.0.0.1', port: maria.port, user: 'root' });
    await c.query('CREATE DATABASE fx');
    await c.query('USE fx');
    for (const sql of [...SCHEMA, ...inserts()]) await c.query(sql);
    const clones: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await c.query(`CREATE DATABASE copy${i}`);
      for (const t of ['customer', 'note']) {
        await c.query(`CREATE TABLE copy${i}.${t} LIKE fx.${t}`);
        await c.query(`INSERT INTO copy${i}.${t} SELECT * FROM fx.${t}`);
      }
      await c.query(`SELECT COUNT(*) FROM copy${i}.customer`);
      clones.push(performance.now() - t0);
    }
    await c.end();
    return median(clones);
  } finally {
    await maria.stop();
  }
}

async function main(): Promise<void> {
  const memory = await mizzleFigures('memory');
  const lmdb = await mizzleFigures('lmdb');
  const maria = await mariadbCloneMs();
  const date = new Date().toISOString();
  const text = [
    `# Embedded fixtures, ${date}`,
    '',
    `A fixture of ${ROWS} customers (unique key) and ${ROWS / 10} notes (secondary key). Medians of ${RUNS} runs, in ms.`,
    'Start: `Mizzle.open()` to the answer of `SELECT 1` (modules already loaded). Copy: `Mizzle.open({ from: snapshot })`',
    'to the answer of a COUNT(*) on the copy; for MariaDB, a new database filled by CREATE TABLE ... LIKE and INSERT ... SELECT.',
    '',
    '| | start | copy of the fixture |',
    '| --- | ---: | ---: |',
    `| embedded mizzle, memory engine | ${memory.startMs.toFixed(1)} | ${memory.cloneMs.toFixed(1)} |`,
    `| embedded mizzle, lmdb engine | ${lmdb.startMs.toFixed(1)} | ${lmdb.cloneMs.toFixed(1)} |`,
    `| MariaDB server (already running) | | ${maria === undefined ? 'not installed' : maria.toFixed(1)} |`,
    '',
  ].join('\n');
  writeBenchResult('embedded-fixture', date, text);
}

await main();
