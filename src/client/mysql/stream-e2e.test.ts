// Streams over mysql:// read rows as they arrive: a reader that pauses holds a bounded number of them (the socket stops
// reading), a reader that stops early leaves the connection usable, and an error mid-result reaches the reader.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, MizzleError, type Client } from '../index.js';
import { ClientConnection } from '../../protocol/mysql/client-end.js';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';

const ROWS = 200_000;
let server: ServerProcess;
let client: Client;

before(async () => {
  server = await startServerProcess();
  client = connect(`mysql://root@127.0.0.1:${server.port}/`);
  await client.query('CREATE DATABASE s');
  await client.query('CREATE TABLE s.n (i INT PRIMARY KEY)');
  const s = await client.reserve();
  await s.query(`SET cte_max_recursion_depth = ${ROWS}`);
  await s.query(`INSERT INTO s.n WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${ROWS}) SELECT i FROM c`);
  await s.release();
});

after(async () => {
  await client.close();
  await server.stop();
  server.cleanup();
});

test('a paused reader holds a bounded number of rows on the client; all arrive in order when it reads on', async () => {
  const conn = await ClientConnection.connect({ port: server.port, user: 'root', password: '' });
  try {
    let received = 0;
    let release: (() => void) | undefined;
    let last = 0;
    const done = conn.queryStream('SELECT i FROM s.n ORDER BY i', {
      columns: () => undefined,
      rows: (batch) => {
        for (const r of batch) {
          assert.equal(Number(r[0]), last + 1);
          last++;
        }
        received += batch.length;
        // The first batch is held: the reader is "busy".
        if (release === undefined) return new Promise<void>((r) => (release = r));
        return undefined;
      },
    });
    while (release === undefined) await new Promise((r) => setTimeout(r, 10));
    // Time for the server to send all it would if nothing held it back.
    await new Promise((r) => setTimeout(r, 300));
    const held = conn.channel.pending;
    assert.ok(received < 1000, `the reader took ${received} rows`);
    assert.ok(held < 20_000, `${held} of ${ROWS} rows wait on the client while its reader is busy`);
    release!();
    const end = await done;
    assert.equal(end.kind, 'end');
    assert.equal(received, ROWS);
  } finally {
    conn.destroy();
  }
});

test('the client library streams over mysql://: early stop leaves the session usable; rows come in order', async () => {
  const s = await client.reserve();
  try {
    let seen = 0;
    for await (const row of s.stream('SELECT i FROM s.n ORDER BY i')) {
      seen++;
      assert.equal(Number(row[0]), seen);
      if (seen === 50) break;
    }
    assert.equal(seen, 50);
    assert.deepEqual((await s.query('SELECT COUNT(*) FROM s.n')).rows, [[ROWS]]);
    const stream = s.stream('SELECT i, i * 2 AS twice FROM s.n WHERE i <= 3 ORDER BY i');
    const rows = [];
    for await (const row of stream) rows.push(row.map(Number));
    assert.deepEqual(rows, [[1, 2], [2, 4], [3, 6]]);
    assert.deepEqual(stream.columns?.map((c) => c.name), ['i', 'twice']);
    assert.equal(stream.summary?.rowsAffected, 0);
    // An error reaches the reader as a MizzleError, and the session goes on.
    await assert.rejects(async () => {
      for await (const row of s.stream('SELECT * FROM s.nosuch')) void row;
    }, (e: unknown) => e instanceof MizzleError && e.code === 1146);
    assert.deepEqual((await s.query('SELECT 1')).rows, [[1]]);
  } finally {
    await s.release();
  }
});
