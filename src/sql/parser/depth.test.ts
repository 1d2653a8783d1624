// Deep input gets error 1436, never a stack overflow; long AND/OR and UNION chains are parsed shallow and still run.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from './index.js';
import { EXPRESSION_DEPTH_MAX } from './parser-base.js';
import { startEmbeddedWith, type Embedded } from '../../testing/embedded.js';
import type { KernelSession } from '../../kernel/plugin.js';
import type { Expr, Statement } from './ast.js';

const tooDeep = (e: Error & { code?: number; sqlState?: string }) => e.code === 1436 && e.sqlState === 'HY000' && /too complex/.test(e.message);

function depth(e: Expr): number {
  // Iterative, so the test itself cannot overflow on the trees it measures.
  let max = 0;
  const stack: [Expr, number][] = [[e, 1]];
  while (stack.length) {
    const [x, d] = stack.pop() as [Expr, number];
    max = Math.max(max, d);
    if (x.type === 'binary') stack.push([x.left, d + 1], [x.right, d + 1]);
  }
  return max;
}

function whereOf(st: Statement): Expr {
  assert.ok(st.type === 'select' && st.where);
  return st.where;
}

test('nesting past the limit is 1436, whatever nests: parentheses, functions, subqueries, derived tables, joins, prefixes', () => {
  const n = 5000;
  const derived = (k: number) => {
    let q = 'SELECT 1';
    for (let i = 0; i < k; i++) q = `SELECT * FROM (${q}) d${i}`;
    return q;
  };
  for (const sql of [
    `SELECT ${'('.repeat(n)}1${')'.repeat(n)}`,
    `SELECT ${'ABS('.repeat(n)}1${')'.repeat(n)}`,
    `SELECT ${'(SELECT '.repeat(n)}1${')'.repeat(n)}`,
    derived(n),
    `SELECT * FROM ${'('.repeat(n)}t${')'.repeat(n)}`,
    `SELECT ${'- '.repeat(n)}1`,
    `SELECT ${'NOT '.repeat(n)}1`,
    `SELECT ${Array(100_000).fill('1').join(' + ')}`,
    `SELECT ${Array(n).fill('1').join(' = ')}`,
    Array(n).fill('SELECT 1').join(' EXCEPT '),
  ]) {
    assert.throws(() => parse(sql), tooDeep, sql.slice(0, 40));
  }
});

test('AND and OR chains are balanced: 100,000 terms are under 20 levels deep, with the same operands in order', () => {
  const terms = Array.from({ length: 100_000 }, (_, i) => `a = ${i}`);
  const or = whereOf(parse(`SELECT * FROM t WHERE ${terms.join(' OR ')}`));
  assert.ok(depth(or) <= 20, `depth ${depth(or)}`);
  const and = whereOf(parse(`SELECT * FROM t WHERE ${terms.join(' AND ')}`));
  assert.ok(depth(and) <= 20);
  // In-order leaves are the written operands.
  const leaves: number[] = [];
  const visit = (e: Expr): void => {
    if (e.type === 'binary' && e.op === 'OR') {
      visit(e.left);
      visit(e.right);
    } else if (e.type === 'binary' && e.right.type === 'literal' && e.right.kind === 'integer') leaves.push(Number(e.right.value));
  };
  visit(whereOf(parse(`SELECT * FROM t WHERE ${terms.slice(0, 7).join(' OR ')}`)));
  assert.deepEqual(leaves, [0, 1, 2, 3, 4, 5, 6]);
});

test('the limit leaves room for real statements: 240 levels of nesting and 990-term chains parse', () => {
  assert.ok(EXPRESSION_DEPTH_MAX >= 1000);
  parse(`SELECT ${'('.repeat(240)}1${')'.repeat(240)}`);
  parse(`SELECT ${Array(990).fill('1').join(' + ')}`);
  parse(Array(5000).fill('SELECT 1').join(' UNION ALL '));
});

let db: Embedded;
let s: KernelSession;

before(async () => {
  ({ db, session: s } = await startEmbeddedWith(['CREATE DATABASE d', 'USE d', 'CREATE TABLE t (id INT PRIMARY KEY)', 'INSERT INTO t VALUES (1), (2), (3)']));
});

after(async () => {
  await db.stop();
});

test('statements at the limit compile, plan and run without overflowing the stack', async () => {
  const rows = (sql: string) => db.rows(s, sql);
  assert.deepEqual(await rows(`SELECT ${'('.repeat(245)}1${')'.repeat(245)}`), [[1]]);
  assert.deepEqual(await rows(`SELECT ${'ABS('.repeat(245)}-1${')'.repeat(245)}`), [[1]]);
  assert.deepEqual(await rows(`SELECT ${Array(990).fill('1').join(' + ')}`), [[990]]);
  assert.deepEqual(await rows(`SELECT COUNT(*) FROM t WHERE ${Array.from({ length: 50_000 }, (_, i) => `id = ${i}`).join(' OR ')}`), [[3]]);
  assert.equal((await rows(Array(3000).fill('SELECT 1').join(' UNION ALL '))).length, 3000);
  assert.equal((await rows(Array(900).fill('SELECT id FROM t').join(' EXCEPT '))).length, 0);
  await assert.rejects(rows(`SELECT ${'('.repeat(5000)}1${')'.repeat(5000)}`), tooDeep);
  // The session is still usable.
  assert.deepEqual(await rows('SELECT COUNT(*) FROM t'), [[3]]);
});
