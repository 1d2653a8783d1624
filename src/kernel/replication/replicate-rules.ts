// A replica's replication filters (--replicate-do-db, --replicate-ignore-table, ...): which row changes and schema changes it applies, by MySQL's rules.
import { pb } from '../../storage/change-log/index.js';
import { parse } from '../../sql/parser/index.js';

/** The six filter lists, as the options and CHANGE REPLICATION FILTER name them. */
export interface ReplicateRuleLists {
  doDb: readonly string[];
  ignoreDb: readonly string[];
  /** `db.table`. */
  doTable: readonly string[];
  ignoreTable: readonly string[];
  /** `db_pattern.table_pattern` with `%` and `_` (a `\` before one matches it literally). */
  wildDoTable: readonly string[];
  wildIgnoreTable: readonly string[];
}

/** The options' names, by list (the same names with '_' in CHANGE REPLICATION FILTER and SHOW REPLICA STATUS). */
export const REPLICATE_OPTIONS: readonly [keyof ReplicateRuleLists, string, string][] = [
  ['doDb', 'replicate-do-db', 'Replicate_Do_DB'],
  ['ignoreDb', 'replicate-ignore-db', 'Replicate_Ignore_DB'],
  ['doTable', 'replicate-do-table', 'Replicate_Do_Table'],
  ['ignoreTable', 'replicate-ignore-table', 'Replicate_Ignore_Table'],
  ['wildDoTable', 'replicate-wild-do-table', 'Replicate_Wild_Do_Table'],
  ['wildIgnoreTable', 'replicate-wild-ignore-table', 'Replicate_Wild_Ignore_Table'],
];

/** Entries one list may hold: a bound on what every row change is matched against. */
export const REPLICATE_RULES_MAX = 1000;

export const NO_RULES: ReplicateRuleLists = { doDb: [], ignoreDb: [], doTable: [], ignoreTable: [], wildDoTable: [], wildIgnoreTable: [] };

/** A `%`/`_` pattern as an anchored regular expression; `\%`, `\_` and `\\` match themselves. */
function wildPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i]);
    else if (c === '%') re += '.*';
    else if (c === '_') re += '.';
    else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`, 's');
}

function escapeRegExp(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}

/** `db.table` split at its first dot; an entry without one, or with an empty side, is refused. */
function splitTable(entry: string, option: string): [string, string] {
  const dot = entry.indexOf('.');
  if (dot <= 0 || dot === entry.length - 1) throw new Error(`--${option} '${entry}' is not db_name.table_name`);
  return [entry.slice(0, dot), entry.slice(dot + 1)];
}

/** A comma-separated option value (repeated options were joined with commas) as its entries. */
export function ruleList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** One filter as CHANGE REPLICATION FILTER names it (REPLICATE_DO_DB ...) with its new list. */
export interface ReplicationFilterChange {
  name: string;
  values: string[];
}

/** The lists after CHANGE REPLICATION FILTER: each named filter replaced (the last naming wins), the others kept. */
export function withFilterChanges(lists: ReplicateRuleLists, changes: readonly ReplicationFilterChange[]): ReplicateRuleLists {
  const out: Record<keyof ReplicateRuleLists, readonly string[]> = { ...lists };
  for (const c of changes) {
    const entry = REPLICATE_OPTIONS.find(([, , column]) => column.toUpperCase() === c.name.toUpperCase());
    if (entry === undefined) throw new Error(`unknown replication filter ${c.name}`);
    out[entry[0]] = [...c.values];
  }
  return out;
}

type Verdict = 'execute' | 'ignore' | undefined;

/**
 * The filters, checked once. A change passes the database level first (the changed row's
 * schema): with do-db lists it must be named there, else an ignore-db list must not name it.
 * Then the table level, in MySQL's order: do-table (execute), ignore-table (ignore),
 * wild-do-table (execute), wild-ignore-table (ignore); a table none of them names is ignored
 * when a do list exists, else executed.
 */
export class ReplicateRules {
  readonly lists: ReplicateRuleLists;
  private readonly doDb: ReadonlySet<string>;
  private readonly ignoreDb: ReadonlySet<string>;
  private readonly doTable: ReadonlySet<string>;
  private readonly ignoreTable: ReadonlySet<string>;
  private readonly wildDo: readonly [RegExp, RegExp][];
  private readonly wildIgnore: readonly [RegExp, RegExp][];
  /** No list has an entry: every change passes. */
  readonly empty: boolean;
  private readonly tableRules: boolean;
  private readonly decided = new Map<string, boolean>();

  /** Throws an Error naming the option for an entry that is not well formed. */
  constructor(lists: ReplicateRuleLists) {
    for (const [key, option] of REPLICATE_OPTIONS) {
      if (lists[key].length > REPLICATE_RULES_MAX) throw new Error(`--${option}: at most ${REPLICATE_RULES_MAX} entries`);
    }
    this.lists = { doDb: [...lists.doDb], ignoreDb: [...lists.ignoreDb], doTable: [...lists.doTable], ignoreTable: [...lists.ignoreTable], wildDoTable: [...lists.wildDoTable], wildIgnoreTable: [...lists.wildIgnoreTable] };
    this.doDb = new Set(lists.doDb);
    this.ignoreDb = new Set(lists.ignoreDb);
    const tableKey = (option: string) => (e: string) => splitTable(e, option).join('.');
    this.doTable = new Set(lists.doTable.map(tableKey('replicate-do-table')));
    this.ignoreTable = new Set(lists.ignoreTable.map(tableKey('replicate-ignore-table')));
    const wild = (option: string) => (e: string): [RegExp, RegExp] => {
      const [db, table] = splitTable(e, option);
      return [wildPattern(db), wildPattern(table)];
    };
    this.wildDo = lists.wildDoTable.map(wild('replicate-wild-do-table'));
    this.wildIgnore = lists.wildIgnoreTable.map(wild('replicate-wild-ignore-table'));
    this.tableRules = this.doTable.size + this.ignoreTable.size + this.wildDo.length + this.wildIgnore.length > 0;
    this.empty = !this.tableRules && this.doDb.size === 0 && this.ignoreDb.size === 0;
  }

  /** The database-level rules for `db`: false when they ignore it. */
  databaseOk(db: string): boolean {
    if (this.doDb.size > 0) return this.doDb.has(db);
    return !this.ignoreDb.has(db);
  }

  /** The table-level rules' verdict for one table, or undefined when none names it. */
  private tableVerdict(db: string, table: string): Verdict {
    const key = `${db}.${table}`;
    if (this.doTable.has(key)) return 'execute';
    if (this.ignoreTable.has(key)) return 'ignore';
    if (this.wildDo.some(([d, t]) => d.test(db) && t.test(table))) return 'execute';
    if (this.wildIgnore.some(([d, t]) => d.test(db) && t.test(table))) return 'ignore';
    return undefined;
  }

  private get tableDefault(): boolean {
    return this.doTable.size === 0 && this.wildDo.length === 0;
  }

  /** Whether a row change of `db`.`table` is applied (decisions are cached per table). */
  rowOk(db: string, table: string): boolean {
    if (this.empty) return true;
    const key = `${db}\u0000${table}`;
    let ok = this.decided.get(key);
    if (ok === undefined) {
      ok = this.databaseOk(db) && (!this.tableRules || (this.tableVerdict(db, table) ?? (this.tableDefault ? 'execute' : 'ignore')) === 'execute');
      // Bounded: a schema with very many tables starts the cache over.
      if (this.decided.size >= 10_000) this.decided.clear();
      this.decided.set(key, ok);
    }
    return ok;
  }

  /**
   * Whether a schema change runs. The database checked is the one the statement names when it
   * creates, alters or drops a database, else the schema of the tables it touched (the default
   * schema when it touched none); the table rules look at those tables in order, and the first
   * one they name decides (MySQL's rule for a statement over several tables).
   */
  ddlOk(d: pb.Ddl): boolean {
    if (this.empty) return true;
    const tables: [string, string][] = [...d.tables.map((t): [string, string] => [t.schema, t.name]), ...d.droppedTables.map((t) => splitQualified(t))];
    const named = databaseStatementName(d.statement);
    if (named !== undefined) return this.databaseOk(named);
    if (tables.length === 0) return this.databaseOk(d.schema);
    if (!tables.some(([db]) => this.databaseOk(db))) return false;
    if (!this.tableRules) return true;
    for (const [db, table] of tables) {
      if (!this.databaseOk(db)) continue;
      const v = this.tableVerdict(db, table);
      if (v !== undefined) return v === 'execute';
    }
    return this.tableDefault;
  }

  /** The lists as SHOW REPLICA STATUS shows them: comma-separated, by column name. */
  statusColumns(): [string, string][] {
    return REPLICATE_OPTIONS.map(([key, , column]) => [column, this.lists[key].join(',')]);
  }
}

function splitQualified(name: string): [string, string] {
  const dot = name.indexOf('.');
  return dot < 0 ? ['', name] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** The database a CREATE/DROP DATABASE (or SCHEMA) statement names, else undefined. */
function databaseStatementName(statement: string): string | undefined {
  if (!/^\s*(create|drop|alter)\s+(database|schema)\b/i.test(statement)) return undefined;
  try {
    const s = parse(statement);
    if (s.type === 'createDatabase' || s.type === 'dropDatabase' || s.type === 'alterDatabase') return s.name;
  } catch {
    // Not ours to judge: the applier reports the statement's own error if it runs.
  }
  return undefined;
}
