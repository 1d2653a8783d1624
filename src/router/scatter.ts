// A SELECT scattered over the shards: the query each shard runs (aggregates split into parts, LIMIT widened, hidden sort keys) and how the router merges their answers into the one a single server gives.
import type { ResultColumn, StatementResult } from '../base/result.js';
import { Decimal, type Row, type Value } from '../base/value.js';
import { exprText } from '../sql/parser/expr-text.js';
import type { AggregateCall, Expr, OrderItem, SelectStmt } from '../sql/parser/index.js';
import { selectText } from './clauses.js';
import { compareValues, rowKey } from './compare.js';
import { compileHaving } from './having.js';
import { notSupported } from './route.js';

/** Rows the router holds while merging one scatter query, at most (by default; `--scatter-rows-max`). */
export const SCATTER_ROWS_MAX = 1_000_000;

/** The error of a scatter query whose shards answer more rows together than the router holds. */
export function tooManyScatterRows(max: number) {
  return notSupported(`scatter queries whose shards answer more than ${max} rows together (add a LIMIT or pin the shard key)`);
}

type Part = 'count' | 'sum' | 'min' | 'max';

/** Where an output column of the merged result comes from in each shard's row. */
type Output =
  | { kind: 'plain'; col: number }
  | { kind: 'any'; col: number }
  | { kind: 'part'; part: Part; col: number }
  | { kind: 'avg'; sumCol: number; countCol: number };

export interface ScatterPlan {
  /** The query each shard runs. */
  sql: string;
  grouped: boolean;
  /** Grouped: the shard columns 0..keyCount-1 are the group keys. */
  keyCount: number;
  /** Grouped: every output (visible first, then hidden). Plain: empty (rows are taken as they are). */
  outputs: Output[];
  /** Names of the visible outputs (grouped), by position. */
  names: string[];
  /** Outputs (grouped) or trailing hidden shard columns (plain) used only for ORDER BY. */
  hidden: number;
  order: { col: number; desc: boolean }[];
  distinct: boolean;
  limit?: { count: number; offset: number };
  /** Grouped: HAVING, on the merged groups (before hidden outputs are dropped). */
  having?: (row: Row) => boolean;
}

function literalInt(e: Expr | undefined, what: string): number | undefined {
  if (e === undefined) return undefined;
  if (e.type === 'literal' && e.kind === 'integer' && Number(e.value) >= 0) return Number(e.value);
  throw notSupported(`a ${what} that is not a constant in a scatter query`);
}

function textOf(e: Expr): string {
  try {
    return exprText(e);
  } catch {
    throw notSupported('this expression in a scatter query');
  }
}

function hasAggregate(v: unknown): boolean {
  if (Array.isArray(v)) return v.some(hasAggregate);
  if (typeof v !== 'object' || v === null || Buffer.isBuffer(v)) return false;
  if ((v as { type?: unknown }).type === 'aggregate') return true;
  return Object.values(v).some(hasAggregate);
}

/** The same tree, positions aside: to match an ORDER BY aggregate with a select item. */
function sameExpr(a: Expr, b: Expr): boolean {
  const strip = (k: string, v: unknown) => (k === 'pos' ? undefined : typeof v === 'bigint' ? `${v}n` : v);
  return JSON.stringify(a, strip) === JSON.stringify(b, strip);
}

const isName = (e: Expr, name: string | undefined): boolean => e.type === 'column' && e.table === undefined && name !== undefined && e.column.toLowerCase() === name.toLowerCase();

/** Plans the scatter of `stmt` (written as `sql`, parameters inlined). Refuses (1235) what it cannot merge exactly. */
export function planScatter(stmt: SelectStmt, sql: string): ScatterPlan {
  if (stmt.lock !== undefined) throw notSupported('FOR UPDATE / FOR SHARE in a scatter query');
  if (stmt.into !== undefined) throw notSupported('SELECT ... INTO in a scatter query');
  if (stmt.windows !== undefined || stmt.withRollup === true) throw notSupported('WINDOW or WITH ROLLUP in a scatter query');
  if (stmt.options.includes('SQL_CALC_FOUND_ROWS')) throw notSupported('SQL_CALC_FOUND_ROWS in a scatter query');
  const parts = selectText(sql);
  if (parts === undefined) throw notSupported('this SELECT shape in a scatter query');
  const count = literalInt(stmt.limit?.count, 'LIMIT');
  const offset = literalInt(stmt.limit?.offset, 'OFFSET') ?? 0;
  const limit = count === undefined ? undefined : { count, offset };
  const grouped = stmt.groupBy.length > 0 || stmt.having !== undefined || stmt.items.some((i) => hasAggregate(i.expr));
  return grouped ? planGrouped(stmt, parts.body, limit) : planPlain(stmt, parts, limit);
}

function planPlain(stmt: SelectStmt, parts: NonNullable<ReturnType<typeof selectText>>, limit: ScatterPlan['limit']): ScatterPlan {
  const star = stmt.items.some((i) => i.expr.type === 'column' && i.expr.column === '*');
  const hiddenTexts: string[] = [];
  const order: { col: number; desc: boolean }[] = [];
  // Hidden sort columns sit after the items; with `*` the item count is known only from the answer, so they count from the end (negative).
  for (const o of stmt.orderBy) {
    const e = o.expr;
    let col: number | undefined;
    if (e.type === 'literal' && e.kind === 'integer') col = Number(e.value) - 1;
    else if (!star) {
      const i = stmt.items.findIndex((it) => isName(e, it.alias) || (it.alias === undefined && e.type === 'column' && it.expr.type === 'column' && sameExpr({ ...e, table: undefined }, { ...it.expr, table: undefined })));
      if (i >= 0) col = i;
    }
    if (col === undefined) {
      if (hasAggregate(e)) throw notSupported('ORDER BY an aggregate without GROUP BY in a scatter query');
      hiddenTexts.push(textOf(e));
      col = -hiddenTexts.length;
    }
    order.push({ col, desc: o.desc });
  }
  if (stmt.distinct && hiddenTexts.length > 0) throw notSupported('SELECT DISTINCT ordered by a column it does not select, in a scatter query');
  const hidden = hiddenTexts.length;
  // Hidden column j (found as -(j+1)) is at row.length - hidden + j: kept negative, from the row's end.
  const fixed = order.map((o) => ({ col: o.col < 0 ? -(o.col + 1) - hidden : o.col, desc: o.desc }));
  const items = parts.items + hiddenTexts.map((t, i) => `, ${t} AS \`__mizzle_order_${i}\``).join('');
  const perShardLimit = limit === undefined ? '' : ` LIMIT ${limit.count + limit.offset}`;
  const sql = `SELECT ${items} ${parts.body}${parts.orderBy === '' ? '' : ` ORDER BY ${parts.orderBy}`}${perShardLimit}`;
  return { sql, grouped: false, keyCount: 0, outputs: [], names: [], hidden, order: fixed, distinct: stmt.distinct, limit };
}

const PARTS: Record<string, Part | 'avg'> = { COUNT: 'count', SUM: 'sum', MIN: 'min', MAX: 'max', AVG: 'avg' };

function planGrouped(stmt: SelectStmt, body: string, limit: ScatterPlan['limit']): ScatterPlan {
  const shardItems: string[] = [];
  const add = (text: string): number => shardItems.push(text) - 1;
  // Group keys first: each shard groups by them (positionally), the router merges groups by their values.
  const keyExprs: Expr[] = stmt.groupBy.map((g) => {
    if (g.type === 'literal' && g.kind === 'integer') {
      const item = stmt.items[Number(g.value) - 1];
      if (item === undefined) throw notSupported('GROUP BY a position beyond the select list');
      return item.expr;
    }
    const aliased = stmt.items.find((it) => isName(g, it.alias));
    return aliased?.expr ?? g;
  });
  for (const k of keyExprs) {
    if (hasAggregate(k)) throw notSupported('GROUP BY an aggregate');
    add(textOf(k));
  }
  const keyCount = keyExprs.length;
  const outputs: Output[] = [];
  const aggregateOutput = (a: AggregateCall): Output => {
    const part = PARTS[a.name];
    if (part === undefined || a.over !== undefined) throw notSupported(`${a.name}() in a scatter query (COUNT, SUM, MIN, MAX and AVG merge)`);
    if (a.distinct && (part === 'count' || part === 'sum' || part === 'avg')) throw notSupported(`${a.name}(DISTINCT …) in a scatter query`);
    const arg = a.star ? '*' : a.args.map(textOf).join(', ');
    if (part === 'avg') return { kind: 'avg', sumCol: add(`SUM(${arg})`), countCol: add(`COUNT(${arg})`) };
    return { kind: 'part', part, col: add(`${a.name}(${a.distinct ? 'DISTINCT ' : ''}${arg})`) };
  };
  const names: string[] = [];
  for (const it of stmt.items) {
    if (it.expr.type === 'column' && it.expr.column === '*') throw notSupported('SELECT * with aggregates or GROUP BY in a scatter query');
    names.push(it.alias ?? it.text);
    if (it.expr.type === 'aggregate') outputs.push(aggregateOutput(it.expr));
    else if (hasAggregate(it.expr)) throw notSupported('expressions over aggregates in a scatter query (select the aggregates themselves)');
    else {
      const k = keyExprs.findIndex((e) => sameExpr(e, it.expr));
      outputs.push(k >= 0 ? { kind: 'any', col: k } : { kind: 'any', col: add(it.text) });
    }
  }
  // An ORDER BY or HAVING term's output: a select item (by alias or the same expression), else a hidden group key or aggregate.
  const outputFor = (e: Expr): number | undefined => {
    const i = stmt.items.findIndex((it) => isName(e, it.alias) || sameExpr(it.expr, e));
    if (i >= 0) return i;
    const k = keyExprs.findIndex((g) => sameExpr(g, e));
    if (k >= 0) return outputs.push({ kind: 'any', col: k }) - 1;
    if (e.type === 'aggregate') return outputs.push(aggregateOutput(e)) - 1;
    return undefined;
  };
  const having = stmt.having === undefined ? undefined : compileHaving(stmt.having, outputFor);
  const order: { col: number; desc: boolean }[] = [];
  for (const o of stmt.orderBy as OrderItem[]) {
    const e = o.expr;
    const col = e.type === 'literal' && e.kind === 'integer' ? Number(e.value) - 1 : outputFor(e);
    if (col === undefined) throw notSupported('this ORDER BY in a grouped scatter query (order by selected columns, group keys or aggregates)');
    if (col < 0 || col >= outputs.length) throw notSupported('ORDER BY a position beyond the select list');
    order.push({ col, desc: o.desc });
  }
  const hidden = outputs.length - stmt.items.length;
  const groupBy = keyCount === 0 ? '' : ` GROUP BY ${Array.from({ length: keyCount }, (_, i) => i + 1).join(', ')}`;
  const sql = `SELECT ${shardItems.map((t, i) => `${t} AS \`__mizzle_${i}\``).join(', ')} ${body}${groupBy}`;
  return { sql, grouped: true, keyCount, outputs, names, hidden, order, distinct: stmt.distinct, limit, having };
}

function addValues(a: Value, b: Value): Value {
  if (a === null) return b;
  if (b === null) return a;
  if (typeof a === 'number' && typeof b === 'number') return a + b;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a + b;
  const dec = (v: Value): Decimal => (v instanceof Decimal ? v : typeof v === 'bigint' ? Decimal.fromInt(v) : typeof v === 'number' ? Decimal.fromNumber(v) : (Decimal.parse(String(v)) ?? Decimal.fromInt(0)));
  if (typeof a === 'number' || typeof b === 'number') return Number(a instanceof Decimal ? a.toNumber() : a) + Number(b instanceof Decimal ? b.toNumber() : b);
  return dec(a).add(dec(b));
}

function combine(part: Part, a: Value, b: Value): Value {
  if (part === 'count' || part === 'sum') return addValues(a, b);
  if (a === null) return b;
  if (b === null) return a;
  const c = compareValues(a, b);
  return part === 'min' ? (c <= 0 ? a : b) : c >= 0 ? a : b;
}

function average(sum: Value, count: Value): Value {
  const n = Number(count);
  if (sum === null || n === 0) return null;
  if (typeof sum === 'number') return sum / n;
  const s = sum instanceof Decimal ? sum : Decimal.fromInt(typeof sum === 'bigint' ? sum : BigInt(String(sum)));
  return s.div(Decimal.fromInt(n)) ?? null;
}

/** The shards' answers (their rows and columns) merged into the one result. */
export function mergeScatter(plan: ScatterPlan, answers: { columns: ResultColumn[]; rows: Row[] }[], rowsMax = SCATTER_ROWS_MAX): StatementResult {
  const total = answers.reduce((n, a) => n + a.rows.length, 0);
  if (total > rowsMax) throw tooManyScatterRows(rowsMax);
  const shardColumns = answers[0].columns;
  let rows: Row[];
  let columns: ResultColumn[];
  if (!plan.grouped) {
    rows = answers.flatMap((a) => a.rows);
    columns = shardColumns.slice(0, shardColumns.length - plan.hidden);
  } else {
    const groups = new Map<string, Row>();
    for (const a of answers) {
      for (const r of a.rows) {
        const key = rowKey(r.slice(0, plan.keyCount));
        const had = groups.get(key);
        if (had === undefined) {
          groups.set(key, r.slice());
          continue;
        }
        for (const o of plan.outputs) {
          if (o.kind === 'part') had[o.col] = combine(o.part, had[o.col], r[o.col]);
          else if (o.kind === 'avg') {
            had[o.sumCol] = addValues(had[o.sumCol], r[o.sumCol]);
            had[o.countCol] = addValues(had[o.countCol], r[o.countCol]);
          }
        }
      }
    }
    // Without GROUP BY a query over no rows still answers one row; every shard sent it, so a group exists.
    rows = [...groups.values()].map((g) => plan.outputs.map((o) => (o.kind === 'avg' ? average(g[o.sumCol], g[o.countCol]) : g[o.col])));
    if (plan.having !== undefined) rows = rows.filter(plan.having);
    columns = plan.outputs.map((o, i): ResultColumn => {
      const from = shardColumns[o.kind === 'avg' ? o.sumCol : o.col];
      const type = o.kind === 'avg' ? (from.type.kind === 'double' || from.type.kind === 'float' ? { kind: 'double' as const } : { kind: 'decimal' as const }) : from.type;
      const name = plan.names[i] ?? `__hidden_${i}`;
      return { ...from, name, orgName: name, type, nullable: true };
    });
  }
  if (plan.order.length > 0) {
    rows.sort((a, b) => {
      for (const o of plan.order) {
        const at = o.col < 0 ? a.length + o.col : o.col;
        const c = compareValues(a[at], b[at]);
        if (c !== 0) return o.desc ? -c : c;
      }
      return 0;
    });
  }
  const visible = plan.grouped ? plan.outputs.length - plan.hidden : columns.length;
  if (plan.hidden > 0) rows = rows.map((r) => r.slice(0, r.length - plan.hidden));
  if (plan.grouped) columns = columns.slice(0, visible);
  if (plan.distinct) {
    const seen = new Set<string>();
    rows = rows.filter((r) => {
      const k = rowKey(r);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  }
  if (plan.limit !== undefined) rows = rows.slice(plan.limit.offset, plan.limit.offset + plan.limit.count);
  return { kind: 'rows', columns, rows };
}
