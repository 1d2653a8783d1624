// GROUP BY ... WITH ROLLUP: the groups in key order, each followed by the super-aggregate rows it closes.
import type { Row, Value } from '../../base/value.js';
import type { Compiled } from '../analyzer/compile-expr.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import type { AggregateSlots, Accumulator } from '../functions/aggregates.js';
import { compareForSort } from '../types/compare.js';
import { rowKey } from '../types/row-key.js';

interface Group {
  keys: Value[];
  first: Row;
  accs: Accumulator[];
}

/**
 * Aggregates rows at every prefix of the n grouping keys at once (level k keeps the first k keys;
 * level n is the ordinary grouping), because aggregates such as AVG or COUNT(DISTINCT) cannot be
 * merged from finer groups. `keyColumns` are the input columns the keys read: super-aggregate rows
 * show them as NULL.
 */
export class RollupGrouper {
  private readonly levels: Map<string, Group>[];
  private readonly types;

  constructor(private readonly keys: Compiled[], private readonly keyColumns: number[], private readonly slots: AggregateSlots, private readonly width: number) {
    this.levels = keys.map(() => new Map<string, Group>());
    this.levels.push(new Map());
    this.types = keys.map((k) => k.type);
  }

  add(row: Row, ctx: EvalContext): void {
    const values = this.keys.map((k) => k.eval(row, ctx));
    for (let level = 0; level <= this.keys.length; level++) {
      const kv = values.slice(0, level);
      const k = rowKey(kv, this.types.slice(0, level));
      let g = this.levels[level].get(k);
      if (!g) {
        g = { keys: kv, first: row, accs: this.slots.specs.map((s) => s.create()) };
        this.levels[level].set(k, g);
      }
      for (const a of g.accs) a.add(row, ctx);
    }
  }

  /** Post-aggregation rows ([input columns..., aggregates...]) in MySQL's order. */
  rows(): Row[] {
    const n = this.keys.length;
    const full = [...this.levels[n].values()].sort((a, b) => this.compare(a.keys, b.keys, n));
    const out: Row[] = [];
    for (let i = 0; i < full.length; i++) {
      out.push(this.output(full[i], n));
      // A prefix group ends where the next group stops sharing its keys; the grand total ends last.
      const next = full[i + 1];
      let common = 0;
      if (next) while (common < n && compareForSort(this.types[common], full[i].keys[common], next.keys[common]) === 0) common++;
      for (let level = n - 1; level >= 0; level--) {
        if (next && common >= level) break;
        const g = this.levels[level].get(rowKey(full[i].keys.slice(0, level), this.types.slice(0, level)));
        if (g) out.push(this.output(g, level));
      }
    }
    return out;
  }

  private compare(a: Value[], b: Value[], upTo: number): number {
    for (let i = 0; i < upTo; i++) {
      const c = compareForSort(this.types[i], a[i], b[i]);
      if (c !== 0) return c;
    }
    return 0;
  }

  private output(g: Group, level: number): Row {
    const row = g.first.slice(0, this.width);
    for (let i = level; i < this.keyColumns.length; i++) if (this.keyColumns[i] >= 0) row[this.keyColumns[i]] = null;
    for (const a of g.accs) row.push(a.result());
    // Expression keys' values, in key order (the planner's reads of them), NULL above this level.
    for (let i = 0; i < this.keyColumns.length; i++) if (this.keyColumns[i] < 0) row.push(i < level ? g.keys[i] : null);
    // Last, how many keys the row keeps: GROUPING() reads it.
    row.push(level);
    return row;
  }
}
