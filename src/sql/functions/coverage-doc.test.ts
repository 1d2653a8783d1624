// Keeps docs/mysql8-coverage.md true: its supported functions are known to the server, its missing ones
// are not, every built-in is listed, and each statement example behaves as its row's status says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EmbeddedBackend, type Outcome } from '../../testing/slt/backends.js';
import { functionNames } from './registry.js';
import { AGGREGATES, WINDOW_FUNCTIONS } from '../parser/functions.js';

const DOC = readFileSync(fileURLToPath(new URL('../../../docs/mysql8-coverage.md', import.meta.url)), 'utf8');

type Status = 'supported' | 'partial' | 'not yet' | 'by design';
const available = (s: Status) => s === 'supported' || s === 'partial';

/** `| \`NAME()\` | status | ...` rows of the function tables. */
function documentedFunctions(): Map<string, Status> {
  const out = new Map<string, Status>();
  for (const m of DOC.matchAll(/^\| `([A-Za-z0-9_]+)\(\)` \| (supported|partial|not yet|by design) \|/gm)) {
    assert.ok(!out.has(m[1].toUpperCase()), `${m[1]}() is listed twice`);
    out.set(m[1].toUpperCase(), m[2] as Status);
  }
  return out;
}

/** The statement table's rows: status and the example in the fourth cell. */
function documentedStatements(): { family: string; status: Status; example: string }[] {
  const section = DOC.slice(DOC.indexOf('## Statements'));
  const rows = [];
  for (const line of section.split('\n')) {
    // | family | status | how often | `example` | notes |
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    if (cells.length !== 5 || !/^(supported|partial|not yet|by design)$/.test(cells[1])) continue;
    const example = /^`(.+)`$/.exec(cells[3]);
    assert.ok(example, `statement row without an example: ${line}`);
    rows.push({ family: cells[0], status: cells[1] as Status, example: example[1] });
  }
  return rows;
}

/**
 * Argument shapes tried on each name: a function is known when one of them gets past the name lookup,
 * that is, answers rows or an error other than 1305 (unknown function), 1064 (that shape does not parse)
 * or 1235 (known syntax, not implemented).
 */
const SHAPES = ['', 'NULL', 'NULL, NULL', 'NULL, NULL, NULL', 'NULL, NULL, NULL, NULL', 'NULL, NULL, NULL, NULL, NULL',
  "'a' IN 'b'", 'DAY, 1, NULL', 'DATE, NULL', 'YEAR FROM NULL', 'NULL AS CHAR', 'NULL USING utf8mb4'];
/** Names whose only form is not a plain call in a select list. */
const SPECIAL_CALLS: Record<string, string> = {
  JSON_TABLE: "SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (x INT PATH '$')) AS jt",
  MATCH: "SELECT MATCH(v) AGAINST ('x') FROM t",
  VALUES: 'INSERT INTO t VALUES (1, 1) ON DUPLICATE KEY UPDATE v = VALUES(v)',
  DEFAULT: 'SELECT DEFAULT(v) FROM t',
};
const NOT_FOUND = new Set([1305, 1064, 1235]);
const found = (o: Outcome) => o.kind !== 'error' || !NOT_FOUND.has(o.code);

async function isKnown(db: EmbeddedBackend, name: string): Promise<boolean> {
  if (SPECIAL_CALLS[name]) return found(await db.run(SPECIAL_CALLS[name]));
  for (const args of SHAPES) {
    if (found(await db.run(`SELECT ${name}(${args})`))) return true;
    if (found(await db.run(`SELECT ${name}(${args}) OVER () FROM t`))) return true;
  }
  return false;
}

test('docs/mysql8-coverage.md: supported functions are known, missing ones are not, and every built-in is listed', async () => {
  const documented = documentedFunctions();
  assert.ok(documented.size > 250, `only ${documented.size} functions parsed from the document`);
  const builtIns = [...functionNames(), ...AGGREGATES, ...WINDOW_FUNCTIONS].filter((n) => /^[A-Z0-9_]+$/.test(n));
  const unlisted = builtIns.filter((n) => !documented.has(n) || !available(documented.get(n) as Status));
  assert.deepEqual(unlisted, [], 'built-ins missing from the document or marked missing there');

  const db = await EmbeddedBackend.open();
  try {
    await db.begin('coverage');
    await db.run('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
    const wrong: string[] = [];
    for (const [name, status] of documented) {
      const known = await isKnown(db, name);
      if (known !== available(status)) wrong.push(`${name}() is documented as ${status} but the server ${known ? 'knows' : 'does not know'} it`);
    }
    assert.deepEqual(wrong, []);
    await db.end('coverage');
  } finally {
    await db.close();
  }
});

test('docs/mysql8-coverage.md: each statement example behaves as its status says', async () => {
  const rows = documentedStatements();
  assert.ok(rows.length > 30, `only ${rows.length} statement rows parsed from the document`);
  const db = await EmbeddedBackend.open();
  try {
    const wrong: string[] = [];
    for (const row of rows) {
      await db.begin('coverage_stmt');
      await db.run('CREATE TABLE t (id INT PRIMARY KEY, v INT)');
      const o = await db.run(row.example);
      const refused = o.kind === 'error' && (o.code === 1235 || o.code === 1064);
      if (available(row.status) ? o.kind === 'error' : !refused) {
        wrong.push(`${row.example} (${row.status}): ${o.kind === 'error' ? `${o.code} ${o.message}` : o.kind}`);
      }
      await db.run('UNLOCK TABLES');
      await db.run('ROLLBACK');
      await db.end('coverage_stmt');
    }
    assert.deepEqual(wrong, []);
  } finally {
    await db.close();
  }
});
