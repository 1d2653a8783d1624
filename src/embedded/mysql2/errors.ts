// Errors as mysql2 reports them: errno, the ER_* name in `code`, sqlState and sqlMessage, so ORMs recognise them.
import { ErrorCode, SqlError } from '../../base/errors.js';

/** MySQL's ER_* names where they are not ER_ plus mizzle's own key. */
const NAME_OVERRIDES: Record<number, string> = {
  1048: 'ER_BAD_NULL_ERROR',
  1049: 'ER_BAD_DB_ERROR',
  1050: 'ER_TABLE_EXISTS_ERROR',
  1054: 'ER_BAD_FIELD_ERROR',
  1064: 'ER_PARSE_ERROR',
  1091: 'ER_CANT_DROP_FIELD_OR_KEY',
};

const NAMES = new Map<number, string>();
for (const [key, { code }] of Object.entries(ErrorCode)) if (!NAMES.has(code)) NAMES.set(code, NAME_OVERRIDES[code] ?? `ER_${key}`);

export class Mysql2Error extends Error {
  readonly fatal = false;

  constructor(
    message: string,
    readonly errno: number,
    readonly code: string,
    readonly sqlState: string,
    readonly sql?: string,
  ) {
    super(message);
    this.name = 'Error';
  }

  get sqlMessage(): string {
    return this.message;
  }
}

/** Any failure of a statement, as mysql2 would have thrown it. */
export function mysql2Error(e: unknown, sql?: string): Error {
  if (e instanceof Mysql2Error) return e;
  if (e instanceof SqlError) return new Mysql2Error(e.message, e.code, NAMES.get(e.code) ?? 'ER_UNKNOWN_ERROR', e.sqlState, sql);
  return e instanceof Error ? e : new Error(String(e));
}

/** A usage error mysql2 raises before sending anything (a closed connection, an undefined parameter). */
export function usageError(message: string, code: string): Mysql2Error {
  return new Mysql2Error(message, 0, code, 'HY000');
}
