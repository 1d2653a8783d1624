// The users-file authenticator: looks users up in memory, reloads the file on demand (SIGHUP).
import type { Logger } from '../../kernel/logger.js';
import type { AuthDecision, AuthRequest, Authenticator } from '../../kernel/plugin.js';
import { requirementFailure } from './tls-requirement.js';
import { loadUsersFile, UsersFileError, type UserEntry } from './users-file.js';

export class FileAuthenticator implements Authenticator {
  private users: Map<string, UserEntry>;

  /** Loads the file now; throws UsersFileError when it is missing or malformed. */
  constructor(readonly path: string, private readonly log: Logger) {
    this.users = loadUsersFile(path);
  }

  get userCount(): number {
    return this.users.size;
  }

  /** SIGHUP: re-reads the file; on error keeps the current users and logs. */
  reload(): void {
    this.reloadUsers();
  }

  /** Re-reads the file; on error keeps the current users, logs, and returns false. */
  reloadUsers(): boolean {
    try {
      this.users = loadUsersFile(this.path);
      this.log.info('auth-file: users file reloaded', { path: this.path, users: this.users.size });
      return true;
    } catch (e) {
      if (!(e instanceof UsersFileError)) throw e;
      this.log.error('auth-file: reload failed, keeping the previous users', { error: e.message });
      return false;
    }
  }

  async authenticate(req: AuthRequest): Promise<AuthDecision> {
    const entry = this.users.get(req.user);
    if (!entry) return { kind: 'deny', reason: `auth-file: no user '${req.user}' in ${this.path}` };
    // Checked before the password, as the client learns only 1045 either way; the log says which.
    const failure = requirementFailure(entry.requirement, req.transport);
    if (failure !== undefined) return { kind: 'deny', reason: `auth-file: user '${req.user}' ${failure}` };
    return { kind: 'verify', credential: entry.credential };
  }
}
