// Property tests for the key codec: byte order of encoded keys equals value order, for every family.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../base/decimal.js';
import { compareText } from '../base/collation.js';
import type { SqlType } from '../base/sql-type.js';
import type { Value } from '../base/value.js';
import { ByteWriter } from './byte-writer.js';
import { encodeKeyValue, encodeKeyValues, keyPartFor, keyRange, prefixSuccessor, type KeyPart } from './key-codec.js';
import { timeToMicros } from './column-family.js';

let seed = 12345;
function rnd(): number {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed / 2 ** 32;
}
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];

function part(type: SqlType, prefix?: number): KeyPart {
  return keyPartFor({ name: 'c', type, nullable: true }, undefined, prefix);
}

function key(p: KeyPart, v: Value): Buffer {
  const w = new ByteWriter(8);
  encodeKeyValue(w, p, v);
  return w.finish();
}

function sign(n: number): number {
  return n < 0 ? -1 : n > 0 ? 1 : 0;
}

/** Checks that for random pairs, sign(compare(keys)) equals sign(compare(values)). */
function checkOrder(p: KeyPart, gen: () => Value, cmp: (a: Exclude<Value, null>, b: Exclude<Value, null>) => number, n = 2000): void {
  const vals: Value[] = [null];
  for (let i = 0; i < n; i++) vals.push(gen());
  const keys = vals.map((v) => key(p, v));
  for (let i = 0; i < n; i++) {
    const a = Math.floor(rnd() * vals.length);
    const b = Math.floor(rnd() * vals.length);
    const va = vals[a];
    const vb = vals[b];
    const expected = va === null ? (vb === null ? 0 : -1) : vb === null ? 1 : sign(cmp(va, vb));
    assert.equal(sign(Buffer.compare(keys[a], keys[b])), expected, `${String(va)} vs ${String(vb)}`);
  }
}

const cmpNum = (a: Exclude<Value, null>, b: Exclude<Value, null>): number => {
  const x = typeof a === 'bigint' ? a : BigInt(a as number);
  const y = typeof b === 'bigint' ? b : BigInt(b as number);
  return x < y ? -1 : x > y ? 1 : 0;
};

test('signed integers, incl. int64 extremes and bigint/number mixing', () => {
  const edges: Value[] = [0, -1, 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n, -(2n ** 53n) - 1n];
  checkOrder(part({ kind: 'bigint' }), () => {
    const r = rnd();
    if (r < 0.2) return pick(edges);
    if (r < 0.5) return Math.floor((rnd() - 0.5) * 2000);
    if (r < 0.8) return Math.floor((rnd() - 0.5) * 2 * Number.MAX_SAFE_INTEGER);
    return BigInt.asIntN(64, BigInt(Math.floor(rnd() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(rnd() * 2 ** 32)));
  }, cmpNum);
  // The same value as number and bigint encodes identically.
  assert.deepEqual(key(part({ kind: 'int' }), 5), key(part({ kind: 'int' }), 5n));
});

test('unsigned integers up to 2^64-1', () => {
  checkOrder(part({ kind: 'bigint', unsigned: true }), () => {
    const r = rnd();
    if (r < 0.1) return pick([0, 2n ** 64n - 1n, 2n ** 63n, 2n ** 63n - 1n]);
    if (r < 0.6) return Math.floor(rnd() * Number.MAX_SAFE_INTEGER);
    return BigInt(Math.floor(rnd() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(rnd() * 2 ** 32));
  }, cmpNum);
  assert.throws(() => key(part({ kind: 'int', unsigned: true }), -1), TypeError);
});

test('doubles: sign trick, -0 equals 0, NaN rejected', () => {
  checkOrder(part({ kind: 'double' }), () => {
    const r = rnd();
    if (r < 0.1) return pick([0, -0, Infinity, -Infinity, Number.MIN_VALUE, -Number.MIN_VALUE, Number.MAX_VALUE, -Number.MAX_VALUE]);
    if (r < 0.5) return (rnd() - 0.5) * 100;
    return (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
  }, (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0));
  assert.deepEqual(key(part({ kind: 'double' }), -0), key(part({ kind: 'double' }), 0));
  assert.throws(() => key(part({ kind: 'double' }), NaN), TypeError);
});

test('decimals: exact order across scales, equal values encode equally', () => {
  const p = part({ kind: 'decimal', precision: 65, scale: 30 });
  checkOrder(p, () => {
    const digits = Math.floor(rnd() * 40) + 1;
    let s = '';
    for (let i = 0; i < digits; i++) s += Math.floor(rnd() * 10);
    const unscaled = BigInt(s) * (rnd() < 0.5 ? -1n : 1n);
    return new Decimal(unscaled, Math.floor(rnd() * 31));
  }, (a, b) => (a as Decimal).compare(b as Decimal));
  assert.deepEqual(key(p, new Decimal(150n, 2)), key(p, new Decimal(15n, 1)));
  assert.deepEqual(key(p, new Decimal(0n, 5)), key(p, new Decimal(0n, 0)));
  assert.ok(Buffer.compare(key(p, Decimal.parse('-0.12')!), key(p, Decimal.parse('-0.123')!)) > 0);
  assert.ok(Buffer.compare(key(p, Decimal.parse('1')!), key(p, Decimal.parse('1.05')!)) < 0);
  assert.ok(Buffer.compare(key(p, Decimal.parse('9.99')!), key(p, Decimal.parse('10')!)) < 0);
  assert.ok(Buffer.compare(key(p, Decimal.parse('0.001')!), key(p, Decimal.parse('0.01')!)) < 0);
});

test('strings: collation order, case-insensitive equality, prefix before extension, NUL bytes', () => {
  const alphabet = ['a', 'B', 'é', ' ', '_', '1', '\u0000', 'z', 'Ω', '\u{1f600}', 'ß'];
  const gen = (): string => {
    let s = '';
    const n = Math.floor(rnd() * 5);
    for (let i = 0; i < n; i++) s += pick(alphabet);
    return s;
  };
  checkOrder(part({ kind: 'varchar', length: 20 }), gen, (a, b) => compareText(a as string, b as string));
  checkOrder(part({ kind: 'varchar', length: 20, collation: 'binary' }), gen, (a, b) =>
    Buffer.compare(Buffer.from(a as string), Buffer.from(b as string)));
  // utf8mb4_bin is PAD SPACE: trailing spaces do not count.
  checkOrder(part({ kind: 'varchar', length: 20, collation: 'utf8mb4_bin' }), gen, (a, b) => compareText(a as string, b as string, 'utf8mb4_bin'));
  const p = part({ kind: 'varchar' });
  assert.deepEqual(key(p, 'ABC'), key(p, 'abc'));
  assert.ok(Buffer.compare(key(p, 'ab'), key(p, 'abc')) < 0);
  assert.ok(Buffer.compare(key(p, ''), key(p, '\u0000')) < 0);
});

test('binary strings with zero bytes order byte-wise', () => {
  checkOrder(part({ kind: 'varbinary' }), () => {
    const n = Math.floor(rnd() * 5);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = pick([0, 1, 0xff, 0x80, 7]);
    return b;
  }, (a, b) => Buffer.compare(a as Buffer, b as Buffer));
});

test('temporal: date/datetime text and signed TIME', () => {
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  checkOrder(part({ kind: 'datetime', fsp: 6 }), () =>
    `${pad(Math.floor(rnd() * 3000), 4)}-${pad(Math.floor(rnd() * 12) + 1)}-${pad(Math.floor(rnd() * 28) + 1)} ${pad(Math.floor(rnd() * 24))}:00:00.${pad(Math.floor(rnd() * 1e6), 6)}`,
  (a, b) => ((a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0));
  const genTime = (): string => {
    const h = Math.floor(rnd() * 839);
    const frac = rnd() < 0.5 ? '' : '.' + pad(Math.floor(rnd() * 1e6), 6);
    return `${rnd() < 0.5 ? '-' : ''}${pad(h)}:${pad(Math.floor(rnd() * 60))}:${pad(Math.floor(rnd() * 60))}${frac}`;
  };
  checkOrder(part({ kind: 'time', fsp: 6 }), genTime, (a, b) => timeToMicros(a as string) - timeToMicros(b as string));
  assert.equal(timeToMicros('-838:59:59'), -(838 * 3600 + 59 * 60 + 59) * 1e6);
  assert.equal(timeToMicros('01:02:03.5'), 3723_500_000);
});

test('enum orders by member index, set by bitmask', () => {
  const e = part({ kind: 'enum', values: ['small', 'medium', 'large'] });
  assert.ok(Buffer.compare(key(e, 'small'), key(e, 'large')) < 0);
  assert.ok(Buffer.compare(key(e, 'large'), key(e, 'medium')) > 0);
  assert.ok(Buffer.compare(key(e, ''), key(e, 'small')) < 0);
  const s = part({ kind: 'set', values: ['a', 'b', 'c'] });
  assert.ok(Buffer.compare(key(s, 'b'), key(s, 'a,b')) < 0);
  assert.ok(Buffer.compare(key(s, 'a,b'), key(s, 'c')) < 0);
  assert.throws(() => key(e, 'huge'), TypeError);
});

test('composite keys order lexicographically, NULL first in each column', () => {
  const parts = [part({ kind: 'int' }), part({ kind: 'varchar' })];
  const rows: Value[][] = [];
  for (let i = 0; i < 500; i++) rows.push([rnd() < 0.2 ? null : Math.floor(rnd() * 5) - 2, rnd() < 0.2 ? null : pick(['', 'a', 'ab', 'b', 'B'])]);
  const enc = (r: Value[]): Buffer => {
    const w = new ByteWriter();
    encodeKeyValues(w, parts, r);
    return w.finish();
  };
  const cmpCol = (a: Value, b: Value, i: number): number => {
    if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
    return i === 0 ? (a as number) - (b as number) : compareText(a as string, b as string);
  };
  for (let i = 0; i < 2000; i++) {
    const a = pick(rows);
    const b = pick(rows);
    const expected = sign(cmpCol(a[0], b[0], 0)) || sign(cmpCol(a[1], b[1], 1));
    assert.equal(sign(Buffer.compare(enc(a), enc(b))), expected);
  }
});

test('prefix successor and range bounds', () => {
  assert.deepEqual(prefixSuccessor(Buffer.from([1, 2, 0xff])), Buffer.from([1, 3]));
  assert.equal(prefixSuccessor(Buffer.from([0xff])), undefined);
  const parts = [part({ kind: 'int' }), part({ kind: 'int' }), part({ kind: 'int' })];
  const prefix = Buffer.from([0, 0, 0, 7, 0, 1]);
  const keys: { k: Buffer; v: number[] }[] = [];
  for (let a = 4; a <= 6; a++) for (let b = 2; b <= 4; b++) for (let c = 0; c < 2; c++) {
    const w = new ByteWriter();
    w.bytes(prefix);
    encodeKeyValues(w, parts, [a, b, c]);
    keys.push({ k: w.finish(), v: [a, b, c] });
  }
  const within = (r: { start?: Buffer; end?: Buffer }): number[][] =>
    keys.filter(({ k }) => (!r.start || Buffer.compare(k, r.start) >= 0) && (!r.end || Buffer.compare(k, r.end) < 0)).map((e) => e.v);
  // a = 5 AND b > 3
  assert.deepEqual(within(keyRange(prefix, parts, { values: [5, 3], inclusive: false }, { values: [5], inclusive: true })), [[5, 4, 0], [5, 4, 1]]);
  // a = 5 AND b >= 3
  assert.equal(within(keyRange(prefix, parts, { values: [5, 3], inclusive: true }, { values: [5], inclusive: true })).length, 4);
  // a < 5
  assert.equal(within(keyRange(prefix, parts, undefined, { values: [5], inclusive: false })).length, 6);
  // a <= 5
  assert.equal(within(keyRange(prefix, parts, undefined, { values: [5], inclusive: true })).length, 12);
  // everything
  assert.equal(within(keyRange(prefix, parts)).length, 18);
});

test('prefix-length columns index only the prefix and widen bounds', () => {
  const p = part({ kind: 'varchar' }, 3);
  assert.deepEqual(key(p, 'abcdef'), key(p, 'ABCxyz'));
  const prefix = Buffer.from([0, 0, 0, 1, 0, 1]);
  const r = keyRange(prefix, [p], { values: ['abcd'], inclusive: false });
  const w = new ByteWriter();
  w.bytes(prefix);
  encodeKeyValue(w, p, 'abcz');
  assert.ok(Buffer.compare(w.view(), r.start!) >= 0, 'abcz is within > abcd after widening');
});
