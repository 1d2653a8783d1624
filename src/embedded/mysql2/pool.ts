// A mysql2-compatible pool of in-process connections: getConnection/release, query and execute on any free one, promise().
import { EventEmitter } from 'node:events';
import { escape, escapeId, format } from './sql-format.js';
import { Connection, PromiseConnection, leaseInstance, type ConnectionOptions, type InstanceLease, type Query, type QueryCallback, type QueryOptions } from './connection.js';
import { usageError } from './errors.js';
import type { FieldPacket } from './values.js';

export interface PoolOptions extends ConnectionOptions {
  /** Connections open at most (default 10). */
  connectionLimit?: number;
  /** Callers allowed to wait for a connection (0: no limit). */
  queueLimit?: number;
}

type ConnectionCallback = (err: Error | null, connection?: PoolConnection) => void;

/** A connection lent by a pool: release() gives it back. */
export class PoolConnection extends Connection {
  constructor(o: ConnectionOptions, lease: InstanceLease, private readonly pool: Pool) {
    super(o, lease, false);
  }

  release(): void {
    this.pool.releaseConnection(this);
  }

  override promise(): PromisePoolConnection {
    return new PromisePoolConnection(this);
  }
}

export class Pool extends EventEmitter {
  readonly config: { connectionLimit: number; queueLimit: number; connectionConfig: ConnectionOptions };
  private readonly lease: InstanceLease;
  private readonly all = new Set<PoolConnection>();
  private readonly free: PoolConnection[] = [];
  private readonly waiting: ConnectionCallback[] = [];
  private closed = false;

  constructor(o: PoolOptions) {
    super();
    this.config = { connectionLimit: o.connectionLimit ?? 10, queueLimit: o.queueLimit ?? 0, connectionConfig: o };
    this.lease = leaseInstance(o);
  }

  getConnection(cb: ConnectionCallback): void {
    if (this.closed) {
      cb(usageError('Pool is closed.', 'POOL_CLOSED'));
      return;
    }
    const idle = this.free.pop();
    if (idle !== undefined) {
      this.emit('acquire', idle);
      cb(null, idle);
      return;
    }
    if (this.all.size < this.config.connectionLimit) {
      const c = new PoolConnection(this.config.connectionConfig, this.lease, this);
      this.all.add(c);
      c.connect((err) => {
        if (err) {
          this.all.delete(c);
          cb(err);
          return;
        }
        this.emit('connection', c);
        this.emit('acquire', c);
        cb(null, c);
      });
      return;
    }
    if (this.config.queueLimit > 0 && this.waiting.length >= this.config.queueLimit) {
      cb(usageError('Queue limit reached.', 'POOL_ENQUEUELIMIT'));
      return;
    }
    this.emit('enqueue');
    this.waiting.push(cb);
  }

  releaseConnection(c: PoolConnection): void {
    if (!this.all.has(c)) return;
    this.emit('release', c);
    if (c.stream.destroyed || this.closed) {
      this.all.delete(c);
      return;
    }
    const next = this.waiting.shift();
    if (next !== undefined) {
      this.emit('acquire', c);
      next(null, c);
    } else this.free.push(c);
  }

  query(sql: string | QueryOptions, values?: unknown, cb?: QueryCallback): void {
    this.onConnection((c) => c.query(sql, values, cb), values, cb);
  }

  execute(sql: string | QueryOptions, values?: unknown, cb?: QueryCallback): void {
    this.onConnection((c) => c.execute(sql, values, cb), values, cb);
  }

  /** Runs one command on a lent connection and gives it back when the command ends. */
  private onConnection(run: (c: PoolConnection) => Query, values: unknown, cb: QueryCallback | undefined): void {
    const callback = typeof values === 'function' ? (values as QueryCallback) : cb;
    this.getConnection((err, c) => {
      if (err || c === undefined) {
        callback?.(err ?? usageError('no connection', 'POOL_NOEXIST'));
        return;
      }
      run(c).once('end', () => c.release());
    });
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

  /** Closes every connection and, if the pool opened its instance, the instance. */
  end(cb?: (err?: Error | null) => void): void {
    if (this.closed) {
      cb?.(null);
      return;
    }
    this.closed = true;
    for (const w of this.waiting.splice(0)) w(usageError('Pool is closed.', 'POOL_CLOSED'));
    const closing = [...this.all].map((c) => new Promise<void>((resolve) => c.end(() => resolve())));
    this.all.clear();
    this.free.length = 0;
    void Promise.all(closing).then(() => this.lease.release()).then(() => cb?.(null), (e: Error) => cb?.(e));
  }

  promise(): PromisePool {
    return new PromisePool(this);
  }
}

type Answer = [unknown, FieldPacket[] | FieldPacket[][] | undefined];

export class PromisePoolConnection extends PromiseConnection {
  constructor(private readonly lent: PoolConnection) {
    super(lent);
  }

  release(): void {
    this.lent.release();
  }
}

/** mysql2/promise's pool. */
export class PromisePool extends EventEmitter {
  constructor(readonly pool: Pool) {
    super();
    for (const event of ['connection', 'acquire', 'release', 'enqueue']) pool.on(event, (...a: unknown[]) => this.emit(event, ...a));
  }

  get config(): Pool['config'] {
    return this.pool.config;
  }

  getConnection(): Promise<PromisePoolConnection> {
    return new Promise((resolve, reject) => this.pool.getConnection((err, c) => (err || c === undefined ? reject(err) : resolve(c.promise()))));
  }

  releaseConnection(c: PromisePoolConnection): void {
    c.release();
  }

  query(sql: string | QueryOptions, values?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => this.pool.query(sql, values, (err, results, fields) => (err ? reject(err) : resolve([results, fields]))));
  }

  execute(sql: string | QueryOptions, values?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => this.pool.execute(sql, values, (err, results, fields) => (err ? reject(err) : resolve([results, fields]))));
  }

  end(): Promise<void> {
    return new Promise((resolve, reject) => this.pool.end((err) => (err ? reject(err) : resolve())));
  }

  format(sql: string, values?: unknown): string {
    return this.pool.format(sql, values);
  }

  escape(v: unknown): string {
    return this.pool.escape(v);
  }

  escapeId(v: string): string {
    return this.pool.escapeId(v);
  }
}
