// Address and identifier functions: INET_ATON, INET_NTOA, INET6_ATON, INET6_NTOA, IS_IPV4, UUID_TO_BIN, BIN_TO_UUID, IS_UUID, UUID_SHORT.
import { isIP } from 'node:net';
import { threadId } from 'node:worker_threads';
import { toInteger, valueToString } from '../types/convert.js';
import { T_BIGINT, T_BOOL_INT, varchar } from '../types/infer.js';
import { isBinaryType } from '../../base/sql-type.js';
import type { Value } from '../../base/value.js';
import { niladic, strict } from './define.js';
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

/** IS_IPV4, IS_IPV6, IS_IPV4_COMPAT, IS_IPV4_MAPPED: 0 for NULL too, as in MySQL (they are never NULL). */
function addressTest(name: string, test: (v: Exclude<Value, null>) => boolean): FunctionDef {
  return {
    name, minArgs: 1, maxArgs: 1,
    compile([x]) {
      const xe = x.eval;
      return {
        type: T_BOOL_INT, nullable: false, constant: x.constant,
        eval: (r, c) => {
          const v = xe(r, c);
          return v !== null && test(v) ? 1 : 0;
        },
      };
    },
  };
}

const IS_IPV4 = addressTest('IS_IPV4', (v) => isIP(text(v)) === 4);
/** Node's isIP takes a zone id ('fe80::1%eth0'); MySQL does not. */
const IS_IPV6 = addressTest('IS_IPV6', (v) => isIP(text(v)) === 6 && !text(v).includes('%'));

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

/** Strict dotted quad (no short forms, no spaces), as INET6_ATON reads IPv4; undefined when malformed. */
function ipv4Bytes(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || +p > 255)) return undefined;
  return parts.map(Number);
}

/** The 16 bytes of an IPv6 text address (groups, one '::', an optional dotted IPv4 tail); undefined when malformed. */
function ipv6Bytes(s: string): number[] | undefined {
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = ipv4Bytes(piece);
        if (!v4) return undefined;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) out.push(parseInt(piece, 16));
      else return undefined;
    }
    return out;
  };
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  if (!head || !tail) return undefined;
  // An IPv4 tail is only allowed at the very end.
  if (halves.length === 2 && halves[0].includes('.')) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words = [...head, ...new Array<number>(missing).fill(0), ...tail];
  const bytes: number[] = [];
  for (const w of words) bytes.push(w >> 8, w & 255);
  return bytes;
}

/** INET6_ATON(text): 4 bytes for IPv4, 16 for IPv6; NULL for anything else (no zone ids, no short IPv4 forms). */
const INET6_ATON = strict('INET6_ATON', 1, 1, () => ({ kind: 'varbinary', length: 16 }), (v) => {
  const s = text(v[0]);
  const bytes = s.includes(':') ? ipv6Bytes(s) : ipv4Bytes(s);
  return bytes ? Buffer.from(bytes) : null;
});

/**
 * The text form MySQL gives 16 bytes: lower-case hex groups, the first longest run of zero groups as '::'
 * (even a single one), and a dotted tail for IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) addresses.
 */
function ipv6Text(b: Buffer): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i] << 8) | b[i + 1]);
  let gapAt = -1;
  let gapLength = 0;
  for (let i = 0; i < 8; ) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > gapLength) { gapAt = i; gapLength = j - i; }
    i = j;
  }
  const dotted = `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  if (gapAt === 0 && gapLength === 6) return `::${dotted}`;
  if (gapAt === 0 && gapLength === 5 && words[5] === 0xffff) return `::ffff:${dotted}`;
  if (gapAt < 0) return words.map((w) => w.toString(16)).join(':');
  const before = words.slice(0, gapAt).map((w) => w.toString(16)).join(':');
  const after = words.slice(gapAt + gapLength).map((w) => w.toString(16)).join(':');
  return `${before}::${after}`;
}

/** INET6_NTOA(bytes): only a binary string of 4 or 16 bytes has an answer; text arguments give NULL, as in MySQL. */
const INET6_NTOA = strict('INET6_NTOA', 1, 1, () => varchar(39), (v, _c, a) => {
  if (!isBinaryType(a[0].type) || !Buffer.isBuffer(v[0])) return null;
  const b = v[0];
  if (b.length === 4) return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  return b.length === 16 ? ipv6Text(b) : null;
});

const firstBytesZero = (b: Buffer, n: number): boolean => {
  for (let i = 0; i < n; i++) if (b[i] !== 0) return false;
  return true;
};

/** IS_IPV4_COMPAT(bytes): ::a.b.c.d, excluding :: and ::1 (their IPv4 part would be 0 or 1). */
const IS_IPV4_COMPAT = addressTest('IS_IPV4_COMPAT', (b) => Buffer.isBuffer(b) && b.length === 16 && firstBytesZero(b, 12) && b.readUInt32BE(12) > 1);

/** IS_IPV4_MAPPED(bytes): ::ffff:a.b.c.d. */
const IS_IPV4_MAPPED = addressTest('IS_IPV4_MAPPED', (b) => Buffer.isBuffer(b) && b.length === 16 && firstBytesZero(b, 10) && b[10] === 0xff && b[11] === 0xff);

/**
 * UUID_SHORT(): (server_id & 255) << 56 plus start-up seconds << 24 plus a counter, as MySQL builds it: unique per
 * server while it runs, increasing. Each worker thread holds its own counter, so the thread's id is the counter's
 * low byte and calls on different threads never meet (MySQL steps by 1; here each thread steps by 256).
 */
const UUID_SHORT_BASE = BigInt(Math.floor(Date.now() / 1000)) << 24n;
const UUID_SHORT_THREAD = BigInt(threadId & 255);
let uuidShortCalls = 0n;
const UUID_SHORT = niladic('UUID_SHORT', { ...T_BIGINT, unsigned: true }, (c) => {
  const serverId = BigInt(Number(toInteger(c.session.getSystemVariable('server_id', 'global') ?? 1)) & 255);
  return BigInt.asUintN(64, (serverId << 56n) + UUID_SHORT_BASE + ((uuidShortCalls++ << 8n) | UUID_SHORT_THREAD));
});

export const networkIdFunctions: FunctionDef[] = [
  INET_ATON, INET_NTOA, INET6_ATON, INET6_NTOA, IS_IPV4, IS_IPV6, IS_IPV4_COMPAT, IS_IPV4_MAPPED, IS_UUID, UUID_TO_BIN, BIN_TO_UUID, UUID_SHORT,
];
