// Encryption and compression functions: AES_ENCRYPT, AES_DECRYPT, COMPRESS, UNCOMPRESS, UNCOMPRESSED_LENGTH, RANDOM_BYTES.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { deflateSync, inflateSync } from 'node:zlib';
import { sqlError } from '../../base/errors.js';
import { T_BIGINT } from '../types/infer.js';
import { lenOf, num } from './string.js';
import { bytes } from './string-lists.js';
import { strict, type FunctionDef } from './define.js';

/**
 * MySQL's key for block_encryption_mode aes-128-ecb (its default): the key's bytes XOR-folded into 16.
 * Other modes are not offered; the variable does not exist here.
 */
function foldedKey(key: Buffer): Buffer {
  const out = Buffer.alloc(16);
  for (let i = 0; i < key.length; i++) out[i % 16] ^= key[i];
  return out;
}

/** An initialization vector is meaningless in ECB mode: MySQL takes it and notes 1618. */
function noteIgnoredIv(argCount: number, warn: (code: number, message: string) => void): void {
  if (argCount > 2) warn(1618, '<IV> option ignored');
}

const AES_ENCRYPT = strict('AES_ENCRYPT', 2, 3, (a) => ({ kind: 'varbinary', length: 16 * (Math.floor(lenOf(a[0]) / 16) + 1) }), (v, c) => {
  noteIgnoredIv(v.length, (code, m) => c.session.warn(code, m));
  const cipher = createCipheriv('aes-128-ecb', foldedKey(bytes(v[1])), null);
  return Buffer.concat([cipher.update(bytes(v[0])), cipher.final()]);
});

/** AES_DECRYPT: NULL when the data is no whole number of blocks or its padding is wrong (a wrong key, mostly). */
const AES_DECRYPT = strict('AES_DECRYPT', 2, 3, (a) => ({ kind: 'varbinary', length: lenOf(a[0]) }), (v, c) => {
  noteIgnoredIv(v.length, (code, m) => c.session.warn(code, m));
  const data = bytes(v[0]);
  if (data.length === 0 || data.length % 16 !== 0) return null;
  const decipher = createDecipheriv('aes-128-ecb', foldedKey(bytes(v[1])), null);
  try {
    return Buffer.concat([decipher.update(data), decipher.final()]);
  } catch {
    return null;
  }
});

/**
 * COMPRESS: the uncompressed length as 4 little-endian bytes, then a zlib stream; a trailing space
 * gets a '.' after it so CHAR trimming cannot cut it. Empty input stays empty.
 */
const COMPRESS = strict('COMPRESS', 1, 1, () => ({ kind: 'longblob' }), (v) => {
  const input = bytes(v[0]);
  if (input.length === 0) return Buffer.alloc(0);
  const header = Buffer.alloc(4);
  header.writeUInt32LE(input.length);
  const packed = deflateSync(input);
  const parts = [header, packed];
  if (packed[packed.length - 1] === 0x20) parts.push(Buffer.from('.'));
  return Buffer.concat(parts);
});

/** UNCOMPRESS: NULL with MySQL's zlib warnings for data COMPRESS did not make. */
const UNCOMPRESS = strict('UNCOMPRESS', 1, 1, () => ({ kind: 'longblob' }), (v, c) => {
  const input = bytes(v[0]);
  if (input.length === 0) return Buffer.alloc(0);
  if (input.length <= 4) {
    c.session.warn(1259, 'ZLIB: Input data corrupted');
    return null;
  }
  const expected = input.readUInt32LE(0) & 0x3fffffff;
  // A length beyond max_allowed_packet is taken for corruption before inflating anything, as MySQL does.
  const limit = Number(c.session.getSystemVariable('max_allowed_packet'));
  if (expected > limit) {
    c.session.warn(1256, `Uncompressed data size too large; the maximum size is ${limit} (probably, length of uncompressed data was corrupted)`);
    return null;
  }
  try {
    const out = inflateSync(input.subarray(4));
    if (out.length !== expected) {
      c.session.warn(1259, 'ZLIB: Input data corrupted');
      return null;
    }
    return out;
  } catch {
    c.session.warn(1259, 'ZLIB: Input data corrupted');
    return null;
  }
});

/** UNCOMPRESSED_LENGTH: the length COMPRESS wrote in front, read without inflating. */
const UNCOMPRESSED_LENGTH = strict('UNCOMPRESSED_LENGTH', 1, 1, () => ({ ...T_BIGINT, length: 10 }), (v) => {
  const input = bytes(v[0]);
  if (input.length === 0) return 0;
  if (input.length < 4) return null;
  return input.readUInt32LE(0) & 0x3fffffff;
});

/** RANDOM_BYTES(n): n cryptographically random bytes, n from 1 to 1024 (else 1690, as MySQL). */
const RANDOM_BYTES = strict('RANDOM_BYTES', 1, 1, () => ({ kind: 'varbinary', length: 1024 }), (v) => {
  const n = num(v[0]);
  if (!(n >= 1 && n <= 1024)) throw sqlError('DATA_OUT_OF_RANGE', "length value is out of range in 'random_bytes'");
  return randomBytes(n);
}, { deterministic: false });

export const cryptoFunctions: FunctionDef[] = [AES_ENCRYPT, AES_DECRYPT, COMPRESS, UNCOMPRESS, UNCOMPRESSED_LENGTH, RANDOM_BYTES];
