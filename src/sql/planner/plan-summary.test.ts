// Tests of plan summaries: the access path each table would get and the row estimates, on a real (embedded) catalog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEmbedded, type Embedded } from '../../testing/embedded.js';
import type { KernelSession } from '../../kernel/plugin.js';
import { parse, parseWithParams } from '../parser/index.js';
import { PLAN_ONLY, summarizeStatement } from './plan-summary.js';
import { informationSchemaColumns } from '../executor/information-schema.js';
import { isUnsafeUpdate } from './safe-updates.js';
import type { Value } from '../../base/value.js';
import type { Session } from '../../kernel/session/session.js';

let db: Embedded;
let s: KernelSession;

before(async () => {
  db = await startEmbedded({ args: ['--default-storage-engine=memory'] });
  s = db.session();
  await db.run(s, 'CREATE DATABASE p');
  await db.run(s, 'USE p');
  await db.run(s, 'CREATE TABLE big (id INT PRIMARY KEY, grp INT, name VARCHAR(20), KEY k_grp (grp), UNIQUE KEY u_name (name))');
  await db.run(s, 'CREATE TABLE small (id INT PRIMARY KEY, big_id INT, v INT)');
  await db.run(s, 'CREATE TABLE nokey (a INT, b INT)');
  const rows: string[] = [];
  for (let i = 1; i <= 500; i++) rows.push(`(${i}, ${i % 50}, 'n${i}')`);
  await db.run(s, `INSERT INTO big VALUES ${rows.join(',')}`);
  await db.run(s, 'INSERT INTO small VALUES (1, 1, 1), (2, 2, 2), (3, 3, 3), (4, 4, 4)');
  await db.run(s, 'INSERT INTO nokey VALUES (1, 1), (2, 2)');
  await db.run(s, 'CREATE VIEW vbig AS SELECT id, grp FROM big WHERE grp = 3');
});

after(async () => {
  await db.stop();
});

/** Plans and summarizes as the session does for filters: the shared planner on the live catalog, nothing run. */
function summarize(sql: string, params: readonly Value[] = []) {
  const stmt = params.length ? parseWithParams(sql).statement : parse(sql);
  const kernel = db.server.kernel;
  const session = s as Session;
  const ctx = { session, now: new Date(), params, divPrecisionIncrement: 4, strict: true, rowNumber: 0, outerRows: [] };
  return summarizeStatement(
    stmt,
    { session, catalog: kernel.storage.catalog, systemColumns: informationSchemaColumns, subqueryRunner: PLAN_ONLY },
    { rowCount: (def) => kernel.rowCounts.rowCount(def), bind: { session, ctx } },
  );
}

function plan(sql: string, params: readonly Value[] = []) {
  return summarize(sql, params);
}

test('a full scan estimates the table size; a primary-key equality one row', () => {
  assert.deepEqual(plan('SELECT * FROM big'), { tables: [{ schema: 'p', table: 'big', access: 'scan', estimatedRows: 500 }], estimatedJoinRows: 500 });
  assert.deepEqual(plan('SELECT * FROM big WHERE id = 7')?.tables, [{ schema: 'p', table: 'big', access: 'index', index: 'PRIMARY', estimatedRows: 1 }]);
  assert.equal(plan('SELECT * FROM big WHERE id IN (1, 2, 3)')?.tables[0].estimatedRows, 3);
  assert.equal(plan("SELECT * FROM big WHERE name = 'n5'")?.tables[0].index, 'u_name');
  assert.equal(plan("SELECT * FROM big WHERE name = 'n5'")?.tables[0].estimatedRows, 1);
});

test('a WHERE on a column without an index is a scan; a non-unique index estimates a share', () => {
  assert.equal(plan('SELECT * FROM nokey WHERE a = 1')?.tables[0].access, 'scan');
  assert.equal(plan('SELECT * FROM big WHERE id + 0 = 7')?.tables[0].access, 'scan');
  const grp = plan('SELECT * FROM big WHERE grp = 3')?.tables[0];
  assert.equal(grp?.access, 'index');
  assert.equal(grp?.index, 'k_grp');
  assert.ok(grp && grp.estimatedRows >= 1 && grp.estimatedRows < 500);
});

test('integer ranges on a key estimate their width; constants the index cannot use mean a scan', () => {
  assert.equal(plan('SELECT * FROM big WHERE id BETWEEN 10 AND 19')?.tables[0].estimatedRows, 10);
  assert.equal(plan('SELECT * FROM big WHERE id > 10 AND id < 15')?.tables[0].estimatedRows, 4);
  // A string compared with an INT key compares as numbers: one that is exactly a number keys the index
  // (as MySQL's range optimizer does), any other is left to a scan.
  assert.equal(plan("SELECT * FROM big WHERE id = '7'")?.tables[0].estimatedRows, 1);
  assert.equal(plan("SELECT * FROM big WHERE id = '7x'")?.tables[0].access, 'scan');
  // = NULL matches nothing.
  assert.equal(plan('SELECT * FROM big WHERE id = NULL')?.tables[0].estimatedRows, 0);
});

test('parameters are bound as the executor binds them', () => {
  assert.equal(plan('SELECT * FROM big WHERE id = ?', [5])?.tables[0].estimatedRows, 1);
  assert.equal(plan('SELECT * FROM big WHERE id BETWEEN ? AND ?', [1, 100])?.tables[0].estimatedRows, 100);
});

test('a LIMIT that stops a single-table read early caps the estimate', () => {
  assert.equal(plan('SELECT * FROM big LIMIT 10')?.tables[0].estimatedRows, 10);
  assert.equal(plan('SELECT * FROM big LIMIT 5, 10')?.tables[0].estimatedRows, 15);
  // ORDER BY and aggregates need every row.
  assert.equal(plan('SELECT * FROM big ORDER BY name LIMIT 10')?.tables[0].estimatedRows, 500);
  assert.equal(plan('SELECT COUNT(*) FROM big LIMIT 1')?.tables[0].estimatedRows, 500);
});

test('joins: the product of the tables, with index lookups on join keys', () => {
  const cross = plan('SELECT * FROM big, small');
  assert.equal(cross?.estimatedJoinRows, 2000);
  assert.deepEqual(cross?.tables.map((t) => t.access), ['scan', 'scan']);
  const eq = plan('SELECT * FROM small JOIN big ON big.id = small.big_id');
  assert.equal(eq?.tables.length, 2);
  const bigEntry = eq?.tables.find((t) => t.table === 'big');
  assert.deepEqual(bigEntry, { schema: 'p', table: 'big', access: 'index', index: 'PRIMARY', estimatedRows: 1 });
  assert.equal(eq?.estimatedJoinRows, 4);
  // Outer joins read every input in full.
  assert.equal(plan('SELECT * FROM small LEFT JOIN big ON big.id = small.big_id')?.estimatedJoinRows, 2000);
});

test('subqueries, derived tables, views and set operations list the tables they read', () => {
  const sub = plan('SELECT * FROM small WHERE v IN (SELECT grp FROM big)');
  assert.deepEqual(sub?.tables.map((t) => `${t.table}:${t.access}`).sort(), ['big:scan', 'small:scan']);
  assert.equal(sub?.estimatedJoinRows, 4);
  assert.deepEqual(plan('SELECT * FROM (SELECT * FROM nokey) d')?.tables.map((t) => t.table), ['nokey']);
  const view = plan('SELECT * FROM vbig');
  assert.deepEqual(view?.tables.map((t) => `${t.table}:${t.access}:${t.index}`), ['big:index:k_grp']);
  assert.deepEqual(plan('SELECT a FROM nokey UNION SELECT id FROM small')?.tables.map((t) => t.table), ['nokey', 'small']);
});

test('UPDATE and DELETE plan their WHERE like SELECT; other statements have no plan', () => {
  assert.deepEqual(plan('UPDATE big SET name = NULL WHERE id = 3')?.tables[0], { schema: 'p', table: 'big', access: 'index', index: 'PRIMARY', estimatedRows: 1 });
  assert.equal(plan('DELETE FROM big WHERE grp > 0 AND name LIKE "x%"')?.tables[0].access, 'index');
  assert.equal(plan('DELETE FROM nokey')?.tables[0].access, 'scan');
  assert.equal(plan('DELETE FROM big LIMIT 5')?.tables[0].estimatedRows, 5);
  assert.equal(plan('INSERT INTO nokey VALUES (1, 2)'), undefined);
  assert.equal(plan('SHOW TABLES'), undefined);
});

test('an unknown table fails planning with 1146 (the session then gives filters no plan, and the statement fails on its own)', () => {
  assert.throws(() => plan('SELECT * FROM nope'), (e: Error & { code?: number }) => e.code === 1146);
});

test('planning a statement for its summary never runs its subqueries', () => {
  // Run, the subquery would fail with 1242 (more than one row); planned, it is only described.
  const summary = plan('SELECT * FROM small WHERE v = (SELECT grp FROM big)');
  assert.deepEqual(summary?.tables.map((t) => t.table), ['small', 'big']);
});

test('safe-update mode refuses UPDATE/DELETE without a key in the WHERE and without LIMIT', () => {
  const unsafe = (sql: string) => {
    const st = parse(sql);
    assert.ok(st.type === 'update' || st.type === 'delete');
    let summary;
    try {
      summary = summarize(sql);
    } catch {
      summary = undefined;
    }
    return isUnsafeUpdate(st, summary);
  };
  assert.equal(unsafe('DELETE FROM big'), true);
  assert.equal(unsafe('UPDATE big SET grp = 1'), true);
  assert.equal(unsafe('DELETE FROM big WHERE 1 = 1'), true);
  assert.equal(unsafe('UPDATE big SET grp = 1 WHERE grp + 1 = 2'), true);
  assert.equal(unsafe('DELETE FROM nokey WHERE a = 1'), true);
  assert.equal(unsafe('DELETE FROM big WHERE id = 1'), false);
  assert.equal(unsafe('DELETE FROM big WHERE id > 1'), false);
  assert.equal(unsafe('UPDATE big SET name = NULL WHERE grp = 3'), false);
  assert.equal(unsafe('DELETE FROM nokey LIMIT 10'), false);
  assert.equal(unsafe('UPDATE nokey SET a = 1 WHERE b = 2 LIMIT 1'), false);
  // An unknown table fails with 1146 on its own.
  assert.equal(unsafe('DELETE FROM nope WHERE x = (SELECT MAX(id) FROM big)'), false);
});
