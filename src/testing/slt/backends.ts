// Where the runner sends SQL: an in-process engine on a fresh datadir, or a server over the MySQL protocol.
import type { Connection, FieldPacket } from 'mysql2/promise';
import type { KernelSession } from '../../kernel/plugin.js';
import type { ResultColumn } from '../../base/result.js';
import { SqlError } from '../../base/errors.js';
import { formatValueText } from '../../base/format.js';
import { isIntegerType, type SqlType } from '../../base/sql-type.js';
import { startEmbedded, type Embedded } from '../embedded.js';
import type { BackendResult } from './render.js';

/** The outcome of one statement: rows, OK, or an error code and message. */
export type Outcome = { kind: 'rows'; result: BackendResult } | { kind: 'ok' } | { kind: 'error'; code: number; message: string };

export interface Backend {
  /** Runs in a fresh database of this name (created, used, dropped after). */
  begin(database: string): Promise<void>;
  run(sql: string): Promise<Outcome>;
  end(database: string): Promise<void>;
  close(): Promise<void>;
}

function letterOf(t: SqlType): string {
  if (isIntegerType(t) || t.kind === 'year') return 'I';
  if (t.kind === 'decimal' || t.kind === 'float' || t.kind === 'double') return 'R';
  return 'T';
}

export class EmbeddedBackend implements Backend {
  private constructor(private readonly e: Embedded, private session: KernelSession) {}

  static async open(): Promise<EmbeddedBackend> {
    const e = await startEmbedded();
    return new EmbeddedBackend(e, e.session());
  }

  async begin(database: string): Promise<void> {
    this.session = this.e.session();
    await this.run(`CREATE DATABASE ${database}`);
    await this.run(`USE ${database}`);
  }

  async run(sql: string): Promise<Outcome> {
    try {
      const r = await this.e.run(this.session, sql);
      if (r.kind === 'ok') return { kind: 'ok' };
      if (r.kind === 'streamed') throw new Error('the embedded backend passes no row sink, so nothing streams');
      const cols: ResultColumn[] = r.columns;
      return {
        kind: 'rows',
        result: {
          types: cols.map((c) => letterOf(c.type)),
          rows: r.rows.map((row) => row.map((v, i) => {
            const t = formatValueText(v, cols[i].type);
            return t === null ? null : typeof t === 'string' ? t : t.toString('utf8');
          })),
        },
      };
    } catch (e) {
      if (e instanceof SqlError) return { kind: 'error', code: e.code, message: e.message };
      return { kind: 'error', code: -1, message: e instanceof Error ? e.stack ?? e.message : String(e) };
    }
  }

  async end(database: string): Promise<void> {
    await this.run(`DROP DATABASE IF EXISTS ${database}`);
    this.session.close();
  }

  async close(): Promise<void> {
    await this.e.stop();
  }
}

/** MySQL field type codes: integers → I, exact/approximate numerics → R. */
const INT_TYPES = new Set([1, 2, 3, 8, 9, 13]);
const REAL_TYPES = new Set([0, 4, 5, 246]);

export class WireBackend implements Backend {
  private constructor(private readonly conn: Connection) {}

  static async open(host: string, port: number, user: string, password: string): Promise<WireBackend> {
    const mysql = await import('mysql2/promise');
    const conn = await mysql.createConnection({
      host, port, user, password,
      rowsAsArray: true,
      // Values as the server sent them, as text: the runner renders them itself.
      typeCast: (field, next) => { void next; return field.string(); },
    });
    return new WireBackend(conn);
  }

  async begin(database: string): Promise<void> {
    await this.run(`DROP DATABASE IF EXISTS ${database}`);
    await this.run(`CREATE DATABASE ${database}`);
    await this.run(`USE ${database}`);
  }

  async run(sql: string): Promise<Outcome> {
    try {
      const [rows, fields] = await this.conn.query({ sql, rowsAsArray: true });
      if (!Array.isArray(rows) || !fields) return { kind: 'ok' };
      const fs = fields as FieldPacket[];
      return {
        kind: 'rows',
        result: {
          types: fs.map((f) => (INT_TYPES.has(f.columnType ?? -1) ? 'I' : REAL_TYPES.has(f.columnType ?? -1) ? 'R' : 'T')),
          rows: (rows as unknown as (string | null)[][]).map((r) => r.map((v) => (v === null ? null : String(v)))),
        },
      };
    } catch (e) {
      const err = e as { errno?: number; message?: string };
      return { kind: 'error', code: err.errno ?? -1, message: err.message ?? String(e) };
    }
  }

  async end(database: string): Promise<void> {
    await this.run(`DROP DATABASE IF EXISTS ${database}`);
  }

  async close(): Promise<void> {
    await this.conn.end();
  }
}
