// Address and identifier functions: INET_ATON, INET_NTOA, IS_IPV4, UUID_TO_BIN, BIN_TO_UUID, IS_UUID.
import { isIP } from 'node:net';
import { toInteger, valueToString } from '../types/convert.js';
import { T_BIGINT, T_BOOL_INT, varchar } from '../types/infer.js';
import type { Value } from '../../base/value.js';
import { strict } from './define.js';
import type { FunctionDef } from './define.js';

const text = (v: Exclude<Value, null>): string => (Buffer.isBuffer(v) ? v.toString('latin1') : valueToString(v));

/** INET_ATON: 'a.b.c.d' (also short forms 'a.b' = a.0.0.b, as MySQL) to a number; NULL when malformed. */
const INET_ATON = strict('INET_ATON', 1, 1, () => ({ ...T_BIGINT, unsigned: true }), (v) => {
  const parts = text(v[0]).split('.');
  if (parts.length > 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || +p > 255)) return null;
  let n = 0;
  for (let i = 0; i < parts.length; i++) {
    // The last part fills the remaining low bytes: '127.1' is 127.0.0.1.
    n = i === parts.length - 1 ? n * 256 ** (4 - i) + +parts[i] : n * 256 + +parts[i];
  }
  return n;
});

const INET_NTOA = strict('INET_NTOA', 1, 1, () => varchar(15), (v) => {
  const big = BigInt(toInteger(v[0]));
  if (big < 0n || big > 0xffffffffn) return null;
  const n = Number(big);
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
});

const IS_IPV4 = strict('IS_IPV4', 1, 1, () => T_BOOL_INT, (v) => (isIP(text(v[0])) === 4 ? 1 : 0));
const IS_IPV6 = strict('IS_IPV6', 1, 1, () => T_BOOL_INT, (v) => (isIP(text(v[0])) === 6 ? 1 : 0));

/** The forms IS_UUID accepts: 32 hex digits, optionally dashed 8-4-4-4-12, optionally in braces. */
const UUID_TEXT = /^(?:[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\})$/i;

const IS_UUID = strict('IS_UUID', 1, 1, () => T_BOOL_INT, (v) => (UUID_TEXT.test(text(v[0])) ? 1 : 0));

const swapFlag = (v: Exclude<Value, null>[]) => v.length > 1 && Number(toInteger(v[1])) !== 0;

/** UUID_TO_BIN(u[, swap]): 16 bytes; swap moves the time-high group first so time-based UUIDs index in order. */
const UUID_TO_BIN = strict('UUID_TO_BIN', 1, 2, () => ({ kind: 'varbinary', length: 16 }), (v) => {
  const s = text(v[0]);
  if (!UUID_TEXT.test(s)) return null;
  const hex = s.replace(/[{}-]/g, '');
  const ordered = swapFlag(v) ? hex.slice(12, 16) + hex.slice(8, 12) + hex.slice(0, 8) + hex.slice(16) : hex;
  return Buffer.from(ordered, 'hex');
});

const BIN_TO_UUID = strict('BIN_TO_UUID', 1, 2, () => varchar(36), (v) => {
  const b = Buffer.isBuffer(v[0]) ? v[0] : Buffer.from(text(v[0]), 'latin1');
  if (b.length !== 16) return null;
  let hex = b.toString('hex');
  if (swapFlag(v)) hex = hex.slice(8, 16) + hex.slice(4, 8) + hex.slice(0, 4) + hex.slice(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
});

export const networkIdFunctions: FunctionDef[] = [INET_ATON, INET_NTOA, IS_IPV4, IS_IPV6, IS_UUID, UUID_TO_BIN, BIN_TO_UUID];
