// String functions over delimited lists and positions, plus encodings: SUBSTRING_INDEX, FIND_IN_SET, FIELD, ELT, INSERT, SHA2, TO_BASE64, ...
import { createHash } from 'node:crypto';
import { toInteger } from '../types/convert.js';
import { T_BIGINT, varchar } from '../types/infer.js';
import { likeFold } from '../types/like.js';
import type { Value } from '../../base/value.js';
import { strict, type FunctionDef } from './define.js';
import { lenOf, num, str, textOrBinary } from './string.js';


/** SUBSTRING_INDEX(s, delim, n): everything before the n-th delimiter (from the right when n < 0). Delimiters match case-sensitively, as in MySQL. */
const SUBSTRING_INDEX = strict('SUBSTRING_INDEX', 3, 3, (a) => textOrBinary(a, lenOf(a[0])), (v, _c, a) => {
  const s = str(v[0], a[0]);
  const d = str(v[1], a[1]);
  const n = num(v[2]);
  if (d === '' || n === 0) return '';
  if (n > 0) {
    let at = -d.length;
    for (let k = 0; k < n; k++) {
      at = s.indexOf(d, at + d.length);
      if (at < 0) return s;
    }
    return s.slice(0, at);
  }
  let at = s.length;
  for (let k = 0; k < -n; k++) {
    at = at - d.length < 0 ? -1 : s.lastIndexOf(d, at - d.length);
    if (at < 0) return s;
  }
  return s.slice(at + d.length);
});

/** FIND_IN_SET(x, 'a,b,c'): 1-based index of x in the comma list, 0 when absent or x holds a comma. */
const FIND_IN_SET = strict('FIND_IN_SET', 2, 2, () => T_BIGINT, (v, _c, a) => {
  const x = likeFold(str(v[0], a[0]));
  const list = str(v[1], a[1]);
  if (x.includes(',') || list === '') return 0;
  let start = 0;
  for (let i = 1; ; i++) {
    const end = list.indexOf(',', start);
    const item = end < 0 ? list.slice(start) : list.slice(start, end);
    if (likeFold(item) === x) return i;
    if (end < 0) return 0;
    start = end + 1;
  }
});

/** FIELD(x, a, b, ...): 1-based index of the first argument equal to x (compared as `=` would), else 0. */
const FIELD: FunctionDef = {
  name: 'FIELD', minArgs: 2, maxArgs: 1 << 16,
  compile(args, _env, _call, compiler) {
    // All-string arguments compare as strings under the collation, otherwise numerically, as `=` decides.
    const eqs = args.slice(1).map((b) => compiler.compileComparison('=', args[0], b).eval);
    const xe = args[0].eval;
    return {
      type: T_BIGINT, nullable: false, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        if (xe(r, c) === null) return 0;
        for (let i = 0; i < eqs.length; i++) {
          const t = eqs[i](r, c);
          if (t !== null && t !== 0) return i + 1;
        }
        return 0;
      },
    };
  },
};

/** ELT(n, a, b, ...): the n-th string, NULL when n is out of range. */
const ELT: FunctionDef = {
  name: 'ELT', minArgs: 2, maxArgs: 1 << 16,
  compile(args) {
    const evals = args.map((a) => a.eval);
    const type = textOrBinary(args.slice(1), Math.max(...args.slice(1).map(lenOf)));
    return {
      type, nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const nv = evals[0](r, c);
        if (nv === null) return null;
        const n = num(nv);
        if (n < 1 || n >= evals.length) return null;
        const v = evals[n](r, c);
        return v === null ? null : str(v, args[n]);
      },
    };
  },
};

/** INSERT(s, pos, len, new): s with len characters from pos replaced; s unchanged when pos is out of range. */
const INSERT = strict('INSERT', 4, 4, (a) => textOrBinary(a, lenOf(a[0]) + lenOf(a[3])), (v, _c, a) => {
  const cs = [...str(v[0], a[0])];
  const pos = num(v[1]);
  let len = num(v[2]);
  if (pos < 1 || pos > cs.length) return cs.join('');
  if (len < 0 || len > cs.length - pos + 1) len = cs.length - pos + 1;
  return cs.slice(0, pos - 1).join('') + str(v[3], a[3]) + cs.slice(pos - 1 + len).join('');
});

/** The bytes a string function hashes or encodes: binary as is, text as UTF-8. */
export const bytes = (v: Exclude<Value, null>): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(str(v), 'utf8'));

/** SHA2(s, bits): bits 224, 256 (also 0), 384 or 512; NULL for any other length. */
const SHA2 = strict('SHA2', 2, 2, () => varchar(128), (v) => {
  const bits = num(v[1]);
  const algo = bits === 0 || bits === 256 ? 'sha256' : bits === 224 ? 'sha224' : bits === 384 ? 'sha384' : bits === 512 ? 'sha512' : undefined;
  return algo ? createHash(algo).update(bytes(v[0])).digest('hex') : null;
});

/** TO_BASE64 wraps lines at 76 characters, as MySQL does. */
const TO_BASE64 = strict('TO_BASE64', 1, 1, (a) => varchar(Math.ceil(lenOf(a[0]) / 3) * 4 * 2), (v) => {
  const b = bytes(v[0]).toString('base64');
  return b.length <= 76 ? b : b.replace(/.{76}(?=.)/g, '$&\n');
});

const BASE64_TEXT = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;
const FROM_BASE64 = strict('FROM_BASE64', 1, 1, (a) => ({ kind: 'varbinary', length: lenOf(a[0]) }), (v) => {
  const s = str(v[0]);
  return BASE64_TEXT.test(s) ? Buffer.from(s, 'base64') : null;
});

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC32 (the zlib/IEEE polynomial), unsigned. */
const CRC32 = strict('CRC32', 1, 1, () => ({ ...T_BIGINT, unsigned: true }), (v) => {
  const b = bytes(v[0]);
  let c = 0xffffffff;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
});

const BIT_LENGTH = strict('BIT_LENGTH', 1, 1, () => T_BIGINT, (v) => bytes(v[0]).length * 8);

/** ORD: the code of the leftmost character, multi-byte characters as their UTF-8 bytes in one number. */
const ORD = strict('ORD', 1, 1, () => T_BIGINT, (v) => {
  const b = bytes(v[0]);
  if (b.length === 0) return 0;
  const first = b[0];
  const n = first < 0x80 ? 1 : first >= 0xf0 ? 4 : first >= 0xe0 ? 3 : first >= 0xc0 ? 2 : 1;
  let out = 0;
  for (let i = 0; i < n && i < b.length; i++) out = out * 256 + b[i];
  return out;
});

/** QUOTE: a string literal that reads back as the value; NULL becomes the word NULL. */
const QUOTE: FunctionDef = {
  name: 'QUOTE', minArgs: 1, maxArgs: 1,
  compile(args) {
    const e = args[0].eval;
    return {
      type: varchar(lenOf(args[0]) * 2 + 2), nullable: false, constant: args[0].constant,
      eval: (r, c) => {
        const v = e(r, c);
        if (v === null) return 'NULL';
        return "'" + str(v, args[0]).replace(/[\\'\0\x1a]/g, (ch) => (ch === '\0' ? '\\0' : ch === '\x1a' ? '\\Z' : '\\' + ch)) + "'";
      },
    };
  },
};

/** CHAR(n, ...): each integer as its big-endian bytes without leading zero bytes; NULLs are skipped. */
const CHAR: FunctionDef = {
  name: 'CHAR', minArgs: 1, maxArgs: 1 << 16,
  compile(args) {
    const evals = args.map((a) => a.eval);
    return {
      type: { kind: 'varbinary', length: args.length * 4 }, nullable: false, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const out: number[] = [];
        for (const e of evals) {
          const v = e(r, c);
          if (v === null) continue;
          const n = Number(BigInt.asUintN(32, BigInt(toInteger(v))));
          if (n > 0xffffff) out.push(n >>> 24);
          if (n > 0xffff) out.push((n >>> 16) & 255);
          if (n > 0xff) out.push((n >>> 8) & 255);
          out.push(n & 255);
        }
        return Buffer.from(out);
      },
    };
  },
};

/** The Soundex digit of each letter A..Z; '0' letters (vowels, H, W, Y) are not written. */
const SOUNDEX_CODES = '01230120022455012623010202';
const LETTER = /\p{L}/u;

/**
 * SOUNDEX(s), as MySQL computes it: the first letter (any alphabet), then the digits of the following
 * A-Z letters, a digit equal to the last one written left out even across vowels ('Tymczak' is T520),
 * padded to at least 4 and not cut. Other characters are skipped.
 */
const SOUNDEX = strict('SOUNDEX', 1, 1, (a) => varchar(Math.max(4, lenOf(a[0]))), (v, _c, a) => {
  const s = str(v[0], a[0]).toUpperCase();
  let out = '';
  let last = '';
  for (const ch of s) {
    const code = ch >= 'A' && ch <= 'Z' ? SOUNDEX_CODES[ch.charCodeAt(0) - 65] : '0';
    if (out === '') {
      if (!LETTER.test(ch)) continue;
      out = ch;
      last = code;
    } else if (code !== '0' && code !== last) {
      out += code;
      last = code;
    }
  }
  return out === '' ? '' : out.padEnd(4, '0');
});

/** MAKE_SET(bits, s1, s2, ...): the strings whose bit is set in bits, comma-joined; NULL strings are left out. */
const MAKE_SET: FunctionDef = {
  name: 'MAKE_SET', minArgs: 2, maxArgs: 1 << 16,
  compile(args) {
    const evals = args.map((a) => a.eval);
    return {
      type: varchar(args.slice(1).reduce((n, a) => n + lenOf(a) + 1, 0)), nullable: true, constant: args.every((a) => a.constant),
      eval: (r, c) => {
        const bitsValue = evals[0](r, c);
        if (bitsValue === null) return null;
        const bits = BigInt.asUintN(64, BigInt(toInteger(bitsValue)));
        let out: string | undefined;
        for (let i = 1; i < evals.length && i <= 64; i++) {
          if (((bits >> BigInt(i - 1)) & 1n) === 0n) continue;
          const v = evals[i](r, c);
          if (v === null) continue;
          const piece = str(v, args[i]);
          out = out === undefined ? piece : out + ',' + piece;
        }
        return out ?? '';
      },
    };
  },
};

/** EXPORT_SET(bits, on, off[, separator[, count]]): one of on/off per bit, lowest first; count is 64 at most. */
const EXPORT_SET = strict('EXPORT_SET', 3, 5, () => ({ kind: 'text' }), (v, _c, a) => {
  const bits = BigInt.asUintN(64, BigInt(toInteger(v[0])));
  const on = str(v[1], a[1]);
  const off = str(v[2], a[2]);
  const separator = v.length > 3 ? str(v[3], a[3]) : ',';
  const asked = v.length > 4 ? BigInt(toInteger(v[4])) : 64n;
  const count = asked < 0n || asked > 64n ? 64 : Number(asked);
  const parts: string[] = new Array(count);
  for (let i = 0; i < count; i++) parts[i] = ((bits >> BigInt(i)) & 1n) === 1n ? on : off;
  return parts.join(separator);
});

export const stringListFunctions: FunctionDef[] = [
  SUBSTRING_INDEX, FIND_IN_SET, FIELD, ELT, INSERT, SOUNDEX, MAKE_SET, EXPORT_SET, SHA2, TO_BASE64, FROM_BASE64, CRC32, BIT_LENGTH, ORD, QUOTE, CHAR,
];
