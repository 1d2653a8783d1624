// Reads the users file: `user:hash` lines, '#' comments and blank lines ignored, every error with its line number.
import { readFileSync } from 'node:fs';
import type { StoredCredential } from '../../kernel/plugin.js';
import { HashFormatError, parseHash } from './password-hash.js';

export class UsersFileError extends Error {}

/** Parses the file's text; the user name is everything before the last ':'. */
export function parseUsersFile(text: string, path: string): Map<string, StoredCredential> {
  const users = new Map<string, StoredCredential>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const colon = line.lastIndexOf(':');
    if (colon <= 0) throw new UsersFileError(`${path}:${i + 1}: expected 'user:hash'`);
    const user = line.slice(0, colon);
    if (users.has(user)) throw new UsersFileError(`${path}:${i + 1}: user '${user}' appears twice`);
    try {
      users.set(user, parseHash(line.slice(colon + 1)));
    } catch (e) {
      if (e instanceof HashFormatError) throw new UsersFileError(`${path}:${i + 1}: ${e.message}`);
      throw e;
    }
  }
  return users;
}

/** Reads and parses the file; a missing or unreadable file is a UsersFileError too. */
export function loadUsersFile(path: string): Map<string, StoredCredential> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsersFileError(`cannot read the users file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (create it with lines made by \`mizzle passwd USER\`)`);
  }
  return parseUsersFile(text, path);
}
