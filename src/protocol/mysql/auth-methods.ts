// The scramble and the password methods, both ends: mysql_native_password, caching_sha2_password, mysql_clear_password.
import { constants, createHash, publicEncrypt, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCRAMBLE_LENGTH = 20;

/**
 * A fresh 20-byte scramble. Like MySQL's, its bytes are 7-bit, never NUL and never
 * '$', so clients that treat the auth data as a C string read it whole.
 */
export function generateScramble(): Buffer {
  const b = randomBytes(SCRAMBLE_LENGTH);
  for (let i = 0; i < b.length; i++) {
    let c = b[i] & 0x7f;
    if (c === 0 || c === 0x24) c++;
    b[i] = c;
  }
  return b;
}

function sha1(...parts: Buffer[]): Buffer {
  const h = createHash('sha1');
  for (const p of parts) h.update(p);
  return h.digest();
}

function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.allocUnsafe(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

// ------------------------------------------------------------------ mysql_native_password

/** SHA1(SHA1(password)): what MySQL stores (as '*' + hex) for mysql_native_password. */
export function nativeStage2(password: string): Buffer {
  return sha1(sha1(Buffer.from(password, 'utf8')));
}

/** The client's answer: SHA1(pw) XOR SHA1(scramble + SHA1(SHA1(pw))); empty for an empty password. */
export function nativeToken(password: string, scramble: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha1(Buffer.from(password, 'utf8'));
  return xor(stage1, sha1(scramble, sha1(stage1)));
}

/** Checks a native token: recover SHA1(pw) with the stored stage 2 and hash it again. */
export function verifyNative(token: Buffer, scramble: Buffer, stage2: Buffer): boolean {
  if (token.length !== 20 || stage2.length !== 20) return false;
  const stage1 = xor(token, sha1(scramble, stage2));
  return sameBytes(sha1(stage1), stage2);
}

// ------------------------------------------------------------------ caching_sha2_password

/** SHA256(SHA256(password)): what caching_sha2_password's fast path checks against. */
export function sha2Stage2(password: string): Buffer {
  return sha256(sha256(Buffer.from(password, 'utf8')));
}

/** The client's answer: SHA256(pw) XOR SHA256(SHA256(SHA256(pw)) + scramble); empty for an empty password. */
export function sha2Token(password: string, scramble: Buffer): Buffer {
  if (password === '') return Buffer.alloc(0);
  const stage1 = sha256(Buffer.from(password, 'utf8'));
  return xor(stage1, sha256(sha256(stage1), scramble));
}

/** Checks a caching_sha2_password fast-path token against the stored SHA256(SHA256(pw)). */
export function verifySha2(token: Buffer, scramble: Buffer, stage2: Buffer): boolean {
  if (token.length !== 32 || stage2.length !== 32) return false;
  const stage1 = xor(token, sha256(stage2, scramble));
  return sameBytes(sha256(stage1), stage2);
}

/**
 * caching_sha2_password's full authentication on a clear connection, the client's side: the
 * password and its NUL, XORed with the scramble (repeated), encrypted with the server's RSA
 * public key (PEM) with OAEP padding over SHA-1, as MySQL's clients do. Throws when the key is not an RSA public key.
 */
export function sha2RsaEncryptedPassword(password: string, scramble: Buffer, publicKeyPem: string | Buffer): Buffer {
  const plain = Buffer.from(password + '\0', 'utf8');
  for (let i = 0; i < plain.length; i++) plain[i] ^= scramble[i % scramble.length];
  return publicEncrypt({ key: publicKeyPem, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, plain);
}

/** Stage-2 digests of the empty password, for recognising a credential that has none. */
export const EMPTY_NATIVE_STAGE2 = nativeStage2('');
export const EMPTY_SHA2_STAGE2 = sha2Stage2('');

// ------------------------------------------------------------------ mysql_clear_password

/** The client's answer: the password itself, NUL-terminated. */
export function clearTextToken(password: string): Buffer {
  return Buffer.from(password + '\0', 'utf8');
}

/** The password in a clear-text answer; the terminating NUL is optional, as some clients leave it out. */
export function clearTextPassword(answer: Buffer): string {
  const end = answer.length > 0 && answer[answer.length - 1] === 0 ? answer.length - 1 : answer.length;
  return answer.toString('utf8', 0, end);
}
