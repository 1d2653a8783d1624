// The auth-none plugin: password-less logins for local development and trusted loopback use.
import { ConfigError } from '../../kernel/config.js';
import type { Authenticator, Plugin } from '../../kernel/plugin.js';
import { isLoopbackAddress } from '../shared/address.js';
import { NoneAuthenticator } from './auth-none.js';

export const plugin: Plugin<'authentication'> = {
  manifest: {
    name: 'auth-none',
    kind: 'authentication',
    version: '0.1.0',
    description: 'Accepts any user without a password, from loopback addresses only unless allow_remote is set',
    defaultEnabled: true,
    options: [
      { name: 'allow_remote', type: 'boolean', default: false, description: 'Also accept clients from non-loopback addresses, and a non-loopback bind address (unsafe)' },
    ],
  },
  init(ctx): Authenticator {
    const allowRemote = ctx.options.allow_remote === true;
    const bind = String(ctx.kernel.getGlobalVariable('bind_address') ?? '127.0.0.1');
    // Listening beyond loopback with no passwords is almost always a mistake: say so before anyone can connect.
    if (!allowRemote && !isLoopbackBind(bind)) {
      throw new ConfigError(
        `auth-none accepts anyone without a password, so it refuses to start with a non-loopback bind address (${bind}); ` +
          'bind to 127.0.0.1, use a password plugin (--plugin-remove=auth-none --plugin-add=auth-file), or set auth-none.allow_remote=true',
      );
    }
    if (allowRemote) ctx.log.warn('auth-none: allow_remote is on: anyone who can reach the port can log in as any user');
    return new NoneAuthenticator(allowRemote);
  },
};

/** True when the listener is reachable from this machine only. */
function isLoopbackBind(address: string): boolean {
  const a = address.trim().toLowerCase();
  return a === 'localhost' || isLoopbackAddress(a.replace(/^\[(.*)\]$/, '$1'));
}
