// SQL values to the change log's typed protobuf values, using the column types to tell temporal text and floats apart.
import { create } from '@bufbuild/protobuf';
import type { Value } from '../../base/value.js';
import { Decimal } from '../../base/decimal.js';
import { TEMPORAL_KINDS } from '../../base/sql-type.js';
import type { TableDef } from '../table-def.js';
import { ValueSchema, type Value as PbValue } from './gen/mizzle/replication/v1/change_log_pb.js';

/** How a column's non-null values are written, decided once per table definition. */
type ColumnMode = 'float' | 'temporal' | 'other';

const modes = new WeakMap<TableDef, ColumnMode[]>();

/** Per column of `def`: floats stay doubles even when whole, temporal text is marked temporal. */
export function columnModes(def: TableDef): ColumnMode[] {
  let m = modes.get(def);
  if (m === undefined) {
    m = def.columns.map((c) => (c.type.kind === 'float' || c.type.kind === 'double' ? 'float' : TEMPORAL_KINDS.has(c.type.kind) ? 'temporal' : 'other'));
    modes.set(def, m);
  }
  return m;
}

const INT64_MAX = 0x7fffffffffffffffn;

/** One value as the log stores it. */
export function toPbValue(v: Value, mode: ColumnMode): PbValue {
  if (v === null) return create(ValueSchema, { kind: { case: 'null', value: true } });
  if (typeof v === 'string') return create(ValueSchema, { kind: { case: mode === 'temporal' ? 'temporal' : 'string', value: v } });
  if (typeof v === 'number') {
    if (mode !== 'float' && Number.isInteger(v)) return create(ValueSchema, { kind: { case: 'int', value: BigInt(v) } });
    return create(ValueSchema, { kind: { case: 'double', value: v } });
  }
  if (typeof v === 'bigint') return create(ValueSchema, { kind: v > INT64_MAX ? { case: 'uint', value: v } : { case: 'int', value: v } });
  if (v instanceof Decimal) return create(ValueSchema, { kind: { case: 'decimal', value: v.toString() } });
  return create(ValueSchema, { kind: { case: 'bytes', value: v } });
}

/** A row's values in column order. */
export function toPbRow(def: TableDef, row: readonly Value[]): PbValue[] {
  const m = columnModes(def);
  const out = new Array<PbValue>(row.length);
  for (let i = 0; i < row.length; i++) out[i] = toPbValue(row[i], m[i] ?? 'other');
  return out;
}
