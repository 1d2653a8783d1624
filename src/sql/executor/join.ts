// Executes a planned inner join: per-table filtered rows, then index lookups or hash joins on equality keys in the planned order.
import { collationKey } from '../../base/collation.js';
import type { CompareDomain } from '../types/compare.js';
import { toBoolean, toDecimal, toDouble, valueToString } from '../types/convert.js';
import type { Row, Value } from '../../base/value.js';
import { sqlError } from '../../base/errors.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import { usesIndexLookup } from '../planner/join-plan.js';
import type { InnerJoinSource, JoinKeyPlan, JoinLeafPlan, JoinStepPlan } from '../planner/plan.js';
import { sourceRows } from './source.js';
import { collect, PAUSE, PAUSE_EVERY, type Pulled } from './pause.js';
import type { ReadTx, StatementEnv } from './statement-env.js';

/** Most rows a join may produce before it is stopped (a cartesian product gone wrong must not take the server down). */
export const JOIN_ROWS_MAX = 5_000_000;

/** A key under which equal values (in a comparison domain) hash together. */
function joinKey(v: Exclude<Value, null>, domain: CompareDomain, collation: string | undefined): string {
  switch (domain) {
    case 'text':
      return collationKey(typeof v === 'string' ? v : valueToString(v), collation);
    case 'binary':
      return Buffer.isBuffer(v) ? v.toString('latin1') : Buffer.from(valueToString(v), 'utf8').toString('latin1');
    case 'double':
      return String(toDouble(v));
    default: {
      if (typeof v === 'number' && Number.isInteger(v)) return String(v);
      let s = toDecimal(v).toString();
      if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
      return s === '-0' ? '0' : s;
    }
  }
}

function keyOf(keys: readonly JoinKeyPlan[], row: Row, side: 'outer' | 'inner', ctx: EvalContext): string | undefined {
  let k = '';
  for (const key of keys) {
    const v = key[side].eval(row, ctx);
    if (v === null) return undefined;
    k += joinKey(v, key.domain, key.collation) + '\u0001';
  }
  return k;
}

/** A leaf's rows that pass its own conjuncts (pauses passed through). */
function* filteredRows(leaf: JoinLeafPlan, env: StatementEnv, tx: ReadTx): Generator<Pulled> {
  const filter = leaf.filter;
  const ctx = env.ctx;
  for (const r of sourceRows(leaf.source, env, tx)) if (r === PAUSE || !filter || toBoolean(filter.eval(r, ctx)) === true) yield r;
}

/**
 * Produces full-width rows (every input at its offset) for the planned steps in order:
 * index nested loops while the outer side is small, hash joins on equality keys otherwise.
 * Each step pauses every PAUSE_EVERY rows of work.
 */
export function* runJoin(plan: InnerJoinSource, env: StatementEnv, tx: ReadTx): Generator<Pulled> {
  const ctx = env.ctx;
  let current: Row[] = [new Array(plan.width).fill(null)];
  let produced = 0;
  let work = 0;
  const steps = plan.steps;
  for (let s = 0; s < steps.length; s++) {
    const step = steps[s];
    // The last step hands its rows on as they are found instead of collecting them, so a big
    // join streams to the client (or stops early at a LIMIT) in bounded memory.
    const last = s === steps.length - 1;
    const leaf = plan.leaves[step.input];
    const { keys, filters } = step;
    const { offset, width: w } = leaf.input;
    const next: Row[] = [];
    const place = (base: Row, x: Row): Row => {
      const row = base.slice();
      for (let i = 0; i < w; i++) row[offset + i] = x[i];
      return row;
    };
    /**
     * Checks a joined row against the step's filters. True when the caller yields it now (the
     * last step); a row of an earlier step that passes is kept for the next step (and charged).
     */
    const yieldsNow = (row: Row): boolean => {
      for (const f of filters) if (toBoolean(f.eval(row, ctx)) !== true) return false;
      if (last) return true;
      if (++produced > JOIN_ROWS_MAX) throw sqlError('TOO_BIG_SELECT', `The join would hold more than ${JOIN_ROWS_MAX} intermediate rows; add join conditions or indexes`);
      ctx.memory?.charge(row);
      next.push(row);
      return false;
    };
    const lookup = leaf.lookup;
    if (lookup && usesIndexLookup(step, leaf, current.length)) {
      // Index nested loop: fetch the matching rows of this input per outer row, then check the full key.
      const reader = tx.table(lookup.table);
      const index = lookup.index;
      const unique = index.unique && lookup.keyOrder.length === index.columns.length;
      const filter = leaf.filter;
      for (const base of current) {
        if (++work % PAUSE_EVERY === 0) yield PAUSE;
        const k = keyOf(keys, base, 'outer', ctx);
        if (k === undefined) continue;
        const values = lookup.keyOrder.map((i) => keys[i].outer.eval(base, ctx));
        if (values.some((v) => v === null)) continue;
        const bound = { values, inclusive: true };
        const path = { index: index.id, indexName: index.name, ranges: [{ lower: bound, upper: bound }], unique, equalityColumns: lookup.keyOrder.length, reverse: false, kind: 'ref' as const };
        for (const x of reader.scan(path)) {
          if (++work % PAUSE_EVERY === 0) yield PAUSE;
          if ((filter && toBoolean(filter.eval(x, ctx)) !== true) || keyOf(keys, x, 'inner', ctx) !== k) continue;
          const row = place(base, x);
          if (yieldsNow(row)) yield row;
        }
      }
    } else if (keys.length > 0) {
      const table = new Map<string, Row[]>();
      for (const x of filteredRows(leaf, env, tx)) {
        if (x === PAUSE) {
          yield PAUSE;
          continue;
        }
        const k = keyOf(keys, x, 'inner', ctx);
        if (k === undefined) continue;
        ctx.memory?.charge(x);
        const bucket = table.get(k);
        if (bucket) bucket.push(x);
        else table.set(k, [x]);
      }
      for (const base of current) {
        if (++work % PAUSE_EVERY === 0) yield PAUSE;
        const k = keyOf(keys, base, 'outer', ctx);
        if (k === undefined) continue;
        const bucket = table.get(k);
        if (bucket === undefined) continue;
        // A key matching many rows is many rows of work: count each toward the next pause.
        for (const x of bucket) {
          const row = place(base, x);
          if (yieldsNow(row)) yield row;
          if (++work % PAUSE_EVERY === 0) yield PAUSE;
        }
      }
    } else {
      const inner = yield* collect(filteredRows(leaf, env, tx), []);
      for (const x of inner) ctx.memory?.charge(x);
      for (const base of current) {
        for (const x of inner) {
          const row = place(base, x);
          if (yieldsNow(row)) yield row;
          if (++work % PAUSE_EVERY === 0) yield PAUSE;
        }
      }
    }
    if (last) return;
    current = next;
    if (current.length === 0) return;
  }
  // No steps: the one all-NULL row.
  for (const row of current) yield row;
}
