// DECIMAL arithmetic, MySQL number formatting, coercion into column types, temporal parsing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Decimal } from '../../base/decimal.js';
import { formatDouble, formatFloat, formatValueText } from '../../base/format.js';
import { coerceValue, type CoerceTarget } from './coerce.js';
import { numericPrefix, toInteger } from './convert.js';
import { parseDate, parseDateTime, parseTime } from '../../base/temporal.js';
import { SqlError } from '../../base/errors.js';

const d = (s: string) => Decimal.parse(s) as Decimal;

test('Decimal parses, keeps scale, and rounds half away from zero', () => {
  assert.equal(d('1.50').toString(), '1.50');
  assert.equal(d('-0.005').withScale(2).toString(), '-0.01');
  assert.equal(d('2.5').withScale(0).toString(), '3');
  assert.equal(d('-2.5').withScale(0).toString(), '-3');
  assert.equal(d('1e3').toString(), '1000');
  assert.equal(d('.5').toString(), '0.5');
  assert.equal(Decimal.parse('abc'), undefined);
});

test('Decimal arithmetic is exact; division uses the dividend scale plus the increment', () => {
  assert.equal(d('0.1').add(d('0.2')).toString(), '0.3');
  assert.equal(d('1.25').mul(d('4')).toString(), '5.00');
  assert.equal(d('10').div(d('4'))?.toString(), '2.5000');
  assert.equal(d('1').div(d('3'))?.toString(), '0.3333');
  assert.equal(d('2').div(d('3'))?.toString(), '0.6667');
  assert.equal(d('1').div(d('0')), undefined);
  assert.equal(d('-7').mod(d('3'))?.toString(), '-1');
  assert.equal(d('99999999999999999999999999999.5').add(d('0.5')).toString(), '100000000000000000000000000000.0');
});

test('doubles print like MySQL: shortest round-trip digits, exponent outside 1e-5..1e15', () => {
  assert.equal(formatDouble(0.1 + 0.2), '0.30000000000000004');
  assert.equal(formatDouble(1e15), '1e15');
  assert.equal(formatDouble(999999999999999), '999999999999999');
  assert.equal(formatDouble(1e-5), '1e-5');
  assert.equal(formatDouble(0.0001), '0.0001');
  assert.equal(formatDouble(-1.5e300), '-1.5e300');
  assert.equal(formatDouble(2), '2');
  assert.equal(formatFloat(Math.fround(0.1)), '0.1');
  assert.equal(formatValueText(d('3.5'), { kind: 'decimal', precision: 10, scale: 2 }), '3.50');
  assert.equal(formatValueText(7, { kind: 'int', zerofill: true, length: 4 }), '0007');
});

test('numeric prefixes of strings follow MySQL', () => {
  assert.deepEqual(numericPrefix('12abc'), { text: '12', complete: false });
  assert.deepEqual(numericPrefix(' -1.5e3 '), { text: '-1.5e3', complete: true });
  assert.equal(numericPrefix('abc').text, '');
  assert.equal(toInteger('2.5'), 3);
  assert.equal(toInteger('99999999999999999999'), 99999999999999999999n);
});

function target(strict: boolean, warnings: string[] = []): CoerceTarget {
  return { mode: 'store', strict, column: 'c', rowNumber: 2, warn: (code, m) => warnings.push(`${code} ${m}`) };
}

function code(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SqlError) return e.code;
    throw e;
  }
  return undefined;
}

test('strict mode refuses bad values with MySQL codes; non-strict clips and warns', () => {
  assert.equal(code(() => coerceValue(300, { kind: 'tinyint' }, target(true))), 1264);
  assert.equal(code(() => coerceValue(-1, { kind: 'int', unsigned: true }, target(true))), 1264);
  assert.equal(code(() => coerceValue('abc', { kind: 'int' }, target(true))), 1366);
  assert.equal(code(() => coerceValue('toolong', { kind: 'varchar', length: 3 }, target(true))), 1406);
  assert.equal(code(() => coerceValue('2024-02-30', { kind: 'date' }, target(true))), 1292);
  assert.equal(code(() => coerceValue(12345.6, { kind: 'decimal', precision: 5, scale: 2 }, target(true))), 1264);
  const w: string[] = [];
  assert.equal(coerceValue(300, { kind: 'tinyint' }, target(false, w)), 127);
  assert.equal(coerceValue('toolong', { kind: 'varchar', length: 3 }, target(false, w)), 'too');
  assert.deepEqual(w, ["1264 Out of range value for column 'c' at row 2", "1406 Data too long for column 'c' at row 2"]);
  assert.equal(coerceValue('ab  ', { kind: 'char', length: 4 }, target(true)), 'ab', 'CHAR drops trailing spaces');
  assert.equal(String(coerceValue('1.005', { kind: 'decimal', precision: 5, scale: 2 }, target(true))), '1.01');
  assert.equal(coerceValue('b', { kind: 'enum', values: ['a', 'b'] }, target(true)), 'b');
  assert.equal(coerceValue(18446744073709551615n, { kind: 'bigint', unsigned: true }, target(true)), 18446744073709551615n);
});

test('temporal values parse into canonical text', () => {
  assert.equal(parseDate('2024-1-5'), '2024-01-05');
  assert.equal(parseDate('20240105'), '2024-01-05');
  assert.equal(parseDate('2023-02-29'), undefined);
  assert.equal(parseDateTime('2024-01-05 7:08:09.123456', 3), '2024-01-05 07:08:09.123');
  assert.equal(parseTime('-838:59:59'), '-838:59:59');
  assert.equal(parseTime('1 02:03:04'), '26:03:04');
  assert.equal(parseTime('839:00:00'), undefined);
});
