// Reads sqllogictest files into records: statements, queries with expected results, and control lines.

export type SortMode = 'nosort' | 'rowsort' | 'valuesort';

export type SltRecord =
  | { kind: 'statement'; line: number; expectError: boolean; errorCode?: number; sql: string }
  | { kind: 'query'; line: number; types: string; sort: SortMode; sql: string; expected: string[]; hash?: { count: number; md5: string } }
  | { kind: 'hash-threshold'; line: number; value: number }
  | { kind: 'halt'; line: number };

/** A record plus whether it applies to the engine we are ("mysql"). */
export interface ParsedRecord {
  record: SltRecord;
  skip: boolean;
}

const ENGINE = 'mysql';

/** Splits a .test file (LF or CRLF) into records, applying skipif/onlyif for the mysql engine. */
export function parseSlt(text: string): ParsedRecord[] {
  const lines = text.split(/\r?\n/);
  const out: ParsedRecord[] = [];
  let i = 0;
  while (i < lines.length) {
    // Skip blank lines and comments between records.
    while (i < lines.length && (lines[i].trim() === '' || lines[i].startsWith('#'))) i++;
    if (i >= lines.length) break;
    let skip = false;
    // Conditions: "skipif X" / "onlyif X", possibly followed by "# comment".
    for (;;) {
      const cond = /^(skipif|onlyif)\s+(\S+)/.exec(lines[i] ?? '');
      if (!cond) break;
      const engine = cond[2].toLowerCase();
      if (cond[1] === 'skipif' && engine === ENGINE) skip = true;
      if (cond[1] === 'onlyif' && engine !== ENGINE) skip = true;
      i++;
    }
    const head = lines[i] ?? '';
    const lineNo = i + 1;
    const words = head.trim().split(/\s+/);
    i++;
    if (words[0] === 'statement') {
      const sql: string[] = [];
      while (i < lines.length && lines[i].trim() !== '') sql.push(lines[i++]);
      const code = words[2] !== undefined && /^\d+$/.test(words[2]) ? Number(words[2]) : undefined;
      out.push({ record: { kind: 'statement', line: lineNo, expectError: words[1] === 'error', errorCode: code, sql: sql.join('\n') }, skip });
    } else if (words[0] === 'query') {
      const sql: string[] = [];
      while (i < lines.length && lines[i] !== '----' && lines[i].trim() !== '') sql.push(lines[i++]);
      const expected: string[] = [];
      let hash: { count: number; md5: string } | undefined;
      if (lines[i] === '----') {
        i++;
        while (i < lines.length && lines[i].trim() !== '') {
          const m = /^(\d+) values hashing to ([0-9a-f]{32})$/.exec(lines[i].trim());
          if (m) hash = { count: Number(m[1]), md5: m[2] };
          else expected.push(lines[i]);
          i++;
        }
      }
      const sort = (words[2] ?? 'nosort') as SortMode;
      out.push({ record: { kind: 'query', line: lineNo, types: words[1] ?? '', sort, sql: sql.join('\n'), expected, hash }, skip });
    } else if (words[0] === 'hash-threshold') {
      out.push({ record: { kind: 'hash-threshold', line: lineNo, value: Number(words[1]) }, skip });
    } else if (words[0] === 'halt') {
      out.push({ record: { kind: 'halt', line: lineNo }, skip });
    } else {
      // Unknown directive: skip its block.
      while (i < lines.length && lines[i].trim() !== '') i++;
    }
  }
  return out;
}
