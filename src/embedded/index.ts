// The package's main entry (`import { Mizzle } from 'mizzle'`): embedded mizzle, and the client library's types it shares.
export { Mizzle, MizzleSnapshot, type OpenOptions } from './mizzle.js';
export { MizzleError, ClientCode, Transaction } from '../client/index.js';
export type { Queryable, RowStream, ReservedSession, CallOptions, ClientValue, ClientParam, ClientRow, Column, ColumnTypeName, QueryResult } from '../client/index.js';
