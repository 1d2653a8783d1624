// MySQL's safe-update rule (sql_safe_updates): an UPDATE or DELETE must name its rows by a key, or carry a LIMIT.
import { sqlError, type SqlError } from '../../base/errors.js';
import type { PlanSummary } from './plan-summary.js';
import type { DeleteStmt, UpdateStmt } from '../parser/ast.js';

/** MySQL's text for 1175, word for word (clients and tools recognise it). */
export const SAFE_UPDATE_MESSAGE = 'You are using safe update mode and you tried to update a table without a WHERE that uses a KEY column. To disable safe mode, toggle the option in Preferences -> SQL Editor and reconnect.';

export function safeUpdateError(): SqlError {
  return sqlError('UPDATE_WITHOUT_KEY_IN_SAFE_MODE', SAFE_UPDATE_MESSAGE);
}

/**
 * Whether safe-update mode refuses the statement: it has no LIMIT, and either no
 * WHERE or a WHERE the executor would not read through an index of the target
 * table (`plan` is the statement's summarizePlan, whose first entry is the target).
 * Without a plan entry for the target (an unknown table) nothing is refused here:
 * the statement fails with 1146 on its own.
 */
export function isUnsafeUpdate(stmt: UpdateStmt | DeleteStmt, plan: PlanSummary | undefined): boolean {
  if (stmt.limit) return false;
  if (!stmt.where) return true;
  const ref = stmt.type === 'update' ? stmt.tables[0] : stmt.table ?? stmt.from?.[0];
  const target = plan?.tables[0];
  if (ref?.type !== 'table' || target === undefined || target.table.toLowerCase() !== ref.name.toLowerCase()) return false;
  return target.access !== 'index';
}
