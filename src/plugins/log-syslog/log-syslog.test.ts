// Tests of log-syslog against a real rsyslogd the test starts: local socket (both forms), UDP, a destination that is down, bad options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { fitJson, rfc5424, structuredData } from './syslog-format.js';
import { freeUdpPort, loggerMissing, rsyslogMissing, startRsyslog, type ReceivedMessage, type RsyslogProcess } from './rsyslog-process.js';
import { eventually, withServerAndClient } from '../../testing/assertions.js';

const missing = rsyslogMissing() ?? loggerMissing();


const withMizzle = (args: string[], body: Parameters<typeof withServerAndClient>[1]) => withServerAndClient(['--plugin-add=log-syslog', ...args], body);

const statementsIn = (ms: ReceivedMessage[]) => ms.filter((m) => m.msg.startsWith('{')).map((m) => ({ m, json: JSON.parse(m.msg) as Record<string, unknown> }));

test('RFC 5424 formatting: header fields, SD escaping, JSON fitted to the size limit', () => {
  const line = rfc5424({ facility: 16, severity: 6, time: new Date('2026-01-02T03:04:05.678Z'), hostname: 'db 1', appName: 'mizzle', procId: '42', msgId: 'statement' },
    structuredData({ user: 'a"b]c\\', blocked_by: undefined, error_code: 0 }), '{"x":1}');
  assert.equal(line, '<134>1 2026-01-02T03:04:05.678Z db1 mizzle 42 statement [mizzle@32473 user="a\\"b\\]c\\\\" error_code="0"] {"x":1}');
  assert.equal(structuredData({}), '-');
  const fitted = fitJson({ time: 't', text: 'é'.repeat(5000), error_code: 0 }, 1000);
  assert.ok(Buffer.byteLength(fitted) <= 1000);
  const parsed = JSON.parse(fitted) as Record<string, unknown>;
  assert.equal(parsed.truncated, true);
  assert.ok(String(parsed.text).length > 100);
});

test('socket transport: statements and server messages reach rsyslog through its Unix socket', { skip: missing }, async () => {
  const rs = await startRsyslog();
  try {
    await withMizzle([`--log-syslog.socket=${rs.socket}`, '--log-syslog.facility=local3', '--log-syslog.tag=mizzletest'], async (s, q) => {
      await q('CREATE DATABASE shop');
      await q('SELECT * FROM shop.nothing');
      await q('SELECT 1 AS one');
      const ms = await eventually(() => rs.messages(), (m) => statementsIn(m).length >= 3 && m.some((x) => x.msg.includes('mizzle started')), 'statements and the startup line');
      const started = ms.find((m) => m.msg.includes('mizzle started'))!;
      assert.equal(started.appName, 'mizzletest');
      assert.equal(started.procId, String(s.child.pid));
      assert.equal(started.pri, 19 * 8 + 6, 'local3.info');
      const stmts = statementsIn(ms);
      const failed = stmts.find((x) => x.json.text === 'SELECT * FROM shop.nothing')!;
      assert.equal(failed.json.error_code, 1146);
      assert.equal(failed.m.pri, 19 * 8 + 6);
      const ok = stmts.find((x) => x.json.text === 'SELECT 1 AS one')!;
      assert.equal(ok.json.rows_sent, 1);
      assert.equal(ok.json.user, 'root');
    });
    // The shutdown messages went through too (logging plugins close last).
    await eventually(() => rs.messages(), (m) => m.some((x) => x.msg.includes('mizzle shutting down')), 'the shutdown line');
  } finally {
    await rs.stop();
  }
});

test('socket transport with socket_format=rfc5424: rsyslog parses tag, pid and message', { skip: missing }, async () => {
  const rs = await startRsyslog();
  try {
    await withMizzle([`--log-syslog.socket=${rs.rfc5424Socket}`, '--log-syslog.socket_format=rfc5424', '--log-syslog.message_level=warn', '--log-syslog.format=digest'], async (s, q) => {
      await q("SELECT 'secret' AS x");
      const ms = await eventually(() => rs.messages(), (m) => statementsIn(m).length >= 1, 'one statement');
      const { m, json } = statementsIn(ms)[0]!;
      assert.equal(m.version, '1');
      assert.equal(m.appName, 'mizzle');
      assert.equal(m.procId, String(s.child.pid));
      assert.equal(m.pri, 16 * 8 + 6, 'local0.info');
      assert.match(String(json.digest), /^SELECT \? AS `?x`?$/i);
      assert.equal(json.text, undefined);
      assert.ok(!ms.some((x) => x.msg.includes('mizzle started')), 'info messages are below message_level=warn');
    });
  } finally {
    await rs.stop();
  }
});

test('udp transport: RFC 5424 with MSGID and structured data, parsed by rsyslog', { skip: rsyslogMissing() }, async () => {
  const rs = await startRsyslog();
  try {
    await withMizzle(['--log-syslog.transport=udp', `--log-syslog.port=${rs.udpPort}`, '--log-syslog.facility=daemon'], async (s, q) => {
      await q('SELECT 2 AS two');
      await q('SELEKT broken');
      const ms = await eventually(() => rs.messages(), (m) => statementsIn(m).some((x) => x.json.text === 'SELECT 2 AS two') && m.some((x) => x.msgId === 'server'), 'a statement and a server message');
      const { m, json } = statementsIn(ms).find((x) => x.json.text === 'SELECT 2 AS two')!;
      assert.equal(m.version, '1');
      assert.equal(m.pri, 3 * 8 + 6, 'daemon.info');
      assert.equal(m.msgId, 'statement');
      assert.equal(m.procId, String(s.child.pid));
      assert.match(m.structuredData, new RegExp(`^\\[mizzle@32473 session_id="${String(json.session_id)}" user="root" error_code="0" duration_ms="\\d+"\\]$`));
      assert.match(m.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const server = ms.find((x) => x.msgId === 'server' && x.msg.includes('mizzle started'))!;
      assert.equal(server.structuredData, '-');
      assert.equal(server.pri, 3 * 8 + 6);
    });
  } finally {
    await rs.stop();
  }
});

test('syslog down: the server starts and answers; the socket transport reconnects when rsyslog appears', { skip: missing }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-rsyslog-'));
  let rs: RsyslogProcess | undefined;
  try {
    const deadUdp = await freeUdpPort();
    await withMizzle(['--log-syslog.transport=udp', `--log-syslog.port=${deadUdp}`], async (_s, q) => {
      for (let i = 0; i < 200; i++) assert.ok(Array.isArray(await q(`SELECT ${i}`)));
    });
    await withMizzle([`--log-syslog.socket=${join(dir, 'log.sock')}`], async (s, q) => {
      const t0 = Date.now();
      for (let i = 0; i < 200; i++) assert.ok(Array.isArray(await q(`SELECT ${i}`)));
      assert.ok(Date.now() - t0 < 30_000, 'queries are not held up by a missing syslog');
      await eventually(() => s.log(), (l) => /log-syslog: the syslog socket is not reachable; retrying/.test(l), 'the retry line');
      rs = await startRsyslog({ dir });
      const started = rs;
      await eventually(() => started.messages(), (m) => {
        void q('SELECT "after"');
        return statementsIn(m).some((x) => x.json.text === 'SELECT "after"');
      }, 'statements once rsyslog is up (the retry backoff is at most 30 s)', 45_000);
    });
  } finally {
    await rs?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('syslog stopped (SIGSTOP): queries keep their pace, lines past the bound are dropped and counted, flow resumes', { skip: missing }, async () => {
  const rs = await startRsyslog();
  const rsyslogPid = Number(readFileSync(join(rs.dir, 'rsyslogd.pid'), 'utf8'));
  try {
    await withMizzle([`--log-syslog.socket=${rs.socket}`, '--log-syslog.queue=10'], async (s, q) => {
      await q('SELECT 1');
      await eventually(() => rs.messages(), (m) => statementsIn(m).length >= 1, 'the first statement');
      process.kill(rsyslogPid, 'SIGSTOP');
      try {
        const pad = 'x'.repeat(400);
        const t0 = Date.now();
        for (let i = 0; i < 1500; i++) assert.ok(Array.isArray(await q(`SELECT ${i} AS n, '${pad}' AS pad`)));
        assert.ok(Date.now() - t0 < 60_000, `1500 queries took ${Date.now() - t0} ms`);
        await eventually(() => s.log(), (l) => /log-syslog: messages dropped \(syslog socket down or slow\)/.test(l), 'the drop line');
      } finally {
        process.kill(rsyslogPid, 'SIGCONT');
      }
      await eventually(() => rs.messages(), (m) => {
        void q("SELECT 'resumed'");
        return statementsIn(m).some((x) => x.json.text === "SELECT 'resumed'");
      }, 'statements after SIGCONT', 15_000);
    });
  } finally {
    await rs.stop();
  }
});

test('bad options stop startup with a clear message', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-log-syslog-'));
  try {
    const cases: [string[], RegExp][] = [
      [['--log-syslog.transport=tcp'], /log-syslog: option 'transport' must be 'socket' or 'udp', got 'tcp'/],
      [['--log-syslog.facility=local9'], /log-syslog: option 'facility' must be one of kern, user, .*local7; got 'local9'/],
      [['--log-syslog.tag=two words'], /log-syslog: option 'tag' must be 1-48 printable ASCII/],
      [['--log-syslog.message_level=loud'], /log-syslog: option 'message_level' must be one of none, error, warn, info, debug/],
      [['--log-syslog.transport=udp', '--log-syslog.port=70000'], /log-syslog: option 'port' must be a port number/],
      [['--log-syslog.transport=udp', '--log-syslog.host=no-such-host.invalid'], /log-syslog: cannot resolve host 'no-such-host.invalid'/],
      [['--log-syslog.filter=['], /log-syslog: option 'filter' is not a valid regular expression/],
    ];
    for (const [args, expected] of cases) {
      await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=log-syslog', ...args] }), (e: Error) => expected.test(e.message), args.join(' '));
    }
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});
