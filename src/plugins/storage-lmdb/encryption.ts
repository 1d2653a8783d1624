// Encryption at rest for the lmdb engine: the key from a file or the environment, checked against the
// engine directory's marker before LMDB opens anything, so a wrong or missing key changes nothing on disk.
import { createHash, createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';

/** Written beside data.mdb when the environment is created encrypted; it holds a check of the key, never the key. */
const MARKER = 'encryption.json';
/** Key material shorter than this is refused: `openssl rand -hex 32` gives 64 characters. */
const MIN_KEY_BYTES = 32;

/** A key ready for LMDB, and the check the marker keeps of it. */
export interface EngineKey {
  /**
   * What lmdb-js takes as `encryptionKey`: 32 characters (it uses them as the ChaCha8 key). Derived
   * from the material by SHA-256 in base64, so any material of 32 bytes or more serves, and the
   * string is plain ASCII (lmdb-js takes a string; a Buffer key aborts the process in this version).
   */
  lmdbKey: string;
  check: string;
}

export function engineKey(material: Buffer): EngineKey {
  return {
    lmdbKey: createHash('sha256').update(material).digest('base64').slice(0, 32),
    check: createHmac('sha256', material).update('mizzle lmdb encryption key check, format 1').digest('hex'),
  };
}

/** The key the options give: the file named by encryption_key_file, or encryption_key (the environment only); undefined for none. */
export function keyFromOptions(keyFile: string, keyText: string): EngineKey | undefined {
  if (keyFile !== '' && keyText !== '') throw new ConfigError('lmdb: give the encryption key by encryption_key_file or by MIZZLE_LMDB__ENCRYPTION_KEY, not both');
  let material: Buffer;
  if (keyFile !== '') {
    try {
      material = trimmed(readFileSync(keyFile));
    } catch (e) {
      throw new ConfigError(`lmdb: cannot read the encryption key file ${keyFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else if (keyText !== '') material = trimmed(Buffer.from(keyText, 'utf8'));
  else return undefined;
  if (material.length < MIN_KEY_BYTES) throw new ConfigError(`lmdb: the encryption key must be at least ${MIN_KEY_BYTES} bytes (make one with: openssl rand -hex 32)`);
  return engineKey(material);
}

/** A key file's text without the newline an editor or `openssl rand -hex` leaves at its end. */
function trimmed(b: Buffer): Buffer {
  let end = b.length;
  while (end > 0 && (b[end - 1] === 0x0a || b[end - 1] === 0x0d || b[end - 1] === 0x20)) end--;
  return b.subarray(0, end);
}

/**
 * Checks `key` against the engine directory before LMDB opens it: an encrypted directory needs its
 * key, the right one; an existing unencrypted one cannot be encrypted in place. A new directory
 * opened with a key gets its marker first.
 */
export function checkKeyFor(dir: string, key: EngineKey | undefined): void {
  const marker = join(dir, MARKER);
  const data = existsSync(join(dir, 'data.mdb'));
  if (existsSync(marker)) {
    let check: unknown;
    try {
      check = (JSON.parse(readFileSync(marker, 'utf8')) as { key_check?: unknown }).key_check;
    } catch {
      throw new ConfigError(`lmdb: ${marker} is unreadable; it says how ${dir} is encrypted`);
    }
    if (key === undefined) throw new ConfigError(`lmdb: the data in ${dir} is encrypted; give its key with --lmdb.encryption_key_file=FILE or MIZZLE_LMDB__ENCRYPTION_KEY`);
    if (check !== key.check) throw new ConfigError(`lmdb: the encryption key given is not the key of the data in ${dir}`);
    return;
  }
  if (key === undefined) return;
  if (data) throw new ConfigError(`lmdb: ${dir} holds unencrypted data; encryption applies to a new datadir (load a dump into one)`);
  writeMarker(dir, key);
}

export function writeMarker(dir: string, key: EngineKey): void {
  writeFileSync(join(dir, MARKER), JSON.stringify({ format: 1, cipher: 'ChaCha8 (lmdb-js encryptionKey)', key_check: key.check }) + '\n', { mode: 0o600 });
}
