// Computes window functions over a query's rows after HAVING: sorts by partition and order once per window, then walks each partition.
import { sqlError } from '../../base/errors.js';
import type { Row, Value } from '../../base/value.js';
import type { EvalContext } from '../analyzer/eval-context.js';
import { compareForSort } from '../types/compare.js';
import { toDouble, toInteger } from '../types/convert.js';
import type { FrameBoundPlan, WindowFunctionPlan, WindowGroupPlan, WindowPlan } from '../planner/plan.js';
import { PAUSE, PAUSE_EVERY, sortWithPauses, type Pause } from './pause.js';

/** A row's place in the input and its partition and order values, for the sort. */
interface Keyed {
  i: number;
  keys: Value[];
}

/** Work counted across a computation, to pause every PAUSE_EVERY units. */
interface Ticker {
  n: number;
}

/**
 * The input rows widened by the window values (new arrays: the input may be shared, e.g. a
 * materialized CTE), in input order.
 */
export function* computeWindows(input: Row[], plan: WindowPlan, ctx: EvalContext): Generator<Pause, Row[]> {
  const width = plan.base + plan.count;
  const rows: Row[] = new Array(input.length);
  for (let r = 0; r < input.length; r++) {
    const src = input[r];
    const row: Row = new Array(width);
    for (let c = 0; c < plan.base; c++) row[c] = src[c];
    for (let c = plan.base; c < width; c++) row[c] = null;
    rows[r] = row;
    if (r % PAUSE_EVERY === PAUSE_EVERY - 1) yield PAUSE;
  }
  const tick: Ticker = { n: 0 };
  for (const group of plan.groups) yield* computeGroup(rows, group, plan.base, ctx, tick);
  return rows;
}

function* computeGroup(rows: Row[], group: WindowGroupPlan, base: number, ctx: EvalContext, tick: Ticker): Generator<Pause> {
  const { partition, order } = group;
  const np = partition.length;
  const keyed: Keyed[] = new Array(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const keys: Value[] = new Array(np + order.length);
    for (let k = 0; k < np; k++) keys[k] = partition[k].eval(rows[r], ctx);
    for (let k = 0; k < order.length; k++) keys[np + k] = order[k].c.eval(rows[r], ctx);
    keyed[r] = { i: r, keys };
    if (r % PAUSE_EVERY === PAUSE_EVERY - 1) yield PAUSE;
  }
  const compareFrom = (from: number, a: Keyed, b: Keyed): number => {
    for (let k = from; k < a.keys.length; k++) {
      const kk = k - np;
      const type = kk < 0 ? partition[k].type : order[kk].c.type;
      const c = compareForSort(type, a.keys[k], b.keys[k]);
      if (c !== 0) return kk >= 0 && order[kk].desc ? -c : c;
    }
    return 0;
  };
  const sorted = yield* sortWithPauses(keyed, (a, b) => compareFrom(0, a, b));
  const samePartition = (a: Keyed, b: Keyed): boolean => {
    for (let k = 0; k < np; k++) if (compareForSort(partition[k].type, a.keys[k], b.keys[k]) !== 0) return false;
    return true;
  };
  const samePeers = (a: Keyed, b: Keyed): boolean => compareFrom(np, a, b) === 0;
  // Per position in the sorted rows: the first and one past the last row of its peer group (reused across partitions).
  const peerStart = new Int32Array(sorted.length);
  const peerEnd = new Int32Array(sorted.length);
  const part: Row[] = [];
  // Every loop over rows counts its steps in `tick`, so a partition of millions still pauses often.
  for (let p0 = 0; p0 < sorted.length;) {
    let p1 = p0 + 1;
    while (p1 < sorted.length && samePartition(sorted[p0], sorted[p1])) {
      p1++;
      if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
    }
    const m = p1 - p0;
    part.length = m;
    for (let k = 0; k < m; k++) {
      part[k] = rows[sorted[p0 + k].i];
      if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
    }
    for (let k = 0; k < m;) {
      let e = k + 1;
      while (e < m && samePeers(sorted[p0 + k], sorted[p0 + e])) {
        e++;
        if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
      }
      for (let j = k; j < e; j++) {
        peerStart[j] = k;
        peerEnd[j] = e;
      }
      k = e;
    }
    const orderValues = group.order.length === 1 ? yield* sortedOrderValues(sorted, p0, m, np, group.order[0].desc, tick) : undefined;
    for (const fn of group.functions) yield* computeFunction(fn, part, base + fn.slot, peerStart, peerEnd, orderValues, ctx, tick);
    p0 = p1;
  }
}

/** A single ORDER BY key as numbers rising along the sort (negated when descending; NULLs, sorted first/last, at the ends). */
function* sortedOrderValues(sorted: Keyed[], p0: number, m: number, np: number, desc: boolean, tick: Ticker): Generator<Pause, Float64Array> {
  const out = new Float64Array(m);
  for (let k = 0; k < m; k++) {
    const v = sorted[p0 + k].keys[np];
    out[k] = v === null ? (desc ? Infinity : -Infinity) : desc ? -toDouble(v) : toDouble(v);
    if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
  }
  return out;
}

/** The first position whose value is above `x` (`orEqual`: at least `x`); values rise. */
function firstAbove(values: Float64Array, x: number, orEqual: boolean): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid] < x || (!orEqual && values[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function offsetOf(b: FrameBoundPlan, rows: boolean, ctx: EvalContext): number {
  const v = b.offset ? b.offset.eval([], ctx) : 0;
  const n = v === null ? -1 : toDouble(v);
  if (!(n >= 0) || (rows && !Number.isInteger(n))) throw sqlError('WINDOW_FRAME_ILLEGAL', "Window '<unnamed window>': frame start or end is negative, NULL or of non-integral type");
  return n;
}

/** Frame start (inclusive) of position k in a partition of m rows. */
function frameStart(b: FrameBoundPlan, range: boolean, off: number, k: number, m: number, peerStart: Int32Array, values: Float64Array | undefined): number {
  switch (b.kind) {
    case 'unboundedPreceding': return 0;
    case 'unboundedFollowing': return m;
    case 'current': return range ? peerStart[k] : k;
    case 'preceding':
    case 'following': {
      const sign = b.kind === 'preceding' ? -1 : 1;
      if (!range) return Math.min(m, Math.max(0, k + sign * off));
      const v = (values as Float64Array)[k];
      // A NULL order value's frame is its peers.
      return Number.isFinite(v) ? firstAbove(values as Float64Array, v + sign * off, true) : peerStart[k];
    }
  }
}

/** Frame end (exclusive) of position k. */
function frameEnd(b: FrameBoundPlan, range: boolean, off: number, k: number, m: number, peerEnd: Int32Array, values: Float64Array | undefined): number {
  switch (b.kind) {
    case 'unboundedPreceding': return 0;
    case 'unboundedFollowing': return m;
    case 'current': return range ? peerEnd[k] : k + 1;
    case 'preceding':
    case 'following': {
      const sign = b.kind === 'preceding' ? -1 : 1;
      if (!range) return Math.min(m, Math.max(0, k + sign * off + 1));
      const v = (values as Float64Array)[k];
      if (!Number.isFinite(v)) return peerEnd[k];
      // One past the last position whose value is at most v + offset.
      return firstAbove(values as Float64Array, v + sign * off, false);
    }
  }
}

function* computeFunction(
  fn: WindowFunctionPlan, part: Row[], out: number, peerStart: Int32Array, peerEnd: Int32Array,
  values: Float64Array | undefined, ctx: EvalContext, tick: Ticker,
): Generator<Pause> {
  const m = part.length;
  const args = fn.args;
  switch (fn.name) {
    case 'ROW_NUMBER':
    case 'RANK':
    case 'DENSE_RANK':
    case 'PERCENT_RANK':
    case 'CUME_DIST': {
      const name = fn.name;
      let dense = 0;
      for (let k = 0; k < m; k++) {
        if (peerStart[k] === k) dense++;
        part[k][out] = name === 'ROW_NUMBER' ? k + 1
          : name === 'RANK' ? peerStart[k] + 1
            : name === 'DENSE_RANK' ? dense
              : name === 'PERCENT_RANK' ? (m > 1 ? peerStart[k] / (m - 1) : 0)
                : peerEnd[k] / m;
        if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
      }
      break;
    }
    case 'NTILE': {
      const v = args[0].eval(part[0], ctx);
      const buckets = v === null ? 0 : Number(toInteger(v));
      if (!(buckets > 0)) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to ntile');
      // The first m % buckets buckets hold one row more than the others.
      const size = Math.floor(m / buckets);
      const extra = m % buckets;
      const big = extra * (size + 1);
      for (let k = 0; k < m; k++) {
        part[k][out] = k < big ? Math.floor(k / (size + 1)) + 1 : extra + Math.floor((k - big) / size) + 1;
        if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
      }
      break;
    }
    case 'LAG':
    case 'LEAD': {
      const sign = fn.name === 'LAG' ? -1 : 1;
      for (let k = 0; k < m; k++) {
        const row = part[k];
        const o = args[1] ? args[1].eval(row, ctx) : 1;
        const n = o === null ? -1 : Number(toInteger(o));
        if (n < 0) throw sqlError('WRONG_ARGUMENTS', `Incorrect arguments to ${fn.name.toLowerCase()}`);
        const j = k + sign * n;
        row[out] = j >= 0 && j < m ? args[0].eval(part[j], ctx) : args[2] ? args[2].eval(row, ctx) : null;
        if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
      }
      break;
    }
    default:
      yield* computeFramed(fn, part, out, peerStart, peerEnd, values, ctx, tick);
  }
}

/** FIRST_VALUE / LAST_VALUE / NTH_VALUE and aggregates: each row's value over its frame. */
function* computeFramed(
  fn: WindowFunctionPlan, part: Row[], out: number, peerStart: Int32Array, peerEnd: Int32Array,
  values: Float64Array | undefined, ctx: EvalContext, tick: Ticker,
): Generator<Pause> {
  const m = part.length;
  const { frame, args } = fn;
  const range = frame.unit === 'range';
  const startOff = offsetOf(frame.start, !range, ctx);
  const endOff = offsetOf(frame.end, !range, ctx);
  const spec = fn.aggregate;
  // A frame that always starts at the partition's first row only grows: one accumulator serves every row.
  const running = spec && frame.start.kind === 'unboundedPreceding' ? spec.create() : undefined;
  let added = 0;
  for (let k = 0; k < m; k++) {
    const s = frameStart(frame.start, range, startOff, k, m, peerStart, values);
    const e = Math.max(s, frameEnd(frame.end, range, endOff, k, m, peerEnd, values));
    const row = part[k];
    if (spec) {
      let acc = running;
      if (acc) {
        for (; added < e; added++) {
          acc.add(part[added], ctx);
          if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
        }
      } else {
        acc = spec.create();
        for (let j = s; j < e; j++) {
          acc.add(part[j], ctx);
          if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
        }
      }
      row[out] = acc.result();
    } else if (fn.name === 'FIRST_VALUE') row[out] = s < e ? args[0].eval(part[s], ctx) : null;
    else if (fn.name === 'LAST_VALUE') row[out] = s < e ? args[0].eval(part[e - 1], ctx) : null;
    else {
      const nv = args[1].eval(row, ctx);
      const n = nv === null ? 0 : Number(toInteger(nv));
      if (n < 1) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to nth_value');
      row[out] = s + n - 1 < e ? args[0].eval(part[s + n - 1], ctx) : null;
    }
    if (++tick.n % PAUSE_EVERY === 0) yield PAUSE;
  }
}
