// Tests of log-gearman against a real gearmand and a real `gearman -w` worker: payloads, a server that is down, restarts, bad options.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { encodeRequest, PacketReader, PacketType, packetArgs, RES_MAGIC, submitJobBackground } from '../shared/gearman-protocol.js';
import { gearmanMissing, receivedJobs, startGearmand, startWorker, type ChildHandle } from '../../testing/gearmand-process.js';
import { eventually, withServerAndClient } from '../../testing/assertions.js';

const missing = gearmanMissing();


const withMizzle = (args: string[], body: Parameters<typeof withServerAndClient>[1]) => withServerAndClient(['--plugin-add=log-gearman', ...args], body);

test('packets: SUBMIT_JOB_BG layout, reassembly across chunks, NULs in the last argument', () => {
  const p = submitJobBackground('fn', 'u1', 'a\0b');
  assert.equal(p.subarray(0, 4).toString('latin1'), '\0REQ');
  assert.equal(p.readUInt32BE(4), 18);
  assert.equal(p.readUInt32BE(8), 'fn\0u1\0a\0b'.length);
  assert.equal(p.subarray(12).toString('latin1'), 'fn\0u1\0a\0b');
  assert.throws(() => encodeRequest(PacketType.SUBMIT_JOB_BG, ['f\0n', 'u', 'w']), /contains NUL/);
  const res = Buffer.concat([RES_MAGIC, Buffer.from([0, 0, 0, 8, 0, 0, 0, 3]), Buffer.from('H:1')]);
  const reader = new PacketReader();
  assert.deepEqual(reader.push(res.subarray(0, 5)), []);
  const [created] = reader.push(Buffer.concat([res.subarray(5), res.subarray(0, 2)]));
  assert.equal(created!.type, PacketType.JOB_CREATED);
  assert.equal(created!.body.toString(), 'H:1');
  assert.deepEqual(packetArgs(Buffer.from('fn\0u\0x\0y'), 3).map(String), ['fn', 'u', 'x\0y']);
  assert.throws(() => new PacketReader().push(Buffer.from('GET / HTTP/1.1\r\n')), /not a Gearman packet/);
});

test('end to end: each statement (and server messages when asked) becomes a background job with the JSON event', { skip: missing }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-gearman-'));
  const port = await freePort();
  const gearmand = await startGearmand(dir, port);
  const jobsFile = join(dir, 'jobs.jsonl');
  const worker = startWorker(port, 'mizzle_events', jobsFile);
  try {
    await withMizzle([`--log-gearman.port=${port}`, '--log-gearman.function=mizzle_events', '--log-gearman.message_level=info'], async (_s, q) => {
      await q('CREATE DATABASE shop');
      await q('CREATE TABLE shop.t (a INT PRIMARY KEY)');
      await q('INSERT INTO shop.t VALUES (1), (2)');
      await q('SELECT * FROM shop.absent');
      const jobs = await eventually(() => receivedJobs(jobsFile), (j) => j.some((x) => x.text === 'SELECT * FROM shop.absent'), 'the failed statement');
      const insert = jobs.find((x) => x.text === 'INSERT INTO shop.t VALUES (1), (2)')!;
      assert.equal(insert.kind, 'insert');
      assert.equal(insert.rows_affected, 2);
      assert.equal(insert.error_code, 0);
      assert.equal(insert.user, 'root');
      const failed = jobs.find((x) => x.text === 'SELECT * FROM shop.absent')!;
      assert.equal(failed.error_code, 1146);
      assert.match(String(failed.error_message), /absent/);
      assert.ok(jobs.some((x) => x.level === 'info' && x.msg === 'mizzle started'), 'the startup message');
    });
  } finally {
    await worker.stop();
    await gearmand.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('job server down: queries go on, the bounded queue drops with a log line, jobs flow after it starts and after it restarts', { skip: missing }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-gearman-'));
  const port = await freePort();
  const jobsFile = join(dir, 'jobs.jsonl');
  let gearmand: ChildHandle | undefined;
  let worker: ChildHandle | undefined;
  try {
    await withMizzle([`--log-gearman.port=${port}`, '--log-gearman.queue=5'], async (s, q) => {
      const t0 = Date.now();
      for (let i = 0; i < 20; i++) assert.ok(Array.isArray(await q(`SELECT ${i} AS n`)));
      assert.ok(Date.now() - t0 < 30_000, 'queries are not held up by a missing job server');
      await eventually(() => s.log(), (l) => /log-gearman: jobs dropped \(queue full/.test(l) && /log-gearman: job server not reachable/.test(l), 'the drop and connection lines');

      gearmand = await startGearmand(dir, port);
      worker = startWorker(port, 'mizzle_log', jobsFile);
      // The five queued while it was down arrive, in order; the fifteen past the bound were dropped.
      await eventually(() => receivedJobs(jobsFile), (j) => j.length >= 5, 'the queued jobs');
      assert.deepEqual(receivedJobs(jobsFile).map((j) => j.text), [0, 1, 2, 3, 4].map((i) => `SELECT ${i} AS n`));

      // A restart of the job server: the plugin reconnects by itself.
      await gearmand.stop();
      for (let i = 0; i < 3; i++) assert.ok(Array.isArray(await q(`SELECT 'while down ${i}'`)));
      gearmand = await startGearmand(dir, port);
      await eventually(() => receivedJobs(jobsFile), (j) => {
        void q("SELECT 'after restart'");
        return j.some((x) => x.text === "SELECT 'after restart'");
      }, 'a job after the restart (the reconnect backoff is at most 10 s)', 30_000);
      assert.ok(receivedJobs(jobsFile).some((x) => x.text === "SELECT 'while down 0'"), 'queued while down, sent after the restart');
    });
  } finally {
    await worker?.stop();
    await gearmand?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('job server stopped (SIGSTOP): queries keep their pace, the queue bound holds, jobs flow after SIGCONT', { skip: missing }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-gearman-'));
  const port = await freePort();
  const gearmand = await startGearmand(dir, port);
  const jobsFile = join(dir, 'jobs.jsonl');
  const worker = startWorker(port, 'mizzle_log', jobsFile);
  try {
    await withMizzle([`--log-gearman.port=${port}`, '--log-gearman.queue=50'], async (s, q) => {
      await q('SELECT 1');
      await eventually(() => receivedJobs(jobsFile), (j) => j.length >= 1, 'the first job');
      gearmand.child.kill('SIGSTOP');
      try {
        const t0 = Date.now();
        for (let i = 0; i < 300; i++) assert.ok(Array.isArray(await q(`SELECT ${i} AS n`)));
        assert.ok(Date.now() - t0 < 30_000, `300 queries took ${Date.now() - t0} ms`);
        await eventually(() => s.log(), (l) => /log-gearman: jobs dropped \(queue full/.test(l), 'the drop line');
      } finally {
        gearmand.child.kill('SIGCONT');
      }
      const jobs = await eventually(() => receivedJobs(jobsFile), (j) => j.some((x) => x.text === 'SELECT 49 AS n'), 'the jobs queued while stopped');
      assert.ok(!jobs.some((x) => x.text === 'SELECT 299 AS n'), 'jobs past the bound were dropped');
    });
  } finally {
    await worker.stop();
    await gearmand.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad options stop startup with a clear message', async () => {
  const datadir = mkdtempSync(join(tmpdir(), 'mizzle-log-gearman-'));
  try {
    const cases: [string[], RegExp][] = [
      [['--log-gearman.port=0'], /log-gearman: option 'port' must be a port number 1-65535, got '0'/],
      [['--log-gearman.function='], /log-gearman: option 'function' must be a name of 1-512 bytes/],
      [['--log-gearman.queue=0'], /log-gearman: option 'queue' must be a whole number >= 1/],
      [['--log-gearman.message_level=all'], /log-gearman: option 'message_level' must be one of/],
      [['--log-gearman.min_rows_examined=-1'], /log-gearman: option 'min_rows_examined' must be a number >= 0/],
    ];
    for (const [args, expected] of cases) {
      await assert.rejects(startServerProcess({ datadir, args: ['--plugin-add=log-gearman', ...args] }), (e: Error) => expected.test(e.message), args.join(' '));
    }
  } finally {
    rmSync(datadir, { recursive: true, force: true });
  }
});
