// Statement text that keeps the bytes it was sent as. Drivers put binary values into SQL text as raw
// bytes inside string literals (PyMySQL's and mysqlclient's `_binary'…\xff…'`, PHP's mysqli escaping),
// so decoding a statement as plain UTF-8 would turn every invalid byte into U+FFFD and corrupt the value.
// Like Python's "surrogateescape", each byte that is not part of valid UTF-8 becomes the lone surrogate
// U+DC80 + (byte − 0x80); valid UTF-8 never decodes to a lone surrogate, so the mapping is reversible.
import { isUtf8 } from 'node:buffer';

const ESCAPE_BASE = 0xdc00;
/** An escaped byte: a low surrogate in DC80–DCFF that does not follow a high surrogate. */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

/** `buf[start..]` as text, with every byte that is not valid UTF-8 kept as an escaped byte. */
export function decodeKeepingBytes(buf: Buffer, start = 0, end = buf.length): string {
  const bytes = buf.subarray(start, end);
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const n = validSequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    out += bytes.toString('utf8', runStart, i) + String.fromCharCode(ESCAPE_BASE + bytes[i]!);
    i++;
    runStart = i;
  }
  return out + bytes.toString('utf8', runStart);
}

/** True when `s` holds bytes escaped by decodeKeepingBytes, so it is not text but binary data. */
export function hasEscapedBytes(s: string): boolean {
  return ESCAPED_BYTE.test(s);
}

/** The bytes `s` was decoded from: UTF-8, with escaped bytes written back as themselves. */
export function encodeKeepingBytes(s: string): Buffer {
  if (!hasEscapedBytes(s)) return Buffer.from(s, 'utf8');
  const parts: Buffer[] = [];
  let runStart = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xdc80 || c > 0xdcff) continue;
    const prev = i > 0 ? s.charCodeAt(i - 1) : 0;
    if (prev >= 0xd800 && prev <= 0xdbff) continue;
    parts.push(Buffer.from(s.slice(runStart, i), 'utf8'), Buffer.of(c - ESCAPE_BASE));
    runStart = i + 1;
  }
  parts.push(Buffer.from(s.slice(runStart), 'utf8'));
  return Buffer.concat(parts);
}

/** Length of the well-formed UTF-8 sequence starting at `i` (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF), or 0. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}
