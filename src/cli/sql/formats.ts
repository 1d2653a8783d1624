// The console's output formats: each turns one result set (columns, then rows as they stream) into text.
import type { ClientRow, ClientValue, Column, ColumnTypeName } from '../../client/index.js';

export const FORMAT_NAMES = ['table', 'tsv', 'csv', 'json', 'ndjson', 'markdown', 'vertical'] as const;
export type FormatName = (typeof FORMAT_NAMES)[number];

export function isFormatName(s: string): s is FormatName {
  return (FORMAT_NAMES as readonly string[]).includes(s);
}

/** Text for one result set; a fresh one per result. begin() and row() may return '' when the format must see every row first. */
export interface ResultFormatter {
  begin(columns: readonly Column[]): string;
  row(row: ClientRow): string;
  end(): string;
}

export interface FormatOptions {
  /** Print column names (tsv, csv): off with -N. */
  columnNames: boolean;
  /** A table wider than this is shown vertically instead (the console's terminal width); 0 for no limit. */
  maxWidth?: number;
}

/** Right-aligned in tables: what mariadb counts as numbers. */
function isNumeric(t: ColumnTypeName): boolean {
  return t === 'tinyint' || t === 'smallint' || t === 'mediumint' || t === 'int' || t === 'bigint' || t === 'decimal' || t === 'float' || t === 'double' || t === 'year' || t === 'null';
}

const utf8 = new TextDecoder();

/** A value as the MySQL text protocol writes it (datetimes with a space, bytes as their text); null for NULL. */
export function cellText(v: ClientValue, type: ColumnTypeName): string | null {
  if (v === null) return null;
  if (v instanceof Uint8Array) return utf8.decode(v);
  if (typeof v === 'number') return (type === 'float' || type === 'double') ? String(v).replace('e+', 'e') : String(v);
  if (typeof v === 'bigint') return v.toString();
  return type === 'datetime' || type === 'timestamp' ? v.replace('T', ' ') : v;
}

/** A value as JSON text: numbers as numbers (bigints too, digits unquoted), DECIMAL and other text as strings, bytes as 0x-hex strings. */
export function jsonCell(v: ClientValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return `"0x${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('hex')}"`;
  return JSON.stringify(v);
}

/** mariadb --batch: tab-separated, NULL as NULL, tab, newline, backslash and NUL escaped. */
function tsvEscape(s: string): string {
  return /[\t\n\\\0]/.test(s) ? s.replace(/[\t\n\\\0]/g, (c) => (c === '\t' ? '\\t' : c === '\n' ? '\\n' : c === '\\' ? '\\\\' : '\\0')) : s;
}

class Tsv implements ResultFormatter {
  private types: ColumnTypeName[] = [];
  constructor(private readonly o: FormatOptions) {}
  begin(columns: readonly Column[]): string {
    this.types = columns.map((c) => c.type);
    return this.o.columnNames ? columns.map((c) => tsvEscape(c.name)).join('\t') + '\n' : '';
  }
  row(row: ClientRow): string {
    let line = '';
    for (let i = 0; i < this.types.length; i++) {
      const t = cellText(row[i] ?? null, this.types[i]!);
      line += (i === 0 ? '' : '\t') + (t === null ? 'NULL' : tsvEscape(t));
    }
    return line + '\n';
  }
  end(): string {
    return '';
  }
}

/** RFC 4180 quoting; NULL is an empty field, an empty string a quoted one. */
function csvField(s: string | null): string {
  if (s === null) return '';
  return s === '' || /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

class Csv implements ResultFormatter {
  private types: ColumnTypeName[] = [];
  constructor(private readonly o: FormatOptions) {}
  begin(columns: readonly Column[]): string {
    this.types = columns.map((c) => c.type);
    return this.o.columnNames ? columns.map((c) => csvField(c.name)).join(',') + '\n' : '';
  }
  row(row: ClientRow): string {
    return this.types.map((t, i) => csvField(cellText(row[i] ?? null, t))).join(',') + '\n';
  }
  end(): string {
    return '';
  }
}

/** One JSON object per row, keyed by column name. */
function jsonObject(keys: readonly string[], row: ClientRow): string {
  let s = '{';
  for (let i = 0; i < keys.length; i++) s += (i === 0 ? '' : ',') + keys[i] + ':' + jsonCell(row[i] ?? null);
  return s + '}';
}

class Ndjson implements ResultFormatter {
  protected keys: string[] = [];
  begin(columns: readonly Column[]): string {
    this.keys = columns.map((c) => JSON.stringify(c.name));
    return '';
  }
  row(row: ClientRow): string {
    return jsonObject(this.keys, row) + '\n';
  }
  end(): string {
    return '';
  }
}

/** A JSON array of row objects per result set, written as the rows arrive. */
class Json extends Ndjson {
  private first = true;
  override begin(columns: readonly Column[]): string {
    super.begin(columns);
    return '[';
  }
  override row(row: ClientRow): string {
    const s = (this.first ? '\n' : ',\n') + jsonObject(this.keys, row);
    this.first = false;
    return s;
  }
  override end(): string {
    return this.first ? ']\n' : '\n]\n';
  }
}

function markdownCell(s: string | null): string {
  return s === null ? 'NULL' : s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

class Markdown implements ResultFormatter {
  private types: ColumnTypeName[] = [];
  begin(columns: readonly Column[]): string {
    this.types = columns.map((c) => c.type);
    const head = '| ' + columns.map((c) => markdownCell(c.name)).join(' | ') + ' |\n';
    return head + '|' + columns.map((c) => (isNumeric(c.type) ? '---:' : '---')).join('|') + '|\n';
  }
  row(row: ClientRow): string {
    return '| ' + this.types.map((t, i) => markdownCell(cellText(row[i] ?? null, t))).join(' | ') + ' |\n';
  }
  end(): string {
    return '';
  }
}

const STARS = '*'.repeat(27);

/** mariadb's \G: one block per row, names right-aligned. */
class Vertical implements ResultFormatter {
  private names: string[] = [];
  private types: ColumnTypeName[] = [];
  private n = 0;
  begin(columns: readonly Column[]): string {
    const w = Math.max(...columns.map((c) => width(c.name)));
    this.names = columns.map((c) => ' '.repeat(w - width(c.name)) + c.name);
    this.types = columns.map((c) => c.type);
    return '';
  }
  row(row: ClientRow): string {
    let s = `${STARS} ${++this.n}. row ${STARS}\n`;
    for (let i = 0; i < this.names.length; i++) s += `${this.names[i]}: ${cellText(row[i] ?? null, this.types[i]!) ?? 'NULL'}\n`;
    return s;
  }
  end(): string {
    return '';
  }
}

/** Terminal cells of a string: code points (wide characters are not told apart). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** mariadb's boxed table: every row is needed for the widths, so all is written at the end. */
class Table implements ResultFormatter {
  private columns: readonly Column[] = [];
  private rows: (string | null)[][] = [];
  constructor(private readonly o: FormatOptions) {}
  begin(columns: readonly Column[]): string {
    this.columns = columns;
    return '';
  }
  row(row: ClientRow): string {
    this.rows.push(this.columns.map((c, i) => cellText(row[i] ?? null, c.type)));
    return '';
  }
  end(): string {
    const cols = this.columns;
    // As mariadb: at least the name, the longest value, and 4 ("NULL") for a nullable column.
    const widths = cols.map((c, i) => {
      let w = Math.max(width(c.name), c.nullable ? 4 : 0);
      for (const r of this.rows) w = Math.max(w, width(r[i] ?? 'NULL'));
      return w;
    });
    const rule = '+' + widths.map((w) => '-'.repeat(w + 2)).join('+') + '+\n';
    if (this.o.maxWidth && rule.length - 1 > this.o.maxWidth) return this.vertical();
    const line = (cells: readonly string[], right: (i: number) => boolean) =>
      '|' + cells.map((s, i) => ' ' + (right(i) ? s.padStart(widths[i]! + s.length - width(s)) : s.padEnd(widths[i]! + s.length - width(s))) + ' ').join('|') + '|\n';
    let out = rule;
    if (this.o.columnNames) out += line(cols.map((c) => c.name), () => false) + rule;
    for (const r of this.rows) out += line(r.map((s) => s ?? 'NULL'), (i) => isNumeric(cols[i]!.type));
    return out + rule;
  }
  private vertical(): string {
    const v = new Vertical();
    let out = v.begin(this.columns);
    for (const r of this.rows) out += v.row(r);
    return out;
  }
}

/** A formatter for one result set. */
export function formatter(name: FormatName, o: FormatOptions): ResultFormatter {
  switch (name) {
    case 'table':
      return new Table(o);
    case 'tsv':
      return new Tsv(o);
    case 'csv':
      return new Csv(o);
    case 'json':
      return new Json();
    case 'ndjson':
      return new Ndjson();
    case 'markdown':
      return new Markdown();
    case 'vertical':
      return new Vertical();
  }
}
