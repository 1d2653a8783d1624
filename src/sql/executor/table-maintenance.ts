// ANALYZE, CHECK, OPTIMIZE and REPAIR TABLE: nothing for LMDB to do, answered with MySQL's result set
// (Table, Op, Msg_type, Msg_text), one status per table, so mysqlcheck, phpMyAdmin and other tools read them.
import { sqlError } from '../../base/errors.js';
import type { ResultColumn, StatementResult } from '../../base/result.js';
import type { SqlType } from '../../base/sql-type.js';
import type { Row } from '../../base/value.js';
import type { AdminStmt } from '../parser/ast.js';
import type { StatementEnv } from './statement-env.js';

type MaintenanceCommand = 'analyzeTable' | 'checkTable' | 'optimizeTable' | 'repairTable';

const OP: Record<MaintenanceCommand, string> = { analyzeTable: 'analyze', checkTable: 'check', optimizeTable: 'optimize', repairTable: 'repair' };

const column = (name: string, length: number): ResultColumn => {
  const type: SqlType = { kind: 'varchar', length };
  return { name, orgName: name, table: '', orgTable: '', schema: '', type, nullable: name === 'Msg_text' };
};
const COLUMNS = [column('Table', 128), column('Op', 10), column('Msg_type', 10), column('Msg_text', 512)];

export function isTableMaintenance(command: AdminStmt['command']): command is MaintenanceCommand {
  return command in OP;
}

export function executeTableMaintenance(stmt: AdminStmt & { command: MaintenanceCommand }, env: StatementEnv): StatementResult {
  const op = OP[stmt.command];
  const rows: Row[] = [];
  env.read((tx) => {
    for (const t of stmt.tables) {
      const schema = t.schema ?? env.session.database;
      if (!schema) throw sqlError('NO_DB', 'No database selected');
      const name = `${schema}.${t.name}`;
      if (!tx.catalog.getTable(schema, t.name) && !tx.catalog.getView(schema, t.name)) {
        rows.push([name, op, 'Error', `Table '${name}' doesn't exist`], [name, op, 'status', 'Operation failed']);
      } else if (op === 'optimize' || op === 'repair') {
        // The words MySQL uses for an engine without the operation (ER_CHECK_NOT_IMPLEMENTED).
        rows.push([name, op, 'note', `The storage engine for the table doesn't support ${op}`]);
      } else {
        rows.push([name, op, 'status', 'OK']);
      }
    }
  });
  return { kind: 'rows', columns: COLUMNS, rows };
}
