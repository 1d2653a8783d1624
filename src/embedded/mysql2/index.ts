// `mizzle/mysql2`: a drop-in for the mysql2 driver that runs statements on an in-process mizzle (no socket), for ORMs and tests.
import { escape, escapeId, format, raw } from './sql-format.js';
import { Connection, PromiseConnection, ResultSetHeader, leaseInstance, type ConnectionOptions } from './connection.js';
import { Pool, PromisePool, type PoolOptions } from './pool.js';

export { Connection, PromiseConnection, ResultSetHeader, Pool, PromisePool };
export type { ConnectionOptions, PoolOptions };
export { PoolConnection, PromisePoolConnection } from './pool.js';
export { Mysql2Error } from './errors.js';
export type { FieldPacket, TypeCastField } from './values.js';

/** A connection on `o.db`, or on an instance of its own (memory engine unless `engine`/`datadir` say otherwise) closed at end(). */
export function createConnection(o: ConnectionOptions = {}): Connection {
  return new Connection(o, leaseInstance(o), true);
}

/** A pool of connections on `o.db`, or on one instance of its own closed at end(). */
export function createPool(o: PoolOptions = {}): Pool {
  return new Pool(o);
}

export { escape, escapeId, format, raw };

/** `mizzle/mysql2/promise`'s functions on this entry too, as drivers reach for either. */
export const promise = {
  createConnection: async (o: ConnectionOptions = {}): Promise<PromiseConnection> => {
    const c = createConnection(o).promise();
    await c.connect();
    return c;
  },
  createPool: (o: PoolOptions = {}): PromisePool => createPool(o).promise(),
};

export default { createConnection, createPool, escape, escapeId, format, raw, promise };
