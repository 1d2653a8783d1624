// The tables a DML statement writes, wrapped so every row written runs the table's CHECK and FOREIGN KEY constraints.
import { sqlError } from '../../base/errors.js';
import type { Row } from '../../base/value.js';
import type { TableDef } from '../../storage/table-def.js';
import type { AccessPath } from '../planner/access-path.js';
import { CheckEvaluator } from './check-constraints.js';
import { foreignKeyChecks } from './foreign-key-ddl.js';
import { CASCADE_DEPTH_MAX, ForeignKeyEnforcer, type ConstrainedWriters } from './foreign-key-enforce.js';
import type { StatementEnv, TableWriter, WriteTx } from './statement-env.js';

/** What one statement's constrained writers share: the evaluators and the cascade depth. */
class StatementConstraints implements ConstrainedWriters {
  readonly checks: CheckEvaluator;
  readonly fk: ForeignKeyEnforcer;
  readonly fkOn: boolean;
  depth = 0;
  private readonly writers = new Map<number, TableWriter>();
  private anyForeignKeys: boolean | undefined;

  constructor(private readonly tx: WriteTx, env: StatementEnv) {
    this.checks = new CheckEvaluator(env);
    this.fk = new ForeignKeyEnforcer(tx.catalog, this);
    this.fkOn = foreignKeyChecks(env);
  }

  /** Whether any table has a foreign key (else the per-row parent work is skipped). */
  private hasForeignKeys(): boolean {
    if (this.anyForeignKeys === undefined) {
      this.anyForeignKeys = this.tx.catalog.listSchemas().some((s) => this.tx.catalog.listTables(s.name).some((t) => (t.foreignKeys?.length ?? 0) > 0));
    }
    return this.anyForeignKeys;
  }

  writer(def: TableDef): TableWriter {
    let w = this.writers.get(def.id);
    if (w === undefined || w.def !== def) {
      const raw = this.tx.table(def);
      const plain = (def.checks?.length ?? 0) === 0 && !(this.fkOn && this.hasForeignKeys());
      w = plain ? raw : new ConstrainedWriter(raw, this);
      this.writers.set(def.id, w);
    }
    return w;
  }

  deeper<T>(fn: () => T): T {
    if (this.depth >= CASCADE_DEPTH_MAX) throw sqlError('FK_DEPTH_EXCEEDED', `Foreign key cascade delete/update exceeds max depth of ${CASCADE_DEPTH_MAX}.`);
    this.depth++;
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
}

/** A table writer that checks each row it writes and carries out the foreign keys' actions. */
class ConstrainedWriter implements TableWriter {
  constructor(private readonly raw: TableWriter, private readonly s: StatementConstraints) {}

  get def(): TableDef {
    return this.raw.def;
  }

  private startRow(): void {
    if (this.s.depth === 0) this.s.fk.startRow();
  }

  insert(row: Row): void {
    this.startRow();
    this.s.checks.check(this.def, row);
    if (this.s.fkOn) this.s.fk.checkChild(this.def, row);
    this.raw.insert(row);
  }

  update(oldRow: Row, newRow: Row): void {
    this.startRow();
    this.s.checks.check(this.def, newRow);
    if (this.s.fkOn) this.s.fk.checkChild(this.def, newRow, oldRow);
    this.raw.update(oldRow, newRow);
    if (this.s.fkOn) this.s.fk.parentUpdated(this.def, oldRow, newRow);
  }

  delete(row: Row): boolean {
    this.startRow();
    const gone = this.raw.delete(row);
    if (gone && this.s.fkOn) this.s.fk.parentDeleted(this.def, row);
    return gone;
  }

  scan(path: AccessPath | undefined, columns?: readonly boolean[]): Iterable<Row> { return this.raw.scan(path, columns); }
  findConflicts(row: Row): Row[] { return this.raw.findConflicts(row); }
  count(): number { return this.raw.count(); }
  peekAutoIncrement(): number | bigint { return this.raw.peekAutoIncrement(); }
  lockRow(row: Row): void { this.raw.lockRow(row); }
  lockCurrent(row: Row): Row | undefined { return this.raw.lockCurrent(row); }
  truncate(): void { this.raw.truncate(); }
  nextAutoIncrement(count: number): number | bigint { return this.raw.nextAutoIncrement(count); }
  observeAutoIncrement(value: number | bigint): void { this.raw.observeAutoIncrement(value); }
}

/** `tx` with every table's writer constrained: DML statements write through this. */
export function constrainedTx(tx: WriteTx, env: StatementEnv): WriteTx {
  const s = new StatementConstraints(tx, env);
  return { catalog: tx.catalog, table: (def) => s.writer(def) };
}
