// One shard server as `mizzle shard move|split|failover` see it: an administrator's native connection and the replication facts they read and set.
import { hostPortText, readHostPort } from '../../base/host-port.js';
import { connect, type Client, type ClientValue, type QueryResult } from '../../client/index.js';
import type { ServerAddress } from '../../sharding/topology.js';

/** A change-log position: the server whose log it is and a sequence in it. */
export interface LogPosition {
  uuid: string;
  sequence: bigint;
}

/** What SHOW REPLICA STATUS says, as the commands need it. */
export interface ReplicaFacts {
  sourceHost: string;
  sourcePort: number;
  running: boolean;
  applied: LogPosition | undefined;
  error: string;
}

/** Each statement to a shard server gives up after this long (a hung server must not hang a cut-over). */
const STATEMENT_TIMEOUT_MS = 5000;

/** 'uuid:N' → a position; '' → undefined. */
function parsePosition(text: string): LogPosition | undefined {
  const m = /^([0-9a-f-]{36}):(?:\d+-)?(\d+)$/i.exec(text.trim());
  return m ? { uuid: m[1].toLowerCase(), sequence: BigInt(m[2]) } : undefined;
}

/** host:port, checked. */
export function parseAddress(text: string): ServerAddress {
  const address = readHostPort(text);
  if (address === undefined) throw new Error(`'${text}' is not host:port (a server's native protocol address)`);
  return address;
}


export class ShardServer {
  private readonly client: Client;

  constructor(readonly address: ServerAddress, user: string, password: string) {
    const auth = password === '' ? encodeURIComponent(user) : `${encodeURIComponent(user)}:${encodeURIComponent(password)}`;
    // No redirects: these statements are meant for this server, read-only or not.
    this.client = connect(`mizzle://${auth}@${hostPortText(address)}/?maxRedirects=0&poolSize=1&timeoutMs=${STATEMENT_TIMEOUT_MS}`);
  }

  get name(): string {
    return hostPortText(this.address);
  }

  query(sql: string, params: readonly ClientValue[] = []): Promise<QueryResult> {
    return this.client.query(sql, params);
  }

  /** The first row by column name; undefined when there is none. */
  async row(sql: string): Promise<Record<string, ClientValue> | undefined> {
    const r = await this.query(sql);
    if (r.rows.length === 0) return undefined;
    return Object.fromEntries(r.columns.map((c, i) => [c.name, r.rows[0][i]]));
  }

  /** The newest transaction this server committed to its change log (one statement while the log holds anything). */
  async lastCommitted(): Promise<LogPosition> {
    const status = await this.row('SHOW MASTER STATUS');
    const p = status === undefined ? undefined : parsePosition(String(status.Executed_Gtid_Set ?? ''));
    if (p !== undefined) return p;
    const uuid = String((await this.row('SELECT @@server_uuid AS u'))?.u ?? '').toLowerCase();
    return { uuid, sequence: 0n };
  }

  /** SHOW REPLICA STATUS; undefined on a server that follows nobody. */
  async replicaFacts(): Promise<ReplicaFacts | undefined> {
    const s = await this.row('SHOW REPLICA STATUS');
    if (s === undefined) return undefined;
    return {
      sourceHost: String(s.Source_Host ?? ''),
      sourcePort: Number(s.Source_Port ?? 0),
      running: s.Replica_SQL_Running === 'Yes',
      applied: parsePosition(String(s.Last_Applied_Id ?? '')),
      error: String(s.Last_Error ?? ''),
    };
  }

  /** The MySQL port it serves (for the topology's mysqlPort). */
  async mysqlPort(): Promise<number | undefined> {
    const p = Number((await this.row('SELECT @@port AS p'))?.p);
    return Number.isInteger(p) && p > 0 && p <= 65535 ? p : undefined;
  }

  /** read_only and super_read_only together: on refuses every client's write and commit, off opens it. */
  async setReadOnly(on: boolean): Promise<void> {
    if (on) {
      await this.query('SET GLOBAL read_only = 1');
      await this.query('SET GLOBAL super_read_only = 1');
    } else {
      await this.query('SET GLOBAL super_read_only = 0');
      await this.query('SET GLOBAL read_only = 0');
    }
  }

  /** super_read_only alone: no client's write or commit runs (the cut-over's freeze of a shard's old primary). */
  async freezeWrites(): Promise<void> {
    await this.query('SET GLOBAL super_read_only = 1');
  }

  /** Stops following its source and takes writes, keeping the source's settings: a cut-over that fails can START REPLICA again. */
  async openForWrites(): Promise<void> {
    await this.query('STOP REPLICA');
    await this.setReadOnly(false);
  }

  /** PROMOTE: applies what it received, forgets its source (a restart keeps it a primary) and takes writes. */
  async promote(): Promise<void> {
    await this.query('PROMOTE');
  }

  /** Follows `source` from the newest transaction it holds (CHANGE REPLICATION SOURCE TO between STOP and START REPLICA). */
  async follow(source: ServerAddress): Promise<void> {
    await this.query('STOP REPLICA');
    const host = source.host.replace(/'/g, "''");
    await this.query(`CHANGE REPLICATION SOURCE TO SOURCE_HOST = '${host}', SOURCE_PORT = ${source.port}`);
    await this.query('START REPLICA');
  }

  close(): Promise<void> {
    return this.client.close();
  }
}
