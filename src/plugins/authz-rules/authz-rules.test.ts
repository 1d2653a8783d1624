// Tests of authz-rules: the policy format, rule matching, startup errors, and the plugin end to end over the wire.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { ConfigError } from '../../kernel/config.js';
import type { AccessRequest, Authorizer, KernelApi } from '../../kernel/plugin.js';
import { recordingLogger } from '../protocol-mysql/canned-kernel.js';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { connectionsTo, firstColumn } from '../../testing/assertions.js';
import { startEmbedded } from '../../testing/embedded.js';
import { SqlError } from '../../base/errors.js';
import { plugin } from './index.js';
import { firstMatch, parsePolicy, PolicyError } from './policy.js';

const table = (user: string, schema: string, t: string, action = 'SELECT'): AccessRequest => ({ user, host: '127.0.0.1', object: 'table', name: schema, table: t, action });
const schema = (user: string, name: string, action = 'USAGE'): AccessRequest => ({ user, host: '127.0.0.1', object: 'schema', name, action });
const proc = (user: string, other: string): AccessRequest => ({ user, host: '127.0.0.1', object: 'process', name: other, action: 'PROCESS' });

/** The verdict of the first matching rule: 'ALLOW', 'DENY', or 'none'. */
function decide(policyText: string, req: AccessRequest): string {
  const r = firstMatch(parsePolicy(policyText, 'p'), req);
  return r === undefined ? 'none' : r.allow ? 'ALLOW' : 'DENY';
}

test('policy format: comments, blank lines, case of keywords, optional actions', () => {
  const p = parsePolicy('# a comment\n\n  app   schema=app   ALLOW  \r\nro.* table=app\\.t select,Create_View allow\nadm process=.* ALL deny\n', 'p');
  assert.equal(p.rules.length, 3);
  assert.deepEqual(p.rules.map((r) => [r.line, r.object, r.allow]), [[3, 'schema', true], [4, 'table', true], [5, 'process', false]]);
  assert.deepEqual([...(p.rules[1].actions ?? [])], ['SELECT', 'CREATE VIEW']);
  assert.equal(p.rules[2].actions, undefined, 'ALL is every action');
  assert.deepEqual([...(parsePolicy('u schema=s CREATE VIEW,USAGE ALLOW', 'p').rules[0].actions ?? [])], ['CREATE VIEW', 'USAGE'], '"CREATE VIEW" with its space');
});

test('policy errors name the file and line', () => {
  const bad: [string, RegExp][] = [
    ['ok schema=a ALLOW\nonly-two ALLOW\n', /^f:2: expected 'USER_REGEX/],
    ['u schema=a MAYBE\n', /^f:1: the rule must end with ALLOW or DENY, got 'MAYBE'/],
    ['\n\nu database=a ALLOW\n', /^f:3: expected schema=REGEX, table=REGEX or process=REGEX, got 'database=a'/],
    ['u schema=( ALLOW\n', /^f:1: invalid regular expression '\('/],
    ['[ schema=a ALLOW\n', /^f:1: invalid regular expression '\['/],
    ['u schema=a FROB ALLOW\n', /^f:1: unknown action 'FROB'/],
    ['u schema=a SELECT,,INSERT ALLOW\n', /^f:1: empty action/],
    ['u schema=a ALL,SELECT ALLOW\n', /^f:1: ALL cannot be combined/],
    ['u schema= ALLOW\n', /^f:1: expected schema=REGEX/],
  ];
  for (const [text, message] of bad) assert.throws(() => parsePolicy(text, 'f'), (e: Error) => e instanceof PolicyError && message.test(e.message), text);
});

test('matching: anchored regexes, first match wins, schema rules cover their tables, table rules see schema.table', () => {
  const policy = [
    'app table=app\\.secret DENY',
    'app schema=app ALLOW',
    'app.* schema=shared ALLOW',
    'ro table=app\\..* SELECT ALLOW',
    'admin process=.* ALLOW',
  ].join('\n');
  assert.equal(decide(policy, schema('app', 'app')), 'ALLOW');
  assert.equal(decide(policy, table('app', 'app', 't', 'DELETE')), 'ALLOW', 'a schema rule covers every table in it');
  assert.equal(decide(policy, table('app', 'app', 'secret')), 'DENY', 'the earlier table rule wins');
  // Anchored: `app` is not `myapp`, `app` (schema) is not `apps`, `app\..*` is not `xapp.t`.
  assert.equal(decide(policy, schema('myapp', 'app')), 'none');
  assert.equal(decide(policy, schema('app', 'apps')), 'none');
  assert.equal(decide(policy, schema('app2', 'shared')), 'ALLOW', '`app.*` is a regex over the whole name');
  assert.equal(decide(policy, table('ro', 'xapp', 't')), 'none');
  // A rule with actions matches only those actions.
  assert.equal(decide(policy, table('ro', 'app', 't')), 'ALLOW');
  assert.equal(decide(policy, table('ro', 'app', 't', 'INSERT')), 'none');
  assert.equal(decide(policy, schema('ro', 'app')), 'none', 'table rules never decide schema requests');
  assert.equal(decide(policy, proc('admin', 'app')), 'ALLOW');
  assert.equal(decide(policy, proc('app', 'admin')), 'none', 'schema rules never decide process requests');
  // Names compare case-sensitively, as mizzle's schema and table names do.
  assert.equal(decide(policy, schema('app', 'APP')), 'none');
});

test('plugin: missing or malformed file and a bad default are startup errors; default and reload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-authz-rules-'));
  try {
    const log = recordingLogger();
    const init = (options: Record<string, string>) => plugin.init({ options: { policy_file: 'authz-rules.policy', default: 'deny', ...options }, datadir: dir, log, kernel: {} as KernelApi }) as Authorizer;
    assert.throws(() => init({}), (e: Error) => e instanceof ConfigError && /cannot read the policy file .*authz-rules\.policy: ENOENT/.test(e.message));
    writeFileSync(join(dir, 'authz-rules.policy'), 'u schema=a ALLOW\nbroken\n');
    assert.throws(() => init({}), (e: Error) => e instanceof ConfigError && e.message.includes(`${join(dir, 'authz-rules.policy')}:2:`));
    writeFileSync(join(dir, 'authz-rules.policy'), 'u schema=a ALLOW\n');
    assert.throws(() => init({ default: 'maybe' }), (e: Error) => e instanceof ConfigError && /default must be 'allow' or 'deny'/.test(e.message));
    const denying = init({});
    assert.equal(denying.authorize(schema('u', 'a')), true);
    assert.equal(denying.authorize(schema('u', 'b')), false, 'no match: the default, deny');
    assert.equal(init({ default: 'allow' }).authorize(schema('u', 'b')), true);
    // An absolute path is used as is.
    writeFileSync(join(dir, 'other'), 'u schema=b ALLOW\n');
    assert.equal(init({ policy_file: join(dir, 'other') }).authorize(schema('u', 'b')), true);

    // Reload: a good file replaces the policy; a bad one keeps it and is logged with file:line.
    writeFileSync(join(dir, 'authz-rules.policy'), 'u schema=b ALLOW\n');
    void denying.reload?.();
    assert.equal(denying.authorize(schema('u', 'b')), true);
    assert.equal(denying.authorize(schema('u', 'a')), false);
    writeFileSync(join(dir, 'authz-rules.policy'), 'u schema=a ALLOW\nu schema=b PERHAPS\n');
    void denying.reload?.();
    assert.equal(denying.authorize(schema('u', 'b')), true, 'the previous policy stays');
    const failed = log.lines.find((l) => l.msg.includes('reload failed'));
    assert.ok(failed && String(failed.fields?.error).includes('authz-rules.policy:2:'), JSON.stringify(log.lines));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ------------------------------------------------------------------ end to end

type Rows = mysql.RowDataPacket[];

/** Waits until the server's log contains `text` (after `from`). */
async function logShows(server: ServerProcess, text: string, from = 0): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!server.log().slice(from).includes(text)) {
    if (Date.now() > deadline) throw new Error(`the log never showed '${text}':\n${server.log().slice(from)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const POLICY = `# mizzle authorization policy
root schema=.* ALLOW
root process=.* ALLOW

# reporting reads app, nothing else
reporter schema=app USAGE,SELECT ALLOW
reporter schema=.* DENY

# the application uses app, except its salaries
app table=app\\.salaries DENY
app schema=app ALLOW
`;

test('authz-rules end to end: 1044 and 1142 with MySQL messages, SHOW filtered, PROCESSLIST and KILL, SIGHUP reloads', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-authz-rules-e2e-'));
  writeFileSync(join(datadir, 'authz-rules.policy'), POLICY);
  const server = await startServerProcess({ datadir, args: ['--plugin-add=authz-rules'] });
  const connections = connectionsTo(server);
  const connect = connections.connect;
  try {
    assert.match(server.log(), /authz-rules: policy loaded .*rules=6 default=deny/);
    const root = await connect('root');
    for (const sql of ['CREATE DATABASE app', 'CREATE DATABASE secret', 'CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(10))', 'CREATE TABLE app.salaries (id INT PRIMARY KEY, pay INT)',
      'CREATE TABLE secret.s (id INT PRIMARY KEY)', "INSERT INTO app.t VALUES (1, 'one')", 'INSERT INTO app.salaries VALUES (1, 100)']) {
      await root.query(sql);
    }
    assert.deepEqual(await firstColumn(root, 'SHOW DATABASES'), ['app', 'information_schema', 'secret'], 'root: every schema');

    // A denied schema: 1044 at connect and on USE, with MySQL's message.
    await assert.rejects(connect('app', 'secret'), (e: { errno: number; message: string }) => e.errno === 1044 && /^Access denied for user 'app'@'[^']+' to database 'secret'$/.test(e.message));
    const app = await connect('app', 'app');
    await assert.rejects(app.query('USE secret'), (e: { errno: number; sqlState: string }) => e.errno === 1044 && e.sqlState === '42000');
    await assert.rejects(app.query('SELECT * FROM secret.s'), (e: { errno: number; message: string }) => e.errno === 1142 && /^SELECT command denied to user 'app'@'[^']+' for table 's'$/.test(e.message));
    // A denied table in an allowed schema: 1142, and hidden from SHOW TABLES; the rest of the schema works.
    await assert.rejects(app.query('SELECT * FROM salaries'), (e: { errno: number; message: string; sqlState: string }) => e.errno === 1142 && e.sqlState === '42000' && /^SELECT command denied to user 'app'@'[^']+' for table 'salaries'$/.test(e.message));
    await assert.rejects(app.query('SELECT * FROM t WHERE id IN (SELECT id FROM salaries)'), (e: { errno: number }) => e.errno === 1142, 'a subquery is checked too');
    await assert.rejects(app.execute('SELECT * FROM salaries WHERE id = ?', [1]), (e: { errno: number }) => e.errno === 1142, 'prepared statements are checked at prepare');
    await assert.rejects(app.query('SHOW COLUMNS FROM s FROM secret'), (e: { errno: number }) => e.errno === 1142);
    assert.deepEqual(await firstColumn(app, 'SELECT v FROM t'), ['one']);
    await app.query("INSERT INTO t VALUES (2, 'two')");
    assert.deepEqual(await firstColumn(app, 'SHOW DATABASES'), ['app']);
    assert.deepEqual(await firstColumn(app, 'SHOW TABLES'), ['t']);

    // Read-only by actions: SELECT works, INSERT gets 1142 naming the action.
    const reporter = await connect('reporter', 'app');
    assert.deepEqual(await firstColumn(reporter, 'SELECT count(*) FROM t'), [2]);
    await assert.rejects(reporter.query("INSERT INTO t VALUES (3, 'x')"), (e: { errno: number; message: string }) => e.errno === 1142 && /^INSERT command denied to user 'reporter'@'[^']+' for table 't'$/.test(e.message));
    await assert.rejects(reporter.query('UPDATE t SET v = 1'), (e: { errno: number }) => e.errno === 1142);
    await assert.rejects(connect('nobody', 'app'), (e: { errno: number }) => e.errno === 1044, 'no rule: the default denies');

    // Denials are logged and counted.
    assert.match(server.log(), /access denied by authorization .*plugin=authz-rules user=app .*table=salaries action=SELECT/);
    const [[denied]] = (await root.query("SHOW GLOBAL STATUS LIKE 'Access_denied_errors'")) as [Rows, unknown];
    assert.ok(Number(denied.Value) >= 9, `Access_denied_errors ${denied.Value}`);

    // Other sessions: app sees only its own and cannot kill root's (1095); root sees and kills everyone.
    const appId = (await firstColumn(app, 'SELECT CONNECTION_ID()'))[0];
    const rootId = (await firstColumn(root, 'SELECT CONNECTION_ID()'))[0];
    assert.deepEqual(new Set(await firstColumn(app, 'SHOW PROCESSLIST')), new Set([appId]));
    const seenByRoot = await firstColumn(root, 'SHOW PROCESSLIST');
    assert.ok(seenByRoot.includes(appId) && seenByRoot.includes(rootId));
    await assert.rejects(app.query(`KILL ${String(rootId)}`), (e: { errno: number; message: string }) => e.errno === 1095 && e.message === `You are not owner of thread ${String(rootId)}`);
    // With worker threads a worker's log lines reach the server's stderr a little after its answers: the KILL's denial is
    // waited for, and after SHOW PROCESSLIST a denied SELECT on the same session marks where its lines end (one thread's
    // lines keep their order).
    await logShows(server, 'action=PROCESS');
    const logBefore = server.log().length;
    await firstColumn(app, 'SHOW PROCESSLIST');
    await assert.rejects(app.query('SELECT * FROM salaries'), (e: { errno: number }) => e.errno === 1142);
    await logShows(server, 'table=salaries action=SELECT', logBefore);
    const denials = server.log().slice(logBefore).split('\n').filter((l) => l.includes('access denied'));
    assert.equal(denials.length, 1, `hiding sessions is not a denial: ${denials.join('\n')}`);
    await root.query(`KILL ${String(reporter.threadId)}`);
    await assert.rejects(reporter.query('SELECT 1'));

    // SIGHUP: the new policy applies to the open connection, which stays open.
    writeFileSync(join(datadir, 'authz-rules.policy'), POLICY.replace('app table=app\\.salaries DENY\n', ''));
    let mark = server.log().length;
    process.kill(server.child.pid as number, 'SIGHUP');
    await logShows(server, 'authz-rules: policy reloaded', mark);
    assert.deepEqual(await firstColumn(app, 'SELECT pay FROM salaries'), [100]);
    assert.deepEqual(await firstColumn(app, 'SHOW TABLES'), ['salaries', 't']);

    // A malformed file on SIGHUP: logged with file:line, the previous policy stays in force.
    writeFileSync(join(datadir, 'authz-rules.policy'), 'root schema=.* ALLOW\napp schema=.* ALOW\n');
    mark = server.log().length;
    process.kill(server.child.pid as number, 'SIGHUP');
    await logShows(server, 'authz-rules: reload failed, keeping the previous policy', mark);
    assert.ok(server.log().slice(mark).includes(`${join(datadir, 'authz-rules.policy')}:2: the rule must end with ALLOW or DENY`), server.log().slice(mark));
    assert.deepEqual(await firstColumn(app, 'SELECT pay FROM salaries'), [100]);
    await assert.rejects(app.query('USE secret'), (e: { errno: number }) => e.errno === 1044);
  } finally {
    await connections.closeAll();
    await server.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('authz-rules: a malformed policy stops the server at startup with file:line; a missing one names the file', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-authz-rules-e2e-'));
  try {
    const path = join(datadir, 'rules');
    writeFileSync(path, '# ok\nroot schema=.* ALLOW\nroot schema=(unclosed ALLOW\n');
    await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=authz-rules', '--authz-rules.policy_file=rules'], timeoutMs: 8000 }),
      (e: Error) => /mizzle exited with [1-9]/.test(e.message) && e.message.includes(`authz-rules: ${path}:3: invalid regular expression '(unclosed'`));
    await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=authz-rules', '--authz-rules.policy_file=nope'], timeoutMs: 8000 }),
      (e: Error) => /mizzle exited with [1-9]/.test(e.message) && e.message.includes(`cannot read the policy file ${join(datadir, 'nope')}: ENOENT`));
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});

test('COM_FIELD_LIST of a denied table is refused like SELECT (embedded)', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-authz-rules-'));
  writeFileSync(join(datadir, 'authz-rules.policy'), POLICY);
  const e = await startEmbedded({ datadir, args: ['--plugin-add=authz-rules'] });
  try {
    const root = e.session();
    for (const sql of ['CREATE DATABASE app', 'CREATE TABLE app.t (id INT PRIMARY KEY)', 'CREATE TABLE app.salaries (id INT PRIMARY KEY, pay INT)']) await e.run(root, sql);
    const app = e.server.kernel.openSession({ user: 'app', host: 'localhost', database: 'app' });
    assert.deepEqual(app.listFields('t').map((c) => c.name), ['id']);
    assert.throws(() => app.listFields('salaries'), (err: Error) => err instanceof SqlError && err.code === 1142 && err.message === "SELECT command denied to user 'app'@'localhost' for table 'salaries'");
  } finally {
    await e.stop();
    rmSync(datadir, { recursive: true, force: true });
  }
});
