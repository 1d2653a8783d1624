// The auth-file plugin: password logins checked against a users file of salted hashes.
import { isAbsolute, join } from 'node:path';
import { ConfigError } from '../../kernel/config.js';
import type { Authenticator, Plugin } from '../../kernel/plugin.js';
import { FileAuthenticator } from './auth-file.js';
import { UsersFileError } from './users-file.js';

export { passwdLine, hashPassword } from './password-hash.js';
export { FileAuthenticator };

export const plugin: Plugin<'authentication'> = {
  manifest: {
    name: 'auth-file',
    kind: 'authentication',
    version: '0.1.0',
    description: 'Checks passwords against a users file of user:hash lines (reloaded on SIGHUP)',
    defaultEnabled: false,
    options: [
      { name: 'users_file', type: 'string', default: 'users', description: 'The users file, relative to the datadir unless absolute' },
    ],
  },
  init(ctx): Authenticator {
    const name = String(ctx.options.users_file);
    const path = isAbsolute(name) ? name : join(ctx.datadir, name);
    let auth: FileAuthenticator;
    try {
      auth = new FileAuthenticator(path, ctx.log);
    } catch (e) {
      if (e instanceof UsersFileError) throw new ConfigError(`auth-file: ${e.message}`);
      throw e;
    }
    ctx.log.info('auth-file: users loaded', { path, users: auth.userCount });
    return auth;
  },
};
