// A result column described by name, type name and nullability: the server-side shape HTTP, the native protocol and
// embedded mode report. Kept apart from column-type-name.ts, which the browser-safe HTTP client imports (no Buffer there).
import type { ResultColumn } from '../../base/result.js';
import { columnWire } from './column-definition.js';
import { columnTypeName, type ColumnTypeName } from './column-type-name.js';
import { Collation } from './constants.js';

/** A result column as HTTP, the native protocol and the client library describe it: the type name a MySQL client reads off the wire. */
export function describeColumn(c: ResultColumn): { name: string; type: ColumnTypeName; nullable: boolean } {
  return { name: c.name, type: columnTypeName(columnWire(c, Collation.UTF8MB4_0900_AI_CI)), nullable: c.nullable };
}
