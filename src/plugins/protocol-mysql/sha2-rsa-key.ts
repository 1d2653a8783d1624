// caching_sha2_password's RSA key pair: clients on clear connections encrypt their password with its public half.
import { constants, createPrivateKey, createPublicKey, generateKeyPair, privateDecrypt, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';

/** The key pair, as the exchange uses it. */
export interface Sha2RsaKey {
  privateKey: KeyObject;
  /** The public key in PEM, sent to a client that asks (AuthMoreData after its 0x02). */
  publicPem: Buffer;
  /** Bytes of an encrypted password: the modulus size. */
  sizeBytes: number;
}

/** MySQL 8's file names for the generated pair. */
export const PRIVATE_KEY_FILE = 'private_key.pem';
export const PUBLIC_KEY_FILE = 'public_key.pem';

/** Gives the key pair, generating it the first time it is needed. */
export type Sha2RsaKeySource = () => Promise<Sha2RsaKey>;

/**
 * The key pair from `privatePath` (the public half is derived from it, so the two can never
 * disagree), or, with no path given, from the datadir, where a 2048-bit pair is generated
 * (in the background) the first time a clear connection needs it, so neither startup nor
 * servers that never need it pay for that. A key file that exists but cannot be read throws
 * a ConfigError now. Every worker thread has its own source: the private key is published
 * with an exclusive link, so the first thread's key is the one all of them read.
 */
export function sha2RsaKeySource(privatePath: string, datadir: string): Sha2RsaKeySource {
  const path = privatePath !== '' ? privatePath : join(datadir, PRIVATE_KEY_FILE);
  if (privatePath !== '' || existsSync(path)) {
    const key = Promise.resolve(readKey(path));
    return () => key;
  }
  let pending: Promise<Sha2RsaKey> | undefined;
  return () => {
    pending ??= (existsSync(path) ? Promise.resolve() : generateInto(datadir)).then(() => readKey(path));
    // A failure is not remembered: the next login tries again.
    pending.catch(() => (pending = undefined));
    return pending;
  };
}

function readKey(path: string): Sha2RsaKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(path));
  } catch (e) {
    throw new ConfigError(`cannot read the caching_sha2_password private key ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (privateKey.asymmetricKeyType !== 'rsa') throw new ConfigError(`the caching_sha2_password key ${path} must be an RSA key`);
  const publicPem = Buffer.from(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }));
  const bits = privateKey.asymmetricKeyDetails?.modulusLength ?? 2048;
  return { privateKey, publicPem, sizeBytes: Math.ceil(bits / 8) };
}

async function generateInto(datadir: string): Promise<void> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const tmp = join(datadir, `.${PRIVATE_KEY_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}`);
  writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    linkSync(tmp, join(datadir, PRIVATE_KEY_FILE));
    // For clients given the key beforehand (--server-public-key-path): best effort, derived when loading anyway.
    writeFileSync(join(datadir, PUBLIC_KEY_FILE), publicKey.export({ type: 'spki', format: 'pem' }));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
}

/**
 * The password from an RSA-encrypted answer: OAEP (SHA-1, as MySQL 8 uses) over the
 * password and its NUL, XORed with the scramble. Null when it does not decrypt.
 */
export function decryptSha2Password(key: Sha2RsaKey, answer: Buffer, scramble: Buffer): string | null {
  if (answer.length !== key.sizeBytes) return null;
  let plain: Buffer;
  try {
    plain = privateDecrypt({ key: key.privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' }, answer);
  } catch {
    return null;
  }
  for (let i = 0; i < plain.length; i++) plain[i] ^= scramble[i % scramble.length];
  const end = plain.length > 0 && plain[plain.length - 1] === 0 ? plain.length - 1 : plain.length;
  return plain.toString('utf8', 0, end);
}
