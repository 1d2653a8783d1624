// The MySQL protocol plugin: the wire protocol on a TCP port, for every MySQL client and driver.
// Its server's modules load in init: the main thread beside worker threads serves no clients and never loads them.
import { ConfigError } from '../../kernel/config.js';
import type { Plugin, ProtocolServer } from '../../kernel/plugin.js';
import { AuthMethod } from '../../protocol/mysql/constants.js';
import { sha2RsaKeySource } from './sha2-rsa-key.js';

export type { MysqlProtocolServer } from './server.js';

export const plugin: Plugin<'protocol'> = {
  manifest: {
    name: 'mysql',
    kind: 'protocol',
    version: '0.1.0',
    description: 'MySQL client/server protocol over TCP (text queries and prepared statements)',
    defaultEnabled: true,
    options: [
      { name: 'port', type: 'number', default: 3306, description: 'TCP port to listen on', alias: 'port' },
      { name: 'bind', type: 'string', default: '127.0.0.1', description: 'Address to listen on (0.0.0.0 or :: for all)', alias: 'bind' },
      { name: 'max_connections', type: 'number', default: 151, description: 'Concurrent clients; one more is refused with error 1040' },
      { name: 'connect_timeout', type: 'number', default: 10, description: 'Seconds a client has to complete the handshake and login' },
      {
        name: 'default_auth',
        type: 'string',
        default: AuthMethod.CACHING_SHA2,
        description: 'Auth method offered in the handshake: caching_sha2_password or mysql_native_password',
      },
      {
        name: 'caching_sha2_password_private_key_path',
        type: 'string',
        default: '',
        description: 'RSA key clients on clear connections encrypt their password to (caching_sha2_password); none: private_key.pem, generated into the datadir when first needed',
      },
    ],
  },
  async init(ctx): Promise<ProtocolServer> {
    const o = ctx.options;
    const defaultAuth = String(o.default_auth);
    if (defaultAuth !== AuthMethod.CACHING_SHA2 && defaultAuth !== AuthMethod.NATIVE) {
      throw new ConfigError(`mysql.default_auth must be ${AuthMethod.CACHING_SHA2} or ${AuthMethod.NATIVE}, not '${defaultAuth}'`);
    }
    const port = Number(o.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`mysql.port must be 0..65535, not ${String(o.port)}`);
    const { MysqlProtocolServer } = await import('./server.js');
    return new MysqlProtocolServer(ctx.kernel, ctx.log, {
      port,
      bind: String(o.bind),
      maxConnections: Math.max(1, Math.floor(Number(o.max_connections))),
      connectTimeoutSeconds: Math.max(1, Number(o.connect_timeout)),
      defaultAuth,
      rsaKey: sha2RsaKeySource(String(o.caching_sha2_password_private_key_path ?? ''), ctx.datadir),
    });
  },
};
