// The differential run's report: agreement, every class of difference with an example, and the excluded classes.
import type { Answer } from './servers.js';
import type { RunResult } from './runner.js';

/** Constructs the generator leaves out because MariaDB 10.11 differs from MySQL 8 by design (mizzle follows MySQL 8). */
export const EXCLUDED: readonly { what: string; why: string }[] = [
  { what: 'DOUBLE values printed as text (CONCAT/CAST AS CHAR of a double, exact digits of DOUBLE results)', why: 'MySQL 8 prints the shortest round-trip digits, MariaDB %g with 15/17 digits; DOUBLE columns are compared numerically (relative 1e-9) instead' },
  { what: 'ROUND/TRUNCATE of DOUBLE', why: 'halfway cases of approximate values depend on each server\'s C library rounding' },
  { what: 'the JSON family and `->`/`->>`', why: 'MariaDB has no `->>`, stores JSON as LONGTEXT and prints JSON with different spacing' },
  { what: 'comparisons and GREATEST/LEAST across different type families (string vs number, date vs string)', why: 'MariaDB and MySQL 8 pick different comparison types for mixed arguments' },
  { what: 'strings with upper case letters or trailing spaces', why: 'MySQL 8\'s default utf8mb4_0900_ai_ci is NO PAD, MariaDB\'s collations PAD SPACE; equal-but-different strings make ORDER BY ties and DISTINCT picks undefined' },
  { what: 'ORDER BY with WITH ROLLUP', why: 'MariaDB 10.11 rejects it (1221), MySQL 8.0.12+ allows it' },
  { what: 'invalid or zero dates, TIME arithmetic with + and -', why: 'MariaDB and MySQL 8 differ in NO_ZERO_DATE handling and treat TIME + number differently' },
  { what: 'window ORDER BY that is not total for ROW_NUMBER/LAG/LEAD/FIRST_VALUE', why: 'the result depends on the execution order in both; windows order by the primary key' },
  { what: 'non-deterministic functions (NOW, RAND, UUID, CONNECTION_ID)', why: 'different by nature' },
  { what: 'DECIMAL % with a zero remainder of a negative dividend', why: 'MariaDB prints -0.00; MySQL 8 prints no negative zero for DECIMAL (decimal % is generated with a literal divisor only)' },
  { what: 'CAST of a negative DECIMAL or string AS UNSIGNED', why: 'MariaDB answers 0 with a warning; MySQL 8 not verified here (mizzle wraps as for integers); CAST(integer AS UNSIGNED) is generated' },
  { what: 'FLOOR/CEILING of a DOUBLE', why: 'MySQL 8 returns DOUBLE ("for string or floating-point arguments, the return value has a floating-point type"), MariaDB an integer, so a division by it is DOUBLE in one and DECIMAL in the other' },
  { what: 'unsigned subtraction and unsigned + signed', why: 'a negative unsigned result is error 1690 in both, but whether a server evaluates the expression for a row (a merged CTE, a WHERE pushed below the select list) differs' },
  { what: 'BIGINT UNSIGNED values near 2^64 in data', why: 'whether an overflow error (1690) shows depends on which rows each server evaluates an expression for (join order, pushdown); data stays below 2^53' },
];

/** Differences still generated, each with its cause (seeds 1-5 show them). */
export const REMAINING: readonly { what: string; why: string }[] = [
  { what: 'x NOT IN (SELECT col ...) where x lies outside col\'s type range and col has NULLs', why: 'MariaDB answers TRUE (it skips the NULLs once the value cannot match); by the SQL rule and MySQL 8\'s ("IN() returns NULL ... if no match is found and one of the expressions is NULL"), which mizzle follows, the answer is NULL' },
  { what: 'REPLACE(s, \'\', NULL)', why: 'MariaDB returns s when the search string is empty before it looks at the replacement; MySQL 8 evaluates all three arguments first and returns NULL when any is NULL, as mizzle does' },
  { what: 'SUM/AVG (also OVER a window) of a DECIMAL quotient', why: 'MariaDB rounds each quotient to its type\'s scale when its plan materializes the argument (GROUP BY an expression through a temporary table, window functions) and adds all its digits otherwise; MySQL adds the quotients with all their digits (its WITH ROLLUP total of SUM(a/b) differs from the sum of the rounded group sums), as mizzle does in every plan' },
];

/** Differences known and not fixed yet. */
export const KNOWN: readonly { what: string; why: string }[] = [
  { what: 'ABS of a decimal quotient (ABS(-1/3) * 3)', why: 'MySQL\'s ABS reads the quotient\'s 9-digit-word fraction (1.0000); mizzle\'s reads it at the type\'s scale (0.9999). ROUND, TRUNCATE, FLOOR, CEILING, SIGN, GREATEST, LEAST, IF, COALESCE, CASE, SUM and AVG read all the digits' },
];

function show(a: Answer): string {
  if (a.kind === 'error') return `error ${a.code}: ${a.message}`;
  if (a.kind === 'ok') return 'OK';
  const shown = a.rows.slice(0, 8).map((r) => r.map((v) => (v === null ? 'NULL' : v)).join(' | '));
  return shown.join('\n') + (a.rows.length > 8 ? `\n… (${a.rows.length} rows)` : a.rows.length === 0 ? '(no rows)' : '');
}

export function agreementOf(r: RunResult): number {
  return r.queries === 0 ? 1 : r.agreed / r.queries;
}

export function renderReport(r: RunResult, date: string): string {
  const lines: string[] = [];
  lines.push(`# Differential test: mizzle vs MariaDB — ${date}`, '');
  lines.push(`Seed ${r.seed}, ${r.queries} queries in ${r.seconds.toFixed(1)} s: **${(agreementOf(r) * 100).toFixed(2)}% agreement** (${r.agreed} agree, of which ${r.bothErrored} both errored; ${r.differences.length} differ).`, '');
  lines.push('Values are compared as the text the MySQL text protocol carries (mysql2, typeCast returning the raw string); FLOAT/DOUBLE columns numerically within a relative 1e-9. Rows are multisets unless ORDER BY makes the order total.', '');
  const classes = new Map<string, RunResult['differences']>();
  for (const d of r.differences) classes.set(d.cls, [...(classes.get(d.cls) ?? []), d]);
  lines.push(`## Differences (${classes.size} classes)`, '');
  for (const [cls, ds] of [...classes].sort((a, b) => b[1].length - a[1].length)) {
    const d = ds[0];
    lines.push(`### ${cls} (${ds.length})`, '', '```sql', d.sql, '```', '', 'mizzle:', '```', show(d.mizzle), '```', 'mariadb:', '```', show(d.mariadb), '```');
    if (d.minimized) lines.push('', 'minimized:', '```sql', d.minimized.sql, '```', 'mizzle:', '```', show(d.minimized.mizzle), '```', 'mariadb:', '```', show(d.minimized.mariadb), '```');
    lines.push('');
  }
  if (r.errorCodeNotes.size > 0) {
    lines.push('## Both errored, different codes (counted as agreement)', '');
    for (const [note, n] of r.errorCodeNotes) lines.push(`- ${note} (mizzle vs mariadb): ${n.count}, e.g. \`${n.example.slice(0, 300)}\``);
    lines.push('');
  }
  if (r.setupFailures.length > 0) {
    lines.push('## Schema setup failures', '');
    for (const f of r.setupFailures.slice(0, 20)) lines.push(`- ${f}`);
    lines.push('');
  }
  lines.push('## Excluded: MariaDB ≠ MySQL 8', '');
  for (const e of EXCLUDED) lines.push(`- ${e.what}: ${e.why}`);
  lines.push('', '## Differences still generated, by cause', '');
  for (const e of REMAINING) lines.push(`- ${e.what}: ${e.why}`);
  lines.push('', '## Known mizzle differences', '');
  for (const e of KNOWN) lines.push(`- ${e.what}: ${e.why}`);
  lines.push('');
  return lines.join('\n');
}
