// The authz-own-schema plugin: every user sees only the schema of their own name (plus information_schema); admins see all.
import type { Authorizer, Plugin } from '../../kernel/plugin.js';
import { OwnSchemaAuthorizer, parseAdminList } from './authz-own-schema.js';

export { OwnSchemaAuthorizer };

export const plugin: Plugin<'authorization'> = {
  manifest: {
    name: 'authz-own-schema',
    kind: 'authorization',
    version: '0.1.0',
    description: 'Each user may use only the schema named like the user (and read information_schema); admin users may use everything',
    defaultEnabled: false,
    options: [
      { name: 'admin_users', type: 'string', default: '', description: 'Comma-separated users who may use every schema and see and kill every session' },
    ],
  },
  init(ctx): Authorizer {
    const admins = parseAdminList(String(ctx.options.admin_users));
    ctx.log.info('authz-own-schema: each user is confined to the schema of their name', { admin_users: admins.join(',') || '(none)' });
    return new OwnSchemaAuthorizer(admins);
  },
};
