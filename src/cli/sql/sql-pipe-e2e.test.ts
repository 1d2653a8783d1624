// `mizzle sql` through pipes against a real server: every format's exact output, errors and exit codes, a dump, -e, http://, and MariaDB.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../../client/index.js';
import { startHttpProtocolServer, type HttpProtocolServer } from '../../testing/http-protocol-server.js';
import { mariadbServerAvailable, startMariadb } from '../../testing/mariadb-process.js';
import { freePort, startServerProcess } from '../../testing/server-process.js';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'mizzle.js');

let h: HttpProtocolServer;
let home: string;
let mysqlUrl: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mizzle sql ARGS` with `stdin` piped in, HOME in a scratch directory and no MIZZLE_URL unless given. */
function sql(args: readonly string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'sql', ...args], { env: { ...process.env, MIZZLE_URL: '', HOME: home, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const TYPED = 'SELECT id, big, price, note, made, at, f FROM typed ORDER BY id';

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'mizzle-sql-home-'));
  h = await startHttpProtocolServer();
  mysqlUrl = `mysql://root@127.0.0.1:${h.server.port}/shop`;
  const c = connect(`mysql://root@127.0.0.1:${h.server.port}/`);
  await c.query('CREATE DATABASE shop');
  await c.query('CREATE TABLE shop.typed (id INT PRIMARY KEY, big BIGINT, price DECIMAL(10,2), note VARCHAR(40), made DATE, at DATETIME, f DOUBLE)');
  await c.query(
    "INSERT INTO shop.typed VALUES (1, 9007199254740993, 12.50, 'tab\\there', '2024-02-29', '2024-02-29 13:14:15', 1.5)," +
      "(2, -5, NULL, 'say \"hi\", it''s', NULL, NULL, NULL), (3, NULL, 0.10, 'two\\nlines\\\\', '1999-12-31', '1999-12-31 23:59:59', -0.25)",
  );
  await c.close();
});

after(async () => {
  await h?.stop();
  rmSync(home, { recursive: true, force: true });
});

const EXPECTED: Record<string, string> = {
  tsv: [
    'id\tbig\tprice\tnote\tmade\tat\tf',
    '1\t9007199254740993\t12.50\ttab\\there\t2024-02-29\t2024-02-29 13:14:15\t1.5',
    '2\t-5\tNULL\tsay "hi", it\'s\tNULL\tNULL\tNULL',
    '3\tNULL\t0.10\ttwo\\nlines\\\\\t1999-12-31\t1999-12-31 23:59:59\t-0.25',
    '',
  ].join('\n'),
  table: [
    '+----+------------------+-------+----------------+------------+---------------------+-------+',
    '| id | big              | price | note           | made       | at                  | f     |',
    '+----+------------------+-------+----------------+------------+---------------------+-------+',
    '|  1 | 9007199254740993 | 12.50 | tab\there       | 2024-02-29 | 2024-02-29 13:14:15 |   1.5 |',
    '|  2 |               -5 |  NULL | say "hi", it\'s | NULL       | NULL                |  NULL |',
    '|  3 |             NULL |  0.10 | two\nlines\\     | 1999-12-31 | 1999-12-31 23:59:59 | -0.25 |',
    '+----+------------------+-------+----------------+------------+---------------------+-------+',
    '',
  ].join('\n'),
  csv: [
    'id,big,price,note,made,at,f',
    '1,9007199254740993,12.50,tab\there,2024-02-29,2024-02-29 13:14:15,1.5',
    '2,-5,,"say ""hi"", it\'s",,,',
    '3,,0.10,"two\nlines\\",1999-12-31,1999-12-31 23:59:59,-0.25',
    '',
  ].join('\n'),
  json: [
    '[',
    '{"id":1,"big":9007199254740993,"price":"12.50","note":"tab\\there","made":"2024-02-29","at":"2024-02-29T13:14:15","f":1.5},',
    '{"id":2,"big":-5,"price":null,"note":"say \\"hi\\", it\'s","made":null,"at":null,"f":null},',
    '{"id":3,"big":null,"price":"0.10","note":"two\\nlines\\\\","made":"1999-12-31","at":"1999-12-31T23:59:59","f":-0.25}',
    ']',
    '',
  ].join('\n'),
  ndjson: [
    '{"id":1,"big":9007199254740993,"price":"12.50","note":"tab\\there","made":"2024-02-29","at":"2024-02-29T13:14:15","f":1.5}',
    '{"id":2,"big":-5,"price":null,"note":"say \\"hi\\", it\'s","made":null,"at":null,"f":null}',
    '{"id":3,"big":null,"price":"0.10","note":"two\\nlines\\\\","made":"1999-12-31","at":"1999-12-31T23:59:59","f":-0.25}',
    '',
  ].join('\n'),
  markdown: [
    '| id | big | price | note | made | at | f |',
    '|---:|---:|---:|---|---|---|---:|',
    '| 1 | 9007199254740993 | 12.50 | tab\there | 2024-02-29 | 2024-02-29 13:14:15 | 1.5 |',
    '| 2 | -5 | NULL | say "hi", it\'s | NULL | NULL | NULL |',
    '| 3 | NULL | 0.10 | two<br>lines\\\\ | 1999-12-31 | 1999-12-31 23:59:59 | -0.25 |',
    '',
  ].join('\n'),
  vertical: [
    '*************************** 1. row ***************************',
    '   id: 1',
    '  big: 9007199254740993',
    'price: 12.50',
    ' note: tab\there',
    ' made: 2024-02-29',
    '   at: 2024-02-29 13:14:15',
    '    f: 1.5',
    '*************************** 2. row ***************************',
    '   id: 2',
    '  big: -5',
    'price: NULL',
    ' note: say "hi", it\'s',
    ' made: NULL',
    '   at: NULL',
    '    f: NULL',
    '*************************** 3. row ***************************',
    '   id: 3',
    '  big: NULL',
    'price: 0.10',
    ' note: two\nlines\\',
    ' made: 1999-12-31',
    '   at: 1999-12-31 23:59:59',
    '    f: -0.25',
    '',
  ].join('\n'),
};

for (const [format, expected] of Object.entries(EXPECTED)) {
  test(`--format ${format}: the exact output of a typed result`, async () => {
    const r = await sql([mysqlUrl, `--format=${format}`, '-e', TYPED]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, expected);
  });
}

test('piped without --format is tsv, as mariadb --batch; -N drops the header', async () => {
  const r = await sql([mysqlUrl], TYPED + ';\n');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, EXPECTED.tsv);
  const n = await sql([mysqlUrl, '-N', '-e', 'SELECT id FROM typed ORDER BY id']);
  assert.equal(n.stdout, '1\n2\n3\n');
});

test('tsv, table and vertical print what the mariadb CLI prints for the same result', { skip: spawnSync('mariadb', ['--version']).status !== 0 }, async () => {
  for (const [flag, format] of [['-B', 'tsv'], ['-t', 'table'], ['-E', 'vertical']] as const) {
    const m = spawnSync('mariadb', ['-h127.0.0.1', `-P${h.server.port}`, '-uroot', '--skip-ssl', flag, 'shop', '-e', TYPED], { encoding: 'utf8' });
    assert.equal(m.status, 0, m.stderr);
    assert.equal(m.stdout, EXPECTED[format], `mariadb ${flag}`);
  }
});

test('the first error stops a piped run: exit 1, and the error with its line on stderr', async () => {
  const input = 'SELECT 1 AS a;\nSELECT\n  2\n  FROM nosuch;\nSELECT 3 AS c;\n';
  const r = await sql([mysqlUrl], input);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'a\n1\n');
  assert.equal(r.stderr, "ERROR 1146 (42S02) at line 2: Table 'shop.nosuch' doesn't exist\n");
});

test('--force goes on after errors, and exits 1 with their count', async () => {
  const input = 'SELECT 1 AS a;\nSELECT * FROM nosuch;\nSELECT 3 AS c;\nSELECT nocol FROM typed;\n';
  const r = await sql([mysqlUrl, '--force'], input);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, 'a\n1\nc\n3\n');
  assert.equal(
    r.stderr,
    "ERROR 1146 (42S02) at line 2: Table 'shop.nosuch' doesn't exist\nERROR 1054 (42S22) at line 4: Unknown column 'nocol' in 'field list'\nmizzle sql: 2 statements failed\n",
  );
  const ok = await sql([mysqlUrl, '--force'], 'SELECT 1 AS a;');
  assert.equal(ok.code, 0);
});

/** A file shaped like mariadb-dump's output: comments, executable comments, locks, multi-line CREATE, extended INSERTs with ; and quotes in strings. */
const DUMP = `-- MariaDB dump 10.19  Distrib 10.11.6-MariaDB
--
-- Host: 127.0.0.1    Database: imported
-- ------------------------------------------------------

/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
/*!40101 SET NAMES utf8mb4 */;
/*!40014 SET @OLD_UNIQUE_CHECKS=@@UNIQUE_CHECKS, UNIQUE_CHECKS=0 */;

--
-- Table structure for table \`note\`
--

DROP TABLE IF EXISTS \`note\`;
CREATE TABLE \`note\` (
  \`id\` int(11) NOT NULL, -- the key; one per note
  \`body\` varchar(200) DEFAULT 'a;b', # a default with a semicolon
  \`price\` decimal(8,2) DEFAULT NULL,
  PRIMARY KEY (\`id\`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

LOCK TABLES \`note\` WRITE;
/*!40000 ALTER TABLE \`note\` DISABLE KEYS */;
INSERT INTO \`note\` VALUES (1,'it\\'s; fine',1.50),(2,'say \\"hi;\\" -- not a comment',NULL),
(3,'multi\\nline; /* not a comment */',2.25);
INSERT INTO \`note\` VALUES (4,'doubled '';'' quotes',0.00);
/*!40000 ALTER TABLE \`note\` ENABLE KEYS */;
UNLOCK TABLES;
/* a closing block comment; with a semicolon */
/*!40014 SET UNIQUE_CHECKS=@OLD_UNIQUE_CHECKS */;
`;

const DUMP_CHECK = 'SELECT id, body, price FROM imported.note ORDER BY id';
const DUMP_ROWS = "id\tbody\tprice\n1\tit's; fine\t1.50\n2\tsay \"hi;\" -- not a comment\tNULL\n3\tmulti\\nline; /* not a comment */\t2.25\n4\tdoubled ';' quotes\t0.00\n";

test('a mariadb-dump-like file loads: multi-line statements, comments, semicolons in strings', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-sql-dump-'));
  try {
    const file = join(dir, 'dump.sql');
    writeFileSync(file, DUMP);
    await sql([mysqlUrl, '-e', 'CREATE DATABASE imported']);
    const r = await sql([`mysql://root@127.0.0.1:${h.server.port}/imported`], DUMP);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const check = await sql([mysqlUrl, '-e', DUMP_CHECK]);
    assert.equal(check.stdout, DUMP_ROWS);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-e runs several statements on one session: USE and variables last', async () => {
  const r = await sql([mysqlUrl, '-e', "USE imported; SET @x = 'kept'; SELECT DATABASE() AS db, @x AS x; SELECT COUNT(*) AS n FROM note"]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, 'db\tx\nimported\tkept\nn\n4\n');
});

test('MySQL-style flags and MIZZLE_URL pick the server and database', async () => {
  const flags = await sql(['-h', '127.0.0.1', '-P', String(h.server.port), '-uroot', '-Dshop', '-N', '-e', 'SELECT COUNT(*) FROM typed']);
  assert.equal(flags.stdout, '3\n', flags.stderr);
  const positional = await sql([`-P${h.server.port}`, 'shop', '-N', '-e', 'SELECT DATABASE()']);
  assert.equal(positional.stdout, 'shop\n', positional.stderr);
  const env = await sql(['-N', '-e', 'SELECT DATABASE()'], '', { MIZZLE_URL: mysqlUrl });
  assert.equal(env.stdout, 'shop\n', env.stderr);
});

test('~/.mizzle.cnf gives defaults that flags override', async () => {
  writeFileSync(join(home, '.mizzle.cnf'), `# defaults\n[client]\nport=${h.server.port}\ndatabase=shop\nformat=csv\n`);
  try {
    const r = await sql(['-e', 'SELECT DATABASE() AS db, 1 AS one']);
    assert.equal(r.stdout, 'db,one\nshop,1\n', r.stderr);
    const over = await sql(['-D', 'imported', '--format=tsv', '-N', '-e', 'SELECT DATABASE()']);
    assert.equal(over.stdout, 'imported\n', over.stderr);
  } finally {
    rmSync(join(home, '.mizzle.cnf'));
  }
});

test('over http://: the same formats, session state between statements, and errors', async () => {
  const r = await sql(['--protocol=http', '-h127.0.0.1', `-P${h.httpPort}`, '-D', 'shop', '--format=ndjson', '-e', `SET @n = 2; SELECT @n AS n; ${TYPED}`]);
  assert.equal(r.stderr, '');
  assert.equal(r.stdout, '{"n":2}\n' + EXPECTED.ndjson);
  const t = await sql([`${h.url()}/?database=shop`, '--format=table', '-e', TYPED]);
  assert.equal(t.stdout, EXPECTED.table, t.stderr);
  const e = await sql([h.url(), '-e', 'SELECT * FROM shop.nosuch']);
  assert.equal(e.code, 1);
  assert.equal(e.stderr, "ERROR 1146 (42S02) at line 1: Table 'shop.nosuch' doesn't exist\n");
});

test('--script runs a module with a connected client; a throw is exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-sql-script-'));
  try {
    const job = join(dir, 'job.mjs');
    writeFileSync(job, "export default async (db) => {\n  const { rows } = await db.query('SELECT COUNT(*) FROM typed WHERE id > ?', [1]);\n  console.log('count', rows[0][0]);\n};\n");
    const r = await sql([mysqlUrl, '--script', job]);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'count 2\n');
    const bad = join(dir, 'bad.mjs');
    writeFileSync(bad, "export default (db) => db.query('SELECT * FROM nosuch');\n");
    const b = await sql([mysqlUrl, `--script=${bad}`]);
    assert.equal(b.code, 1);
    assert.equal(b.stderr, "ERROR 1146 (42S02): Table 'shop.nosuch' doesn't exist\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('no server: a connection error and exit 1; a bad option: usage and exit 2', async () => {
  const r = await sql(['mysql://root@127.0.0.1:1/', '-e', 'SELECT 1']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^ERROR 2003 \(HY000\): Cannot connect to mysql:\/\/127\.0\.0\.1:1/);
  const u = await sql(['--bogus']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown option --bogus/);
  const p = await sql([mysqlUrl, '-p', '-e', 'SELECT 1']);
  assert.equal(p.code, 2, 'no terminal to ask the password on');
});

test('a large result streams out in order', async () => {
  const r = await sql([mysqlUrl, '-N', '--format=ndjson', '-e', 'SET cte_max_recursion_depth = 100000; WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 20000) SELECT n FROM s']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 20000);
  assert.equal(lines[0], '{"n":1}');
  assert.equal(lines[19999], '{"n":20000}');
});

test('the same dump loads into MariaDB through mizzle sql', { skip: !mariadbServerAvailable() }, async () => {
  const m = await startMariadb();
  try {
    const url = `mysql://root@127.0.0.1:${m.port}/`;
    const c = await sql([url, '-e', 'CREATE DATABASE imported']);
    assert.equal(c.code, 0, c.stderr);
    const r = await sql([url + 'imported'], DUMP);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    const check = await sql([url, '-e', DUMP_CHECK]);
    assert.equal(check.stdout, DUMP_ROWS);
    const e = await sql([url, '-e', 'SELECT * FROM imported.nosuch']);
    assert.equal(e.stderr, "ERROR 1146 (42S02) at line 1: Table 'imported.nosuch' doesn't exist\n");
  } finally {
    await m.stop();
  }
});

/**
 * Statements without results go to the server as one script: the first error still stops the run
 * there (nothing after it runs), reports its own line, and --force goes on right after it.
 */
async function scriptErrors(base: string, inDatabase: (db: string) => string): Promise<void> {
  const setup = await sql([base, '-e', 'DROP DATABASE IF EXISTS scripted; CREATE DATABASE scripted; CREATE TABLE scripted.t (id INT PRIMARY KEY, s VARCHAR(20))']);
  assert.equal(setup.code, 0, setup.stderr);
  const url = inDatabase('scripted');
  // MySQL 8 (and mizzle) name the key with its table, MariaDB without.
  const keyed = (stderr: string) => stderr.replaceAll("key 't.PRIMARY'", "key 'PRIMARY'");
  const input = [
    "INSERT INTO t VALUES (1, 'one; two') -- a comment at the end",
    ';',
    "INSERT INTO t VALUES (2, 'b');",
    "INSERT INTO t VALUES (1, 'again');",
    "INSERT INTO t VALUES (3, 'c');",
    'SET @after = 1;',
    '',
  ].join('\n');
  const stopped = await sql([url], input);
  assert.equal(stopped.code, 1);
  assert.equal(keyed(stopped.stderr), "ERROR 1062 (23000) at line 4: Duplicate entry '1' for key 'PRIMARY'\n");
  assert.equal((await sql([url, '-N', '-e', 'SELECT GROUP_CONCAT(id ORDER BY id), GROUP_CONCAT(s ORDER BY id) FROM t'])).stdout, '1,2\tone; two,b\n');

  await sql([url, '-e', 'DELETE FROM t']);
  const forced = await sql([url, '--force'], input + "INSERT INTO t VALUES (2, 'dup');\nINSERT INTO t VALUES (4, 'd');\n");
  assert.equal(forced.code, 1);
  assert.equal(
    keyed(forced.stderr),
    "ERROR 1062 (23000) at line 4: Duplicate entry '1' for key 'PRIMARY'\nERROR 1062 (23000) at line 7: Duplicate entry '2' for key 'PRIMARY'\nmizzle sql: 2 statements failed\n",
  );
  assert.equal((await sql([url, '-N', '-e', 'SELECT GROUP_CONCAT(id ORDER BY id) FROM t'])).stdout, '1,2,3,4\n');
}

test('statements without results run as scripts: the first error stops there, with its line; --force goes on after it', async () => {
  const base = `mysql://root@127.0.0.1:${h.server.port}/`;
  await scriptErrors(base, (db) => base + db);
  // Over HTTP (one statement per request) the client runs them one by one, to the same effect.
  await scriptErrors(h.url(), (db) => `${h.url()}/?database=${db}`);
});

test('scripts against MariaDB stop and go on the same way', { skip: !mariadbServerAvailable() }, async () => {
  const m = await startMariadb();
  try {
    const base = `mysql://root@127.0.0.1:${m.port}/`;
    await scriptErrors(base, (db) => base + db);
  } finally {
    await m.stop();
  }
});

test('--each runs the same statements on every server, each row labelled with its server; one failing server does not stop the others', async () => {
  const second = await startServerProcess();
  const nobody = await freePort();
  try {
    const first = `127.0.0.1:${h.server.port}`;
    const other = `127.0.0.1:${second.port}`;
    const r = await sql([`mysql://root@127.0.0.1:${h.server.port}/`, `--each=${first},${other}`, '-e', 'SELECT @@port AS port, 1 + 1 AS two']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `server\tport\ttwo\n${first}\t${h.server.port}\t2\nserver\tport\ttwo\n${other}\t${second.port}\t2\n`);

    // shop.typed exists on the first server only; the unreachable one is reported and skipped.
    const input = 'SELECT COUNT(*) AS n FROM shop.typed;\nSELECT 7 AS seven;\n';
    const mixed = await sql(['--each', `${first},127.0.0.1:${nobody},${other}`, '-u', 'root', '--format=csv', '--force'], input);
    assert.equal(mixed.code, 1);
    assert.equal(mixed.stdout, `server,n\n${first},3\nserver,seven\n${first},7\nserver,seven\n${other},7\n`);
    const errors = mixed.stderr.split('\n');
    assert.match(errors[0]!, new RegExp(`^ERROR 20\\d\\d \\(HY000\\) on 127\\.0\\.0\\.1:${nobody}: `));
    assert.equal(errors[1], `ERROR 1146 (42S02) at line 1 on ${other}: Table 'shop.typed' doesn't exist`);
    const bad = await sql(['--each', 'host:notaport', '-e', 'SELECT 1']);
    assert.equal(bad.code, 2);
  } finally {
    await second.stop();
    second.cleanup();
  }
});
