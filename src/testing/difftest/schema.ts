// Random tables and rows for the differential test: every column type the queries use, NULLs, secondary indexes.
import type { Random } from './random.js';

/** The value kinds the query generator types its expressions by. */
export type ValueKind = 'int' | 'uint' | 'dec' | 'dbl' | 'str' | 'date' | 'dt' | 'time';

export interface ColumnDef {
  name: string;
  kind: ValueKind;
  /** The SQL column type, e.g. DECIMAL(7,2). */
  sqlType: string;
}

export interface TableDef {
  name: string;
  columns: ColumnDef[];
}

export interface Schema {
  tables: TableDef[];
  /** CREATE TABLE, CREATE INDEX and INSERT statements, in order. */
  statements: string[];
}

const MAX_TABLES = 3;
const MAX_ROWS = 24;
const LETTERS = 'abcdefghij0123456789-_';

function columnsFor(r: Random): ColumnDef[] {
  const p = r.int(4, 12);
  const s = r.int(0, Math.min(4, p - 1));
  const n = r.int(4, 16);
  return [
    { name: 'id', kind: 'int', sqlType: 'INT NOT NULL' },
    // k is the join key: a small range so joins match some rows, and NULLs.
    { name: 'k', kind: 'int', sqlType: 'INT' },
    { name: 'i', kind: 'int', sqlType: 'INT' },
    { name: 'b', kind: 'int', sqlType: 'BIGINT' },
    { name: 'u', kind: 'uint', sqlType: 'BIGINT UNSIGNED' },
    { name: 'd', kind: 'dec', sqlType: `DECIMAL(${p},${s})` },
    { name: 'f', kind: 'dbl', sqlType: 'DOUBLE' },
    { name: 'v', kind: 'str', sqlType: `VARCHAR(${n})` },
    { name: 'c', kind: 'str', sqlType: `CHAR(${Math.min(n, 8)})` },
    { name: 'x', kind: 'str', sqlType: 'TEXT' },
    { name: 'dd', kind: 'date', sqlType: 'DATE' },
    { name: 'dt', kind: 'dt', sqlType: 'DATETIME' },
    { name: 'tm', kind: 'time', sqlType: 'TIME' },
  ];
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A random string of lowercase letters, digits, '-' and '_' (no case or trailing-space ties under any collation). */
export function randomText(r: Random, maxLen: number): string {
  const len = r.int(0, maxLen);
  let s = '';
  for (let i = 0; i < len; i++) s += r.pick(LETTERS.split(''));
  return s;
}

export function randomDate(r: Random): string {
  const y = r.int(1995, 2035);
  const m = r.int(1, 12);
  const dim = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return `${y}-${pad(m)}-${pad(r.int(1, dim))}`;
}

export function randomTime(r: Random): string {
  return `${pad(r.int(0, 23))}:${pad(r.int(0, 59))}:${pad(r.int(0, 59))}`;
}

function decimalLiteral(r: Random, p: number, s: number): string {
  const intDigits = p - s;
  const whole = r.int(0, Math.min(10 ** intDigits - 1, 99999));
  const frac = s > 0 ? '.' + pad(r.int(0, 10 ** s - 1), s) : '';
  return `${r.chance(0.3) ? '-' : ''}${whole}${frac}`;
}

/** A random literal of a column's value kind, as SQL text (NULL sometimes when nullable). */
function valueFor(r: Random, col: ColumnDef, id: number): string {
  if (col.name === 'id') return String(id);
  if (r.chance(0.15)) return 'NULL';
  switch (col.kind) {
    case 'int':
      if (col.name === 'k') return String(r.int(0, 5));
      if (col.sqlType.startsWith('BIGINT')) return String(r.weighted([[8, r.int(-100000, 100000)], [1, 9007199254740991], [1, -9007199254740991]] as const));
      return String(r.weighted([[9, r.int(-100, 100)], [1, r.pick([2147483647, -2147483648])]] as const));
    case 'uint':
      // Up to 2^53: large enough for unsigned arithmetic, small enough that x * 20 does not overflow (whether an
      // overflow error shows depends on which rows each server evaluates an expression for).
      return r.chance(0.05) ? '9007199254740991' : String(r.int(0, 1000000));
    case 'dec': {
      const m = /DECIMAL\((\d+),(\d+)\)/.exec(col.sqlType);
      return decimalLiteral(r, Number(m?.[1] ?? 10), Number(m?.[2] ?? 2));
    }
    case 'dbl':
      // Multiples of 1/4: exact in binary, so both servers print the same digits.
      return String(r.int(-4000, 4000) / 4);
    case 'str': {
      const m = /\((\d+)\)/.exec(col.sqlType);
      return `'${randomText(r, Math.min(Number(m?.[1] ?? 12), 12))}'`;
    }
    case 'date':
      return `'${randomDate(r)}'`;
    case 'dt':
      return `'${randomDate(r)} ${randomTime(r)}'`;
    case 'time':
      return `'${randomTime(r)}'`;
  }
}

/** Generates MAX_TABLES tables t0..t2 with their rows and indexes. */
export function generateSchema(r: Random): Schema {
  const tables: TableDef[] = [];
  const statements: string[] = [];
  for (let t = 0; t < MAX_TABLES; t++) {
    const name = `t${t}`;
    const columns = columnsFor(r);
    tables.push({ name, columns });
    statements.push(`CREATE TABLE ${name} (${columns.map((c) => `${c.name} ${c.sqlType}`).join(', ')}, PRIMARY KEY (id))`);
    for (const c of columns) {
      if (c.name !== 'id' && r.chance(0.25)) statements.push(`CREATE INDEX ix_${name}_${c.name} ON ${name} (${c.kind === 'str' && c.sqlType === 'TEXT' ? `${c.name}(8)` : c.name})`);
    }
    const rows = r.int(t === 0 ? 8 : 0, MAX_ROWS);
    const values: string[] = [];
    for (let id = 1; id <= rows; id++) values.push(`(${columns.map((c) => valueFor(r, c, id)).join(', ')})`);
    if (values.length > 0) statements.push(`INSERT INTO ${name} VALUES ${values.join(', ')}`);
  }
  return { tables, statements };
}
