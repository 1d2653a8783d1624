// The client end of the HTTP protocol's values: JSON cells into client values, client parameters into JSON; no Node APIs.
import { isBinaryTypeName } from '../../protocol/mysql/column-type-name.js';
import type { ColumnJson, JsonCell, JsonParam, ResultJson } from '../../protocol/http/messages.js';
import { protocolError } from '../errors.js';
import { clientInteger, type ClientParam, type ClientValue, type Column, type ColumnTypeName, type QueryResult } from '../values.js';

/** Bytes from base64 text, with the platform's atob (browsers, edge runtimes, Node). */
export function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Base64 text of bytes, with the platform's btoa. */
export function toBase64(bytes: Uint8Array): string {
  let bin = '';
  const step = 0x8000;
  for (let i = 0; i < bytes.length; i += step) bin += String.fromCharCode(...bytes.subarray(i, i + step));
  return btoa(bin);
}

function isInteger(t: ColumnTypeName): boolean {
  return t === 'tinyint' || t === 'smallint' || t === 'mediumint' || t === 'int' || t === 'bigint' || t === 'year';
}

/** One cell as the client value of its column type (see ClientValue). */
export function cellValue(cell: JsonCell, type: ColumnTypeName): ClientValue {
  if (cell === null) return null;
  if (isBinaryTypeName(type)) return fromBase64(String(cell));
  if (isInteger(type)) return clientInteger(cell);
  if (type === 'float' || type === 'double') return typeof cell === 'number' ? cell : Number(cell);
  return String(cell);
}

export function columnsOf(json: readonly ColumnJson[]): Column[] {
  return json.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
}

export function rowsOf(rows: readonly JsonCell[][], columns: readonly Column[]): ClientValue[][] {
  return rows.map((r) => columns.map((c, i) => cellValue(r[i] ?? null, c.type)));
}

/** A /v1/query answer as a QueryResult; an answer of another shape is a protocol error. */
export function resultOf(json: ResultJson): QueryResult {
  if (!Array.isArray(json.columns) || !Array.isArray(json.rows)) throw protocolError('The server answered without columns or rows');
  const columns = columnsOf(json.columns);
  return { columns, rows: rowsOf(json.rows, columns), rowsAffected: Number(json.rowsAffected), lastInsertId: clientInteger(json.lastInsertId), warnings: Number(json.warnings) };
}

/** A parameter as JSON: bigints as strings, bytes as {"base64": ...}. */
export function paramJson(p: ClientParam): JsonParam {
  if (typeof p === 'bigint') return p.toString();
  if (p instanceof Uint8Array) return { base64: toBase64(p) };
  return p;
}
