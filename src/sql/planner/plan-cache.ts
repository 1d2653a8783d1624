// Reuses a statement's compiled plan on its next execution while nothing it was planned against has changed.
import type { Value } from '../../base/value.js';
import type { TableDef } from '../../storage/table-def.js';
import { sessionReadCount, typeOfValue } from '../analyzer/compile-expr.js';
import type { PlanCatalog, PlanContext } from './plan-context.js';

type PlanView = ReturnType<PlanCatalog['getView']>;

/** One name the planner looked up in the catalog, and what it found (definitions are frozen and replaced on DDL). */
interface Lookup {
  view: boolean;
  schema: string;
  name: string;
  found: TableDef | PlanView | undefined;
}

interface Entry<P> {
  plan: P;
  database: string | null;
  /** The bound parameters' types (compiled expressions are typed by them). */
  params: string;
  lookups: readonly Lookup[];
}

/** The catalog as one planning sees it, remembering every lookup so a later execution can check they still resolve the same. */
class RecordingCatalog implements PlanCatalog {
  readonly lookups: Lookup[] = [];
  constructor(private readonly inner: PlanCatalog) {}

  getTable(schema: string, name: string): TableDef | undefined {
    const found = this.inner.getTable(schema, name);
    this.lookups.push({ view: false, schema, name, found });
    return found;
  }

  getView(schema: string, name: string): PlanView | undefined {
    const found = this.inner.getView(schema, name);
    this.lookups.push({ view: true, schema, name, found });
    return found;
  }
}

/** A key for the types `?` placeholders compile to (see compileExpr's 'param'): equal keys give equal plans. */
function paramTypes(params: readonly Value[]): string {
  let key = '';
  for (let i = 0; i < params.length; i++) {
    const v = params[i];
    if (typeof v === 'number') key += Number.isInteger(v) ? 'i' : 'd';
    else if (typeof v === 'bigint') key += 'i';
    else if (v === null || v === undefined) key += 'n';
    else if (typeof v === 'string') key += `s${v.length},`;
    else key += `${JSON.stringify(typeOfValue(v))},`;
  }
  return key;
}

function stillResolves(lookups: readonly Lookup[], catalog: PlanCatalog): boolean {
  for (let i = 0; i < lookups.length; i++) {
    const l = lookups[i];
    if ((l.view ? catalog.getView(l.schema, l.name) : catalog.getTable(l.schema, l.name)) !== l.found) return false;
  }
  return true;
}

/**
 * Compiled plans of statements, keyed by their AST (a prepared statement keeps its AST, and the
 * session's statement cache hands out the same AST for the same text). A plan is reused only when
 * every catalog name it resolved still resolves to the very same definition (any CREATE, ALTER,
 * DROP, RENAME or CREATE INDEX replaces it, and a temporary table shadowing a name changes what it
 * resolves to), with the same current database and parameter types. Plans that baked session state
 * into their expressions (@@variables, @variables) or that contain subqueries (their runners belong
 * to one execution) are not kept. Entries live as long as their AST.
 */
export class PlanCache<S extends object, P> {
  private readonly entries = new WeakMap<S, Entry<P>>();
  /** Executions that reused a plan, for tests and diagnostics. */
  hits = 0;

  constructor(private readonly planner: (stmt: S, ctx: PlanContext) => P) {}

  plan(stmt: S, ctx: PlanContext): P {
    const params = paramTypes(ctx.session.statementParams);
    const database = ctx.session.database;
    const hit = this.entries.get(stmt);
    if (hit !== undefined && hit.database === database && hit.params === params && stillResolves(hit.lookups, ctx.catalog)) {
      this.hits++;
      return hit.plan;
    }
    const catalog = new RecordingCatalog(ctx.catalog);
    let subqueries = false;
    const runner = ctx.subqueryRunner;
    const sessionReadsBefore = sessionReadCount();
    const plan = this.planner(stmt, {
      ...ctx,
      catalog,
      subqueryRunner: (p, correlated) => {
        subqueries = true;
        return runner(p, correlated);
      },
    });
    if (subqueries || sessionReadCount() !== sessionReadsBefore) this.entries.delete(stmt);
    else this.entries.set(stmt, { plan, database, params, lookups: catalog.lookups });
    return plan;
  }
}
