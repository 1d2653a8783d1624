// protocol-native under hostile clients: garbage, oversized frames, half a frame then silence, no HELLO, bad payloads, too many in flight; others keep working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect, type Client } from '../../client/index.js';
import { MessageType } from '../../protocol/native/constants.js';
import { FrameReader, endFrame, startFrame, type Frame } from '../../protocol/native/frame.js';
import { readError, writeHello, writeQuery } from '../../protocol/native/messages.js';
import { WireWriter } from '../../protocol/native/wire-writer.js';
import type { NativeClientConnection } from '../../protocol/native/client-end.js';
import { startNativeProtocolServer, type NativeProtocolServer } from '../../testing/native-protocol-server.js';
import { TLS_HANDSHAKE_BYTE } from '../shared/tls-transport.js';

const MAX_FRAME = 65536;
let h: NativeProtocolServer;
let bystander: NativeClientConnection;
let bystanderMysql: Client;

before(async () => {
  h = await startNativeProtocolServer([
    `--protocol-native.max_frame_bytes=${MAX_FRAME}`, '--protocol-native.frame_timeout_ms=700', '--protocol-native.handshake_timeout_ms=900', '--protocol-native.max_in_flight=4',
  ]);
  bystander = await h.connect();
  bystanderMysql = connect(`mysql://root@127.0.0.1:${h.server.port}/`);
});

after(async () => {
  bystander.destroy();
  await bystanderMysql.close();
  await h.stop();
});

/** Other clients, on both protocols, still get answers. */
async function othersUnaffected(): Promise<void> {
  const r = await bystander.request('SELECT 1 + 1');
  assert.deepEqual(r.kind === 'rows' ? r.rows : r, [[2]]);
  assert.deepEqual((await bystanderMysql.query('SELECT 1 + 1 AS two')).rows, [[2]]);
}

/** A raw connection: what it sends is up to the test; `frames` resolves with what the server sent once it closed, and when. */
function raw(): { socket: Socket; frames: Promise<{ frames: Frame[]; closedAfterMs: number }> } {
  const socket = tcpConnect(h.nativePort, '127.0.0.1');
  socket.on('error', () => undefined);
  const started = Date.now();
  const frames = new Promise<{ frames: Frame[]; closedAfterMs: number }>((resolve) => {
    const reader = new FrameReader(1 << 24);
    const got: Frame[] = [];
    socket.on('data', (d: Buffer) => got.push(...reader.push(d)));
    socket.on('close', () => resolve({ frames: got, closedAfterMs: Date.now() - started }));
  });
  return { socket, frames };
}

function hello(): Buffer {
  const w = new WireWriter();
  writeHello(w, 0, { user: 'root', password: '', database: null, clientName: 'hostile' });
  return w.finish();
}

function errorsOf(frames: Frame[]): number[] {
  return frames.filter((f) => f.type === MessageType.ERROR).map((f) => readError(f.payload).code);
}

test('garbage bytes: one ERROR (1835) and the connection is closed', async () => {
  const r = raw();
  r.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const { frames } = await r.frames;
  assert.deepEqual(errorsOf(frames), [1835]);
  await othersUnaffected();
});

test('a wrong protocol version after a good HELLO: 1835 and closed', async () => {
  const r = raw();
  const bad = hello();
  bad[2] = 99;
  r.socket.write(bad);
  const { frames } = await r.frames;
  assert.equal(errorsOf(frames).length, 1);
  assert.match(readError(frames[0].payload).message, /version 99/);
  await othersUnaffected();
});

test('an oversized frame is refused from its header alone (1153), before its body is sent', async () => {
  const r = raw();
  r.socket.write(hello());
  const w = new WireWriter();
  const at = startFrame(w, MessageType.QUERY, 0, 7);
  endFrame(w, at);
  const head = w.finish();
  head.writeUInt32LE(500 * 1024 * 1024, 12);
  r.socket.write(head);
  const { frames, closedAfterMs } = await r.frames;
  assert.deepEqual(errorsOf(frames), [1153]);
  assert.equal(frames.at(-1)!.requestId, 7);
  assert.ok(closedAfterMs < 2000, `closed after ${closedAfterMs} ms`);
  await othersUnaffected();
});

test('half a frame then silence: closed after frame_timeout_ms with 1159; silence before HELLO likewise after handshake_timeout_ms', async () => {
  const half = raw();
  half.socket.write(hello());
  const w = new WireWriter();
  writeQuery(w, 1, 0, 'SELECT 1', []);
  const q = w.finish();
  half.socket.write(q.subarray(0, q.length - 3));
  const silent = raw();
  await othersUnaffected();
  const [a, b] = await Promise.all([half.frames, silent.frames]);
  assert.deepEqual(errorsOf(a.frames), [1159]);
  assert.ok(a.closedAfterMs >= 600 && a.closedAfterMs < 3000, `closed after ${a.closedAfterMs} ms`);
  assert.deepEqual(errorsOf(b.frames), [1159]);
  assert.ok(b.closedAfterMs >= 800 && b.closedAfterMs < 3000, `closed after ${b.closedAfterMs} ms`);
  await othersUnaffected();
});

test('a QUERY before HELLO is refused (1043) and closed', async () => {
  const r = raw();
  const w = new WireWriter();
  writeQuery(w, 3, 0, 'DROP DATABASE mysql', []);
  r.socket.write(w.finish());
  const { frames } = await r.frames;
  assert.deepEqual(errorsOf(frames), [1043]);
  await othersUnaffected();
});

test('a well-framed bad payload or an unknown message type is an ERROR for that request; the connection goes on', async () => {
  const r = raw();
  r.socket.write(hello());
  const w = new WireWriter();
  // A QUERY whose text length runs past its payload.
  const at = startFrame(w, MessageType.QUERY, 0, 10);
  w.u32(1000);
  w.u8(65);
  endFrame(w, at);
  // A type no one defined.
  endFrame(w, startFrame(w, 0x42, 0, 11));
  writeQuery(w, 12, 0, 'SELECT 5', []);
  r.socket.write(w.finish());
  await new Promise((res) => setTimeout(res, 300));
  r.socket.end();
  const { frames } = await r.frames;
  // The first frame of each request's reply.
  const byId = new Map<number, Frame>();
  for (const f of frames) if (!byId.has(f.requestId)) byId.set(f.requestId, f);
  assert.equal(readError(byId.get(10)!.payload).code, 1835);
  assert.equal(readError(byId.get(11)!.payload).code, 1047);
  assert.equal(byId.get(12)!.type, MessageType.ROWS);
  await othersUnaffected();
});

test('more requests in flight than max_in_flight: the extra ones are 1040, the rest answered', async () => {
  const r = raw();
  r.socket.write(hello());
  const w = new WireWriter();
  for (let id = 1; id <= 10; id++) writeQuery(w, id, 0, 'SELECT SLEEP(0.05)', []);
  r.socket.write(w.finish());
  await new Promise((res) => setTimeout(res, 1500));
  r.socket.end();
  const { frames } = await r.frames;
  const replies = frames.filter((f) => f.requestId > 0);
  const refused = replies.filter((f) => f.type === MessageType.ERROR && readError(f.payload).code === 1040).length;
  const answered = replies.filter((f) => f.type === MessageType.ROWS).length;
  assert.equal(refused + answered, 10);
  assert.ok(refused >= 1 && answered >= 4, `${refused} refused, ${answered} answered`);
  await othersUnaffected();
});

test('garbage that starts like a TLS handshake: that client is closed, the others go on', async () => {
  const socket = tcpConnect(h.nativePort, '127.0.0.1');
  socket.on('error', () => undefined);
  // Read (the server's TLS alert) so the close is seen.
  socket.resume();
  socket.write(Buffer.concat([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x40]), Buffer.alloc(64, 0x41)]));
  const closedAfterMs = await new Promise<number>((resolve) => {
    const started = Date.now();
    socket.on('close', () => resolve(Date.now() - started));
  });
  assert.ok(closedAfterMs < 3000, `closed after ${closedAfterMs} ms`);
  await othersUnaffected();
});

test('a hundred clients sending garbage at once do not stop the others', async () => {
  const all = Array.from({ length: 100 }, (_, i) => {
    const r = raw();
    // Not 0x16: a first byte that starts TLS is a TLS client (the test above).
    r.socket.write(Buffer.alloc(40 + i, i === TLS_HANDSHAKE_BYTE ? 0xee : i));
    return r.frames;
  });
  await othersUnaffected();
  const done = await Promise.all(all);
  assert.ok(done.every((d) => errorsOf(d.frames).length === 1));
  await othersUnaffected();
  // SHOW STATUS counts what was refused.
  const status = await bystander.request("SHOW GLOBAL STATUS LIKE 'Native%'");
  const counters = new Map((status.kind === 'rows' ? status.rows : []).map((r) => [String(r[0]), Number(r[1])]));
  assert.ok(counters.get('Native_malformed')! >= 100, `Native_malformed ${counters.get('Native_malformed')}`);
  assert.ok(counters.get('Native_timed_out')! >= 2);
  assert.ok(counters.get('Native_limit_refused')! >= 1);
});
