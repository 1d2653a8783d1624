// Runs sqllogictest records through mizzle's client library, so the same SQL files check every transport (mysql://, http://).
import { connect, MizzleError, type Client, type ClientValue, type ColumnTypeName, type ReservedSession } from '../../client/index.js';
import type { Backend, Outcome } from './backends.js';

function letterOf(t: ColumnTypeName): string {
  if (t === 'tinyint' || t === 'smallint' || t === 'mediumint' || t === 'int' || t === 'bigint' || t === 'year') return 'I';
  if (t === 'decimal' || t === 'float' || t === 'double') return 'R';
  return 'T';
}

/** A client value as the text the MySQL protocol would have carried. */
function textOf(v: ClientValue, t: ColumnTypeName): string | null {
  if (v === null) return null;
  if (v instanceof Uint8Array) return new TextDecoder().decode(v);
  if (t === 'datetime' || t === 'timestamp') return String(v).replace('T', ' ');
  return String(v);
}

/**
 * A backend on a client for `urlFor(database)`. Each file runs on one reserved session
 * of a client on its own database, so session state lasts from record to record.
 */
export class ClientBackend implements Backend {
  private client: Client | undefined;
  private session: ReservedSession | undefined;
  private readonly admin: Client;

  constructor(private readonly urlFor: (database?: string) => string) {
    this.admin = connect(urlFor(), { poolSize: 1 });
  }

  async begin(database: string): Promise<void> {
    await this.admin.query(`DROP DATABASE IF EXISTS ${database}`);
    await this.admin.query(`CREATE DATABASE ${database}`);
    this.client = connect(this.urlFor(database), { poolSize: 1 });
    this.session = await this.client.reserve();
  }

  async run(sql: string): Promise<Outcome> {
    const on = this.session ?? this.admin;
    try {
      const r = await on.query(sql);
      if (r.columns.length === 0) return { kind: 'ok' };
      return {
        kind: 'rows',
        result: { types: r.columns.map((c) => letterOf(c.type)), rows: r.rows.map((row) => row.map((v, i) => textOf(v, r.columns[i].type))) },
      };
    } catch (e) {
      if (e instanceof MizzleError && e.kind === 'server') return { kind: 'error', code: e.code, message: e.message };
      return { kind: 'error', code: -1, message: e instanceof Error ? e.stack ?? e.message : String(e) };
    }
  }

  async end(database: string): Promise<void> {
    await this.session?.release();
    this.session = undefined;
    await this.client?.close();
    this.client = undefined;
    await this.admin.query(`DROP DATABASE IF EXISTS ${database}`).catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.client?.close();
    await this.admin.close();
  }
}
