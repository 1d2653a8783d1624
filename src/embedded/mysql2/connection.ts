// A mysql2-compatible connection on an in-process kernel session: the callback API ORMs drive, with no socket.
import { EventEmitter } from 'node:events';
import { Readable } from 'node:stream';
import { escape, escapeId, format } from './sql-format.js';
import type { ResultColumn, RowSink, StatementResult } from '../../base/result.js';
import { Decimal, type Row, type Value } from '../../base/value.js';
import type { KernelApi, KernelSession } from '../../kernel/plugin.js';
import { Mizzle } from '../mizzle.js';
import { mysql2Error, usageError } from './errors.js';
import { RowShape, type CastOptions, type FieldPacket } from './values.js';

/** mysql2's options that mean something in-process; the wire ones (host, port, password, ssl, ...) are accepted and ignored. */
export interface ConnectionOptions extends CastOptions {
  /** An open embedded instance to use; without it the connection (or pool) opens its own and closes it at end. */
  db?: Mizzle;
  /** For an instance opened here: its engine and datadir (see Mizzle.open). */
  engine?: 'lmdb' | 'memory';
  datadir?: string;
  user?: string;
  database?: string;
  multipleStatements?: boolean;
  [wireOption: string]: unknown;
}

/** What `query` and `execute` take as their first argument. */
export interface QueryOptions extends CastOptions {
  sql: string;
  values?: unknown;
  timeout?: number;
}

export type QueryCallback = (err: Error | null, results?: unknown, fields?: FieldPacket[] | FieldPacket[][]) => void;

/** The answer to a statement without a result set, as mysql2 shapes it. */
export class ResultSetHeader {
  readonly fieldCount = 0;
  constructor(
    readonly affectedRows: number,
    readonly insertId: number,
    readonly info: string,
    readonly serverStatus: number,
    readonly warningStatus: number,
    readonly changedRows: number,
  ) {}
}

/** The instance a connection runs on, and how to let go of it. */
export interface InstanceLease {
  kernel: Promise<KernelApi>;
  release(): Promise<void>;
}

/** Opens an instance for `o` unless it names one; an opened one is closed when the lease is released. */
export function leaseInstance(o: ConnectionOptions): InstanceLease {
  if (o.db !== undefined) return { kernel: Promise.resolve(o.db.kernel), release: async () => undefined };
  const opening = Mizzle.open({ engine: o.engine ?? 'memory', datadir: o.datadir });
  return {
    kernel: opening.then((db) => db.kernel),
    release: async () => (await opening).close(),
  };
}

const SERVER_STATUS_IN_TRANS = 1;
const SERVER_STATUS_AUTOCOMMIT = 2;

/** A bound parameter of `execute` as the kernel takes it (mysql2's rules: Dates as local DATETIME text, objects as JSON). */
function paramValue(p: unknown): Value {
  if (p === undefined) throw usageError('Bind parameters must not contain undefined. To pass SQL NULL specify JS null', 'ER_WRONG_ARGUMENTS');
  if (p === null || typeof p === 'number' || typeof p === 'string' || typeof p === 'bigint' || Buffer.isBuffer(p)) return p;
  if (typeof p === 'boolean') return p ? 1 : 0;
  if (p instanceof Date) return localDateTime(p);
  if (p instanceof Uint8Array) return Buffer.from(p);
  if (p instanceof Decimal) return p;
  return JSON.stringify(p);
}

/** A Date as local DATETIME text with milliseconds, as mysql2 binds it. */
function localDateTime(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

export class Connection extends EventEmitter {
  readonly config: ConnectionOptions;
  threadId: number | null = null;
  /** What ORMs check before reusing a connection (knex, sequelize read these mysql2 internals). */
  readonly stream = { destroyed: false };
  _fatalError: Error | null = null;
  _protocolError: Error | null = null;
  _closing = false;
  private session: KernelSession | undefined;
  private readonly ready: Promise<KernelSession>;
  /** Statements run one at a time, in the order they were asked for, as on a wire. */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(o: ConnectionOptions, private readonly lease: InstanceLease, private readonly ownsLease: boolean) {
    super();
    this.config = o;
    this.ready = lease.kernel.then((kernel) => {
      // mysql2 asks for CLIENT_FOUND_ROWS unless told otherwise: an UPDATE's affectedRows counts matched rows.
      const foundRows = !String(o.flags ?? '').split(',').map((f) => f.trim().toUpperCase()).includes('-FOUND_ROWS');
      const s = kernel.openSession({ user: o.user ?? 'root', host: 'localhost', database: o.database ?? null, foundRows });
      this.session = s;
      this.threadId = s.id;
      return s;
    });
    this.ready.then(() => this.emit('connect'), (e: unknown) => this.fail(mysql2Error(e)));
  }

  private fail(e: Error): void {
    this._fatalError = e;
    this.stream.destroyed = true;
    if (this.listenerCount('error') > 0) this.emit('error', e);
  }

  connect(cb?: (err: Error | null) => void): void {
    this.ready.then(() => cb?.(null), (e: unknown) => cb?.(mysql2Error(e)));
  }

  /** Runs `work` after every earlier command, on the session. */
  private enqueue<T>(work: (s: KernelSession) => Promise<T>): Promise<T> {
    const run = this.tail.then(async () => {
      if (this._closing || this.stream.destroyed) throw usageError("Can't add new command when connection is in closed state", 'PROTOCOL_ENQUEUE_AFTER_QUIT');
      return work(await this.ready);
    });
    this.tail = run.catch(() => undefined);
    return run;
  }

  format(sql: string, values?: unknown): string {
    return format(sql, values);
  }

  escape(v: unknown): string {
    return escape(v);
  }

  escapeId(v: string): string {
    return escapeId(v);
  }

  query(sqlOrOptions: string | QueryOptions, values?: unknown, cb?: QueryCallback): Query {
    return this.command(false, sqlOrOptions, values, cb);
  }

  execute(sqlOrOptions: string | QueryOptions, values?: unknown, cb?: QueryCallback): Query {
    return this.command(true, sqlOrOptions, values, cb);
  }

  private command(prepared: boolean, sqlOrOptions: string | QueryOptions, values?: unknown, cb?: QueryCallback): Query {
    if (typeof values === 'function') {
      cb = values as QueryCallback;
      values = undefined;
    }
    const o: QueryOptions = typeof sqlOrOptions === 'string' ? { sql: sqlOrOptions } : sqlOrOptions;
    const params = values ?? o.values;
    const cast: CastOptions = { ...this.config, ...o };
    const query = new Query();
    const done = this.enqueue(async (s) => {
      const text = prepared ? o.sql : this.format(o.sql, params);
      // stream() is called right after query() returns, so by the time the statement runs it is known.
      const sink = query.rowSink(cast);
      try {
        return prepared ? await this.runPrepared(s, text, params, cast, sink) : await this.runText(s, text, cast, sink);
      } catch (e) {
        throw mysql2Error(e, text);
      }
    });
    done.then(
      ([results, fields]) => {
        query.deliver(results, fields);
        cb?.(null, results, fields);
      },
      (e: Error) => {
        const handled = query.fail(e);
        if (cb) cb(e);
        else if (!handled && this.listenerCount('error') > 0) this.emit('error', e);
      },
    );
    return query;
  }

  private async runText(s: KernelSession, sql: string, cast: CastOptions, sink: RowSink | undefined): Promise<[unknown, FieldPacket[] | FieldPacket[][] | undefined]> {
    const results: StatementResult[] = [];
    await s.execute(sql, this.config.multipleStatements === true, (r) => results.push(r), sink);
    if (results.length === 1) return this.shaped(s, results[0], cast);
    const shaped = results.map((r) => this.shaped(s, r, cast));
    return [shaped.map((x) => x[0]), shaped.map((x) => x[1] ?? [])];
  }

  private async runPrepared(s: KernelSession, sql: string, params: unknown, cast: CastOptions, sink: RowSink | undefined): Promise<[unknown, FieldPacket[] | undefined]> {
    const list = Array.isArray(params) ? params.map(paramValue) : [];
    const ps = s.prepare(sql);
    try {
      return this.shaped(s, await s.executePrepared(ps.id, list, sink), cast);
    } finally {
      s.closePrepared(ps.id);
    }
  }

  private shaped(s: KernelSession, r: StatementResult, cast: CastOptions): [unknown, FieldPacket[] | undefined] {
    const st = s.status();
    if (r.kind === 'ok') {
      const status = (st.inTransaction ? SERVER_STATUS_IN_TRANS : 0) | (st.autocommit ? SERVER_STATUS_AUTOCOMMIT : 0);
      const changed = /Changed: (\d+)/.exec(r.info ?? '');
      return [new ResultSetHeader(r.affectedRows, Number(r.insertId), r.info ?? '', status, st.warningCount, changed ? Number(changed[1]) : 0), undefined];
    }
    if (r.kind === 'streamed') return [[], new RowShape(r.columns, cast).fields];
    const shape = new RowShape(r.columns, cast);
    const rows = new Array<unknown>(r.rows.length);
    for (let i = 0; i < r.rows.length; i++) rows[i] = shape.row(r.rows[i]);
    return [rows, shape.fields];
  }

  beginTransaction(cb?: (err: Error | null) => void): void {
    this.simple('START TRANSACTION', cb);
  }

  commit(cb?: (err: Error | null) => void): void {
    this.simple('COMMIT', cb);
  }

  rollback(cb?: (err: Error | null) => void): void {
    this.simple('ROLLBACK', cb);
  }

  ping(cb?: (err: Error | null) => void): void {
    this.enqueue(async () => undefined).then(() => cb?.(null), (e: Error) => cb?.(e));
  }

  private simple(sql: string, cb?: (err: Error | null) => void): void {
    this.query(sql, (err: Error | null) => cb?.(err));
  }

  /** Closes after the commands already asked for; an open transaction rolls back. */
  end(cb?: (err?: Error | null) => void): void {
    if (this._closing) {
      cb?.(null);
      return;
    }
    const last = this.tail;
    this._closing = true;
    void last.then(() => this.close()).then(() => cb?.(null), (e: Error) => cb?.(e));
  }

  /** Closes at once. */
  destroy(): void {
    this._closing = true;
    void this.close();
  }

  private async close(): Promise<void> {
    if (this.stream.destroyed) return;
    this.stream.destroyed = true;
    this.session?.close();
    if (this.ownsLease) await this.lease.release();
    this.emit('end');
  }

  /** The same connection with promise methods (mysql2's `.promise()`). */
  promise(): PromiseConnection {
    return new PromiseConnection(this);
  }
}

/**
 * What `query` returns: an emitter of 'fields', 'result' (each row), 'end' and 'error', as mysql2's Query,
 * and `stream()`, a Readable of the rows that the statement fills while it runs (it waits while the reader is behind).
 */
export class Query extends EventEmitter {
  private rowStream: Readable | undefined;
  private fieldsSent = false;
  /** Set when the reader has fallen behind: wakes the statement when it reads again. */
  private wakeStatement: (() => void) | undefined;

  /** The rows as an object-mode Readable; call it before the statement runs (right after query(), as with mysql2). */
  stream(options: { highWaterMark?: number; objectMode?: boolean } = {}): Readable {
    if (this.rowStream === undefined) {
      this.rowStream = new Readable({
        objectMode: true,
        highWaterMark: options.highWaterMark ?? 16,
        read: () => this.wakeReader(),
        destroy: (err, cb) => {
          this.wakeReader();
          cb(err);
        },
      });
    }
    return this.rowStream;
  }

  private wakeReader(): void {
    const wake = this.wakeStatement;
    this.wakeStatement = undefined;
    wake?.();
  }

  /** Where the statement hands its rows when stream() was asked for; undefined: it answers them whole. */
  rowSink(cast: CastOptions): RowSink | undefined {
    const out = this.rowStream;
    if (out === undefined) return undefined;
    let shape: RowShape | undefined;
    return {
      begin: (columns: readonly ResultColumn[]) => {
        shape = new RowShape(columns, cast);
        this.sendFields(out, shape.fields);
      },
      rows: (batch: readonly Row[]) => {
        // A reader that went away (destroyed the stream) takes nothing more; the statement runs out quietly.
        if (out.destroyed || shape === undefined) return;
        for (let i = 0; i < batch.length; i++) out.push(shape.row(batch[i]));
      },
      backlog: () => {
        if (out.destroyed || out.readableLength < out.readableHighWaterMark) return null;
        return new Promise<void>((resolve) => {
          this.wakeStatement = resolve;
        });
      },
    };
  }

  private sendFields(out: Readable, fields: FieldPacket[] | FieldPacket[][]): void {
    this.fieldsSent = true;
    this.emit('fields', fields);
    out.emit('fields', fields);
  }

  deliver(results: unknown, fields: FieldPacket[] | FieldPacket[][] | undefined): void {
    const out = this.rowStream;
    if (out !== undefined) {
      // Rows were pushed while the statement ran (or it had none, or it answered whole: push those now).
      if (fields !== undefined && !this.fieldsSent) this.sendFields(out, fields);
      if (Array.isArray(results) && fields !== undefined) for (const row of results) out.push(row);
      else if (fields === undefined) out.emit('result', results);
      out.push(null);
      this.emit('end');
      return;
    }
    if (fields !== undefined) this.emit('fields', fields);
    if (Array.isArray(results) && fields !== undefined) for (const row of results) this.emit('result', row);
    else this.emit('result', results);
    this.emit('end');
  }

  /** Hands the error to the row stream and the 'error' listeners; false when neither took it. */
  fail(e: Error): boolean {
    const out = this.rowStream;
    if (out !== undefined) out.destroy(e);
    const streamed = out !== undefined;
    const listened = this.listenerCount('error') > 0;
    if (listened) this.emit('error', e);
    this.emit('end');
    return streamed || listened;
  }
}

type Answer = [unknown, FieldPacket[] | FieldPacket[][] | undefined];

/** mysql2/promise's connection: every command returns a promise; query and execute resolve to [results, fields]. */
export class PromiseConnection extends EventEmitter {
  constructor(readonly connection: Connection) {
    super();
    connection.on('error', (e: Error) => this.emit('error', e));
  }

  get threadId(): number | null {
    return this.connection.threadId;
  }

  get config(): ConnectionOptions {
    return this.connection.config;
  }

  query(sql: string | QueryOptions, values?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.connection.query(sql, values, (err, results, fields) => (err ? reject(err) : resolve([results, fields])));
    });
  }

  execute(sql: string | QueryOptions, values?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.connection.execute(sql, values, (err, results, fields) => (err ? reject(err) : resolve([results, fields])));
    });
  }

  private run(f: (cb: (err?: Error | null) => void) => void): Promise<void> {
    return new Promise((resolve, reject) => f((err) => (err ? reject(err) : resolve())));
  }

  connect(): Promise<void> {
    return this.run((cb) => this.connection.connect(cb));
  }

  beginTransaction(): Promise<void> {
    return this.run((cb) => this.connection.beginTransaction(cb));
  }

  commit(): Promise<void> {
    return this.run((cb) => this.connection.commit(cb));
  }

  rollback(): Promise<void> {
    return this.run((cb) => this.connection.rollback(cb));
  }

  ping(): Promise<void> {
    return this.run((cb) => this.connection.ping(cb));
  }

  end(): Promise<void> {
    return this.run((cb) => this.connection.end(cb));
  }

  destroy(): void {
    this.connection.destroy();
  }

  format(sql: string, values?: unknown): string {
    return this.connection.format(sql, values);
  }

  escape(v: unknown): string {
    return this.connection.escape(v);
  }

  escapeId(v: string): string {
    return this.connection.escapeId(v);
  }
}
