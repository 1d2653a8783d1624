// Prepared statements packet by packet against the real server: reused types, long data, cursors, reset, close, ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  Capability as C,
  Command,
  CursorType,
  FieldType as T,
  LAST_PREPARED_STATEMENT,
  ServerStatus,
  parseBinaryRow,
  parseColumnCount,
  parseColumnDefinition,
  parseEof,
  writeExecute,
  type ClientConnection,
  type QueryResult,
} from '../../protocol/mysql/index.js';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { RAW_CAPABILITIES, errorOf, loginRaw, nextErr, onlyResult, payloadOf, rowsOf } from './raw-client.js';

let server: ServerProcess;

before(async () => {
  server = await startServerProcess();
  const c = await loggedIn();
  for (const sql of ['CREATE DATABASE rp', 'CREATE TABLE rp.t (k INT PRIMARY KEY, v TEXT, b BLOB)']) assert.equal(onlyResult(await c.query(sql)).kind, 'ok');
  c.destroy();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

const WITHOUT_DEPRECATE_EOF = RAW_CAPABILITIES & ~C.DEPRECATE_EOF;

function loggedIn(capabilities = RAW_CAPABILITIES): Promise<ClientConnection> {
  return loginRaw(server.port, capabilities);
}

function affected(results: QueryResult[]): number | bigint {
  const r = onlyResult(results);
  assert.equal(r.kind, 'ok');
  return r.kind === 'ok' ? r.affectedRows : -1;
}

/** The parameter types the INSERT below sends once and the server then remembers. */
const K = T.LONG;
const V = T.VAR_STRING;
const B = T.BLOB;

test('long data, types reused when new-params-bound is 0, STMT_RESET, cursors with COM_STMT_FETCH', async () => {
  const c = await loggedIn();
  const ins = await c.prepare('INSERT INTO rp.t VALUES (?, ?, ?)');
  assert.deepEqual({ columns: ins.columns.length, params: ins.params.map((p) => p.name) }, { columns: 0, params: ['?', '?', '?'] });

  // Long data for v in two chunks and for b; the execute carries only k (LONG, VAR_STRING, BLOB).
  c.sendLongData(ins.id, 1, Buffer.from('hello '));
  c.sendLongData(ins.id, 1, Buffer.from('world'));
  c.sendLongData(ins.id, 2, Buffer.from([0xff, 0x00]));
  assert.equal(affected(await c.execute(ins.id, [{ type: K, value: 1 }, { type: V, value: null, longData: true }, { type: B, value: null, longData: true }])), 1, 'one row inserted');

  // new-params-bound 0: the types from the last execute decode the values; the long data is gone.
  const reuse = { sendTypes: false };
  assert.equal(affected(await c.execute(ins.id, [{ type: K, value: 2 }, { type: V, value: 'two' }, { type: B, value: Buffer.from([1, 2]) }], reuse)), 1);
  // A NULL via the bitmap (b), types still remembered.
  assert.equal(affected(await c.execute(ins.id, [{ type: K, value: 3 }, { type: V, value: 'three' }, { type: B, value: null }], reuse)), 1);

  // Long data then STMT_RESET: the data is dropped, the packet's value counts.
  c.sendLongData(ins.id, 1, Buffer.from('dropped'));
  await c.resetStatement(ins.id);
  assert.equal(affected(await c.execute(ins.id, [{ type: K, value: 4 }, { type: V, value: 'kept' }, { type: B, value: 'b' }], reuse)), 1);

  const sel = await c.prepare('SELECT k, v, b FROM rp.t ORDER BY k');
  assert.deepEqual({ columns: sel.columns.length, params: sel.params.length }, { columns: 3, params: 0 });

  // Without a cursor: every row at once.
  const all = rowsOf(onlyResult(await c.execute(sel.id)));
  assert.equal(all.columns.length, 3);
  assert.deepEqual(all.rows, [
    [1, 'hello world', Buffer.from([0xff, 0x00])],
    [2, 'two', Buffer.from([1, 2])],
    [3, 'three', null],
    [4, 'kept', Buffer.from('b')],
  ]);
  assert.equal(all.status & ServerStatus.CURSOR_EXISTS, 0);

  // CURSOR_TYPE_READ_ONLY: metadata and an end packet with CURSOR_EXISTS, then rows per fetch.
  const opened = rowsOf(onlyResult(await c.execute(sel.id, [], { cursor: true })));
  assert.equal(opened.columns.length, 3);
  assert.equal(opened.rows.length, 0);
  assert.ok(opened.status & ServerStatus.CURSOR_EXISTS);
  const first = await c.fetch(sel.id, 3, opened.columns);
  assert.deepEqual(first.rows.map((r) => r[0]), [1, 2, 3]);
  assert.ok(first.status & ServerStatus.CURSOR_EXISTS);
  assert.equal(first.status & ServerStatus.LAST_ROW_SENT, 0);
  const rest = await c.fetch(sel.id, 3, opened.columns);
  assert.deepEqual(rest.rows.map((r) => r[0]), [4]);
  assert.ok(rest.status & ServerStatus.LAST_ROW_SENT);
  assert.equal((await errorOf(c.fetch(sel.id, 3, opened.columns))).code, 1421);
  // STMT_RESET closes an open cursor (reset and fetch pipelined).
  await c.execute(sel.id, [], { cursor: true });
  const [reset, fetched] = [c.resetStatement(sel.id), errorOf(c.fetch(sel.id, 1, opened.columns))];
  assert.equal((await reset).kind, 'ok');
  assert.equal((await fetched).code, 1421);
  c.destroy();
});

test('unknown, closed and reset statements are 1243; STMT_CLOSE never answers; MariaDB id -1 is the last prepared', async () => {
  const c = await loggedIn();
  assert.deepEqual(await errorOf(c.execute(9999)), { code: 1243, sqlState: 'HY000', message: 'Unknown prepared statement handler (9999) given to mysqld_stmt_execute' });
  assert.equal((await errorOf(c.resetStatement(9999))).code, 1243);

  const s = await c.prepare('SELECT ? AS x');
  // Pipelined: PREPARE + EXECUTE with id -1 (TINY 7).
  const [, viaLast] = await Promise.all([c.prepare('SELECT ? + 1 AS y'), c.execute(LAST_PREPARED_STATEMENT, [{ type: T.TINY, value: 7 }])]);
  const r = rowsOf(onlyResult(viaLast));
  assert.equal(r.columns.length, 1);
  assert.equal(r.rows.length, 1);
  assert.equal(Number(r.rows[0][0]), 8);

  c.closeStatement(s.id);
  await c.ping(); // the ping answers; the close did not
  assert.equal((await errorOf(c.execute(s.id, [{ type: T.NULL, value: null }], { sendTypes: false }))).code, 1243);
  // Closing an unknown id, or a truncated close (deliberately one byte short of an id), is silent too.
  c.closeStatement(12345);
  c.channel.sendPayloads([Buffer.from([Command.STMT_CLOSE, 1])]);
  await c.ping();

  // A failed prepare makes -1 unknown.
  const [failed, unknown] = [errorOf(c.prepare('SELEC nothing')), errorOf(c.execute(LAST_PREPARED_STATEMENT))];
  assert.equal((await failed).code, 1064);
  assert.equal((await unknown).code, 1243);

  // Wrong parameter block: two params typed, one value sent (a valid execute cut short on purpose): 1210.
  const two = await c.prepare('SELECT ? + ? AS z');
  const whole = payloadOf((w) => writeExecute(w, { statementId: two.id, params: [{ type: T.TINY, value: 5 }, { type: T.TINY, value: 6 }] }));
  c.channel.sendPayloads([whole.subarray(0, whole.length - 1)]);
  assert.equal((await nextErr(c)).code, 1210);

  // COM_RESET_CONNECTION drops every statement.
  const [cleared, gone] = [c.resetConnection(), errorOf(c.execute(two.id, [null, null], { sendTypes: false }))];
  assert.equal((await cleared).kind, 'ok');
  assert.equal((await gone).code, 1243);
  c.destroy();
});

test('clients without DEPRECATE_EOF get EOF packets after definitions and rows', async () => {
  const c = await loggedIn(WITHOUT_DEPRECATE_EOF);
  // The driver reads the EOF after each group of definitions; anything else there is malformed.
  const s = await c.prepare('SELECT k, v FROM rp.t WHERE k = ?');
  assert.deepEqual({ columns: s.columns.length, params: s.params.length }, { columns: 2, params: 1 });
  const execute = (flags: number) => c.channel.send((w) => writeExecute(w, { statementId: s.id, flags, params: [{ type: T.LONG, value: 2 }] }));
  execute(CursorType.NO_CURSOR);
  assert.equal(parseColumnCount(await c.channel.read()), 2);
  const columns = [parseColumnDefinition(await c.channel.read()), parseColumnDefinition(await c.channel.read())];
  parseEof(await c.channel.read());
  const row = await c.channel.read();
  assert.equal(row.toString('hex'), '0000' + '02000000' + '03' + Buffer.from('two').toString('hex'));
  assert.deepEqual(parseBinaryRow(row, columns), [2, 'two']);
  parseEof(await c.channel.read());
  // Cursor: the EOF after the definitions carries CURSOR_EXISTS.
  execute(CursorType.READ_ONLY);
  const count = parseColumnCount(await c.channel.read());
  for (let i = 0; i < count; i++) parseColumnDefinition(await c.channel.read());
  assert.ok(parseEof(await c.channel.read()).status & ServerStatus.CURSOR_EXISTS);
  const f = await c.fetch(s.id, 10, columns);
  assert.equal(f.rows.length, 1);
  assert.ok(f.status & ServerStatus.LAST_ROW_SENT);
  c.destroy();
});
