// Rows and fields as mysql2 hands them over: each value parsed from its text-protocol form by mysql2's default rules.
import type { ResultColumn } from '../../base/result.js';
import { formatValueText } from '../../base/format.js';
import type { Row, Value } from '../../base/value.js';
import { columnWire, type ColumnWire } from '../../protocol/mysql/column-definition.js';
import { Collation, FieldType } from '../../protocol/mysql/constants.js';

/** The options of mysql2's that change how values come out. */
export interface CastOptions {
  dateStrings?: boolean | readonly string[];
  supportBigNumbers?: boolean;
  bigNumberStrings?: boolean;
  decimalNumbers?: boolean;
  jsonStrings?: boolean;
  /** false: every value as its text (or Buffer); a function: mysql2's per-field hook. */
  typeCast?: boolean | TypeCastFn;
  rowsAsArray?: boolean;
  nestTables?: boolean | string;
}

/** What a typeCast hook receives: the field's metadata and its value as text or bytes. */
export interface TypeCastField {
  type: string;
  length: number;
  db: string;
  table: string;
  name: string;
  string(): string | null;
  buffer(): Buffer | null;
  geometry(): null;
}
export type TypeCastFn = (field: TypeCastField, next: () => unknown) => unknown;

/** mysql2's FieldPacket, the metadata of one result column. */
export interface FieldPacket {
  catalog: string;
  schema: string;
  name: string;
  orgName: string;
  table: string;
  orgTable: string;
  characterSet: number;
  encoding: string;
  columnLength: number;
  columnType: number;
  type: number;
  flags: number;
  decimals: number;
}

const TYPE_NAMES = new Map<number, string>(Object.entries(FieldType).map(([name, id]) => [id, name]));

/** A column's FieldPacket, from its wire metadata `w`. */
function fieldPacket(c: ResultColumn, w: ColumnWire): FieldPacket {
  return {
    catalog: 'def', schema: c.schema, name: c.name, orgName: c.orgName, table: c.table, orgTable: c.orgTable,
    characterSet: w.charset, encoding: w.charset === Collation.BINARY ? 'binary' : 'utf8', columnLength: w.length,
    columnType: w.type, type: w.type, flags: w.flags, decimals: w.decimals,
  };
}

/** One result's columns, prepared once: their wire shape and what each value is parsed as. */
export class RowShape {
  readonly fields: FieldPacket[];
  private readonly wires: ColumnWire[];

  constructor(private readonly columns: readonly ResultColumn[], private readonly o: CastOptions) {
    this.wires = columns.map((c) => columnWire(c, Collation.UTF8MB4_0900_AI_CI));
    this.fields = columns.map((c, i) => fieldPacket(c, this.wires[i]));
  }

  row(row: Row): unknown[] | Record<string, unknown> {
    const n = this.columns.length;
    if (this.o.rowsAsArray) {
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = this.value(row[i] ?? null, i);
      return out;
    }
    const out: Record<string, unknown> = {};
    const nest = this.o.nestTables;
    for (let i = 0; i < n; i++) {
      const v = this.value(row[i] ?? null, i);
      const f = this.fields[i];
      if (nest === true) ((out[f.table] ??= {}) as Record<string, unknown>)[f.name] = v;
      else if (typeof nest === 'string') out[`${f.table}${nest}${f.name}`] = v;
      else out[f.name] = v;
    }
    return out;
  }

  private value(v: Value, i: number): unknown {
    const text = v === null ? null : typeof v === 'string' ? v : formatValueText(v, this.columns[i].type);
    const cast = this.o.typeCast;
    if (cast === false) return text;
    const parsed = () => this.parse(text, i);
    if (typeof cast === 'function') {
      const f = this.fields[i];
      const field: TypeCastField = {
        type: TYPE_NAMES.get(f.type) ?? 'VAR_STRING', length: f.columnLength, db: f.schema, table: f.table, name: f.name,
        string: () => (text === null ? null : typeof text === 'string' ? text : text.toString('utf8')),
        buffer: () => (text === null ? null : typeof text === 'string' ? Buffer.from(text, 'utf8') : text),
        geometry: () => null,
      };
      return cast(field, parsed);
    }
    return parsed();
  }

  /** mysql2's default conversions of a text-protocol value. */
  private parse(text: string | Buffer | null, i: number): unknown {
    if (text === null) return null;
    const w = this.wires[i];
    const s = typeof text === 'string' ? text : undefined;
    switch (w.type) {
      case FieldType.TINY:
      case FieldType.SHORT:
      case FieldType.LONG:
      case FieldType.INT24:
      case FieldType.YEAR:
      case FieldType.FLOAT:
      case FieldType.DOUBLE:
        return Number(s ?? text.toString());
      case FieldType.LONGLONG: {
        const t = s ?? text.toString();
        if (!this.o.supportBigNumbers) return Number(t);
        if (this.o.bigNumberStrings) return t;
        const n = Number(t);
        return Number.isSafeInteger(n) ? n : t;
      }
      case FieldType.DECIMAL:
      case FieldType.NEWDECIMAL:
        return this.o.decimalNumbers ? Number(s ?? text.toString()) : (s ?? text.toString());
      case FieldType.DATE:
      case FieldType.NEWDATE:
      case FieldType.DATETIME:
      case FieldType.TIMESTAMP:
        return this.dateOf(s ?? text.toString(), w.type);
      case FieldType.JSON:
        return this.o.jsonStrings ? (s ?? text.toString()) : JSON.parse(s ?? text.toString('utf8'));
      case FieldType.TIME:
        return s ?? text.toString('utf8');
      case FieldType.BIT:
      case FieldType.GEOMETRY:
        return typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
      default:
        if (w.charset === Collation.BINARY) return typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
        return s ?? text.toString('utf8');
    }
  }

  /** A DATE or DATETIME as a local-time Date (mysql2's default), or the text with dateStrings. */
  private dateOf(t: string, type: number): unknown {
    const ds = this.o.dateStrings;
    const name = TYPE_NAMES.get(type) ?? '';
    if (ds === true || (Array.isArray(ds) && ds.includes(name))) return t;
    const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/.exec(t);
    if (!m) return new Date(NaN);
    const ms = m[7] ? Math.floor(Number(m[7].padEnd(6, '0')) / 1000) : 0;
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms);
  }
}
