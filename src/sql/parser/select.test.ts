// Tests for query parsing: select lists, FROM and joins, clauses, set operations, WITH, VALUES.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from './index.js';
import type { JoinRef, QueryExpr, SelectStmt, Statement, TableRef } from './ast.js';

function sel(sql: string): SelectStmt {
  const s: Statement = parse(sql);
  assert.equal(s.type, 'select', sql);
  return s as SelectStmt;
}

/** Renders a FROM tree so join shape and precedence are visible. */
function from(t: TableRef): string {
  if (t.type === 'table') return (t.schema !== undefined ? t.schema + '.' : '') + t.name + (t.alias !== undefined ? ' ' + t.alias : '');
  if (t.type === 'derived') return `(q) ${t.alias}`;
  if (t.type === 'jsonTable') return `json_table ${t.alias}`;
  const j: JoinRef = t;
  const kind = j.comma ? ',' : `${j.natural ? 'natural ' : ''}${j.straight ? 'straight ' : ''}${j.kind}`;
  const cond = j.on !== undefined ? ' on' : j.using !== undefined ? ` using(${j.using.join(',')})` : '';
  return `[${from(j.left)} ${kind} ${from(j.right)}${cond}]`;
}

test('select list: star, t.*, aliases with and without AS, string aliases, exact text', () => {
  const s = sel("SELECT *, t.*, db.t.*, a+1 AS x, b  +  2 y, c 'z z', d AS \"w\", `e` FROM t");
  assert.deepEqual(s.items.map((i) => [i.text, i.alias]), [
    ['*', undefined], ['t.*', undefined], ['db.t.*', undefined], ['a+1', 'x'], ['b  +  2', 'y'], ['c', 'z z'], ['d', 'w'], ['`e`', undefined],
  ]);
  assert.deepEqual(s.items[1].expr, { type: 'column', table: 't', column: '*', pos: 10 });
  assert.equal(sel('SELECT a AS MyAlias FROM t').items[0].alias, 'MyAlias');
  assert.throws(() => parse('SELECT a, * FROM t'), { code: 1064 });
});

test('select options and DISTINCT variants', () => {
  assert.equal(sel('SELECT DISTINCT a FROM t').distinct, true);
  assert.equal(sel('SELECT DISTINCTROW a FROM t').distinct, true);
  assert.equal(sel('SELECT ALL a FROM t').distinct, false);
  assert.deepEqual(sel('SELECT SQL_NO_CACHE SQL_CALC_FOUND_ROWS HIGH_PRIORITY STRAIGHT_JOIN a FROM t').options,
    ['SQL_NO_CACHE', 'SQL_CALC_FOUND_ROWS', 'HIGH_PRIORITY', 'STRAIGHT_JOIN']);
});

test('comma joins have lower precedence than explicit joins', () => {
  const s = sel('SELECT * FROM a, b JOIN c ON b.x = c.x');
  assert.equal(s.from.length, 1);
  assert.equal(from(s.from[0]), '[a , [b inner c on]]');
  assert.equal(from(sel('SELECT * FROM a, b, c').from[0]), '[[a , b] , c]');
});

test('join kinds', () => {
  const cases: [string, string][] = [
    ['a JOIN b', '[a inner b]'],
    ['a INNER JOIN b ON 1', '[a inner b on]'],
    ['a CROSS JOIN b', '[a cross b]'],
    ['a STRAIGHT_JOIN b ON 1', '[a straight inner b on]'],
    ['a LEFT JOIN b USING (x, y)', '[a left b using(x,y)]'],
    ['a LEFT OUTER JOIN b ON 1', '[a left b on]'],
    ['a RIGHT JOIN b ON 1', '[a right b on]'],
    ['a NATURAL JOIN b', '[a natural inner b]'],
    ['a NATURAL LEFT OUTER JOIN b', '[a natural left b]'],
    ['a NATURAL RIGHT JOIN b', '[a natural right b]'],
    ['a JOIN b ON 1 JOIN c ON 2', '[[a inner b on] inner c on]'],
    ['(a, b) JOIN c ON 1', '[[a , b] inner c on]'],
    ['a LEFT JOIN (b JOIN c ON 1) ON 2', '[a left [b inner c on] on]'],
    ['a LEFT JOIN b JOIN c ON 1 ON 2', '[a left [b inner c on] on]'],
    ['t1 AS x JOIN db.t2 y', '[t1 x inner db.t2 y]'],
  ];
  for (const [sql, want] of cases) assert.equal(from(sel(`SELECT * FROM ${sql}`).from[0]), want, sql);
  assert.throws(() => parse('SELECT * FROM a LEFT JOIN b'), { code: 1064 });
});

test('derived tables need an alias', () => {
  const s = sel('SELECT * FROM (SELECT 1 AS a) AS d (x)');
  const d = s.from[0];
  assert.ok(d.type === 'derived' && d.alias === 'd' && d.columnAliases?.[0] === 'x');
  assert.equal(sel('SELECT * FROM (SELECT 1) d').from[0].type, 'derived');
  assert.equal(sel('SELECT * FROM ((SELECT 1) UNION (SELECT 2)) d').from[0].type, 'derived');
  assert.ok(sel('SELECT * FROM t, LATERAL (SELECT t.a) AS l').from[0].type === 'join');
  assert.throws(() => parse('SELECT * FROM (SELECT 1)'), { code: 1248, sqlState: '42000', message: 'Every derived table must have its own alias' });
});

test('index hints and partitions', () => {
  const t = sel('SELECT * FROM t AS x FORCE INDEX (PRIMARY) USE INDEX FOR JOIN (a, b) IGNORE KEY FOR ORDER BY (c) USE INDEX ()').from[0];
  assert.ok(t.type === 'table');
  assert.deepEqual(t.type === 'table' && t.indexHints, [
    { kind: 'force', indexes: ['PRIMARY'] }, { kind: 'use', indexes: ['a', 'b'] }, { kind: 'ignore', indexes: ['c'] }, { kind: 'use', indexes: [] },
  ]);
  assert.equal(sel('SELECT * FROM t PARTITION (p0) x').from[0].type, 'table');
});

test('WHERE, GROUP BY WITH ROLLUP, HAVING, WINDOW, ORDER BY, LIMIT forms', () => {
  const s = sel('SELECT a, COUNT(*) FROM t WHERE b > 1 GROUP BY a, 2 WITH ROLLUP HAVING COUNT(*) > 1 WINDOW w AS (PARTITION BY a) ORDER BY 1 DESC, a ASC LIMIT 10');
  assert.equal(s.where?.type, 'binary');
  assert.equal(s.groupBy.length, 2);
  assert.equal(s.withRollup, true);
  assert.equal(s.having?.type, 'binary');
  assert.equal(s.windows?.[0].name, 'w');
  assert.deepEqual(s.orderBy.map((o) => o.desc), [true, false]);
  assert.deepEqual(s.limit, { count: { type: 'literal', kind: 'integer', value: 10, pos: 142 } });
  const l1 = sel('SELECT a FROM t LIMIT 5, 10').limit;
  assert.ok(l1?.offset?.type === 'literal' && l1.count.type === 'literal');
  assert.deepEqual([l1?.offset, l1?.count].map((e) => e?.type === 'literal' && e.kind === 'integer' && e.value), [5, 10]);
  const l2 = sel('SELECT a FROM t LIMIT 10 OFFSET 5').limit;
  assert.deepEqual([l2?.offset, l2?.count].map((e) => e?.type === 'literal' && e.kind === 'integer' && e.value), [5, 10]);
  const l3 = sel('SELECT a FROM t LIMIT ?, ?').limit;
  assert.deepEqual([l3?.offset?.type, l3?.count.type], ['param', 'param']);
  assert.equal(sel('SELECT 1 FROM DUAL').from.length, 0);
  assert.equal(sel('SELECT 1').from.length, 0);
});

test('locking clauses and INTO variables', () => {
  assert.equal(sel('SELECT * FROM t WHERE id = 1 FOR UPDATE').lock, 'update');
  assert.equal(sel('SELECT * FROM t FOR SHARE OF t NOWAIT').lock, 'share');
  assert.equal(sel('SELECT * FROM t LIMIT 1 LOCK IN SHARE MODE').lock, 'share');
  assert.equal(sel('SELECT * FROM t FOR UPDATE SKIP LOCKED').lock, 'update');
  assert.deepEqual(sel('SELECT a, b INTO @x, @y FROM t').into?.map((v) => v.name), ['x', 'y']);
  assert.deepEqual(sel('SELECT a FROM t LIMIT 1 INTO @x').into?.map((v) => v.name), ['x']);
  assert.equal(parse("SELECT * FROM t INTO OUTFILE '/tmp/x'").type, 'unsupported');
});

function setop(q: QueryExpr): string {
  if (q.type === 'setop') return `(${setop(q.left)} ${q.op}${q.all ? ' all' : ''} ${setop(q.right)})`;
  if (q.type === 'select') {
    const it = q.items[0];
    return it.text;
  }
  return q.type;
}

test('set operations: INTERSECT binds tighter; ORDER BY/LIMIT apply to the whole', () => {
  const q = parse('SELECT 1 UNION ALL SELECT 2 INTERSECT SELECT 3 EXCEPT DISTINCT SELECT 4 ORDER BY 1 LIMIT 2') as QueryExpr;
  assert.equal(setop(q), '((1 union all (2 intersect 3)) except 4)');
  assert.ok(q.type === 'setop' && q.orderBy.length === 1 && q.limit !== undefined);
  const p = parse('(SELECT 1 ORDER BY 1 LIMIT 1) UNION (SELECT 2) ORDER BY 1') as QueryExpr;
  assert.ok(p.type === 'setop' && p.orderBy.length === 1 && p.left.type === 'select' && p.left.limit !== undefined);
  const r = parse('(SELECT a FROM t) ORDER BY a LIMIT 1') as QueryExpr;
  assert.ok(r.type === 'select' && r.limit !== undefined && r.orderBy.length === 1);
  const w = parse('(SELECT a FROM t LIMIT 5) LIMIT 1') as QueryExpr;
  assert.ok(w.type === 'select' && w.from[0].type === 'derived');
  assert.throws(() => parse('SELECT 1 LIMIT 1 UNION SELECT 2'), { code: 1064 });
  assert.equal(setop(parse('((SELECT 1) UNION (SELECT 2)) UNION SELECT 3') as QueryExpr), '((1 union 2) union 3)');
});

test('WITH [RECURSIVE] CTEs, VALUES ROW, TABLE', () => {
  const w = parse('WITH RECURSIVE c (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 5), d AS (SELECT 2) SELECT * FROM c ORDER BY n');
  assert.ok(w.type === 'with' && w.recursive && w.ctes.length === 2 && w.ctes[0].columns?.[0] === 'n');
  assert.ok(w.type === 'with' && w.query.type === 'select' && w.query.orderBy.length === 1);
  const v = parse('VALUES ROW(1, 2), ROW(3, 4) ORDER BY 1 LIMIT 1');
  assert.ok(v.type === 'values' && v.rows.length === 2 && v.rows[0].length === 2 && v.limit !== undefined);
  const t = parse('TABLE db.t');
  assert.ok(t.type === 'select' && t.from[0].type === 'table' && t.items[0].text === '*');
});

test('subqueries in select list and WHERE', () => {
  const s = sel('SELECT (SELECT MAX(b) FROM u WHERE u.a = t.a) AS m FROM t WHERE EXISTS (SELECT 1 FROM u) AND a IN (SELECT a FROM u)');
  assert.equal(s.items[0].expr.type, 'subquery');
  assert.equal(s.items[0].text, '(SELECT MAX(b) FROM u WHERE u.a = t.a)');
});

test('select item text drops comments and version-comment wrappers but keeps strings intact', () => {
  const s = sel("SELECT 1 /*! + 1 */, a /* c */ + b, '/* x */' , c -- z\n, d # y\n FROM t");
  assert.deepEqual(s.items.map((i) => i.text), ['1  + 1', 'a  + b', "'/* x */'", 'c', 'd']);
});
