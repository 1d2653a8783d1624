// The runtime representation of one SQL value, shared by every layer.
import { Decimal } from './decimal.js';

/**
 * One SQL value. The static SQL type of a column or expression is known from the
 * analyzer, so values carry no type tag of their own:
 * - integers: `number` while safe (|n| <= 2^53-1), `bigint` beyond that;
 * - FLOAT/DOUBLE: `number`;
 * - DECIMAL: `Decimal`;
 * - character strings, and DATE/DATETIME/TIMESTAMP/TIME/YEAR in their canonical
 *   text form ('2024-01-31', '2024-01-31 12:00:00[.ffffff]', '-838:59:59'): `string`;
 * - binary strings (BINARY/VARBINARY/BLOB): `Buffer`;
 * - SQL NULL: `null`.
 */
export type Value = null | number | bigint | string | Buffer | Decimal;

/** A row: one value per column, in the column order of the relation it belongs to. */
export type Row = Value[];

export { Decimal };
