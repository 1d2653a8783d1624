// An error answered with a chosen HTTP status, and the status every other MySQL error maps to.
import { SqlError } from '../../base/errors.js';

/** A SqlError the server answers with `status` instead of the one its code maps to. */
export class HttpFailure extends Error {
  constructor(readonly status: number, readonly error: SqlError, readonly headers: Readonly<Record<string, string>> = {}) {
    super(error.message);
    this.name = 'HttpFailure';
  }
}

/** HTTP statuses of MySQL error codes whose meaning has a better status than 400. */
const STATUS_BY_CODE: ReadonlyMap<number, number> = new Map([
  [1045, 401], // access denied (authentication)
  [1129, 403], // host blocked for failed logins
  [1044, 403], // database access denied
  [1142, 403], // table access denied
  [1143, 403], // column access denied
  [1095, 403], // not your thread
  [1227, 403], // needs a privilege
  [1049, 404], // unknown database
  [1205, 409], // lock wait timeout
  [1213, 409], // deadlock
  [1153, 413], // too large
  [1040, 429], // too many connections / sessions
  [1203, 429], // too many connections of this user
  [3024, 504], // statement time limit
  [1053, 503], // shutting down
  [1105, 500], // unknown error
  [1030, 500], // storage engine error
  [1037, 500], // out of memory
]);

/** The status an error is answered with: its own when it is an HttpFailure, else by its MySQL code, 400 by default. */
export function statusOf(e: SqlError | HttpFailure): number {
  if (e instanceof HttpFailure) return e.status;
  return STATUS_BY_CODE.get(e.code) ?? 400;
}

/** A SqlError or an HttpFailure: what a request can fail with that the client is told about (anything else is a bug, answered 500). */
export function isAnswerable(e: unknown): e is SqlError | HttpFailure {
  return e instanceof SqlError || e instanceof HttpFailure;
}
