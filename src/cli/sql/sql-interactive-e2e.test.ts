// `mizzle sql` typed into under a real pseudo-terminal: multi-line statements, \G, Ctrl-C cancelling a query, history, completion, \status.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { connect } from '../../client/index.js';
import { startHttpProtocolServer, type HttpProtocolServer } from '../../testing/http-protocol-server.js';
import { PtyProcess, ptyAvailable } from '../../testing/pty-process.js';

const CLI = join(fileURLToPath(import.meta.url), '..', '..', 'mizzle.js');
const skip = !ptyAvailable();

let h: HttpProtocolServer;
let home: string;

before(async () => {
  if (skip) return;
  home = mkdtempSync(join(tmpdir(), 'mizzle-sql-tty-'));
  h = await startHttpProtocolServer();
  const c = connect(`mysql://root@127.0.0.1:${h.server.port}/`);
  await c.query('CREATE DATABASE shop');
  await c.query('CREATE TABLE shop.item (id INT PRIMARY KEY, name VARCHAR(20), price DECIMAL(6,2))');
  await c.query("INSERT INTO shop.item VALUES (1, 'pen', 1.50), (2, 'ink', NULL)");
  await c.close();
});

after(async () => {
  if (skip) return;
  await h.stop();
  rmSync(home, { recursive: true, force: true });
});

function console(url: string): PtyProcess {
  return new PtyProcess(process.execPath, [CLI, 'sql', url], { ...process.env, HOME: home, MIZZLE_URL: '' });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a multi-line statement, \\G, Ctrl-C cancelling SLEEP(10) within 2 s, history and completion', { skip }, async () => {
  const p = console(`mysql://root@127.0.0.1:${h.server.port}/shop`);
  try {
    let at = await p.expect(/mizzle \[shop\]> /);
    p.type('SELECT id, name,\r');
    at = await p.expect(/    -> /, at);
    p.type('  price FROM item\r');
    at = await p.expect(/    -> /, at);
    p.type('  ORDER BY id;\r');
    at = await p.expect(/2 rows in set \(\d+\.\d\d sec\)\n/, at);
    assert.match(p.text(), /\| id \| name \| price \|\n\+----\+------\+-------\+\n\|  1 \| pen  \|  1\.50 \|\n\|  2 \| ink  \|  NULL \|/);

    p.type('SELECT name FROM item WHERE id = 2\\G\r');
    at = await p.expect(/1 row in set/, at);
    assert.match(p.text(), /\*{27} 1\. row \*{27}\nname: ink\n1 row in set/);

    p.type('SELECT SLEEP(10);\r');
    await sleep(400);
    const t0 = Date.now();
    p.type('\x03');
    at = await p.expect(/ERROR 1317 \(70100\): Query execution was interrupted\n/, at);
    assert.ok(Date.now() - t0 < 2000, `cancelled after ${Date.now() - t0} ms`);

    p.type('SELECT 40 + 2 AS answer;\r');
    at = await p.expect(/\|     42 \|\n.*\n1 row in set/, at);

    // Up arrow: the last statement again.
    p.type('\x1b[A\r');
    at = await p.expect(/\|     42 \|\n.*\n1 row in set/, at);

    // Tab completes a column name read from the server.
    p.type('SELECT pric\t');
    at = await p.expect(/SELECT price/, at);
    p.type(' FROM item WHERE id = 1;\r');
    at = await p.expect(/\|  1\.50 \|/, at);

    // \c drops a statement being typed.
    p.type('SELECT nothing\r');
    at = await p.expect(/    -> /, at);
    p.type('\\c\r');
    at = await p.expect(/mizzle \[shop\]> /, at);

    p.type('\x04');
    assert.equal(await p.exited, 0);
    assert.doesNotMatch(p.text(), /ERROR 1054/);
    const history = readFileSync(join(home, '.mizzle_history'), 'utf8');
    assert.match(history, /SELECT 40 \+ 2 AS answer;\n/);
    assert.match(history, /  ORDER BY id;\n/);
  } finally {
    p.kill();
  }
});

test('history persists across consoles; Ctrl-C twice at an empty prompt exits', { skip }, async () => {
  const p = console(`mysql://root@127.0.0.1:${h.server.port}/shop`);
  try {
    let at = await p.expect(/mizzle \[shop\]> /);
    p.type('SELECT 7 * 6 AS remembered;\r');
    at = await p.expect(/1 row in set/, at);
    p.type('\x04');
    assert.equal(await p.exited, 0);
  } finally {
    p.kill();
  }
  const q = console(`mysql://root@127.0.0.1:${h.server.port}/shop`);
  try {
    let at = await q.expect(/mizzle \[shop\]> /);
    q.type('\x1b[A\r');
    at = await q.expect(/\|         42 \|/, at);
    at = await q.expect(/mizzle \[shop\]> /, at);
    q.type('\x03');
    at = await q.expect(/Ctrl-C again/, at);
    q.type('\x03');
    assert.equal(await q.exited, 0);
  } finally {
    q.kill();
  }
});

test('over http://: \\status, a session that keeps USE, Ctrl-C cancelling a query, \\explain, \\processlist', { skip }, async () => {
  const p = console(h.url());
  try {
    let at = await p.expect(/mizzle \[\(none\)\]> /);
    p.type('USE shop;\r');
    at = await p.expect(/mizzle \[shop\]> /, at);
    p.type('\\status\r');
    at = await p.expect(/Protocol: +http\n/, at);
    assert.match(p.text(), /Current database: shop\n/);
    p.type('SELECT SLEEP(10);\r');
    await sleep(400);
    const t0 = Date.now();
    p.type('\x03');
    at = await p.expect(/ERROR 1317 \(70100\)/, at);
    assert.ok(Date.now() - t0 < 2000, `cancelled after ${Date.now() - t0} ms`);
    p.type('SELECT COUNT(*) AS n FROM item;\r');
    at = await p.expect(/\| +2 \|\n.*\n1 row in set/, at);
    p.type('\\explain\r');
    at = await p.expect(/\| select_type \|[^\n]*\n[^\n]*\n\| +1 \| SIMPLE +\| item /, at);
    p.type('\\processlist\r');
    at = await p.expect(/\| Id +\| User +\|[^\n]*\n(.*\n)*\d+ rows? in set/, at);
    p.type('quit\r');
    assert.equal(await p.exited, 0);
  } finally {
    p.kill();
  }
});

test('a piped import shows a progress line on a terminal stderr, and clears it', { skip }, async () => {
  const file = join(home, 'many.sql');
  let text = 'CREATE TABLE many (id INT PRIMARY KEY, v VARCHAR(20));\n';
  for (let i = 0; i < 4000; i++) text += `INSERT INTO many VALUES (${i}, 'row ${i}');\n`;
  writeFileSync(file, text);
  const p = new PtyProcess('sh', ['-c', `"${process.execPath}" "${CLI}" sql mysql://root@127.0.0.1:${h.server.port}/shop < "${file}" > /dev/null`], { ...process.env, HOME: home, MIZZLE_URL: '' });
  try {
    await p.expect(/\d[\d,]* statements \([\d,]+\/s\), \d+\.\d MB of \d+\.\d MB \(\d+%\), \d+\.\d s/, 0, 30_000);
    assert.equal(await p.exited, 0);
  } finally {
    p.kill();
  }
  const c = connect(`mysql://root@127.0.0.1:${h.server.port}/shop`);
  assert.deepEqual((await c.query('SELECT COUNT(*) FROM many')).rows, [[4000]]);
  await c.close();
});

test('-p asks for the password on the terminal without echoing it', { skip }, async () => {
  const p = new PtyProcess(process.execPath, [CLI, 'sql', `mysql://root@127.0.0.1:${h.server.port}/shop`, '-p'], { ...process.env, HOME: home, MIZZLE_URL: '' });
  try {
    let at = await p.expect(/Enter password: /);
    p.type('s3cret-word\r');
    at = await p.expect(/mizzle \[shop\]> /, at);
    assert.doesNotMatch(p.text(), /s3cret-word/);
    p.type('\x04');
    assert.equal(await p.exited, 0);
  } finally {
    p.kill();
  }
});
