// The auth-none plugin: password-less logins for local development and trusted loopback use.
import type { Authenticator, Plugin } from '../../kernel/plugin.js';
import { NoneAuthenticator } from './auth-none.js';

export const plugin: Plugin<'authentication'> = {
  manifest: {
    name: 'auth-none',
    kind: 'authentication',
    version: '0.1.0',
    description: 'Accepts any user without a password, from loopback addresses only unless allow_remote is set',
    defaultEnabled: true,
    options: [
      { name: 'allow_remote', type: 'boolean', default: false, description: 'Also accept clients from non-loopback addresses (unsafe)' },
    ],
  },
  init(ctx): Authenticator {
    if (ctx.options.allow_remote === true) ctx.log.warn('auth-none: allow_remote is on: anyone who can reach the port can log in as any user');
    return new NoneAuthenticator(ctx.options.allow_remote === true);
  },
};
