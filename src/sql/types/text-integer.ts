// CAST(text AS SIGNED|UNSIGNED): the text's leading integer read into 64 bits as MySQL's string-to-integer conversion reads it.
import { integerPrefix } from './coerce.js';

const I64_MIN = -(1n << 63n);
const U64_MAX = (1n << 64n) - 1n;

/** What reading a text as a 64-bit integer gave. */
export interface TextInteger {
  /** The 64 bits read, as an unsigned number: CAST AS SIGNED reads them as two's complement. */
  bits: bigint;
  /** Something other than `[spaces][+|-]digits[spaces]` was there, or no digits at all (warning 1292). */
  truncated: boolean;
  /** The number did not fit: clipped to -2^63 when negative, to 2^64-1 otherwise (warning 1292). */
  overflow: boolean;
  /** The text's number had a minus sign. */
  negative: boolean;
}

/**
 * Reads `s` as MySQL 8 does for CAST AS SIGNED / UNSIGNED: the leading integer, clipped past 64 bits
 * to -2^63 or 2^64-1. So '99999999999999999999' gives the bits of 2^64-1: -1 as SIGNED, and
 * '9223372036854775808' gives 2^63: -9223372036854775808 as SIGNED (the caller says so with 1105).
 */
export function textToInteger64(s: string): TextInteger {
  const p = integerPrefix(s);
  if (p.text === '') return { bits: 0n, truncated: true, overflow: false, negative: false };
  let n = BigInt(p.text);
  const negative = p.text.startsWith('-');
  let overflow = false;
  if (n < I64_MIN) {
    n = I64_MIN;
    overflow = true;
  } else if (n > U64_MAX) {
    n = U64_MAX;
    overflow = true;
  }
  return { bits: BigInt.asUintN(64, n), truncated: !p.complete, overflow, negative };
}
