// Reading the CA certificates a plugin should trust for its TLS connections (LDAP, HTTP).
import { readFileSync } from 'node:fs';
import { ConfigError } from '../../kernel/config.js';

/** The PEM text of `option`'s file, or undefined for '' (the system CAs); an unreadable file is a startup error. */
export function readCaFile(option: string, path: string): string | undefined {
  if (path === '') return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`${option}: cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
