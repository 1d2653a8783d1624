// The seam between the client library and a wire: a Transport opens sessions, a session runs statements; add a wire by implementing both.

import type { MizzleError } from './errors.js';
import type { Column, ClientParam, ClientRow, QueryResult } from './values.js';

/** One statement as the client hands it to a session. */
export interface StatementCall {
  sql: string;
  params?: readonly ClientParam[];
  /** Run through prepared statements even without parameters (`execute`); parameters always are. */
  prepared: boolean;
  /** The shard key's canonical bytes, sent in the native frame header (other wires have no place for it). */
  shardKey?: Uint8Array;
  /** The statement only reads, so a replica may run it (the native READ_ONLY flag). */
  readOnly?: boolean;
}

/** The pieces of a streamed answer, in order: `columns` (result sets only), `rows` any number of times, `end` last. */
export type StreamPart =
  | { kind: 'columns'; columns: Column[] }
  | { kind: 'rows'; rows: ClientRow[] }
  | { kind: 'end'; rowsAffected: number; lastInsertId: number | bigint; warnings: number };

/**
 * A connection-like session: state (the open transaction, the default database)
 * lasts from one call to the next. Calls are made one at a time, unless the transport
 * has a pipelineDepth: then `run` may be called again before the last call answered. `signal` is the
 * call's deadline and cancellation together; when it fires the session rejects with
 * `signal.reason` and may become unusable.
 */
export interface TransportSession {
  /** False once the session cannot run more statements (broken, aborted mid-call): the pool discards it. */
  readonly usable: boolean;
  run(call: StatementCall, signal?: AbortSignal): Promise<QueryResult>;
  /**
   * Optional capability: keep the server's session state (variables, SET, temporary
   * tables, USE) from call to call even outside a transaction. Wires whose sessions
   * always do (a MySQL connection) need not implement it.
   */
  pin?(): void;
  stream(call: StatementCall, signal?: AbortSignal): AsyncIterable<StreamPart>;
  /**
   * Optional capability: runs text statements in order in as few round trips as the wire
   * allows (a MySQL multi-statement COM_QUERY), stopping at the first one that fails: those
   * after it do not run. Without it the client runs them one by one, with the same outcome.
   */
  runScript?(statements: readonly string[], signal?: AbortSignal): Promise<ScriptOutcome>;
  close(): Promise<void>;
}

/** What a script of statements did: the results of those that ran, and the error of the one that stopped it. */
export interface ScriptOutcome {
  results: QueryResult[];
  /** The server's error for statement number `results.length`; absent when every statement ran. */
  error?: MizzleError;
}

/**
 * A wire protocol to one server: `mysql://` (the MySQL protocol), `http(s)://` (the
 * HTTP API), `mizzle://` (the native protocol): implement this, register the scheme in
 * index.ts's TRANSPORTS, and the pool, transactions and streams work as they are.
 */
export interface Transport {
  /** Sessions the pool keeps by default for this wire. */
  readonly defaultPoolSize: number;
  /**
   * Calls one session may carry at once, their replies matched by request id (pipelining):
   * the pool then puts up to this many one-statement calls on a session before it opens
   * another. Absent or 1: a session runs one call at a time.
   */
  readonly pipelineDepth?: number;
  open(signal?: AbortSignal): Promise<TransportSession>;
}

/** The settings every transport reads from its URL's query string (`?timeoutMs=5000&poolSize=4`). */
export interface ClientOptions {
  /** Default time limit of each call, 0 for none. */
  timeoutMs?: number;
  /** Sessions kept open at most. */
  poolSize?: number;
}
