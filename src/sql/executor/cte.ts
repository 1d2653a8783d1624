// Produces a common table expression's rows: materialized once per statement and shared, recursive ones round by round.
import { sqlError } from '../../base/errors.js';
import type { Row } from '../../base/value.js';
import { toInteger } from '../types/convert.js';
import { rowKey } from '../types/row-key.js';
import type { CtePlan } from '../planner/plan.js';
import { executeQuery } from './query.js';
import { collect, PAUSE, PAUSE_EVERY, type Pause, type Pulled } from './pause.js';
import type { ReadTx, StatementEnv } from './statement-env.js';

/** Materialized CTEs per running statement: every reference of one execution reads the same rows. */
const materialized = new WeakMap<StatementEnv, Map<CtePlan, Row[]>>();
/** The rows the previous round of a recursive CTE added, which its recursive blocks read. */
const working = new WeakMap<StatementEnv, Map<CtePlan, Row[]>>();

function statementMap(maps: WeakMap<StatementEnv, Map<CtePlan, Row[]>>, env: StatementEnv): Map<CtePlan, Row[]> {
  let m = maps.get(env);
  if (!m) maps.set(env, (m = new Map()));
  return m;
}

/** The rows of a CTE reference; a correlated CTE is computed again for each use, others once. */
export function* cteRows(plan: CtePlan, env: StatementEnv, tx: ReadTx): Generator<Pulled> {
  const cache = statementMap(materialized, env);
  let rows = plan.correlated ? undefined : cache.get(plan);
  if (!rows) {
    rows = yield* computeCte(plan, env, tx);
    if (!plan.correlated) cache.set(plan, rows);
  }
  yield* rowsWithPauses(rows);
}

/** The previous round's rows, for a recursive block reading its CTE. */
export function cteWorkRows(plan: CtePlan, env: StatementEnv): Iterable<Pulled> {
  return rowsWithPauses(statementMap(working, env).get(plan) ?? []);
}

function* rowsWithPauses(rows: Row[]): Generator<Pulled> {
  for (let i = 0; i < rows.length; i++) {
    yield rows[i];
    if (i % PAUSE_EVERY === PAUSE_EVERY - 1) yield PAUSE;
  }
}

function* computeCte(plan: CtePlan, env: StatementEnv, tx: ReadTx): Generator<Pause, Row[]> {
  const seed = yield* collect(executeQuery(plan.query, env, tx), []);
  const rec = plan.recursive;
  if (!rec) return seed;
  const memory = env.ctx.memory;
  const types = plan.columns.map((c) => c.type);
  const seen = rec.distinct ? new Set<string>() : undefined;
  const fresh = (row: Row): boolean => {
    if (!seen) return true;
    const k = rowKey(row, types);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  };
  const all = seed.filter(fresh);
  const maxDepth = Number(toInteger(env.session.getSystemVariable('cte_max_recursion_depth') ?? 1000));
  const workTables = statementMap(working, env);
  const ctx = env.ctx;
  let round = all;
  let rounds = 0;
  // Rounds and rows since the last pause: many small rounds pause as often as one big one.
  let work = 0;
  try {
    while (round.length > 0) {
      workTables.set(plan, round);
      const next: Row[] = [];
      for (let s = 0; s < rec.steps.length; s++) {
        const convert = rec.convert[s];
        const width = convert.length;
        for (const r of executeQuery(rec.steps[s], env, tx)) {
          if (r === PAUSE) {
            yield PAUSE;
            continue;
          }
          const row: Row = new Array(width);
          for (let i = 0; i < width; i++) row[i] = convert[i].eval(r, ctx);
          if (!fresh(row)) continue;
          memory?.charge(row);
          next.push(row);
        }
      }
      if (next.length === 0) break;
      // A round that adds rows counts; one past the limit stops the query, as MySQL does.
      if (++rounds > maxDepth) {
        throw sqlError('CTE_MAX_RECURSION_DEPTH', `Recursive query aborted after ${rounds} iterations. Try increasing @@cte_max_recursion_depth to a larger value.`);
      }
      for (let i = 0; i < next.length; i++) all.push(next[i]);
      round = next;
      work += 1 + next.length;
      if (work >= PAUSE_EVERY) {
        work = 0;
        yield PAUSE;
      }
    }
  } finally {
    workTables.delete(plan);
  }
  return all;
}
