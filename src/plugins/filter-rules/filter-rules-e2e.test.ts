// filter-rules end to end: a real server started with a rules file, used over the wire as an operator would (deny, detect, warn, limit, SIGHUP, bad files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { startServer } from '../../kernel/server.js';
import { silentLogger } from '../../kernel/logger.js';
import type { KernelSession, Plugin, StatementEvent } from '../../kernel/plugin.js';
import { SHIPPED_PLUGINS } from '../index.js';
import { refused } from '../../testing/assertions.js';

type Rows = mysql.RowDataPacket[];

const RULES = `# query rules for the shop
rules:
  - id: ops-allowed
    user: ops
    action: allow
  - id: keep-audit
    kind: [delete, truncate]
    tables: [shop.audit]
    action: deny
    message: "audit rows are kept for seven years; ask the DBA team"
  - id: no-blocked-user
    user: blocked
    client: 127.0.0.0/8
    action: deny
    code: 1142
    sqlstate: "42000"
    message: "user blocked is suspended"
  - id: dry-run-no-like
    digest: "WHERE .* LIKE \\\\?"
    action: deny
    mode: detect
  - id: report-warn
    user: "report.*"
    action: warn
  - id: one-writer
    kind: update
    tables: [shop.accounts]
    action: limit
    max_concurrent: 1
`;

function connect(server: ServerProcess, user: string): Promise<mysql.Connection> {
  return mysql.createConnection({ host: '127.0.0.1', port: server.port, user, database: 'shop' });
}


async function counters(c: mysql.Connection): Promise<Record<string, number>> {
  const [rows] = (await c.query("SHOW GLOBAL STATUS LIKE 'Filter_rules%'")) as [Rows, unknown];
  return Object.fromEntries(rows.map((r) => [r.Variable_name, Number(r.Value)]));
}

async function waitForLog(server: ServerProcess, pattern: RegExp, from: number): Promise<void> {
  const deadline = Date.now() + 10000;
  while (!pattern.test(server.log().slice(from))) {
    if (Date.now() > deadline) throw new Error(`no log line ${pattern} in:\n${server.log().slice(from)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('filter-rules: deny with a custom message, detect, warn, a concurrency limit, counters and SIGHUP reloads', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-rules-'));
  writeFileSync(join(datadir, 'query-rules.yaml'), RULES);
  const server = await startServerProcess({ datadir, args: ['--plugin-add=filter-rules'] });
  try {
    assert.match(server.log(), /filter-rules: rules loaded.*rules[=":]+\s*6/);
    const ops = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'ops' });
    await ops.query('CREATE DATABASE shop');
    await ops.query('USE shop');
    await ops.query('CREATE TABLE audit (id INT PRIMARY KEY, what VARCHAR(40))');
    await ops.query('CREATE TABLE accounts (id INT PRIMARY KEY, balance INT)');
    await ops.query("INSERT INTO audit VALUES (1, 'login'), (2, 'logout')");
    await ops.query('INSERT INTO accounts VALUES (1, 100), (2, 200)');

    // deny: custom message, SQLSTATE 42000, the default code 1148; the statement never runs.
    const app = await connect(server, 'app');
    await refused(app.query('DELETE FROM audit WHERE id = 1'), 1148, '42000', 'audit rows are kept for seven years; ask the DBA team');
    await refused(app.query('TRUNCATE TABLE audit'), 1148, '42000');
    await refused(app.execute('DELETE FROM shop.audit WHERE id = ?', [2]), 1148, '42000');
    const [[kept]] = (await app.query('SELECT COUNT(*) AS n FROM audit')) as [Rows, unknown];
    assert.equal(Number(kept.n), 2);
    // allow: the ops user passes before the deny rule.
    await ops.query('DELETE FROM audit WHERE id = 2');
    // deny by user and client address, with its own code.
    const blocked = await connect(server, 'blocked');
    await refused(blocked.query('SELECT 1'), 1142, '42000', 'user blocked is suspended');

    // detect: the rule would deny, the statement runs, the log says so.
    const [like] = (await app.query("SELECT * FROM audit WHERE what LIKE 'log%'")) as [Rows, unknown];
    assert.equal(like.length, 1);
    await waitForLog(server, /filter-rules: rule 'dry-run-no-like': would be denied \(detect mode\)/, 0);

    // warn: logged, and it runs.
    const report = await connect(server, 'report_daily');
    const [[sum]] = (await report.query('SELECT SUM(balance) AS s FROM accounts')) as [Rows, unknown];
    assert.equal(Number(sum.s), 300);
    await waitForLog(server, /filter-rules: rule 'report-warn': matched a warn rule.*report_daily/, 0);

    // limit: one UPDATE of accounts at a time. A holds a row lock; B's UPDATE waits for it (and holds the slot); C is refused.
    const a = await connect(server, 'app');
    const b = await connect(server, 'app');
    await a.query('BEGIN');
    await a.query('UPDATE accounts SET balance = balance + 1 WHERE id = 1');
    const waiting = b.query('UPDATE accounts SET balance = balance + 10 WHERE id = 1');
    await new Promise((r) => setTimeout(r, 200));
    await refused(app.query('UPDATE accounts SET balance = 0 WHERE id = 2'), 1226, '42000', /Rule 'one-writer' has exceeded the 'max_concurrent' resource \(current value: 1\)/);
    const during = await counters(app);
    assert.equal(during.Filter_rules_running_one_writer, 1);
    await a.query('COMMIT');
    await waiting;
    await app.query('UPDATE accounts SET balance = 0 WHERE id = 2');
    const [[after]] = (await app.query('SELECT balance FROM accounts WHERE id = 1')) as [Rows, unknown];
    assert.equal(after.balance, 111);

    const c1 = await counters(app);
    assert.equal(c1.Filter_rules_denied, 4);
    assert.equal(c1.Filter_rules_limited, 1);
    assert.equal(c1.Filter_rules_detected, 1);
    assert.equal(c1.Filter_rules_warned, 1);
    assert.equal(c1.Filter_rules_rules, 6);
    assert.equal(c1.Filter_rules_matched_keep_audit, 3);
    assert.equal(c1.Filter_rules_running_one_writer, 0);

    // SIGHUP with a new rule: it applies to the next statement.
    let mark = server.log().length;
    writeFileSync(join(datadir, 'query-rules.yaml'), RULES + '  - id: no-sum\n    text: "SUM\\\\("\n    action: deny\n');
    server.child.kill('SIGHUP');
    await waitForLog(server, /filter-rules: rules reloaded/, mark);
    await refused(app.query('SELECT SUM(balance) FROM accounts'), 1148, '42000', "Statement refused by query rule 'no-sum'");

    // SIGHUP with a broken file: the error is logged with its position, the old rules stay in force.
    mark = server.log().length;
    writeFileSync(join(datadir, 'query-rules.yaml'), 'rules:\n  - id: broken\n    action: deny\n    text: "(unclosed"\n');
    server.child.kill('SIGHUP');
    await waitForLog(server, /reloading filter-rules failed; its previous state stays in force/, mark);
    assert.match(server.log().slice(mark), /query-rules\.yaml:4:5: rule 'broken': 'text' is not a valid regular expression/);
    await refused(app.query('SELECT SUM(balance) FROM accounts'), 1148, '42000');
    await refused(app.query('DELETE FROM audit'), 1148, '42000', 'audit rows are kept for seven years; ask the DBA team');
    const c2 = await counters(app);
    assert.equal(c2.Filter_rules_reloads, 1);
    assert.equal(c2.Filter_rules_reload_failures, 1);
    assert.equal(c2.Filter_rules_rules, 7);
    await Promise.all([ops.end(), app.end(), blocked.end(), report.end(), a.end(), b.end()]);
  } finally {
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('filter-rules in detect mode refuses nothing and logs what it would refuse', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-rules-'));
  writeFileSync(join(datadir, 'rules.json'), JSON.stringify({ rules: [{ id: 'no-drop', kind: ['dropTable', 'dropDatabase'], action: 'deny' }] }, null, 2));
  const server = await startServerProcess({ datadir, args: ['--plugin-add=filter-rules', '--filter-rules.rules_file=rules.json', '--filter-rules.mode=detect'] });
  try {
    assert.match(server.log(), /filter-rules: mode is detect: no statement is refused/);
    const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'app' });
    await c.query('CREATE DATABASE scratch');
    await c.query('DROP DATABASE scratch');
    await waitForLog(server, /filter-rules: rule 'no-drop': would be denied \(detect mode\)/, 0);
    const [rows] = (await c.query("SHOW GLOBAL STATUS LIKE 'Filter_rules_detected'")) as [Rows, unknown];
    assert.equal(Number(rows[0].Value), 1);
    await c.end();
  } finally {
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('a malformed or missing rules file stops the server at startup with file, position and rule', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-rules-'));
  try {
    writeFileSync(join(datadir, 'query-rules.yaml'), 'rules:\n  - id: ok\n    action: warn\n  - id: typo\n    action: deny\n    tabels: [shop.x]\n');
    await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=filter-rules'] }), (e: Error) => {
      assert.match(e.message, /mizzle exited with [1-9]/);
      assert.match(e.message, /filter-rules: .*query-rules\.yaml:6:5: rule 'typo': unknown key 'tabels'/);
      return true;
    });
    writeFileSync(join(datadir, 'bad.json'), '{ "rules": [ { "id": "x", "action": "deny" }, ] }');
    await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=filter-rules', '--filter-rules.rules_file=bad.json'] }),
      (e: Error) => /mizzle exited with [1-9]/.test(e.message) && /bad\.json:1:\d+: not valid JSON/.test(e.message));
    await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=filter-rules', '--filter-rules.rules_file=missing.yaml'] }),
      (e: Error) => /mizzle exited with [1-9]/.test(e.message) && /cannot read the rules file .*missing\.yaml/.test(e.message));
    await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=filter-rules', '--filter-rules.mode=dry-run'] }),
      (e: Error) => /filter-rules: mode must be one of off, detect, enforce/.test(e.message));
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('statement events name the filter that blocked a statement and carry warn notes (what query logs write)', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-rules-'));
  writeFileSync(join(datadir, 'query-rules.yaml'), 'rules:\n  - id: no-audit-delete\n    tables: [audit]\n    kind: delete\n    action: deny\n  - id: watch\n    digest: "FROM AUDIT"\n    action: warn\n');
  const events: StatementEvent[] = [];
  const capture: Plugin<'logging'> = {
    manifest: { name: 'capture-log', kind: 'logging', version: '0', description: 'test sink', defaultEnabled: false, options: [] },
    init: () => ({ statement: (e) => { events.push(e); } }),
  };
  const server = await startServer({
    argv: ['--datadir', datadir, '--default-storage-engine=memory', '--plugin-add=filter-rules,filter-safe,capture-log', '--filter-safe.max_execution_time=100'],
    env: {}, cwd: datadir, plugins: [...SHIPPED_PLUGINS, capture as Plugin], log: silentLogger, embedded: true,
  });
  try {
    const s: KernelSession = server.kernel.openSession({ user: 'app', host: '127.0.0.1', database: null });
    const run = (sql: string) => s.execute(sql, false, () => undefined);
    await run('CREATE DATABASE shop');
    await run('USE shop');
    await run('CREATE TABLE audit (id INT PRIMARY KEY)');
    await assert.rejects(run('DELETE FROM audit WHERE id = 1'), (e: { code: number }) => e.code === 1148);
    await assert.rejects(run('DELETE FROM audit'), (e: { code: number }) => e.code === 1148);
    await run('SELECT * FROM audit');
    const del = events.find((e) => e.text === 'DELETE FROM audit WHERE id = 1');
    assert.equal(del?.blockedBy, 'filter-rules');
    assert.equal(del?.errorCode, 1148);
    assert.equal(del?.digest(), 'DELETE FROM AUDIT WHERE ID = ?');
    const sel = events.find((e) => e.text === 'SELECT * FROM audit');
    assert.equal(sel?.blockedBy, undefined);
    assert.deepEqual(sel?.filterNotes, [{ by: 'filter-rules', note: "rule 'watch' warned" }]);
    s.close();
  } finally {
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});
