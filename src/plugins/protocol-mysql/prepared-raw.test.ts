// Prepared statements byte by byte against the real server: reused types, long data, cursors, reset, close, ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Capability as C, Command, PayloadReader, ServerStatus } from '../../protocol/mysql/index.js';
import { startServerProcess, type ServerProcess } from '../../testing/server-process.js';
import { RawClient, cmd, errOf, okStatus } from './raw-client.js';

let server: ServerProcess;

before(async () => {
  server = await startServerProcess();
  const c = await loggedIn();
  c.send([cmd(Command.QUERY, 'CREATE DATABASE rp')]);
  assert.equal((await c.read())[0], 0);
  c.send([cmd(Command.QUERY, 'CREATE TABLE rp.t (k INT PRIMARY KEY, v TEXT, b BLOB)')]);
  assert.equal((await c.read())[0], 0);
  c.socket.destroy();
});

after(async () => {
  await server.stop();
  server.cleanup();
});

const WITH_DEPRECATE_EOF = C.PROTOCOL_41 | C.SECURE_CONNECTION | C.PLUGIN_AUTH | C.DEPRECATE_EOF;
const WITHOUT_DEPRECATE_EOF = C.PROTOCOL_41 | C.SECURE_CONNECTION | C.PLUGIN_AUTH;

async function loggedIn(caps = WITH_DEPRECATE_EOF): Promise<RawClient> {
  const c = new RawClient(server.port);
  assert.equal((await c.login(caps))[0], 0x00);
  return c;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

function lenenc(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  return Buffer.concat([Buffer.from([b.length]), b]);
}

/** COM_STMT_EXECUTE: id, flags, iteration count 1, then the parameter block as given. */
function execute(id: number, block: Buffer = Buffer.alloc(0), flags = 0): Buffer {
  return cmd(Command.STMT_EXECUTE, Buffer.concat([u32(id), Buffer.from([flags]), u32(1), block]));
}

function longData(id: number, param: number, data: Buffer): Buffer {
  const p = Buffer.alloc(2);
  p.writeUInt16LE(param);
  return cmd(Command.STMT_SEND_LONG_DATA, Buffer.concat([u32(id), p, data]));
}

/** Reads COM_STMT_PREPARE_OK and its definitions (and EOFs when `eofs`); returns id and counts. */
async function readPrepareOk(c: RawClient, eofs: boolean): Promise<{ id: number; columns: number; params: number }> {
  const ok = await c.read();
  assert.equal(ok[0], 0, ok[0] === 0xff ? errOf(ok).message : 'PREPARE_OK');
  const r = new PayloadReader(ok, 1);
  const id = r.u32();
  const columns = r.u16();
  const params = r.u16();
  for (let i = 0; i < params; i++) {
    const def = new PayloadReader(await c.read());
    for (let j = 0; j < 4; j++) def.lenencString();
    assert.equal(def.lenencString(), '?');
  }
  if (params > 0 && eofs) assert.equal((await c.read())[0], 0xfe);
  for (let i = 0; i < columns; i++) assert.notEqual((await c.read())[0], 0xfe);
  if (columns > 0 && eofs) assert.equal((await c.read())[0], 0xfe);
  return { id, columns, params };
}

/** The binary rows of a result set up to its end packet, and that packet's status. */
async function readRows(c: RawClient): Promise<{ rows: Buffer[]; status: number }> {
  const rows: Buffer[] = [];
  for (;;) {
    const p = await c.read();
    if (p[0] === 0xfe && p.length < 0xffffff) {
      const status = p.length === 5 ? p.readUInt16LE(3) : okStatus(p);
      return { rows, status };
    }
    assert.equal(p[0], 0, p[0] === 0xff ? errOf(p).message : 'binary row header');
    rows.push(p);
  }
}

async function readMetadata(c: RawClient, eof: boolean): Promise<number> {
  const count = (await c.read())[0];
  for (let i = 0; i < count; i++) await c.read();
  if (eof) assert.equal((await c.read())[0], 0xfe);
  return count;
}

/** INT, TEXT, BLOB cells of a binary row of rp.t. */
function cells(row: Buffer): [number | null, string | null, Buffer | null] {
  const nulls = row[1];
  const r = new PayloadReader(row, 2);
  const k = nulls & 0x04 ? null : r.u32();
  const v = nulls & 0x08 ? null : (r.lenencString() ?? '');
  const b = nulls & 0x10 ? null : r.lenencBytes();
  return [k, v, b];
}

test('long data, types reused when new-params-bound is 0, STMT_RESET, cursors with COM_STMT_FETCH', async () => {
  const c = await loggedIn();
  c.send([cmd(Command.STMT_PREPARE, 'INSERT INTO rp.t VALUES (?, ?, ?)')]);
  const ins = await readPrepareOk(c, false);
  assert.deepEqual({ columns: ins.columns, params: ins.params }, { columns: 0, params: 3 });

  // Long data for v in two chunks and for b; the execute carries only k (LONG, VAR_STRING, BLOB).
  c.send([
    longData(ins.id, 1, Buffer.from('hello ')),
    longData(ins.id, 1, Buffer.from('world')),
    longData(ins.id, 2, Buffer.from([0xff, 0x00])),
    execute(ins.id, Buffer.concat([Buffer.from([0x00, 1, 3, 0, 0xfd, 0, 0xfc, 0]), u32(1)])),
  ]);
  const ok1 = await c.read();
  assert.equal(ok1[0], 0, ok1[0] === 0xff ? errOf(ok1).message : '');
  assert.equal(ok1[1], 1, 'one row inserted');

  // new-params-bound 0: the types from the last execute decode the values; the long data is gone.
  c.send([execute(ins.id, Buffer.concat([Buffer.from([0x00, 0]), u32(2), lenenc('two'), lenenc(Buffer.from([1, 2]))]))]);
  assert.equal((await c.read())[1], 1);
  // A NULL via the bitmap (b), types still remembered.
  c.send([execute(ins.id, Buffer.concat([Buffer.from([0x04, 0]), u32(3), lenenc('three')]))]);
  assert.equal((await c.read())[1], 1);

  // Long data then STMT_RESET: the data is dropped, the packet's value counts.
  c.send([longData(ins.id, 1, Buffer.from('dropped')), cmd(Command.STMT_RESET, u32(ins.id))]);
  assert.equal((await c.read())[0], 0);
  c.send([execute(ins.id, Buffer.concat([Buffer.from([0x00, 0]), u32(4), lenenc('kept'), lenenc('b')]))]);
  assert.equal((await c.read())[1], 1);

  c.send([cmd(Command.STMT_PREPARE, 'SELECT k, v, b FROM rp.t ORDER BY k')]);
  const sel = await readPrepareOk(c, false);
  assert.deepEqual({ columns: sel.columns, params: sel.params }, { columns: 3, params: 0 });

  // Without a cursor: every row at once.
  c.send([execute(sel.id)]);
  assert.equal(await readMetadata(c, false), 3);
  const all = await readRows(c);
  assert.deepEqual(all.rows.map(cells), [
    [1, 'hello world', Buffer.from([0xff, 0x00])],
    [2, 'two', Buffer.from([1, 2])],
    [3, 'three', null],
    [4, 'kept', Buffer.from('b')],
  ]);
  assert.equal(all.status & ServerStatus.CURSOR_EXISTS, 0);

  // CURSOR_TYPE_READ_ONLY: metadata and an end packet with CURSOR_EXISTS, then rows per fetch.
  c.send([execute(sel.id, Buffer.alloc(0), 1)]);
  assert.equal(await readMetadata(c, false), 3);
  const opened = await readRows(c);
  assert.equal(opened.rows.length, 0);
  assert.ok(opened.status & ServerStatus.CURSOR_EXISTS);
  c.send([cmd(Command.STMT_FETCH, Buffer.concat([u32(sel.id), u32(3)]))]);
  const first = await readRows(c);
  assert.deepEqual(first.rows.map((r) => cells(r)[0]), [1, 2, 3]);
  assert.ok(first.status & ServerStatus.CURSOR_EXISTS);
  assert.equal(first.status & ServerStatus.LAST_ROW_SENT, 0);
  c.send([cmd(Command.STMT_FETCH, Buffer.concat([u32(sel.id), u32(3)]))]);
  const rest = await readRows(c);
  assert.deepEqual(rest.rows.map((r) => cells(r)[0]), [4]);
  assert.ok(rest.status & ServerStatus.LAST_ROW_SENT);
  c.send([cmd(Command.STMT_FETCH, Buffer.concat([u32(sel.id), u32(3)]))]);
  assert.equal(errOf(await c.read()).code, 1421);
  // STMT_RESET closes an open cursor.
  c.send([execute(sel.id, Buffer.alloc(0), 1)]);
  await readMetadata(c, false);
  await readRows(c);
  c.send([cmd(Command.STMT_RESET, u32(sel.id)), cmd(Command.STMT_FETCH, Buffer.concat([u32(sel.id), u32(1)]))]);
  assert.equal((await c.read())[0], 0);
  assert.equal(errOf(await c.read()).code, 1421);
  c.socket.destroy();
});

test('unknown, closed and reset statements are 1243; STMT_CLOSE never answers; MariaDB id -1 is the last prepared', async () => {
  const c = await loggedIn();
  c.send([execute(9999)]);
  assert.deepEqual(errOf(await c.read()), { code: 1243, state: 'HY000', message: 'Unknown prepared statement handler (9999) given to mysqld_stmt_execute' });
  c.send([cmd(Command.STMT_RESET, u32(9999))]);
  assert.equal(errOf(await c.read()).code, 1243);

  c.send([cmd(Command.STMT_PREPARE, 'SELECT ? AS x')]);
  const s = await readPrepareOk(c, false);
  // Pipelined: PREPARE + EXECUTE with id -1 (TINY 7).
  c.send([cmd(Command.STMT_PREPARE, 'SELECT ? + 1 AS y'), execute(0xffffffff, Buffer.from([0, 1, 1, 0, 7]))]);
  await readPrepareOk(c, false);
  assert.equal(await readMetadata(c, false), 1);
  const r = await readRows(c);
  assert.equal(r.rows.length, 1);

  c.send([cmd(Command.STMT_CLOSE, u32(s.id)), cmd(Command.PING)]);
  assert.equal((await c.read())[0], 0, 'the ping answers; the close did not');
  c.send([execute(s.id, Buffer.from([1, 0]))]);
  assert.equal(errOf(await c.read()).code, 1243);
  // Closing an unknown id, or a truncated close, is silent too.
  c.send([cmd(Command.STMT_CLOSE, u32(12345)), cmd(Command.STMT_CLOSE, Buffer.from([1])), cmd(Command.PING)]);
  assert.equal((await c.read())[0], 0);

  // A failed prepare makes -1 unknown.
  c.send([cmd(Command.STMT_PREPARE, 'SELEC nothing'), execute(0xffffffff)]);
  assert.equal(errOf(await c.read()).code, 1064);
  assert.equal(errOf(await c.read()).code, 1243);

  // Wrong parameter block (two params announced, one value sent): 1210.
  c.send([cmd(Command.STMT_PREPARE, 'SELECT ? + ? AS z')]);
  const two = await readPrepareOk(c, false);
  c.send([execute(two.id, Buffer.from([0, 1, 1, 0, 1, 0, 5]))]);
  assert.equal(errOf(await c.read()).code, 1210);

  // COM_RESET_CONNECTION drops every statement.
  c.send([cmd(Command.RESET_CONNECTION), execute(two.id, Buffer.from([3, 0]))]);
  assert.equal((await c.read())[0], 0);
  assert.equal(errOf(await c.read()).code, 1243);
  c.socket.destroy();
});

test('clients without DEPRECATE_EOF get EOF packets after definitions and rows', async () => {
  const c = await loggedIn(WITHOUT_DEPRECATE_EOF);
  c.send([cmd(Command.STMT_PREPARE, 'SELECT k, v FROM rp.t WHERE k = ?')]);
  const s = await readPrepareOk(c, true);
  assert.deepEqual({ columns: s.columns, params: s.params }, { columns: 2, params: 1 });
  c.send([execute(s.id, Buffer.concat([Buffer.from([0, 1, 3, 0]), u32(2)]))]);
  assert.equal(await readMetadata(c, true), 2);
  const r = await readRows(c);
  assert.equal(r.rows.length, 1);
  assert.equal(r.rows[0].toString('hex'), '0000' + '02000000' + '03' + Buffer.from('two').toString('hex'));
  // Cursor: the EOF after the definitions carries CURSOR_EXISTS.
  c.send([execute(s.id, Buffer.concat([Buffer.from([0, 1, 3, 0]), u32(2)]), 1)]);
  const count = (await c.read())[0];
  for (let i = 0; i < count; i++) await c.read();
  const eof = await c.read();
  assert.equal(eof[0], 0xfe);
  assert.ok(eof.readUInt16LE(3) & ServerStatus.CURSOR_EXISTS);
  c.send([cmd(Command.STMT_FETCH, Buffer.concat([u32(s.id), u32(10)]))]);
  const f = await readRows(c);
  assert.equal(f.rows.length, 1);
  assert.ok(f.status & ServerStatus.LAST_ROW_SENT);
  c.socket.destroy();
});
