// Password hash formats of the users file: MySQL's '*'+SHA1(SHA1(pw)) and mizzle's salted scrypt line.
import { randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import type { StoredCredential } from '../../kernel/plugin.js';
import { nativeStage2, sha2Stage2 } from '../../protocol/mysql/auth-methods.js';

export const SCRYPT_PREFIX = '$mizzle-scrypt$';
const SCRYPT_N = 16384;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const SCRYPT_KEYLEN = 32;
const SALT_BYTES = 16;

export class HashFormatError extends Error {}

function scrypt(password: string, salt: Buffer, n: number, keylen: number): Buffer {
  return scryptSync(Buffer.from(password, 'utf8'), salt, keylen, { N: n, r: SCRYPT_R, p: SCRYPT_P, maxmem: 64 * 1024 * 1024 });
}

/**
 * The salted hash of a password:
 * `$mizzle-scrypt$<N>$<salt-b64>$<scrypt-b64>$<sha1-stage2-hex>$<sha256-stage2-hex>`.
 * The last two fields are the unsalted stage-2 digests the wire methods need
 * (see README.md); either may be left empty to disable that method.
 */
export function hashPassword(password: string, salt: Buffer = randomBytes(SALT_BYTES)): string {
  const key = scrypt(password, salt, SCRYPT_N, SCRYPT_KEYLEN);
  return `${SCRYPT_PREFIX}${SCRYPT_N}$${salt.toString('base64')}$${key.toString('base64')}$${nativeStage2(password).toString('hex')}$${sha2Stage2(password).toString('hex')}`;
}

/** A users-file line for `user` (what `mizzle passwd USER` prints). */
export function passwdLine(user: string, password: string): string {
  if (user === '' || /[\r\n]/.test(user) || user.startsWith('#')) throw new HashFormatError(`invalid user name '${user}'`);
  return `${user}:${hashPassword(password)}`;
}

const HEX40 = /^[0-9a-fA-F]{40}$/;
const HEX64 = /^[0-9a-fA-F]{64}$/;
const B64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses one stored hash into what the protocol checks. Throws HashFormatError. */
export function parseHash(hash: string): StoredCredential {
  if (hash === '') {
    // No password at all: only an empty answer logs in.
    return { id: hash, nativeStage2: Buffer.alloc(0), verifyClearText: (pw) => pw === '' };
  }
  if (hash.startsWith('*')) {
    const hex = hash.slice(1);
    if (!HEX40.test(hex)) throw new HashFormatError("a '*' hash must be followed by 40 hex digits");
    const stage2 = Buffer.from(hex, 'hex');
    return { id: hash, nativeStage2: stage2, verifyClearText: (pw) => timingSafeEqual(nativeStage2(pw), stage2) };
  }
  if (hash.startsWith(SCRYPT_PREFIX)) return { ...parseScrypt(hash.slice(SCRYPT_PREFIX.length)), id: hash };
  throw new HashFormatError("unknown hash format (expected '*' + 40 hex digits or '$mizzle-scrypt$...'; run `mizzle passwd USER`)");
}

function parseScrypt(rest: string): StoredCredential {
  const f = rest.split('$');
  if (f.length !== 5) throw new HashFormatError('a $mizzle-scrypt$ hash has 5 fields: N, salt, hash, sha1 stage 2, sha256 stage 2');
  const [nText, saltText, keyText, nativeHex, sha2Hex] = f;
  const n = Number(nText);
  if (!Number.isInteger(n) || n < 2 || n > 1 << 20 || (n & (n - 1)) !== 0) throw new HashFormatError(`bad scrypt cost N '${nText}'`);
  if (!B64.test(saltText) || !B64.test(keyText)) throw new HashFormatError('bad base64 in salt or hash');
  const salt = Buffer.from(saltText, 'base64');
  const key = Buffer.from(keyText, 'base64');
  if (key.length < 16) throw new HashFormatError('scrypt hash too short');
  if (nativeHex !== '' && !HEX40.test(nativeHex)) throw new HashFormatError('the sha1 stage 2 must be 40 hex digits or empty');
  if (sha2Hex !== '' && !HEX64.test(sha2Hex)) throw new HashFormatError('the sha256 stage 2 must be 64 hex digits or empty');
  const cred: StoredCredential = {
    verifyClearText: (pw) => timingSafeEqual(scrypt(pw, salt, n, key.length), key),
  };
  if (nativeHex !== '') cred.nativeStage2 = Buffer.from(nativeHex, 'hex');
  if (sha2Hex !== '') cred.sha256Stage2 = Buffer.from(sha2Hex, 'hex');
  return cred;
}
