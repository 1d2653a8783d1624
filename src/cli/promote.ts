// `mizzle promote HOST:PORT [--user U] [--password P]`: runs PROMOTE on a replica over the native protocol, for operators and scripts.
import { hostPortText, readHostPort } from '../base/host-port.js';
import { connect } from '../client/index.js';

const USAGE = 'usage: mizzle promote HOST:PORT [--user root] [--password P]   (the native protocol port; MIZZLE_PASSWORD also gives the password)';
/** How long PROMOTE may take (it first applies what the replica received). */
const PROMOTE_TIMEOUT_MS = 120_000;

export async function promoteCommand(args: string[]): Promise<number> {
  let address: string | undefined;
  let user = 'root';
  let password = process.env.MIZZLE_PASSWORD ?? '';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if ((a === '--user' || a === '--password') && i + 1 < args.length) {
      if (a === '--user') user = args[++i];
      else password = args[++i];
    } else if (!a.startsWith('-') && address === undefined) address = a;
    else {
      process.stderr.write(`${USAGE}\n`);
      return 2;
    }
  }
  const target = address === undefined ? undefined : readHostPort(address);
  if (target === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const auth = password === '' ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
  // No redirects: PROMOTE is meant for this server.
  const client = connect(`mizzle://${auth}@${hostPortText(target)}/?maxRedirects=0&poolSize=1&timeoutMs=${PROMOTE_TIMEOUT_MS}`);
  try {
    const before = await client.query('SHOW REPLICA STATUS');
    const applied = before.rows[0]?.[before.columns.findIndex((c) => c.name === 'Last_Applied_Id')];
    await client.query('PROMOTE');
    const uuid = (await client.query('SELECT @@server_uuid AS u')).rows[0]?.[0];
    process.stdout.write(`promoted ${hostPortText(target)}: it takes writes and logs them as ${String(uuid)}:N (it had applied ${applied === undefined || applied === '' ? 'nothing' : String(applied)}); point the other replicas at it with CHANGE REPLICATION SOURCE TO SOURCE_HOST = '${target.host}', SOURCE_PORT = ${target.port}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`mizzle promote: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await client.close();
  }
}
