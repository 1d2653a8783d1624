// Random queries over the generated tables: projections, every join, subqueries, grouping, windows, CTEs, set operations.
import type { Random } from './random.js';
import type { Schema, TableDef, ValueKind } from './schema.js';
import { ExpressionGenerator, type Expr, type ScopeColumn } from './expressions.js';

export interface Query {
  sql: string;
  /** The query's form, e.g. `join-left` or `window`: the first part of a difference's class. */
  shape: string;
  /** Whether ORDER BY makes the row order total (then rows are compared in order). */
  ordered: boolean;
  /** For row-level projections: the select list and the rest, so a difference can be narrowed to one sub-expression. */
  projection?: { exprs: Expr[]; rest: string };
}

const KINDS: readonly ValueKind[] = ['int', 'uint', 'dec', 'dbl', 'str', 'date', 'dt', 'time'];

function scopeOf(t: TableDef, alias: string): ScopeColumn[] {
  return t.columns.map((c) => ({ sql: `${alias}.${c.name}`, kind: c.kind }));
}

export class QueryGenerator {
  constructor(private readonly r: Random, private readonly schema: Schema) {}

  private table(): TableDef {
    return this.r.pick(this.schema.tables);
  }

  private selectList(g: ExpressionGenerator, n: number): Expr[] {
    const out: Expr[] = [];
    for (let i = 0; i < n; i++) out.push(g.expr(this.r.pick([...KINDS, 'bool'] as const)));
    return out;
  }

  private where(g: ExpressionGenerator): string {
    return this.r.chance(0.6) ? ` WHERE ${g.expr('bool').sql}` : '';
  }

  /** Adds ORDER BY every column and a LIMIT sometimes: a total order up to identical rows. */
  private maybeOrder(q: Query, columns: number): Query {
    if (!this.r.chance(0.25)) return q;
    const by = Array.from({ length: columns }, (_, i) => `${i + 1}${this.r.chance(0.3) ? ' DESC' : ''}`).join(', ');
    const limit = this.r.chance(0.7) ? ` LIMIT ${this.r.int(0, 10)}${this.r.chance(0.3) ? ` OFFSET ${this.r.int(0, 5)}` : ''}` : '';
    return { ...q, sql: `${q.sql} ORDER BY ${by}${limit}`, ordered: true };
  }

  private projection(shape: string, exprs: Expr[], rest: string): Query {
    return this.maybeOrder({ sql: `SELECT ${exprs.map((e) => e.sql).join(', ')} ${rest}`, shape, ordered: false, projection: { exprs, rest } }, exprs.length);
  }

  generate(): Query {
    return this.r.weighted<() => Query>([
      [30, () => this.simple()],
      [18, () => this.join()],
      [12, () => this.subquery()],
      [12, () => this.grouped()],
      [8, () => this.window()],
      [6, () => this.cte()],
      [8, () => this.setOperation()],
      [4, () => this.derived()],
    ])();
  }

  simple(): Query {
    const t = this.table();
    const g = new ExpressionGenerator(this.r, scopeOf(t, 'a'));
    const exprs = this.selectList(g, this.r.int(1, 4));
    return this.projection('select', exprs, `FROM ${t.name} a${this.where(g)}`);
  }

  join(): Query {
    const r = this.r;
    const t1 = this.table(); const t2 = this.table();
    const kind = r.pick(['INNER', 'LEFT', 'RIGHT', 'CROSS', 'USING', 'LEFT-USING', 'RIGHT-USING'] as const);
    const scope = [...scopeOf(t1, 'a'), ...scopeOf(t2, 'b')];
    const g = new ExpressionGenerator(r, scope);
    let from: string;
    if (kind === 'CROSS') from = `FROM ${t1.name} a CROSS JOIN ${t2.name} b`;
    else if (kind.endsWith('USING')) {
      const j = kind === 'USING' ? 'JOIN' : `${kind.split('-')[0]} JOIN`;
      from = `FROM ${t1.name} a ${j} ${t2.name} b USING (k)`;
    } else {
      const extra = r.chance(0.3) ? ` AND ${g.expr('bool', 2).sql}` : '';
      from = `FROM ${t1.name} a ${kind} JOIN ${t2.name} b ON a.k = b.k${extra}`;
    }
    const exprs = this.selectList(g, r.int(1, 3));
    if (kind.endsWith('USING') && r.chance(0.3)) exprs.unshift({ sql: 'k', kind: 'int', op: 'using-column', kids: [] });
    return this.projection(`join-${kind.toLowerCase()}`, exprs, `${from}${this.where(g)}`);
  }

  subquery(): Query {
    const r = this.r;
    const t1 = this.table(); const t2 = this.table();
    const outer = new ExpressionGenerator(r, scopeOf(t1, 'a'));
    const inner = new ExpressionGenerator(r, [...scopeOf(t2, 'b'), ...scopeOf(t1, 'a')]);
    const innerOnly = new ExpressionGenerator(r, scopeOf(t2, 'b'));
    const exprs = this.selectList(outer, r.int(1, 2));
    const form = r.pick(['scalar', 'in', 'exists', 'on-clause', 'cmp-all'] as const);
    if (form === 'scalar') {
      const kind = r.pick(['int', 'dec', 'str', 'date'] as const);
      // SUM of numbers and of dates (summed as YYYYMMDD numbers); SUM of text is not generated.
      const agg = r.pick(kind !== 'str' ? ['MAX', 'MIN', 'COUNT', 'SUM'] : ['MAX', 'MIN', 'COUNT']);
      const arg = innerOnly.expr(kind, 2).sql;
      const sub: Expr = { sql: `(SELECT ${agg}(${arg}) FROM ${t2.name} b WHERE b.k = a.k)`, kind: agg === 'COUNT' ? 'int' : kind, op: 'scalar-subquery', kids: [] };
      return this.maybeOrder({ sql: `SELECT ${[...exprs, sub].map((e) => e.sql).join(', ')} FROM ${t1.name} a${this.where(outer)}`, shape: 'subquery-scalar', ordered: false }, exprs.length + 1);
    }
    let cond: string;
    if (form === 'in') {
      const kind = r.pick(['int', 'str', 'date', 'dec'] as const);
      cond = `${outer.expr(kind, 2).sql} ${r.pick(['', 'NOT '])}IN (SELECT ${innerOnly.expr(kind, 2).sql} FROM ${t2.name} b${r.chance(0.5) ? ` WHERE ${inner.expr('bool', 2).sql}` : ''})`;
    } else if (form === 'exists') {
      cond = `${r.pick(['', 'NOT '])}EXISTS (SELECT 1 FROM ${t2.name} b WHERE b.k = a.k${r.chance(0.5) ? ` AND ${inner.expr('bool', 2).sql}` : ''})`;
    } else if (form === 'cmp-all') {
      cond = `a.i ${r.pick(['>', '<', '=', '<>'])} ${r.pick(['ALL', 'ANY'])} (SELECT b.i FROM ${t2.name} b WHERE b.k = ${r.int(0, 5)})`;
    } else {
      const t3 = this.table();
      const from = `FROM ${t1.name} a LEFT JOIN ${t2.name} b ON a.k = b.k AND b.i IN (SELECT c.i FROM ${t3.name} c WHERE c.k ${r.pick(['<', '>', '='])} ${r.int(0, 5)})`;
      const g = new ExpressionGenerator(r, [...scopeOf(t1, 'a'), ...scopeOf(t2, 'b')]);
      return this.projection('subquery-in-on', this.selectList(g, r.int(1, 3)), from);
    }
    return this.projection(`subquery-${form}`, exprs, `FROM ${t1.name} a WHERE ${cond}`);
  }

  private aggregate(g: ExpressionGenerator): string {
    const r = this.r;
    switch (r.int(0, 7)) {
      case 0: return 'COUNT(*)';
      case 1: return `COUNT(${r.chance(0.3) ? 'DISTINCT ' : ''}${g.expr(r.pick(KINDS), 2).sql})`;
      case 2: return `SUM(${g.expr(r.pick(['int', 'dec', 'uint'] as const), 2).sql})`;
      case 3: return `AVG(${g.expr(r.pick(['int', 'dec'] as const), 2).sql})`;
      case 4: case 5: return `${r.pick(['MIN', 'MAX'])}(${g.expr(r.pick(KINDS), 2).sql})`;
      case 6: {
        const e = g.expr('str', 2).sql;
        return `GROUP_CONCAT(${e} ORDER BY ${e}${r.chance(0.5) ? ' DESC' : ''} SEPARATOR '${r.pick([',', '|'])}')`;
      }
      default: return `SUM(${g.column('dbl')?.sql ?? 'a.f'})`;
    }
  }

  grouped(): Query {
    const r = this.r;
    const t = this.table();
    const g = new ExpressionGenerator(r, scopeOf(t, 'a'));
    const keys = [r.pick(['a.k', 'a.c', 'a.dd', 'YEAR(a.dt)', 'a.k % 2', 'a.u > 100'])];
    if (r.chance(0.3)) keys.push(r.pick(['a.v IS NULL', 'a.i > 0', 'MONTH(a.dd)']));
    const aggs = Array.from({ length: r.int(1, 3) }, () => this.aggregate(g));
    const rollup = r.chance(0.25);
    const having = !rollup && r.chance(0.3) ? ` HAVING ${r.pick(['COUNT(*) > 1', `${this.aggregate(g)} IS NOT NULL`, `MAX(a.i) > ${r.int(-50, 50)}`, `SUM(a.d) < ${r.int(-100, 100)}`])}` : '';
    const sql = `SELECT ${[...keys, ...aggs].join(', ')} FROM ${t.name} a${this.where(g)} GROUP BY ${keys.join(', ')}${rollup ? ' WITH ROLLUP' : ''}${having}`;
    const q: Query = { sql, shape: rollup ? 'group-rollup' : having ? 'group-having' : 'group', ordered: false };
    return rollup ? q : this.maybeOrder(q, keys.length + aggs.length);
  }

  window(): Query {
    const r = this.r;
    const t = this.table();
    const g = new ExpressionGenerator(r, scopeOf(t, 'a'));
    const part = r.chance(0.6) ? `PARTITION BY ${r.pick(['a.k', 'a.c', 'a.k % 2'])} ` : '';
    const val = g.expr(r.pick(['int', 'dec'] as const), 2).sql;
    const any = g.expr(r.pick(KINDS), 2).sql;
    const fns = [
      `ROW_NUMBER() OVER (${part}ORDER BY a.id)`,
      `RANK() OVER (${part}ORDER BY ${any})`,
      `DENSE_RANK() OVER (${part}ORDER BY ${any} DESC)`,
      `SUM(${val}) OVER (${part})`,
      `SUM(${val}) OVER (${part}ORDER BY a.id ROWS BETWEEN ${r.int(0, 2)} PRECEDING AND ${r.pick(['CURRENT ROW', '1 FOLLOWING'])})`,
      `SUM(${val}) OVER (${part}ORDER BY a.id)`,
      `COUNT(*) OVER (${part})`,
      `${r.pick(['LAG', 'LEAD'])}(${any}${r.chance(0.5) ? `, ${r.int(1, 2)}` : ''}) OVER (${part}ORDER BY a.id)`,
      `FIRST_VALUE(${any}) OVER (${part}ORDER BY a.id)`,
      `MAX(${any}) OVER (${part}ORDER BY a.id ROWS UNBOUNDED PRECEDING)`,
      `AVG(${val}) OVER (${part})`,
      `NTILE(${r.int(1, 4)}) OVER (${part}ORDER BY a.id)`,
    ];
    const cols = ['a.id', r.pick(fns)];
    if (r.chance(0.4)) cols.push(r.pick(fns));
    return this.maybeOrder({ sql: `SELECT ${cols.join(', ')} FROM ${t.name} a${this.where(g)}`, shape: 'window', ordered: false }, cols.length);
  }

  cte(): Query {
    const r = this.r;
    const t = this.table();
    if (r.chance(0.5)) {
      const bound = r.int(1, 12);
      const step = r.pick(['n + 1', 'n * 2', 'n + 3']);
      const g = new ExpressionGenerator(r, [{ sql: 'r.n', kind: 'int' }, ...scopeOf(t, 'a')]);
      const body = r.chance(0.5)
        ? `SELECT r.n, ${g.expr(r.pick(KINDS), 2).sql} FROM r JOIN ${t.name} a ON a.k = r.n % 6`
        : `SELECT r.n, r.s FROM r`;
      const sql = `WITH RECURSIVE r (n, s) AS (SELECT 1, CAST('x' AS CHAR(40)) UNION ALL SELECT ${step}, CONCAT(s, n) FROM r WHERE n < ${bound}) ${body}`;
      return this.maybeOrder({ sql, shape: 'cte-recursive', ordered: false }, 2);
    }
    const g = new ExpressionGenerator(r, scopeOf(t, 'a'));
    const e1 = g.expr(r.pick(KINDS), 2).sql; const e2 = g.expr('int', 2).sql;
    const cg = new ExpressionGenerator(r, [{ sql: 'c.x', kind: 'int' }, { sql: 'c.k', kind: 'int' }]);
    const sql = `WITH c (k, y, x) AS (SELECT a.k, ${e1}, ${e2} FROM ${t.name} a${this.where(g)}) SELECT c.k, c.y, ${cg.expr('int', 1).sql} FROM c${r.chance(0.5) ? ` WHERE ${cg.expr('bool', 1).sql}` : ''}`;
    return this.maybeOrder({ sql, shape: 'cte', ordered: false }, 3);
  }

  setOperation(): Query {
    const r = this.r;
    const kind = r.pick(['int', 'str', 'dec', 'date'] as const);
    const sides: string[] = [];
    for (let i = 0; i < 2; i++) {
      const t = this.table();
      const g = new ExpressionGenerator(r, scopeOf(t, 'a'));
      sides.push(`SELECT ${g.expr(kind, 2).sql}, a.k FROM ${t.name} a${this.where(g)}`);
    }
    const op = r.pick(['UNION', 'UNION ALL', 'INTERSECT', 'EXCEPT', 'UNION DISTINCT']);
    return this.maybeOrder({ sql: `${sides[0]} ${op} ${sides[1]}`, shape: `set-${op.toLowerCase().replace(' ', '-')}`, ordered: false }, 2);
  }

  derived(): Query {
    const r = this.r;
    const t = this.table();
    const g = new ExpressionGenerator(r, scopeOf(t, 'a'));
    const dg = new ExpressionGenerator(r, [{ sql: 'd.x', kind: 'int' }, { sql: 'd.y', kind: 'dec' }, { sql: 'd.k', kind: 'int' }]);
    const sql = `SELECT d.k, ${dg.expr(r.pick(['int', 'dec'] as const), 1).sql} FROM (SELECT a.k, ${g.expr('int', 2).sql} AS x, ${g.expr('dec', 2).sql} AS y FROM ${t.name} a${this.where(g)}) AS d${r.chance(0.5) ? ` WHERE ${dg.expr('bool', 1).sql}` : ''}`;
    return this.maybeOrder({ sql, shape: 'derived', ordered: false }, 2);
  }
}
