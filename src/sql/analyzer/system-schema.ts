// The name of the read-only system schema and how a statement that would change it is refused.
import { sqlError, type SqlError } from '../../base/errors.js';

export const INFORMATION_SCHEMA = 'information_schema';

/** Schema names compare case-insensitively for information_schema, as in MySQL. */
export function isInformationSchema(name: string | null | undefined): boolean {
  return typeof name === 'string' && name.toLowerCase() === INFORMATION_SCHEMA;
}

/** 1044, MySQL's answer to any change to information_schema. */
export function informationSchemaDenied(user: string, host: string): SqlError {
  return sqlError('DBACCESS_DENIED', `Access denied for user '${user}'@'${host}' to database '${INFORMATION_SCHEMA}'`);
}
