// Tests of the simple command packets: each written by the client end and read by the server's parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { payloadOf } from './codec-fixture.js';
import {
  SetOption,
  parseFieldList,
  parseSetOption,
  parseProcessKill,
  parseStatisticsReply,
  parseTextCommand,
  writeCommand,
  writeFieldList,
  writeSetOption,
  writeProcessKill,
  writeStatisticsReply,
  writeTextCommand,
} from './command-packets.js';
import { encodeKeepingBytes } from '../../base/raw-bytes-text.js';
import { Command } from './constants.js';
import { MalformedPacketError } from './payload-reader.js';

test('text commands round trip: the command byte, then the text as it was (empty, Unicode, long)', () => {
  for (const code of [Command.QUERY, Command.INIT_DB, Command.STMT_PREPARE]) {
    for (const text of ['', 'select 1', "select 'héllo 😀'", 'x'.repeat(70000)]) {
      const p = payloadOf((w) => writeTextCommand(w, code, text));
      assert.equal(p[0], code);
      assert.equal(parseTextCommand(p), text);
    }
  }
  // Drivers write binary values into literals as raw bytes (PyMySQL: _binary'\xff'); those bytes must survive.
  const raw = Buffer.concat([Buffer.from([Command.QUERY]), Buffer.from("SELECT _binary'", 'utf8'), Buffer.from([0xff, 0x80]), Buffer.from("'", 'utf8')]);
  assert.deepEqual(encodeKeepingBytes(parseTextCommand(raw)), raw.subarray(1));
  for (const code of [Command.PING, Command.QUIT, Command.STATISTICS, Command.RESET_CONNECTION]) {
    assert.deepEqual([...payloadOf((w) => writeCommand(w, code))], [code]);
  }
});

test('COM_FIELD_LIST and COM_SET_OPTION round trip', () => {
  for (const [table, wildcard] of [['t', ''], ['tàble', 'c%'], ['x'.repeat(300), '_']]) {
    const p = payloadOf((w) => writeFieldList(w, table, wildcard));
    assert.equal(p[0], Command.FIELD_LIST);
    assert.deepEqual(parseFieldList(p), { table, wildcard });
  }
  assert.deepEqual(parseFieldList(payloadOf((w) => writeFieldList(w, 't'))), { table: 't', wildcard: '' });
  for (const option of [SetOption.MULTI_STATEMENTS_ON, SetOption.MULTI_STATEMENTS_OFF, 0xffff]) {
    const p = payloadOf((w) => writeSetOption(w, option));
    assert.equal(p[0], Command.SET_OPTION);
    assert.equal(parseSetOption(p), option);
  }
  for (const id of [1, 0x7fffffff, 0xffffffff]) {
    const p = payloadOf((w) => writeProcessKill(w, id));
    assert.equal(p[0], Command.PROCESS_KILL);
    assert.equal(parseProcessKill(p), id);
  }
});

test('COM_STATISTICS reply round trip; an ERR is not taken for statistics', () => {
  const text = 'Uptime: 1  Threads: 1  Questions: 0  Slow queries: 0  Opens: 0';
  assert.equal(parseStatisticsReply(payloadOf((w) => writeStatisticsReply(w, text))), text);
  assert.throws(() => parseStatisticsReply(Buffer.from([0xff, 0x51, 0x04])), MalformedPacketError);
});
