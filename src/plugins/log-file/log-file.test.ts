// Tests of log-file: the JSON record, selection, rotation, SIGHUP reopen and startup errors, against the real server.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import type { StatementEvent } from '../../kernel/plugin.js';
import { AppendLog } from './append-log.js';
import { StatementSelection, statementRecord } from '../shared/statement-record.js';
import { eventually, withServerAndClient } from '../../testing/assertions.js';

type Line = Record<string, unknown>;

function readLines(path: string): Line[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Line);
}

/** Polls until `check` holds (the log is written in the background). */

function event(over: Partial<StatementEvent>): StatementEvent {
  return {
    time: new Date('2026-01-02T03:04:05.678Z'), sessionId: 7, user: 'u', host: '127.0.0.1', schema: 'db', text: 'SELECT 1', kind: 'select',
    durationMs: 1, rowsSent: 1, rowsExamined: 0, rowsAffected: 0, errorCode: 0, digest: () => 'SELECT ?', ...over,
  };
}

test('the record has stable keys; digest format; error and blocked_by only when set', () => {
  assert.deepEqual(Object.keys(statementRecord(event({}), 'text')), [
    'time', 'session_id', 'user', 'host', 'schema', 'kind', 'text', 'duration_ms', 'rows_sent', 'rows_examined', 'rows_affected', 'error_code',
  ]);
  const r = statementRecord(event({ errorCode: 1142, errorMessage: 'denied', blockedBy: 'filter-x' }), 'digest');
  assert.equal(r.digest, 'SELECT ?');
  assert.equal(r.text, undefined);
  assert.equal(r.time, '2026-01-02T03:04:05.678Z');
  assert.equal(r.error_message, 'denied');
  assert.equal(r.blocked_by, 'filter-x');
});

test('selection: thresholds apply to successful statements, regexes to all, only_errors', () => {
  const sel = (o: Record<string, string | number | boolean>) => StatementSelection.fromOptions('t', o);
  const slow = sel({ slow_ms: 100 });
  assert.ok(!slow.selects(event({ durationMs: 99 })));
  assert.ok(slow.selects(event({ durationMs: 100 })));
  assert.ok(slow.selects(event({ durationMs: 1, errorCode: 1146 })), 'errors ignore thresholds');
  assert.ok(slow.selects(event({ durationMs: 1, errorCode: 1142, blockedBy: 'f' })), 'refused statements too');
  const rows = sel({ min_rows_examined: 10 });
  assert.ok(!rows.selects(event({ rowsExamined: 9 })));
  assert.ok(rows.selects(event({ rowsExamined: 10 })));
  const re = sel({ filter: '^\\s*(insert|update)', exclude: 'secret' });
  assert.ok(re.selects(event({ text: 'insert into t values (1)' })));
  assert.ok(!re.selects(event({ text: 'SELECT 1' })));
  assert.ok(!re.selects(event({ text: 'UPDATE secret SET a=1' })));
  const errs = sel({ only_errors: true });
  assert.ok(!errs.selects(event({})));
  assert.ok(errs.selects(event({ errorCode: 1064 })));
  assert.throws(() => sel({ filter: '(' }), /option 'filter' is not a valid regular expression/);
  assert.throws(() => sel({ slow_ms: -1 }), /option 'slow_ms' must be a number >= 0/);
  assert.throws(() => sel({ format: 'xml' }), /option 'format' must be 'text' or 'digest'/);
});

test('AppendLog: a full buffer drops lines with a counter and a log line, never blocks', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-log-file-'));
  try {
    const reports: Record<string, unknown>[] = [];
    const log = new AppendLog(join(dir, 'q.log'), { maxSizeBytes: 0, keep: 0, bufferBytes: 100, onError: (_m, f) => reports.push(f) });
    for (let i = 0; i < 50; i++) log.append('x'.repeat(30));
    await log.close();
    assert.ok(log.drops.dropped > 0);
    assert.equal(log.written + log.drops.dropped, 50);
    assert.equal(reports.length, 1, 'one report for a burst of drops');
    assert.equal(readFileSync(join(dir, 'q.log'), 'utf8').split('\n').length - 1, log.written);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const withServer = (args: string[], body: Parameters<typeof withServerAndClient>[1]) => withServerAndClient(['--plugin-add=log-file', ...args], body);

test('end to end: fields of successful and failed statements; SIGHUP reopens after a logrotate-style rename', async () => {
  await withServer([], async (s, q) => {
    const path = join(s.datadir, 'query.log');
    await q('CREATE DATABASE shop');
    await q('CREATE TABLE shop.items (id INT PRIMARY KEY, name VARCHAR(20))');
    await q("INSERT INTO shop.items VALUES (1, 'a'), (2, 'b'), (3, 'c')");
    await q('USE shop');
    await q('SELECT * FROM items WHERE id >= 2');
    await q('SELECT * FROM no_such_table');
    const lines = await eventually(() => readLines(path), (l) => l.length >= 6, 'six lines');
    const insert = lines.find((l) => String(l.text).startsWith('INSERT'))!;
    assert.equal(insert.kind, 'insert');
    assert.equal(insert.rows_affected, 3);
    assert.equal(insert.error_code, 0);
    assert.equal(insert.user, 'root');
    assert.equal(insert.host, '127.0.0.1');
    assert.equal(typeof insert.session_id, 'number');
    assert.ok(!Number.isNaN(Date.parse(String(insert.time))));
    const select = lines.find((l) => l.text === 'SELECT * FROM items WHERE id >= 2')!;
    assert.equal(select.schema, 'shop');
    assert.equal(select.kind, 'select');
    assert.equal(select.rows_sent, 2);
    assert.ok(Number(select.rows_examined) >= 2);
    assert.equal(typeof select.duration_ms, 'number');
    const failed = lines.find((l) => l.text === 'SELECT * FROM no_such_table')!;
    assert.equal(failed.error_code, 1146);
    assert.match(String(failed.error_message), /no_such_table/);

    // logrotate: rename the file away, SIGHUP, and the next statements land in a new file.
    renameSync(path, `${path}.old`);
    s.child.kill('SIGHUP');
    await eventually(() => existsSync(path), (e) => e, 'a new file after SIGHUP');
    await q('SELECT 42');
    const fresh = await eventually(() => readLines(path), (l) => l.some((x) => x.text === 'SELECT 42'), 'SELECT 42 in the new file');
    assert.equal(fresh.length, 1);
    assert.ok(!readLines(`${path}.old`).some((x) => x.text === 'SELECT 42'));
  });
});

test('end to end: min_rows_examined, slow_ms, filter/exclude and digest format', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-log-file-'));
  const scans = join(dir, 'scans.log');
  try {
    await withServer([`--log-file.path=${scans}`, '--log-file.min_rows_examined=5', '--log-file.exclude=DROP', '--log-file.format=digest'], async (_s, q) => {
      await q('CREATE DATABASE test');
      await q('CREATE TABLE test.t (a INT PRIMARY KEY)');
      await q('INSERT INTO test.t VALUES (1),(2),(3),(4),(5),(6)');
      await q('SELECT * FROM test.t WHERE a > 0');
      await q('SELECT 1');
      await q('DROP TABLE test.nope');
      await q('SELECT * FROM test.missing');
      const lines = await eventually(() => readLines(scans), (l) => l.length >= 2, 'two lines');
      await new Promise((r) => setTimeout(r, 100));
      const all = readLines(scans);
      assert.deepEqual(all.map((l) => l.error_code), [0, 1146], JSON.stringify(all));
      assert.match(String(lines[0]!.digest), /^SELECT \* FROM `?test`?\.`?t`? WHERE `?a`? > \?$/i);
      assert.equal(lines[0]!.text, undefined);
    });
    await withServer(['--log-file.slow_ms=60000', '--log-file.filter=^select'], async (s, q) => {
      await q('CREATE DATABASE test');
      await q('SELECT 1');
      await q('SELECT * FROM test.missing');
      await q('INSERT INTO test.missing VALUES (1)');
      const path = join(s.datadir, 'query.log');
      await eventually(() => readLines(path), (l) => l.length >= 1, 'one line');
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(readLines(path).map((l) => l.text), ['SELECT * FROM test.missing']);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('end to end: rotation by size keeps N files, none past the limit', async () => {
  await withServer(['--log-file.max_size_bytes=1500', '--log-file.keep=2'], async (s, q) => {
    for (let i = 0; i < 60; i++) await q(`SELECT ${i} AS n, 'padding padding padding' AS p`);
    const path = join(s.datadir, 'query.log');
    await eventually(() => readLines(path), (l) => l.some((x) => String(x.text).startsWith('SELECT 59 ')), 'the last statement');
    assert.ok(existsSync(`${path}.1`) && existsSync(`${path}.2`));
    assert.ok(!existsSync(`${path}.3`));
    for (const p of [path, `${path}.1`, `${path}.2`]) assert.ok(statSync(p).size <= 1500, `${p} is ${statSync(p).size} bytes`);
    // The files hold consecutive statements: the newest rotated file ends where the current one begins.
    const last1 = readLines(`${path}.1`).at(-1)!;
    const first = readLines(path)[0]!;
    assert.equal(Number(/SELECT (\d+)/.exec(String(first.text))![1]), Number(/SELECT (\d+)/.exec(String(last1.text))![1]) + 1);
  });
});

test('bad options and an unwritable path stop startup with a clear message', async () => {
  const cases: [string[], RegExp][] = [
    [['--log-file.filter=(unclosed'], /log-file: option 'filter' is not a valid regular expression/],
    [['--log-file.slow_ms=-5'], /log-file: option 'slow_ms' must be a number >= 0/],
    [['--log-file.format=yaml'], /log-file: option 'format' must be 'text' or 'digest'/],
    [['--log-file.keep=1.5'], /log-file: option 'keep' must be a whole number >= 0/],
    [['--log-file.path=/nonexistent-dir/q.log'], /log-file: cannot open the query log \/nonexistent-dir\/q.log: ENOENT/],
  ];
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-log-file-'));
  try {
    for (const [args, expected] of cases) {
      await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=log-file', ...args] }), (e: Error) => expected.test(e.message), args.join(' '));
    }
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});
