// applier-gearman against a real gearmand and a real `gearman -w` worker: every committed transaction arrives as a job, also those committed while the job server was down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, startServerProcess } from '../../testing/server-process.js';
import { gearmanMissing, receivedJobs, startGearmand, startWorker } from '../../testing/gearmand-process.js';
import { passesEventually } from '../../testing/assertions.js';

const missing = gearmanMissing();

test('transactions committed while gearmand is down arrive once it is up, then each new one follows; ids contiguous', { skip: missing, timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mizzle-cdc-gearman-'));
  const port = await freePort();
  const server = await startServerProcess({ datadir: join(dir, 'data'), args: ['--plugin-add', 'applier-gearman', `--applier-gearman.port=${port}`, '--applier-gearman.function=cdc_test'] });
  const c = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'root', multipleStatements: true });
  const jobsFile = join(dir, 'jobs.jsonl');
  let gearmand: Awaited<ReturnType<typeof startGearmand>> | undefined;
  let worker: ReturnType<typeof startWorker> | undefined;
  try {
    await c.query("CREATE DATABASE g; CREATE TABLE g.t (id INT PRIMARY KEY, v VARCHAR(10)); INSERT INTO g.t VALUES (1, 'a')");
    await passesEventually(async () => {
      const [rows] = await c.query("SHOW GLOBAL STATUS LIKE 'Applier_gearman_failures'");
      assert.ok(Number((rows as mysql.RowDataPacket[])[0].Value) > 0, 'the job server is down: deliveries fail');
    }, 10_000);
    gearmand = await startGearmand(dir, port);
    worker = startWorker(port, 'cdc_test', jobsFile);
    await c.query("UPDATE g.t SET v = 'b' WHERE id = 1; DELETE FROM g.t");
    const [st] = await c.query('SHOW MASTER STATUS');
    const last = Number((st as mysql.RowDataPacket[])[0].Position);
    let jobs: Record<string, unknown>[] = [];
    await passesEventually(async () => {
      jobs = receivedJobs(jobsFile);
      assert.equal(jobs.length, last);
    }, 30_000);
    const seqs = jobs.map((j) => Number(String(j.id).split(':')[1])).sort((a, b) => a - b);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
    const update = jobs.find((j) => (j.changes as { type: string }[])[0]?.type === 'update') as { changes: { before: unknown; after: unknown; table: string }[] };
    assert.deepEqual(update.changes[0], { type: 'update', schema: 'g', table: 't', before: { id: 1, v: 'a' }, after: { id: 1, v: 'b' } });
    const [rows] = await c.query("SHOW GLOBAL STATUS LIKE 'Applier_gearman_last_sequence'");
    assert.equal(Number((rows as mysql.RowDataPacket[])[0].Value), last);
  } finally {
    await c.end();
    await server.stop();
    await worker?.stop();
    await gearmand?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
