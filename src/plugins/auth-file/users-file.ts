// Reads the users file: `user:hash [REQUIRE ...]` lines, '#' comments and blank lines ignored, every error with its line number.
import { readFileSync } from 'node:fs';
import type { StoredCredential } from '../../kernel/plugin.js';
import { HashFormatError, parseHash } from './password-hash.js';
import { parseTlsRequirement, RequirementFormatError, type TlsRequirement } from './tls-requirement.js';

export class UsersFileError extends Error {}

/** One user: the stored password hash, and what the connection must be (REQUIRE). */
export interface UserEntry {
  credential: StoredCredential;
  requirement: TlsRequirement;
}

/**
 * `user:hash` then, after white space, REQUIRE and its clause. A hash holds no white space,
 * so the first `:hash REQUIRE` ends the user and hash even when the clause's names hold ':'.
 */
const WITH_REQUIREMENT = /^(.*?:\S*)\s+require(?:\s+(.*))?$/is;

/** Parses the file's text; the user name is everything before the last ':' of `user:hash`. */
export function parseUsersFile(text: string, path: string): Map<string, UserEntry> {
  const users = new Map<string, UserEntry>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    let requirement: TlsRequirement = { kind: 'none' };
    const withRequirement = WITH_REQUIREMENT.exec(line);
    if (withRequirement) {
      line = withRequirement[1];
      try {
        requirement = parseTlsRequirement(withRequirement[2] ?? '');
      } catch (e) {
        if (e instanceof RequirementFormatError) throw new UsersFileError(`${path}:${i + 1}: ${e.message}`);
        throw e;
      }
    }
    const colon = line.lastIndexOf(':');
    if (colon <= 0) throw new UsersFileError(`${path}:${i + 1}: expected 'user:hash'`);
    const user = line.slice(0, colon);
    if (users.has(user)) throw new UsersFileError(`${path}:${i + 1}: user '${user}' appears twice`);
    try {
      users.set(user, { credential: parseHash(line.slice(colon + 1)), requirement });
    } catch (e) {
      if (e instanceof HashFormatError) throw new UsersFileError(`${path}:${i + 1}: ${e.message}`);
      throw e;
    }
  }
  return users;
}

/** Reads and parses the file; a missing or unreadable file is a UsersFileError too. */
export function loadUsersFile(path: string): Map<string, UserEntry> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsersFileError(`cannot read the users file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)} (create it with lines made by \`mizzle passwd USER\`)`);
  }
  return parseUsersFile(text, path);
}
