// Column metadata on the wire: SqlType → field type, flags, length, decimals, charset; ColumnDefinition41 written and read.
import type { ResultColumn } from '../../base/result.js';
import type { SqlType, TypeKind } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import { COLLATION_IDS, Collation, ColumnFlag, FieldType, Header, maxBytesPerChar } from './constants.js';
import type { PacketWriter } from './packet-writer.js';
import { MalformedPacketError, PayloadReader } from './payload-reader.js';

/** The numeric parts of a ColumnDefinition41, as MySQL reports them. */
export interface ColumnWire {
  type: number;
  flags: number;
  length: number;
  decimals: number;
  charset: number;
}

const U32_MAX = 0xffffffff;
/** MySQL's "not a fixed number of decimals" (FLOAT/DOUBLE without a declared scale). */
const NOT_FIXED_DEC = 31;

const FIELD_TYPE: Record<TypeKind, number> = {
  tinyint: FieldType.TINY,
  smallint: FieldType.SHORT,
  mediumint: FieldType.INT24,
  int: FieldType.LONG,
  bigint: FieldType.LONGLONG,
  decimal: FieldType.NEWDECIMAL,
  float: FieldType.FLOAT,
  double: FieldType.DOUBLE,
  char: FieldType.STRING,
  binary: FieldType.STRING,
  varchar: FieldType.VAR_STRING,
  varbinary: FieldType.VAR_STRING,
  tinytext: FieldType.BLOB,
  text: FieldType.BLOB,
  mediumtext: FieldType.BLOB,
  longtext: FieldType.BLOB,
  tinyblob: FieldType.BLOB,
  blob: FieldType.BLOB,
  mediumblob: FieldType.BLOB,
  longblob: FieldType.BLOB,
  date: FieldType.DATE,
  datetime: FieldType.DATETIME,
  timestamp: FieldType.TIMESTAMP,
  time: FieldType.TIME,
  year: FieldType.YEAR,
  bit: FieldType.BIT,
  enum: FieldType.STRING,
  set: FieldType.STRING,
  json: FieldType.JSON,
  null: FieldType.NULL,
};

/** Default display widths of the integer types: [signed, unsigned]. */
const INT_WIDTH: Partial<Record<TypeKind, [number, number]>> = {
  tinyint: [4, 3],
  smallint: [6, 5],
  mediumint: [9, 8],
  int: [11, 10],
  bigint: [20, 20],
};

/** Maximum byte/character lengths of the BLOB/TEXT family. */
const LOB_LENGTH: Partial<Record<TypeKind, number>> = {
  tinytext: 255,
  text: 65535,
  mediumtext: 16777215,
  longtext: U32_MAX,
  tinyblob: 255,
  blob: 65535,
  mediumblob: 16777215,
  longblob: U32_MAX,
};

/** Whether a kind is a character (not binary) string, reported in the text charset. */
function isTextKind(k: TypeKind): boolean {
  return k === 'char' || k === 'varchar' || k === 'tinytext' || k === 'text' || k === 'mediumtext' || k === 'longtext' || k === 'enum' || k === 'set';
}

function temporalLength(base: number, fsp: number | undefined): number {
  return fsp ? base + 1 + fsp : base;
}

/**
 * Wire metadata of one result column. `textCharset` is the collation id reported
 * for character columns without an explicit collation (the session's result
 * charset, 255 utf8mb4_0900_ai_ci by default).
 */
export function columnWire(col: ResultColumn, textCharset: number): ColumnWire {
  const t: SqlType = col.type;
  const k = t.kind;
  let flags = 0;
  if (!col.nullable) flags |= ColumnFlag.NOT_NULL;
  if (col.primaryKey) flags |= ColumnFlag.PRI_KEY;
  if (col.uniqueKey) flags |= ColumnFlag.UNIQUE_KEY;
  if (col.multipleKey) flags |= ColumnFlag.MULTIPLE_KEY;
  if (col.partKey) flags |= ColumnFlag.PART_KEY;
  if (col.autoIncrement) flags |= ColumnFlag.AUTO_INCREMENT;
  if (t.unsigned) flags |= ColumnFlag.UNSIGNED;
  if (t.zerofill) flags |= ColumnFlag.ZEROFILL | ColumnFlag.UNSIGNED;
  let length = 0;
  let decimals = 0;
  let charset: number = Collation.BINARY;
  const intWidth = INT_WIDTH[k];
  if (intWidth) {
    length = t.boolean ? 1 : t.length ?? (t.unsigned ? intWidth[1] : intWidth[0]);
    flags |= ColumnFlag.NUM | ColumnFlag.BINARY;
  } else if (isTextKind(k)) {
    charset = t.collation !== undefined ? COLLATION_IDS.get(t.collation) ?? textCharset : textCharset;
    if (t.collation !== undefined && t.collation.endsWith('_bin')) flags |= ColumnFlag.BINARY;
    const mb = maxBytesPerChar(charset);
    const lob = LOB_LENGTH[k];
    if (lob !== undefined) {
      flags |= ColumnFlag.BLOB;
      length = Math.min(lob * mb, U32_MAX);
    } else if (k === 'enum') {
      flags |= ColumnFlag.ENUM;
      length = mb * (t.values ?? []).reduce((m, v) => Math.max(m, v.length), 0);
    } else if (k === 'set') {
      flags |= ColumnFlag.SET;
      const vs = t.values ?? [];
      length = mb * (vs.reduce((s, v) => s + v.length, 0) + Math.max(vs.length - 1, 0));
    } else {
      length = mb * (t.length ?? (k === 'char' ? 1 : 0));
    }
  } else {
    switch (k) {
      case 'decimal': {
        const p = t.precision ?? 10;
        const s = t.scale ?? 0;
        length = p + (s > 0 ? 1 : 0) + (t.unsigned ? 0 : 1);
        decimals = s;
        flags |= ColumnFlag.NUM | ColumnFlag.BINARY;
        break;
      }
      case 'float':
      case 'double':
        length = t.precision ?? t.length ?? (k === 'float' ? 12 : 22);
        decimals = t.scale ?? NOT_FIXED_DEC;
        flags |= ColumnFlag.NUM | ColumnFlag.BINARY;
        break;
      case 'binary':
        length = t.length ?? 1;
        flags |= ColumnFlag.BINARY;
        break;
      case 'varbinary':
        length = t.length ?? 0;
        flags |= ColumnFlag.BINARY;
        break;
      case 'tinyblob':
      case 'blob':
      case 'mediumblob':
      case 'longblob':
        length = LOB_LENGTH[k] ?? U32_MAX;
        flags |= ColumnFlag.BLOB | ColumnFlag.BINARY;
        break;
      case 'date':
        length = 10;
        flags |= ColumnFlag.BINARY;
        break;
      case 'datetime':
        length = temporalLength(19, t.fsp);
        decimals = t.fsp ?? 0;
        flags |= ColumnFlag.BINARY;
        break;
      case 'timestamp':
        length = temporalLength(19, t.fsp);
        decimals = t.fsp ?? 0;
        flags |= ColumnFlag.BINARY | ColumnFlag.TIMESTAMP;
        break;
      case 'time':
        length = temporalLength(10, t.fsp);
        decimals = t.fsp ?? 0;
        flags |= ColumnFlag.BINARY;
        break;
      case 'year':
        length = 4;
        flags |= ColumnFlag.UNSIGNED | ColumnFlag.ZEROFILL | ColumnFlag.NUM | ColumnFlag.BINARY;
        break;
      case 'bit':
        length = t.length ?? 1;
        flags |= ColumnFlag.UNSIGNED | ColumnFlag.BINARY;
        break;
      case 'json':
        length = U32_MAX;
        flags |= ColumnFlag.BLOB | ColumnFlag.BINARY;
        break;
      case 'null':
        flags |= ColumnFlag.BINARY;
        break;
      default:
        break;
    }
  }
  return { type: FIELD_TYPE[k], flags, length, decimals, charset };
}

/**
 * ColumnDefinition41. `fieldListDefault` is only for COM_FIELD_LIST replies: the
 * column's default as text, or null for none (sent as NULL).
 */
export function writeColumnDefinition(w: PacketWriter, col: ResultColumn, wire: ColumnWire, fieldListDefault?: string | null): void {
  w.begin()
    .lenencString('def')
    .lenencString(col.schema)
    .lenencString(col.table)
    .lenencString(col.orgTable)
    .lenencString(col.name)
    .lenencString(col.orgName)
    .u8(0x0c)
    .u16(wire.charset)
    .u32(wire.length)
    .u8(wire.type)
    .u16(wire.flags)
    .u8(wire.decimals)
    .u16(0);
  if (fieldListDefault !== undefined) {
    if (fieldListDefault === null) w.u8(Header.NULL_VALUE);
    else w.lenencString(fieldListDefault);
  }
  w.end();
}

/** Length of the fixed-size fields of ColumnDefinition41, sent as a length-encoded integer before them. */
const FIXED_FIELDS_LENGTH = 0x0c;

/** A ColumnDefinition41 as the client end reads it: names, then the numbers columnWire computes. */
export interface ColumnDefinition extends ColumnWire {
  catalog: string;
  schema: string;
  table: string;
  orgTable: string;
  name: string;
  orgName: string;
  /** COM_FIELD_LIST replies only: the column default as text, or null for none. */
  defaultValue?: string | null;
}

/**
 * Reads ColumnDefinition41 from `r`; `fieldList` reads the default that follows in
 * COM_FIELD_LIST replies. `r` is left after what was read.
 */
export function readColumnDefinition(r: PayloadReader, fieldList = false): ColumnDefinition {
  const text = (): string => r.lenencString() ?? '';
  const catalog = text();
  const schema = text();
  const table = text();
  const orgTable = text();
  const name = text();
  const orgName = text();
  if (r.lenencInt() !== FIXED_FIELDS_LENGTH) throw new MalformedPacketError('bad column definition');
  const charset = r.u16();
  const length = r.u32();
  const type = r.u8();
  const flags = r.u16();
  const decimals = r.u8();
  r.skip(2);
  const def: ColumnDefinition = { catalog, schema, table, orgTable, name, orgName, charset, length, type, flags, decimals };
  if (fieldList) def.defaultValue = r.lenencString();
  return def;
}

/** Reads a whole ColumnDefinition41 packet; bytes after its last field are malformed. */
export function parseColumnDefinition(payload: Buffer, fieldList = false): ColumnDefinition {
  const r = new PayloadReader(payload);
  const def = readColumnDefinition(r, fieldList);
  if (!r.atEnd()) throw new MalformedPacketError('bytes after a column definition');
  return def;
}

/** Field types whose values travel as length-encoded strings in both the text and the binary protocol. */
const STRING_FAMILY: ReadonlySet<number> = new Set([
  FieldType.VARCHAR, FieldType.VAR_STRING, FieldType.STRING, FieldType.ENUM, FieldType.SET, FieldType.JSON,
  FieldType.TINY_BLOB, FieldType.MEDIUM_BLOB, FieldType.LONG_BLOB, FieldType.BLOB, FieldType.BIT, FieldType.GEOMETRY,
]);

export function isStringFamily(type: number): boolean {
  return STRING_FAMILY.has(type);
}

/**
 * Whether a column's values are bytes rather than text: BIT and GEOMETRY always, other
 * string types in the binary character set. JSON is text although reported binary.
 */
export function isBinaryColumn(c: ColumnWire): boolean {
  if (c.type === FieldType.BIT || c.type === FieldType.GEOMETRY) return true;
  return c.type !== FieldType.JSON && c.charset === Collation.BINARY && STRING_FAMILY.has(c.type);
}

/** A string-family value as mizzle holds it: a Buffer (copied out of the packet) for binary columns, else text. */
export function stringCellValue(buf: Buffer, start: number, end: number, c: ColumnWire): Value {
  return isBinaryColumn(c) ? Buffer.from(buf.subarray(start, end)) : buf.toString('utf8', start, end);
}
