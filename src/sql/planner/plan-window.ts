// Plans window functions: resolves named windows and frames, and groups calls that share a sort.
import { sqlError } from '../../base/errors.js';
import type { AggregateCall, WindowFrameBound, WindowSpec } from '../parser/ast.js';
import { compileExpr, convertTo, type Compiled, type CompileEnv, type WindowCollector } from '../analyzer/compile-expr.js';
import { makeAggregate } from '../functions/aggregates.js';
import { T_BIGINT, T_DOUBLE, T_NULL, unifyTypes } from '../types/infer.js';
import { isIntegerType, type SqlType } from '../../base/sql-type.js';
import type { FrameBoundPlan, WindowFramePlan, WindowFunctionPlan, WindowGroupPlan, WindowPlan } from './plan.js';

/** The value types of the ranking functions. */
const RANKING: Record<string, SqlType> = {
  ROW_NUMBER: T_BIGINT, RANK: T_BIGINT, DENSE_RANK: T_BIGINT, NTILE: T_BIGINT, PERCENT_RANK: T_DOUBLE, CUME_DIST: T_DOUBLE,
};

/** How many arguments each window-only function takes: [least, most]. */
const ARITY: Record<string, [number, number]> = {
  ROW_NUMBER: [0, 0], RANK: [0, 0], DENSE_RANK: [0, 0], PERCENT_RANK: [0, 0], CUME_DIST: [0, 0], NTILE: [1, 1],
  LAG: [1, 3], LEAD: [1, 3], FIRST_VALUE: [1, 1], LAST_VALUE: [1, 1], NTH_VALUE: [2, 2],
};

/** Key of an AST node without source positions: equal calls and equal windows share a slot and a sort. */
function astKey(node: unknown): string {
  return JSON.stringify(node, (k, v) => (typeof v === 'bigint' ? v.toString() : k === 'pos' ? undefined : v));
}

/**
 * Collects the window function calls of one SELECT. Each call reads its value from a slot after
 * the row's columns; `base` (that width) is fixed once the whole SELECT is compiled.
 */
export class WindowSlots implements WindowCollector {
  base = 0;
  private readonly groups: WindowGroupPlan[] = [];
  private readonly groupByKey = new Map<string, WindowGroupPlan>();
  private readonly slotByKey = new Map<string, number>();
  private readonly types: SqlType[] = [];
  private readonly named = new Map<string, WindowSpec>();

  constructor(windows: { name: string; spec: WindowSpec }[] | undefined) {
    for (const w of windows ?? []) {
      if (this.named.has(w.name)) throw sqlError('WINDOW_DUPLICATE_NAME', `Window '${w.name}' is defined twice.`);
      this.named.set(w.name, w.spec);
    }
    // Every named window must resolve, used or not (MySQL checks them all).
    for (const spec of this.named.values()) this.resolve(spec, new Set());
  }

  /** The plan, or undefined when no window function was called. */
  plan(): WindowPlan | undefined {
    return this.types.length === 0 ? undefined : { base: this.base, count: this.types.length, groups: this.groups };
  }

  add(call: AggregateCall, env: CompileEnv): Compiled {
    const key = astKey(call);
    let slot = this.slotByKey.get(key);
    if (slot === undefined) {
      slot = this.types.length;
      this.slotByKey.set(key, slot);
      this.types.push(this.compileCall(call, env, slot));
    }
    const index = slot;
    return { type: this.types[index], nullable: true, constant: false, eval: (row) => row[this.base + index] };
  }

  private compileCall(call: AggregateCall, outerEnv: CompileEnv, slot: number): SqlType {
    // A window function inside another's arguments or window is 3593, as in MySQL.
    const env: CompileEnv = { ...outerEnv, windows: undefined, clause: 'window function' };
    const spec = this.resolve(call.over as WindowSpec, new Set());
    const groupKey = astKey([spec.partitionBy, spec.orderBy]);
    let group = this.groupByKey.get(groupKey);
    if (!group) {
      group = {
        partition: spec.partitionBy.map((e) => compileExpr(e, env)),
        order: spec.orderBy.map((o) => ({ c: compileExpr(o.expr, env), desc: o.desc })),
        functions: [],
      };
      this.groupByKey.set(groupKey, group);
      this.groups.push(group);
    }
    const frame = this.compileFrame(spec, group, env);
    const name = call.name;
    let type: SqlType;
    let args: Compiled[];
    let aggregate: WindowFunctionPlan['aggregate'];
    const arity = ARITY[name];
    if (arity) {
      if (call.args.length < arity[0] || call.args.length > arity[1]) {
        throw sqlError('WRONG_PARAMCOUNT_TO_NATIVE_FCT', `Incorrect parameter count in the call to native function '${name}'`);
      }
      args = call.args.map((a) => compileExpr(a, env));
      if (RANKING[name]) type = RANKING[name];
      else if (name === 'LAG' || name === 'LEAD') {
        // The value and the default are one type, so a row past the partition's end reads like the others.
        type = unifyTypes([args[0].type, args[2]?.type ?? T_NULL]);
        args[0] = convertTo(args[0], type);
        if (args[2]) args[2] = convertTo(args[2], type);
      } else type = args[0].type;
    } else {
      if (call.distinct) throw sqlError('NOT_SUPPORTED_YET', `This version of mizzle doesn't yet support '<${name}>(DISTINCT ..) as window function'`);
      aggregate = makeAggregate({ ...call, over: undefined }, env, true);
      type = aggregate.type;
      args = [];
    }
    group.functions.push({ name, slot, args, aggregate, frame });
    return type;
  }

  /** A window with what it inherits from the named window it builds on; 3579 for an unknown name. */
  private resolve(spec: WindowSpec, seen: Set<string>): WindowSpec {
    if (spec.name === undefined) return spec;
    const base = this.named.get(spec.name);
    if (!base) throw sqlError('WINDOW_NO_SUCH_WINDOW', `Window name '${spec.name}' is not defined.`);
    if (seen.has(spec.name)) throw sqlError('WINDOW_CIRCULARITY_IN_WINDOW_GRAPH', 'There is a circularity in the window dependency graph.');
    seen.add(spec.name);
    const parent = this.resolve(base, seen);
    // MySQL's rules for building on a named window: it keeps its partitioning, ordering and frame.
    const own = spec.name;
    if (spec.partitionBy.length > 0) throw sqlError('WINDOW_NO_CHILD_PARTITIONING', 'A window which depends on another cannot define partitioning.');
    if (spec.orderBy.length > 0 && parent.orderBy.length > 0) throw sqlError('WINDOW_NO_REDEFINE_ORDER_BY', `Window '<unnamed window>' cannot inherit '${own}' since both contain an ORDER BY clause.`);
    // `OVER w` alone uses w as it is; only a window that adds to it may not build on a frame.
    if (parent.frame && (spec.orderBy.length > 0 || spec.frame)) throw sqlError('WINDOW_NO_INHERIT_FRAME', `Window '${own}' has a frame definition, so cannot be referenced by another window.`);
    const out: WindowSpec = {
      partitionBy: parent.partitionBy,
      orderBy: spec.orderBy.length ? spec.orderBy : parent.orderBy,
    };
    const frame = spec.frame ?? parent.frame;
    if (frame) out.frame = frame;
    return out;
  }

  private compileFrame(spec: WindowSpec, group: WindowGroupPlan, env: CompileEnv): WindowFramePlan {
    const f = spec.frame;
    if (!f) return { unit: 'range', start: { kind: 'unboundedPreceding', offset: undefined }, end: { kind: 'current', offset: undefined } };
    if (f.unit === 'groups') throw sqlError('NOT_SUPPORTED_YET', "This version of mizzle doesn't yet support 'GROUPS as window frame unit'");
    if (f.start.kind === 'unboundedFollowing') throw sqlError('WINDOW_FRAME_START_ILLEGAL', 'Window \'<unnamed window>\' frame start cannot be UNBOUNDED FOLLOWING.');
    if (f.end.kind === 'unboundedPreceding') throw sqlError('WINDOW_FRAME_END_ILLEGAL', 'Window \'<unnamed window>\' frame end cannot be UNBOUNDED PRECEDING.');
    const hasOffset = f.start.offset !== undefined || f.end.offset !== undefined;
    if (f.unit === 'range' && hasOffset) {
      const t = group.order[0]?.c.type;
      const numeric = t !== undefined && (isIntegerType(t) || t.kind === 'decimal' || t.kind === 'float' || t.kind === 'double');
      if (group.order.length !== 1 || !numeric) {
        throw sqlError('WINDOW_RANGE_FRAME_ORDER_TYPE', "Window '<unnamed window>' with RANGE N PRECEDING/FOLLOWING frame requires exactly one ORDER BY expression, of numeric or temporal type");
      }
    }
    const bound = (b: WindowFrameBound): FrameBoundPlan => {
      if (!b.offset) return { kind: b.kind, offset: undefined };
      const offset = compileExpr(b.offset, env);
      if (!offset.constant) throw sqlError('WINDOW_RANGE_BOUND_NOT_CONSTANT', "Window '<unnamed window>' has a non-constant frame bound.");
      return { kind: b.kind, offset };
    };
    return { unit: f.unit, start: bound(f.start), end: bound(f.end) };
  }
}
