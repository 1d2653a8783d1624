// One MySQL client's session at the router: each statement parsed, routed to its shard (or every shard, or scattered and merged), a transaction pinned to the first shard it touches.
import { SqlError, sqlError, type Diagnostic } from '../base/errors.js';
import type { ResultColumn, StatementResult } from '../base/result.js';
import type { Value } from '../base/value.js';
import type { KernelSession, PreparedStatementInfo, SessionStatus } from '../kernel/plugin.js';
import { quoteIdentifier } from '../base/identifier.js';
import { Lexer } from '../sql/lexer/lexer.js';
import { Tk } from '../sql/lexer/token.js';
import { parse, parseWithParams, splitStatements, type Statement } from '../sql/parser/index.js';
import type { QueryResult } from '../client/index.js';
import { TopologyError, type RoutedShard } from '../sharding/topology.js';
import { RedirectedError } from '../client/native/transport.js';
import type { ShardKeyValue } from '../sharding/shard-key.js';
import { FROZEN_WAIT_MS, ShardSessions, addressKey, type BackendSettings, type KeyspaceView } from './backends.js';
import { notSupported, route, type Route } from './route.js';
import { mergeScatter, planScatter, tooManyScatterRows } from './scatter.js';
import { kernelResult, kernelRows, resultColumn, sqlLiteral } from './values.js';

/** REDIRECTs one statement follows at most before the router gives up on it. */
export const REDIRECTS_MAX = 4;
/** How long a statement waits for the router's topology to catch up when the servers it tried all sent it elsewhere. */
const SETTLE_MS = 1000;

/** Prepared statements one router session may hold. */
export const PREPARED_MAX = 16_382;

export interface RouterSettings {
  backend: BackendSettings;
  /** Refuse queries that would run on every shard and be merged. */
  noScatter: boolean;
  /** Copy writes to reference tables to every shard, one after the other (see route.ts). */
  referenceWrites: boolean;
  /** Rows all shards' answers to one scatter query may hold together; past it the query is refused and the reads stopped. */
  scatterRowsMax: number;
}

/** A statement's text with the `?` markers replaced by the parameters as literals. */
export function inlineParams(sql: string, params: readonly Value[]): string {
  const lexer = new Lexer(sql);
  let out = '';
  let at = 0;
  let i = 0;
  for (let t = lexer.next(); t.kind !== Tk.EOF; t = lexer.next()) {
    if (t.kind !== Tk.Param) continue;
    out += sql.slice(at, t.start) + sqlLiteral(params[i++] ?? null);
    at = t.end;
  }
  return out + sql.slice(at);
}

const OK: StatementResult = { kind: 'ok', affectedRows: 0, insertId: 0 };

export class RouterSession implements KernelSession {
  private readonly backends: ShardSessions;
  /** The open transaction: the shard it is pinned to (once a statement touched one) and what to send there first. */
  private tx: { pinned?: RoutedShard; pending: string[] } | undefined;
  private readonly prepared = new Map<number, { sql: string; paramCount: number }>();
  private nextPrepared = 1;
  /** The shard the last routed statement ran on: SHOW WARNINGS, LAST_INSERT_ID() and the like ask it. */
  private last: RoutedShard | undefined;
  /** Warnings the shard (or shards, summed) reported for the last statement: the OK and EOF packets carry the count. */
  private warnings = 0;

  constructor(readonly id: number, readonly user: string, public database: string | null, private readonly view: KeyspaceView, private readonly settings: RouterSettings) {
    this.backends = new ShardSessions(settings.backend);
  }

  async execute(sql: string, multi: boolean, onResult: (result: StatementResult, more: boolean) => void): Promise<void> {
    const parts = splitStatements(sql);
    if (parts.length > 1 && !multi) throw sqlError('PARSE', "You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version for the right syntax to use near ';'");
    if (parts.length === 0) throw sqlError('EMPTY_QUERY', 'Query was empty');
    for (let i = 0; i < parts.length; i++) onResult(await this.statement(parts[i], parse(parts[i])), i < parts.length - 1);
  }

  prepare(sql: string): PreparedStatementInfo {
    const { paramCount } = parseWithParams(sql);
    if (this.prepared.size >= PREPARED_MAX) throw sqlError('MAX_PREPARED_STMT_COUNT_REACHED', `Can't create more than max_prepared_stmt_count statements (current value: ${PREPARED_MAX})`);
    const id = this.nextPrepared++;
    this.prepared.set(id, { sql, paramCount });
    return { id, paramCount, columns: [] };
  }

  async executePrepared(id: number, params: readonly Value[]): Promise<StatementResult> {
    const p = this.prepared.get(id);
    if (p === undefined) throw sqlError('UNKNOWN_STMT_HANDLER', `Unknown prepared statement handler (${id}) given to mysqld_stmt_execute`);
    if (params.length !== p.paramCount) throw sqlError('WRONG_ARGUMENTS', 'Incorrect arguments to mysqld_stmt_execute');
    const text = inlineParams(p.sql, params);
    return this.statement(text, parse(text));
  }

  closePrepared(id: number): void {
    this.prepared.delete(id);
  }

  private async statement(sql: string, stmt: Statement): Promise<StatementResult> {
    this.warnings = 0;
    switch (stmt.type) {
      case 'use':
        this.useDatabase(stmt.database);
        return OK;
      case 'transaction':
        return this.transaction(sql, stmt.action);
      case 'set':
        return this.set(sql, stmt);
      case 'kill':
      case 'replicaControl':
      case 'changeReplicationFilter':
      case 'purgeLogs':
      case 'admin':
        throw notSupported(`${stmt.type.toUpperCase()} through the router (run it on the shard's server)`);
      default:
        return this.routed(sql, stmt);
    }
  }

  private async transaction(sql: string, action: string): Promise<StatementResult> {
    if (action === 'begin') {
      if (this.tx !== undefined) await this.endTransaction('COMMIT');
      this.tx = { pending: [sql] };
      return OK;
    }
    if (action === 'commit' || action === 'rollback') {
      await this.endTransaction(sql);
      return OK;
    }
    // Savepoints before the transaction touched a shard are sent with its BEGIN.
    if (this.tx === undefined) throw notSupported('savepoints outside a transaction');
    if (this.tx.pinned === undefined) {
      this.tx.pending.push(sql);
      return OK;
    }
    return kernelResult(await this.backends.run(this.tx.pinned, sql, true), this.view.keyspace);
  }

  private async endTransaction(sql: string): Promise<void> {
    const tx = this.tx;
    this.tx = undefined;
    if (tx?.pinned !== undefined) await this.backends.run(tx.pinned, sql, true);
  }

  private async set(sql: string, stmt: Extract<Statement, { type: 'set' }>): Promise<StatementResult> {
    for (const a of stmt.assignments) {
      if (a.kind !== 'variable' || a.target.name.toLowerCase() !== 'autocommit') continue;
      const v = a.value;
      const on = v.type === 'literal' && ((v.kind === 'integer' && Number(v.value) === 1) || (v.kind === 'boolean' && v.value));
      const onWord = v.type === 'column' && v.column.toLowerCase() === 'on';
      if (!on && !onWord) throw notSupported('SET autocommit = 0 (use BEGIN … COMMIT: the router pins a transaction to its first shard)');
    }
    if (stmt.assignments.some((a) => a.kind === 'variable' && a.target.kind === 'system' && a.target.scope === 'global')) throw notSupported('SET GLOBAL through the router (set it on each shard\'s server)');
    // Checked on one shard, then sent to every shard this session has a connection to, and replayed on those it opens later.
    const shards = this.view.current().shards;
    const first = this.tx?.pinned ?? shards[0];
    const result = await this.backends.run(first, sql, this.tx?.pinned !== undefined);
    for (const name of this.backends.openShards()) {
      const s = shards.find((x) => x.name === name);
      if (s !== undefined && s.name !== first.name) await this.backends.run(s, sql, this.tx?.pinned?.name === s.name);
    }
    this.backends.remember(sql);
    return kernelResult(result, this.view.keyspace);
  }

  /** Routes by the current topology; a write for a frozen shard waits (bounded) for the cut-over to end, then routes again. */
  private async routeServing(stmt: Statement): Promise<Route> {
    const deadline = Date.now() + FROZEN_WAIT_MS;
    for (;;) {
      const ks = this.view.current();
      let r: Route;
      try {
        r = route(ks, stmt, this.settings);
      } catch (e) {
        // A key no shard holds (a lookup table without it): the client's error, not the router's crash.
        if (e instanceof TopologyError) throw new SqlError(1105, 'HY000', `cannot route the statement: ${e.message}`);
        throw e;
      }
      const frozen = r.kind === 'shard' && r.write ? (r.shard.state === 'frozen' ? r.shard : undefined) : r.kind === 'every' ? ks.shards.find((s) => s.state === 'frozen') : undefined;
      if (frozen === undefined) return r;
      const left = deadline - Date.now();
      if (left <= 0) throw sqlError('LOCK_WAIT_TIMEOUT', `shard ${frozen.name} of keyspace ${ks.name} stayed frozen (a move or split cutting over) for ${FROZEN_WAIT_MS / 1000} s; try again`);
      await this.view.changed(Math.min(left, 250));
    }
  }

  /**
   * `INSERT INTO t VALUES (…)` names no columns: for routing, the table's column order is read
   * from a shard (its definition is the same on every shard, as DDL goes to all of them).
   */
  private async withInsertColumns(stmt: Statement): Promise<Statement> {
    if (stmt.type !== 'insert' || stmt.columns !== undefined || stmt.rows === undefined) return stmt;
    const rule = this.view.current().tableRule(stmt.table.name);
    if (rule === undefined || rule.reference) return stmt;
    const shard = this.tx?.pinned ?? this.view.current().shards[0];
    const res = await this.backends.run(shard, `SHOW COLUMNS FROM ${quoteIdentifier(stmt.table.name)}`, this.tx?.pinned !== undefined);
    return { ...stmt, columns: res.rows.map((r) => String(r[0])) };
  }

  private async routed(sql: string, parsed: Statement): Promise<StatementResult> {
    const stmt = await this.withInsertColumns(parsed);
    const r = await this.routeServing(stmt);
    const keyspace = this.view.keyspace;
    switch (r.kind) {
      case 'shard':
        return kernelResult(await this.runKeyed(r.shard, r.key, sql, stmt), keyspace);
      case 'any': {
        // The last shard used, if it is still in the topology (a split renames shards).
        const shards = this.view.current().shards;
        const last = this.last === undefined ? undefined : shards.find((s) => s.name === this.last?.name);
        return kernelResult(await this.runOn(this.tx?.pinned ?? last ?? shards[0], sql), keyspace);
      }
      case 'every': {
        if (this.tx !== undefined) throw notSupported(`${r.what} inside a transaction through the router`);
        let first: StatementResult | undefined;
        const done: string[] = [];
        for (const s of this.view.current().shards) {
          try {
            const res = kernelResult(await this.backends.run(s, sql), keyspace);
            first ??= res;
            done.push(s.name);
          } catch (e) {
            if (done.length === 0) throw e;
            throw new SqlError(1105, 'HY000', r.what === 'DDL'
              ? `DDL applied on shards ${done.join(', ')} but failed on shard ${s.name}: ${(e as Error).message}; run it again (IF NOT EXISTS / IF EXISTS make it safe to repeat)`
              : `The reference-table write applied on shards ${done.join(', ')} but failed on shard ${s.name}: ${(e as Error).message}; the copies now differ: repeat it in a form safe to repeat (REPLACE, INSERT IGNORE, an UPDATE to fixed values)`);
          }
        }
        if (stmt.type === 'createDatabase') await this.backends.useKeyspaceEverywhere();
        return first ?? OK;
      }
      case 'scatter': {
        if (this.settings.noScatter) throw sqlError('NOT_SUPPORTED_YET', 'This version of mizzle router doesn\'t yet support \'scatter queries with --no-scatter\': the query does not pin the shard key, so it would run on every shard');
        if (this.tx !== undefined) throw notSupported(`scatter queries inside a transaction (the transaction ${this.tx.pinned === undefined ? 'would be' : `is pinned to shard ${this.tx.pinned.name}, and is`} limited to one shard)`);
        const plan = planScatter(r.select, sql);
        const shards = r.shards ?? this.view.current().shards;
        const rowsMax = this.settings.scatterRowsMax;
        const budget = { left: rowsMax };
        const answers = await Promise.all(
          shards.map(async (s) => {
            const res = this.counted(await this.backends.readCapped(s, plan.sql, budget, () => tooManyScatterRows(rowsMax)));
            return { columns: res.columns.map((c) => resultColumn(c, keyspace)), rows: kernelRows(res) };
          }),
        );
        return mergeScatter(plan, answers, rowsMax);
      }
    }
  }

  /**
   * Runs a statement routed to one shard, its key in the frame header. A server whose topology is
   * newer than the router's answers REDIRECT (nothing ran): outside a transaction the statement goes
   * where the router's topology now says, else to the server the REDIRECT names, else (the servers
   * and the router disagree for a moment) after the topology next changes; at most REDIRECTS_MAX hops.
   * Inside a transaction the transaction is rolled back and the client told to run it again.
   */
  private async runKeyed(shard: RoutedShard, key: ShardKeyValue | undefined, sql: string, stmt: Statement): Promise<QueryResult> {
    const tried = new Set<string>();
    let target = shard;
    for (let hops = 0; ; hops++) {
      const generation = this.view.generation;
      try {
        return await this.runOn(target, sql, key);
      } catch (e) {
        if (!(e instanceof RedirectedError)) throw e;
        const to = e.redirect;
        const named = `${to.host.toLowerCase()}:${to.port}`;
        const inTransaction = this.tx !== undefined || e.inTransaction;
        if (this.tx !== undefined) await this.abandonTransaction();
        if (inTransaction) throw new SqlError(1180, 'HY000', `shard ${target.name}: the server redirected (${to.reason}) to ${to.host}:${to.port} during the transaction, which is rolled back; run it again`);
        tried.add(addressKey(target.primary));
        if (hops + 1 >= REDIRECTS_MAX) throw new SqlError(2013, 'HY000', `shard ${target.name}: gave up after ${REDIRECTS_MAX} redirects (last: ${to.reason} to ${named}: ${to.message})`);
        target = this.rerouted(await this.routeServing(stmt), target);
        if (tried.has(addressKey(target.primary))) {
          if (!tried.has(named)) target = { ...target, primary: { host: to.host, port: to.port } };
          else {
            await this.view.changed(SETTLE_MS, generation);
            tried.clear();
            target = this.rerouted(await this.routeServing(stmt), target);
          }
        }
      }
    }
  }

  /** The one shard a statement routes to again after a REDIRECT; a topology change that spreads it over several is the client's to retry. */
  private rerouted(r: Route, was: RoutedShard): RoutedShard {
    if (r.kind === 'shard') return r.shard;
    throw new SqlError(1105, 'HY000', `shard ${was.name}: the topology changed under the statement (it no longer routes to one shard); nothing ran, run it again`);
  }

  /** A transaction a REDIRECT interrupted: rolled back where it began (best effort: that server may be going away), and forgotten. */
  private async abandonTransaction(): Promise<void> {
    const pinned = this.tx?.pinned;
    this.tx = undefined;
    if (pinned !== undefined) await this.backends.run(pinned, 'ROLLBACK', true).catch(() => undefined);
  }

  /** Runs on one shard; inside a transaction, only on the shard it is pinned to (pinning it on first use). */
  private async runOn(shard: RoutedShard, sql: string, key?: ShardKeyValue) {
    this.last = shard;
    const tx = this.tx;
    if (tx === undefined) return this.counted(await this.backends.run(shard, sql, false, key));
    if (tx.pinned === undefined) {
      tx.pinned = shard;
      for (const p of tx.pending) await this.backends.run(shard, p, false);
      tx.pending = [];
    } else if (tx.pinned.name !== shard.name) {
      throw notSupported(`a transaction over several shards: it is pinned to shard ${tx.pinned.name} and this statement needs shard ${shard.name}`);
    }
    return this.counted(await this.backends.run(shard, sql, true, key));
  }

  private counted(r: QueryResult): QueryResult {
    this.warnings += r.warnings;
    return r;
  }

  useDatabase(name: string): void {
    if (name.toLowerCase() !== this.view.keyspace.toLowerCase()) throw sqlError('BAD_DB', `Unknown database '${name}' (this router serves the keyspace ${this.view.keyspace})`);
    this.database = this.view.keyspace;
  }

  listFields(): ResultColumn[] {
    throw notSupported('COM_FIELD_LIST (use SHOW COLUMNS)');
  }

  statistics(): string {
    return `Uptime: ${Math.floor(process.uptime())}  mizzle router for keyspace ${this.view.keyspace}`;
  }

  reset(): void {
    this.tx = undefined;
    this.last = undefined;
    this.prepared.clear();
    this.backends.forget();
    void this.backends.closeAll();
  }

  status(): SessionStatus {
    return { inTransaction: this.tx !== undefined, autocommit: true, warningCount: this.warnings };
  }

  diagnostics(): readonly Diagnostic[] {
    return [];
  }

  waitTimeoutSeconds(): number {
    return 28_800;
  }

  netWriteTimeoutSeconds(): number {
    return 60;
  }

  netReadTimeoutSeconds(): number {
    return 30;
  }

  close(): void {
    this.tx = undefined;
    void this.backends.closeAll();
  }
}
