// `node dist/bench/sql-import.js [MB]`: imports a generated mariadb-dump-style file into mizzle with `mizzle sql` and with the `mariadb` CLI, side by side; writes bench/results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServerProcess } from '../testing/server-process.js';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'cli', 'mizzle.js');
/** mariadb-dump's default net_buffer_length: how long one extended INSERT grows. */
const INSERT_BYTES = 1_000_000;

const HEADER = `-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB, for debian-linux-gnu (x86_64)
--
-- Host: 127.0.0.1    Database: bench
-- ------------------------------------------------------
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;
/*!40014 SET @OLD_FOREIGN_KEY_CHECKS=@@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS=0 */;
`;

function table(name: string): string {
  return `
--
-- Table structure for table \`${name}\`
--

DROP TABLE IF EXISTS \`${name}\`;
CREATE TABLE \`${name}\` (
  \`id\` int(11) NOT NULL,
  \`name\` varchar(64) NOT NULL,
  \`note\` text DEFAULT NULL,
  \`price\` decimal(10,2) DEFAULT NULL,
  \`made\` datetime DEFAULT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

--
-- Dumping data for table \`${name}\`
--

LOCK TABLES \`${name}\` WRITE;
/*!40000 ALTER TABLE \`${name}\` DISABLE KEYS */;
`;
}

function row(i: number): string {
  const note = i % 7 === 0 ? 'NULL' : `'note ${i}: it\\'s; \\"quoted\\" -- text /* not a comment */ ${'x'.repeat(i % 40)}'`;
  const d = new Date(Date.UTC(2020, 0, 1) + i * 61_000).toISOString().slice(0, 19).replace('T', ' ');
  return `(${i},'name-${i}',${note},${(i % 100_000) / 100},'${d}')`;
}

/** Writes the dump: extended INSERTs of ~1 MB (as mariadb-dump writes them) until `bytes`, and a second table of single-row INSERTs in one transaction (--skip-extended-insert --no-autocommit). */
function writeDump(file: string, bytes: number, singleRows: number): void {
  const fd = openSync(file, 'w');
  writeSync(fd, HEADER + table('big'));
  let written = 0;
  let i = 0;
  while (written < bytes) {
    let stmt = 'INSERT INTO `big` VALUES ';
    let first = true;
    while (stmt.length < INSERT_BYTES) {
      stmt += (first ? '' : ',') + row(i++);
      first = false;
    }
    stmt += ';\n';
    writeSync(fd, stmt);
    written += stmt.length;
  }
  writeSync(fd, '/*!40000 ALTER TABLE `big` ENABLE KEYS */;\nUNLOCK TABLES;\n');
  writeSync(fd, table('small') + 'set autocommit=0;\n');
  for (let j = 0; j < singleRows; j++) writeSync(fd, `INSERT INTO \`small\` VALUES ${row(j)};\n`);
  writeSync(fd, 'commit;\n/*!40000 ALTER TABLE `small` ENABLE KEYS */;\nUNLOCK TABLES;\n/*!40014 SET FOREIGN_KEY_CHECKS=@OLD_FOREIGN_KEY_CHECKS */;\n');
  closeSync(fd);
}

/** Runs a shell command line with the dump on stdin; returns seconds, or throws with its stderr. */
function timed(command: string, args: string[], input: string): number {
  const fd = openSync(input, 'r');
  const t0 = performance.now();
  const r = spawnSync(command, args, { stdio: [fd, 'ignore', 'pipe'], encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  closeSync(fd);
  if (r.status !== 0) throw new Error(`${command} failed (${r.status}): ${r.stderr}`);
  return s;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--write') {
    // Only the file, to import by hand: --write FILE [MB]
    writeDump(process.argv[3]!, Number(process.argv[4] ?? 20) * 1_048_576, 20_000);
    return;
  }
  const mb = Number(process.argv[2] ?? 20);
  const rounds = Number(process.argv[3] ?? 2);
  const dir = mkdtempSync(join(tmpdir(), 'sql-import-'));
  const file = join(dir, 'dump.sql');
  writeDump(file, mb * 1_048_576, 20_000);
  const size = statSync(file).size;
  // One thread, as the results so far were measured.
  const server = await startServerProcess({ args: ['--threads', '1'] });
  const port = String(server.port);
  const mariadbArgs = (db: string) => ['-h127.0.0.1', `-P${port}`, '-uroot', '--skip-ssl', db];
  const results: { tool: string; round: number; s: number }[] = [];
  try {
    for (let round = 1; round <= rounds; round++) {
      // Alternating which goes first, so neither always meets a warmer server.
      const order = round % 2 === 1 ? ['mizzle sql', 'mariadb'] : ['mariadb', 'mizzle sql'];
      for (const tool of order) {
        const db = `imp_${tool === 'mariadb' ? 'm' : 'z'}${round}`;
        spawnSync('mariadb', [...mariadbArgs(''), '-e', `CREATE DATABASE ${db}`]);
        const s = tool === 'mariadb' ? timed('mariadb', mariadbArgs(db), file) : timed(process.execPath, [CLI, 'sql', `mysql://root@127.0.0.1:${port}/${db}?ssl-mode=disabled`], file);
        results.push({ tool, round, s });
        process.stdout.write(`${tool} round ${round}: ${s.toFixed(2)} s\n`);
      }
    }
  } finally {
    await server.stop();
    server.cleanup();
    rmSync(dir, { recursive: true, force: true });
  }
  const best = (tool: string) => Math.min(...results.filter((r) => r.tool === tool).map((r) => r.s));
  const lines = [
    `# sql-import: ${(size / 1_048_576).toFixed(1)} MB mariadb-dump-style file into mizzle (${new Date().toISOString().slice(0, 10)})`,
    '',
    `The dump: extended INSERTs of ~1 MB into one table, then 20,000 single-row INSERTs in one transaction into another. One mizzle server (default options, lmdb), each import into a fresh database; ${rounds} rounds, order alternating.`,
    '',
    '| tool | ' + Array.from({ length: rounds }, (_, i) => `round ${i + 1}`).join(' | ') + ' | best | MB/s (best) |',
    '|---|' + '---:|'.repeat(rounds + 2),
    ...['mizzle sql', 'mariadb'].map((tool) => `| ${tool} | ${results.filter((r) => r.tool === tool).map((r) => `${r.s.toFixed(2)} s`).join(' | ')} | ${best(tool).toFixed(2)} s | ${(size / 1_048_576 / best(tool)).toFixed(1)} |`),
    '',
  ];
  process.stdout.write('\n' + lines.join('\n'));
  const outDir = join(fileURLToPath(import.meta.url), '..', '..', '..', 'bench', 'results');
  if (existsSync(join(outDir, '..'))) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `${new Date().toISOString().slice(0, 10)}-sql-import.md`), lines.join('\n'));
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
