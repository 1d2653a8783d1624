// Smoke test: every statement MySQL accepts in a few sqllogictest files must parse (or be a refused UnsupportedStmt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parse } from './index.js';

const ROOT = process.env.SQLLOGICTEST_DIR ?? fileURLToPath(new URL('../../../../shared/sqllogictest/', import.meta.url));

/** SQL texts of the `statement ok` and `query` records that apply to MySQL. */
function records(text: string): string[] {
  const lines = text.split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    let line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    let skip = false;
    while (line !== undefined && (line.startsWith('skipif') || line.startsWith('onlyif'))) {
      const [kw, db] = line.split(/\s+/);
      if ((kw === 'skipif' && db === 'mysql') || (kw === 'onlyif' && db !== 'mysql')) skip = true;
      line = lines[++i];
    }
    if (line === undefined) break;
    const keep = line.startsWith('statement ok') || line.startsWith('query');
    i++;
    const sql: string[] = [];
    while (i < lines.length && lines[i].trim() !== '' && lines[i] !== '----') sql.push(lines[i++]);
    while (i < lines.length && lines[i].trim() !== '') i++;
    if (keep && !skip && sql.length > 0) out.push(sql.join('\n'));
  }
  return out;
}

/** SQLite-only syntax in the evidence files that MySQL rejects too (the files do not mark it). */
const SQLITE_ONLY = [/\btotal\s*\(/i, /\bNOT INDEXED\b/i, /\bNOT NULL ORDER\b/i, /^REINDEX\b/i];

test('sqllogictest select1-5 and evidence/*.test parse', { skip: !existsSync(ROOT) && 'sqllogictest corpus not present' }, () => {
  const files = ['select1.test', 'select2.test', 'select3.test', 'select4.test', 'select5.test'];
  const evidence = join(ROOT, 'evidence');
  if (existsSync(evidence)) for (const f of readdirSync(evidence).sort()) if (f.endsWith('.test')) files.push(join('evidence', f));
  let total = 0;
  const failures: string[] = [];
  const unsupported: Record<string, number> = {};
  for (const f of files) {
    for (const sql of records(readFileSync(join(ROOT, f), 'utf8'))) {
      total++;
      try {
        const s = parse(sql);
        if (s.type === 'unsupported') unsupported[s.feature] = (unsupported[s.feature] ?? 0) + 1;
      } catch (e) {
        if (!SQLITE_ONLY.some((r) => r.test(sql))) failures.push(`${f}: ${sql}\n  ${(e as Error).message}`);
      }
    }
  }
  assert.ok(total > 10000, `only ${total} statements found`);
  assert.deepEqual(failures, []);
  assert.deepEqual(Object.keys(unsupported).sort(), ['CREATE TRIGGER', 'DROP TRIGGER']);
});
