// Tests of column metadata: type codes, lengths, decimals, charsets and flags as MySQL reports them; definitions read back by the client end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ResultColumn } from '../../base/result.js';
import type { SqlType } from '../../base/sql-type.js';
import { payloadOf } from './codec-fixture.js';
import { columnWire, isBinaryColumn, parseColumnDefinition, readColumnDefinition, writeColumnDefinition } from './column-definition.js';
import { ColumnFlag as F, FieldType as T } from './constants.js';
import { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';

function col(type: SqlType, extra: Partial<ResultColumn> = {}): ResultColumn {
  return { name: 'c', orgName: 'c', table: 't', orgTable: 't', schema: 'db', type, nullable: true, ...extra };
}

function wire(type: SqlType, extra: Partial<ResultColumn> = {}) {
  return columnWire(col(type, extra), 255);
}

test('integer types: codes, display widths, NUM|BINARY, charset binary', () => {
  assert.deepEqual(wire({ kind: 'int' }), { type: T.LONG, flags: F.NUM | F.BINARY, length: 11, decimals: 0, charset: 63 });
  assert.equal(wire({ kind: 'int', unsigned: true }).length, 10);
  assert.equal(wire({ kind: 'int', unsigned: true }).flags & F.UNSIGNED, F.UNSIGNED);
  assert.equal(wire({ kind: 'tinyint' }).length, 4);
  assert.equal(wire({ kind: 'tinyint', boolean: true }).length, 1);
  assert.equal(wire({ kind: 'smallint' }).type, T.SHORT);
  assert.equal(wire({ kind: 'mediumint' }).type, T.INT24);
  assert.deepEqual([wire({ kind: 'bigint' }).type, wire({ kind: 'bigint' }).length], [T.LONGLONG, 20]);
  const pk = wire({ kind: 'bigint' }, { nullable: false, primaryKey: true, autoIncrement: true, partKey: true });
  assert.equal(pk.flags, F.NOT_NULL | F.PRI_KEY | F.AUTO_INCREMENT | F.PART_KEY | F.NUM | F.BINARY);
  assert.equal(wire({ kind: 'int' }, { multipleKey: true, partKey: true }).flags & (F.MULTIPLE_KEY | F.PART_KEY), F.MULTIPLE_KEY | F.PART_KEY);
});

test('decimal, float, double', () => {
  assert.deepEqual(wire({ kind: 'decimal', precision: 10, scale: 2 }), { type: T.NEWDECIMAL, flags: F.NUM | F.BINARY, length: 12, decimals: 2, charset: 63 });
  assert.equal(wire({ kind: 'decimal', precision: 5, scale: 0, unsigned: true }).length, 5);
  assert.deepEqual([wire({ kind: 'double' }).length, wire({ kind: 'double' }).decimals, wire({ kind: 'double' }).type], [22, 31, T.DOUBLE]);
  assert.deepEqual([wire({ kind: 'float' }).length, wire({ kind: 'float' }).decimals, wire({ kind: 'float' }).type], [12, 31, T.FLOAT]);
});

test('strings: utf8mb4 lengths ×4, binary ones in bytes, BLOB flags', () => {
  assert.deepEqual(wire({ kind: 'varchar', length: 20 }), { type: T.VAR_STRING, flags: 0, length: 80, decimals: 0, charset: 255 });
  assert.deepEqual(wire({ kind: 'char', length: 3 }), { type: T.STRING, flags: 0, length: 12, decimals: 0, charset: 255 });
  assert.deepEqual(wire({ kind: 'varbinary', length: 8 }), { type: T.VAR_STRING, flags: F.BINARY, length: 8, decimals: 0, charset: 63 });
  assert.deepEqual(wire({ kind: 'text' }), { type: T.BLOB, flags: F.BLOB, length: 262140, decimals: 0, charset: 255 });
  assert.deepEqual(wire({ kind: 'blob' }), { type: T.BLOB, flags: F.BLOB | F.BINARY, length: 65535, decimals: 0, charset: 63 });
  assert.equal(wire({ kind: 'longtext' }).length, 0xffffffff);
  assert.equal(wire({ kind: 'varchar', length: 10, collation: 'utf8mb4_general_ci' }).charset, 45);
  assert.equal(wire({ kind: 'varchar', length: 10, collation: 'utf8mb4_bin' }).flags & F.BINARY, F.BINARY);
  assert.equal(columnWire(col({ kind: 'varchar', length: 10 }), 33).length, 30, 'utf8mb3 is 3 bytes a character');
  const e = wire({ kind: 'enum', values: ['a', 'bbb'] });
  assert.deepEqual([e.type, e.flags, e.length], [T.STRING, F.ENUM, 12]);
  const s = wire({ kind: 'set', values: ['a', 'bb'] });
  assert.deepEqual([s.type, s.flags, s.length], [T.STRING, F.SET, 16]);
  assert.deepEqual([wire({ kind: 'json' }).type, wire({ kind: 'json' }).charset], [T.JSON, 63]);
});

test('temporal types, year, bit, null', () => {
  assert.deepEqual(wire({ kind: 'date' }), { type: T.DATE, flags: F.BINARY, length: 10, decimals: 0, charset: 63 });
  assert.deepEqual([wire({ kind: 'datetime' }).type, wire({ kind: 'datetime' }).length], [T.DATETIME, 19]);
  assert.deepEqual([wire({ kind: 'datetime', fsp: 3 }).length, wire({ kind: 'datetime', fsp: 3 }).decimals], [23, 3]);
  assert.equal(wire({ kind: 'timestamp' }).type, T.TIMESTAMP);
  assert.equal(wire({ kind: 'timestamp' }).flags & F.TIMESTAMP, F.TIMESTAMP);
  assert.deepEqual([wire({ kind: 'time' }).type, wire({ kind: 'time' }).length, wire({ kind: 'time', fsp: 6 }).length], [T.TIME, 10, 17]);
  assert.deepEqual([wire({ kind: 'year' }).type, wire({ kind: 'year' }).length], [T.YEAR, 4]);
  assert.deepEqual([wire({ kind: 'bit', length: 5 }).type, wire({ kind: 'bit', length: 5 }).length], [T.BIT, 5]);
  assert.deepEqual(wire({ kind: 'null' }), { type: T.NULL, flags: F.BINARY, length: 0, decimals: 0, charset: 63 });
});

test('ColumnDefinition41 bytes, with and without the COM_FIELD_LIST default', () => {
  const c = col({ kind: 'varchar', length: 5 }, { name: 'nm', orgName: 'name', table: 'a', orgTable: 'item' });
  for (const def of [undefined, null, 'x']) {
    const w = new PacketWriter();
    writeColumnDefinition(w, c, columnWire(c, 255), def);
    const r = new PayloadReader(w.take().subarray(4));
    assert.deepEqual([r.lenencString(), r.lenencString(), r.lenencString(), r.lenencString(), r.lenencString(), r.lenencString()], ['def', 'db', 'a', 'item', 'nm', 'name']);
    assert.equal(r.lenencInt(), 0x0c);
    assert.deepEqual([r.u16(), r.u32(), r.u8(), r.u16(), r.u8(), r.u16()], [255, 20, T.VAR_STRING, 0, 0, 0]);
    if (def === undefined) assert.ok(r.atEnd());
    else assert.equal(r.lenencString(), def);
  }
});

test('ColumnDefinition41 round trip: names (empty, Unicode, past 250 bytes), every number, the COM_FIELD_LIST default', () => {
  const types: SqlType[] = [
    { kind: 'int', unsigned: true }, { kind: 'bigint' }, { kind: 'decimal', precision: 65, scale: 30 }, { kind: 'double' },
    { kind: 'varchar', length: 20, collation: 'utf8mb4_bin' }, { kind: 'longtext' }, { kind: 'longblob' }, { kind: 'datetime', fsp: 6 },
    { kind: 'time', fsp: 3 }, { kind: 'year' }, { kind: 'bit', length: 64 }, { kind: 'enum', values: ['a', 'bb'] }, { kind: 'json' }, { kind: 'null' },
  ];
  const names: Partial<ResultColumn>[] = [
    { name: '', orgName: '', table: '', orgTable: '', schema: '' },
    { name: 'prix_€', orgName: 'prix', table: 'tàble', orgTable: 'orig', schema: 'schéma' },
    { name: 'n'.repeat(251), orgName: 'o'.repeat(300), table: 't', orgTable: 't', schema: 's' },
  ];
  for (const type of types) {
    for (const extra of names) {
      for (const nullable of [true, false]) {
        const c = col(type, { ...extra, nullable, primaryKey: !nullable });
        const wire = columnWire(c, 255);
        for (const def of [undefined, null, '', 'CURRENT_TIMESTAMP']) {
          const p = payloadOf((w) => writeColumnDefinition(w, c, wire, def));
          const expected = { catalog: 'def', schema: c.schema, table: c.table, orgTable: c.orgTable, name: c.name, orgName: c.orgName, ...wire };
          assert.deepEqual(parseColumnDefinition(p, def !== undefined), def === undefined ? expected : { ...expected, defaultValue: def });
        }
      }
    }
  }
});

test('reading a definition consumes exactly its bytes; more bytes, or a wrong fixed-field length, are malformed', () => {
  const c = col({ kind: 'int' });
  const p = payloadOf((w) => writeColumnDefinition(w, c, columnWire(c, 255)));
  const longer = Buffer.concat([p, Buffer.from([0x77])]);
  const r = new PayloadReader(longer);
  readColumnDefinition(r);
  assert.equal(r.u8(), 0x77);
  assert.throws(() => parseColumnDefinition(longer), MalformedPacketError);
  const withDefault = payloadOf((w) => writeColumnDefinition(w, c, columnWire(c, 255), 'x'));
  assert.throws(() => parseColumnDefinition(withDefault), MalformedPacketError, 'a default where none belongs');
  const bad = Buffer.from(p);
  // The length of the fixed fields stands before their 12 bytes.
  assert.equal(bad[bad.length - 13], 0x0c);
  bad[bad.length - 13] = 0x0b;
  assert.throws(() => parseColumnDefinition(bad), MalformedPacketError);
});

test('which columns hold bytes: binary-charset strings, BIT, GEOMETRY; not JSON, numbers or temporal types', () => {
  const binary = (t: SqlType) => isBinaryColumn(wire(t));
  assert.deepEqual(
    [binary({ kind: 'varbinary' }), binary({ kind: 'blob' }), binary({ kind: 'binary' }), binary({ kind: 'bit' })],
    [true, true, true, true],
  );
  assert.deepEqual(
    [binary({ kind: 'varchar' }), binary({ kind: 'text' }), binary({ kind: 'json' }), binary({ kind: 'int' }), binary({ kind: 'date' }), binary({ kind: 'decimal' })],
    [false, false, false, false, false, false],
  );
  assert.equal(isBinaryColumn({ type: T.GEOMETRY, flags: 0, length: 0, decimals: 0, charset: 63 }), true);
});
