// Runs generated schemas and queries on both servers, compares every answer and narrows each difference down.
import { Random } from './random.js';
import { generateSchema } from './schema.js';
import { QueryGenerator, type Query } from './queries.js';
import { compareAnswers, type Verdict } from './compare.js';
import type { Expr } from './expressions.js';
import type { Answer, Peers } from './servers.js';

export interface Difference {
  /** shape / construct / how they differ: differences of one class usually share one cause. */
  cls: string;
  sql: string;
  mizzle: Answer;
  mariadb: Answer;
  /** The smallest sub-expression query that still differs, when one was found. */
  minimized?: { sql: string; mizzle: Answer; mariadb: Answer };
}

export interface RunOptions {
  seed: number;
  queries: number;
  /** Stop after this many seconds even when fewer queries ran. */
  seconds: number;
  /** Queries per generated schema. */
  queriesPerSchema?: number;
  progress?: (done: number) => void;
}

export interface RunResult {
  seed: number;
  queries: number;
  agreed: number;
  bothErrored: number;
  /** Both errored with different codes: `mizzle vs mariadb` → count and an example. */
  errorCodeNotes: Map<string, { count: number; example: string }>;
  differences: Difference[];
  setupFailures: string[];
  seconds: number;
}

const MAX_MINIMIZE_TRIES = 40;

function subExpressions(e: Expr, out: Expr[]): Expr[] {
  out.push(e);
  for (const k of e.kids) subExpressions(k, out);
  return out;
}

function describe(a: Answer): string {
  return a.kind === 'error' ? `error ${a.code}` : a.kind;
}

async function both(peers: Peers, sql: string): Promise<[Answer, Answer]> {
  return Promise.all([peers.mizzle.run(sql), peers.mariadb.run(sql)]);
}

/** Narrows a projection's difference to the smallest sub-expression that still differs on its own. */
async function minimize(peers: Peers, q: Query): Promise<{ sql: string; mizzle: Answer; mariadb: Answer; op: string } | undefined> {
  if (!q.projection) return undefined;
  const candidates: Expr[] = [];
  for (const e of q.projection.exprs) subExpressions(e, candidates);
  candidates.sort((x, y) => x.sql.length - y.sql.length);
  let tries = 0;
  for (const c of candidates) {
    if (c.op === 'column' || c.op === 'literal' || c.op === 'NULL') continue;
    if (++tries > MAX_MINIMIZE_TRIES) break;
    const sql = `SELECT ${c.sql} ${q.projection.rest}`;
    const [m, d] = await both(peers, sql);
    if (!compareAnswers(m, d, false).agree) return { sql, mizzle: m, mariadb: d, op: c.op };
  }
  return undefined;
}

function classOf(q: Query, v: Verdict, m: Answer, d: Answer, op: string | undefined): string {
  const how = v.agree ? 'agree' : v.kind === 'error-one-side' ? `mizzle ${describe(m)} / mariadb ${describe(d)}` : v.kind;
  return `${op ?? q.shape} — ${how}`;
}

export async function runDifferential(peers: Peers, opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const perSchema = opts.queriesPerSchema ?? 250;
  const master = new Random(opts.seed);
  const result: RunResult = { seed: opts.seed, queries: 0, agreed: 0, bothErrored: 0, errorCodeNotes: new Map(), differences: [], setupFailures: [], seconds: 0 };
  while (result.queries < opts.queries && (Date.now() - started) / 1000 < opts.seconds) {
    const r = new Random(master.int(0, 2 ** 31));
    const schema = generateSchema(r);
    await peers.mizzle.reset();
    await peers.mariadb.reset();
    for (const stmt of schema.statements) {
      const [m, d] = await both(peers, stmt);
      if (m.kind === 'error' || d.kind === 'error') result.setupFailures.push(`${stmt.slice(0, 200)} → mizzle ${describe(m)}, mariadb ${describe(d)}`);
    }
    const gen = new QueryGenerator(r, schema);
    for (let i = 0; i < perSchema && result.queries < opts.queries && (Date.now() - started) / 1000 < opts.seconds; i++) {
      const q = gen.generate();
      const [m, d] = await both(peers, q.sql);
      result.queries++;
      const v = compareAnswers(m, d, q.ordered);
      if (v.agree) {
        result.agreed++;
        if (m.kind === 'error') result.bothErrored++;
        if (v.note) {
          const n = result.errorCodeNotes.get(v.note) ?? { count: 0, example: q.sql };
          n.count++;
          result.errorCodeNotes.set(v.note, n);
        }
      } else {
        const min = await minimize(peers, q);
        result.differences.push({ cls: classOf(q, v, min?.mizzle ?? m, min?.mariadb ?? d, min?.op), sql: q.sql, mizzle: m, mariadb: d, minimized: min });
      }
      opts.progress?.(result.queries);
    }
  }
  result.seconds = (Date.now() - started) / 1000;
  return result;
}
