// Builds MySQL's exact syntax-error (1064) and empty-query (1065) errors.
import { sqlError, type SqlError } from '../../base/errors.js';

const NEAR_MAX = 80;

/**
 * ER_PARSE_ERROR as MySQL words it: the text from `pos` on (at most 80 characters)
 * and the 1-based line of `pos`, counted from `lineBase` (the statement's start).
 */
export function syntaxError(sql: string, pos: number, lineBase = 0): SqlError {
  const near = pos >= sql.length ? '' : sql.slice(pos, pos + NEAR_MAX);
  let line = 1;
  for (let i = lineBase; i < pos && i < sql.length; i++) if (sql.charCodeAt(i) === 10) line++;
  return sqlError(
    'PARSE',
    `You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near '${near}' at line ${line}`,
  );
}

/** ER_EMPTY_QUERY. */
export function emptyQueryError(): SqlError {
  return sqlError('EMPTY_QUERY', 'Query was empty');
}
