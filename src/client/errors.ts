// The client library's one error type: a MySQL error code and SQLSTATE, and what kind of failure it was.

/**
 * `server`: the server refused or failed the statement (its MySQL code and SQLSTATE);
 * `connection`: the server could not be reached or the connection broke;
 * `timeout`: the call's time limit passed; `aborted`: the caller's AbortSignal fired;
 * `protocol`: the server's answer could not be understood; `usage`: the call was wrong.
 */
export type MizzleErrorKind = 'server' | 'connection' | 'timeout' | 'aborted' | 'protocol' | 'usage';

export class MizzleError extends Error {
  constructor(
    message: string,
    readonly code: number,
    readonly sqlstate: string,
    readonly kind: MizzleErrorKind = 'server',
    /** The HTTP status, when the HTTP transport received one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'MizzleError';
  }
}

/** Client-side error codes, MySQL's own client codes (CR_*) where one fits. */
export const ClientCode = {
  /** CR_CONN_HOST_ERROR: cannot connect. */
  CONNECT: 2003,
  /** CR_SERVER_LOST: the connection broke during a call. */
  LOST: 2013,
  /** CR_MALFORMED_PACKET: an answer that cannot be read. */
  MALFORMED: 2027,
  /** ER_QUERY_TIMEOUT: the call's time limit passed. */
  TIMEOUT: 3024,
  /** ER_QUERY_INTERRUPTED: the caller aborted. */
  ABORTED: 1317,
  /** CR_UNKNOWN_ERROR: a wrong call (a bad URL, a closed client). */
  USAGE: 2000,
} as const;

export function connectionError(message: string, code: number = ClientCode.LOST): MizzleError {
  return new MizzleError(message, code, 'HY000', 'connection');
}

export function protocolError(message: string, status?: number): MizzleError {
  return new MizzleError(message, ClientCode.MALFORMED, 'HY000', 'protocol', status);
}

export function usageError(message: string): MizzleError {
  return new MizzleError(message, ClientCode.USAGE, 'HY000', 'usage');
}
