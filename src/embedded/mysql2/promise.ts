// `mizzle/mysql2/promise`: the promise API of the mysql2 drop-in (what drizzle-orm and most async code import).
import { promise } from './index.js';

export { PromiseConnection as Connection, PromisePool as Pool, PromisePoolConnection as PoolConnection, escape, escapeId, format, raw } from './index.js';
export const createConnection = promise.createConnection;
export const createPool = promise.createPool;
export default { createConnection, createPool };
