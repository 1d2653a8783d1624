// The replica's applier: follows the source's change stream and applies each transaction atomically, exactly once, with its position.
import { SqlError, sqlError } from '../../base/errors.js';
import type { Value } from '../../base/value.js';
import type { Logger } from '../logger.js';
import { decodeTransaction, originOf, rowChangeToSql, pb, type AppliedPosition, type OriginId, type ReplicatedOrigin } from '../../storage/change-log/index.js';
import type { StatementResult } from '../../base/result.js';
import type { Session } from '../session/session.js';
import type { ChangeBatch, FollowHandle, ReplicationSource } from './source.js';
import { replicaStatusCounters, replicaStatusRow, type ReplicaState } from './replica-status.js';
import { rowStatement, type RowStatement } from './row-statements.js';
import type { FilteredChange, KeyrangeFilter } from './keyrange-filter.js';
import { NO_RULES, ReplicateRules } from './replicate-rules.js';
import { WakeablePause } from './wakeable-pause.js';

/** What the applier needs of its server. */
export interface ReplicaHost {
  readonly log: Logger;
  /** A session that bypasses read-only, authorization and filters: the applier's own. */
  openApplierSession(): Session;
  /** The position stored with the last applied transaction (read fresh). */
  appliedPosition(): AppliedPosition | undefined;
  /** Moves the position alone, for a source transaction that changed nothing here. */
  recordAppliedPosition(origin: ReplicatedOrigin): void;
  schemaExists(name: string): boolean;
  /** Before a transaction: reads see the latest commits and catalog (another thread may have changed them). */
  freshApplierReads(): void;
  /** The generated columns of a table here (computed, never written). */
  generatedColumns(schema: string, table: string): ReadonlySet<string>;
  /** The origin id of the newest transaction in this server's own log: what a new source continues after. */
  newestOrigin(): OriginId | undefined;
}

/** Reconnect delays: doubled from the first up to the last. */
const RETRY_FIRST_MS = 100;
export const RETRY_MAX_MS = 5000;
/** A source sends a heartbeat every second; this long without a word (outside an apply), the replica reconnects. */
const SOURCE_SILENCE_MS = 10_000;
/** Prepared row statements kept at most (a schema with many tables and shapes starts over). */
const PREPARED_MAX = 512;
/** Source transactions applied in one commit of the replica at most. */
const GROUP_MAX = 200;
/** A transaction that met a lock wait timeout or deadlock is tried this many times before the applier stops. */
const LOCK_RETRIES = 10;

/** An apply failure: it stops the applier (Last_SQL_Error), unlike a lost connection (retried). */
class ApplyError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

/** A source transaction, decoded, with the id it is applied under. */
interface Decoded {
  txn: pb.Transaction;
  origin: ReplicatedOrigin;
}

export class Replica {
  private readonly state: ReplicaState;
  private wanted = false;
  /** Bumped by each START: a loop of an earlier one ends instead of running beside the new. */
  private runs = 0;
  private handle: FollowHandle | undefined;
  private loop: Promise<void> | undefined;
  /** The batch being applied: a stop lets it finish before storage closes. */
  private applying: Promise<void> | undefined;
  /** Prepared row statements of the applier's session, by text. */
  private readonly prepared = new Map<string, number>();
  /** Between reconnects; STOP REPLICA cuts it short. */
  private readonly retryPause = new WakeablePause();
  private session: Session | undefined;
  private applyFailure: ApplyError | undefined;
  /** --replicate-do-db and the like (CHANGE REPLICATION FILTER replaces them while stopped). */
  private replicateRules = new ReplicateRules(NO_RULES);
  /** PROMOTE: nothing more is received, but the frame being applied is applied whole. */
  private draining = false;

  /** `keyrange`: apply only the rows of one shard's key range (--replica-keyrange). */
  constructor(private readonly host: ReplicaHost, private source: ReplicationSource, private readonly start0: AppliedPosition | undefined, private readonly keyrange?: KeyrangeFilter) {
    const applied = host.appliedPosition() ?? start0 ?? { sourceUuid: '', sequence: 0n };
    this.state = {
      io: 'stopped', sqlRunning: false, sourceHost: source.host, sourcePort: source.port, sourceUser: source.user,
      sourceUuid: applied.sourceUuid, sourceLast: applied.sequence, received: applied.sequence, applied: applied.sequence,
      applyingCommitMs: undefined, ioError: undefined, sqlError: undefined, retryMaxSeconds: RETRY_MAX_MS / 1000,
      filterColumns: this.replicateRules.statusColumns(),
    };
  }

  /** The replication filters in force; a transaction they leave empty still moves the applied position. */
  get rules(): ReplicateRules {
    return this.replicateRules;
  }

  set rules(rules: ReplicateRules) {
    this.replicateRules = rules;
    this.state.filterColumns = rules.statusColumns();
  }

  /** SHOW REPLICA STATUS's row, with the lag as of now. */
  statusRow(): Value[] {
    return replicaStatusRow(this.state, Date.now());
  }

  /** SHOW GLOBAL STATUS rows (Replica_lag_ms ...), which /metrics exports. */
  statusCounters(): [string, number][] {
    return replicaStatusCounters(this.state, Date.now());
  }

  /** START REPLICA: a note when it already runs. A stopped applier starts over from its stored position (a failed transaction is retried). */
  start(): { code: number; message: string } | undefined {
    if (this.wanted) return { code: 3083, message: "Replication thread(s) for channel '' are already runnning." };
    this.wanted = true;
    this.state.ioError = undefined;
    this.state.sqlError = undefined;
    this.applyFailure = undefined;
    this.state.sqlRunning = true;
    this.state.io = 'connecting';
    const previous = this.loop;
    const run = ++this.runs;
    // One applier at a time: the loop of an earlier START (stopping) finishes first.
    this.loop = (async () => {
      await previous;
      await this.applying?.catch(() => undefined);
      // A fresh session each START: the last one may have been killed (KILL of its id) or left mid-error.
      this.closeSession();
      await this.run(run);
    })();
    return undefined;
  }

  /** STOP REPLICA: the transaction being applied finishes (or is rolled back whole); a note when it was not running. */
  stop(): { code: number; message: string } | undefined {
    if (!this.wanted) return { code: 3084, message: "Replication thread(s) for channel '' are already stopped." };
    this.wanted = false;
    this.state.io = 'stopped';
    this.state.sqlRunning = false;
    this.handle?.stop();
    this.retryPause.wake();
    return undefined;
  }

  /** CHANGE REPLICATION SOURCE TO: follows `source` from the next START (the caller checked the applier is stopped). */
  changeSource(source: ReplicationSource): void {
    this.source = source;
    this.state.sourceHost = source.host;
    this.state.sourcePort = source.port;
    this.state.sourceUser = source.user;
  }

  /** Whether the applier runs (or is still applying what it received): CHANGE REPLICATION SOURCE and FILTER need it stopped. */
  get running(): boolean {
    return this.wanted || this.draining || this.state.sqlRunning;
  }

  /** PROMOTE's first step: receives nothing more, applies the transactions already received, then stops; resolves then. */
  async drain(): Promise<void> {
    if (this.wanted) {
      this.draining = true;
      this.wanted = false;
      this.state.io = 'stopped';
      this.handle?.stop();
      this.retryPause.wake();
    }
    try {
      await this.loop;
      await this.applying?.catch(() => undefined);
    } finally {
      this.draining = false;
      this.state.sqlRunning = false;
    }
  }

  /** Stops and waits for the applier to be idle (shutdown). */
  async close(): Promise<void> {
    this.stop();
    await this.loop;
    await this.applying?.catch(() => undefined);
    this.closeSession();
  }

  private closeSession(): void {
    this.forgetPrepared();
    this.session?.close();
    this.session = undefined;
  }

  private async run(run: number): Promise<void> {
    const current = () => this.wanted && run === this.runs;
    let delay = RETRY_FIRST_MS;
    while (current()) {
      await this.applying?.catch(() => undefined);
      const position = { ...this.position(), history: this.host.newestOrigin() };
      this.state.io = 'connecting';
      let heard = Date.now();
      let inBatch = false;
      let silent = false;
      const handle = this.source.follow(position, async (batches) => {
        if (!current()) return;
        heard = Date.now();
        inBatch = true;
        delay = RETRY_FIRST_MS;
        try {
          this.applying = this.batches(batches);
          await this.applying;
        } finally {
          inBatch = false;
          heard = Date.now();
        }
      });
      this.handle = handle;
      // A source that went quiet without closing (a lost network) sends no heartbeat: reconnect.
      const watchdog = setInterval(() => {
        if (inBatch || Date.now() - heard < SOURCE_SILENCE_MS) return;
        silent = true;
        handle.stop();
      }, 1000);
      watchdog.unref();
      try {
        await handle.ended;
      } catch (caught) {
        const e = silent ? new Error(`The source sent nothing, not even a heartbeat, for ${SOURCE_SILENCE_MS / 1000} s`) : caught;
        if (this.applyFailure !== undefined) {
          const f = this.applyFailure;
          this.state.sqlError = { code: f.code, message: f.message, at: new Date() };
          this.host.log.error('replica applier stopped', { error: f.message });
          this.wanted = false;
          break;
        }
        if (!current()) break;
        const err = e instanceof SqlError ? { code: e.code, message: e.code === 1236 ? `Got fatal error 1236 from source when reading data from binary log: '${e.message}'` : e.message } : { code: 2003, message: e instanceof Error ? e.message : String(e) };
        this.state.ioError = { ...err, at: new Date() };
        // The source refused this replica's position: retrying cannot help.
        if (err.code === 1236) {
          this.host.log.error('replica stopped: the source refused its position', { error: err.message });
          this.wanted = false;
          break;
        }
        this.host.log.warn('replica lost its source; reconnecting', { error: err.message, retry_ms: delay });
      } finally {
        this.handle = undefined;
        clearInterval(watchdog);
      }
      this.state.io = 'connecting';
      await this.retryPause.sleep(delay);
      delay = Math.min(delay * 2, RETRY_MAX_MS);
    }
    if (run !== this.runs) return;
    this.state.io = 'stopped';
    this.state.sqlRunning = false;
  }

  /** Where to continue: the stored position (it moves with each applied transaction), else where this replica began. */
  private position(): { sourceUuid: string; sequence: bigint } {
    const p = this.host.appliedPosition() ?? this.start0;
    return p ?? { sourceUuid: '', sequence: 0n };
  }

  /** Applies what arrived while running, or while PROMOTE drains what was received. */
  private get applies(): boolean {
    return this.wanted || this.draining;
  }

  /**
   * Applies what arrived since the last call: consecutive transactions go in groups of up to
   * GROUP_MAX, across batches, so a replica that fell behind catches up with few durable commits.
   */
  private async batches(batches: ChangeBatch[]): Promise<void> {
    if (!this.applies) return;
    this.state.io = 'streaming';
    this.state.ioError = undefined;
    const done = this.host.appliedPosition();
    let group: Decoded[] = [];
    const flush = async () => {
      if (group.length > 0) await this.applyGroup(group);
      group = [];
    };
    let uuid: string | undefined;
    let last: bigint | undefined;
    for (const b of batches) {
      this.state.sourceUuid = b.serverUuid;
      if (b.lastSequence > this.state.sourceLast) this.state.sourceLast = b.lastSequence;
      if (b.transactions.length > 0) this.state.received = b.transactions[b.transactions.length - 1].sequence;
      if (uuid !== b.serverUuid) {
        uuid = b.serverUuid;
        // From a source new to this replica, the source chose where to start (after the newest transaction held here, see ChangeStream.start).
        last = done !== undefined && done.sourceUuid === b.serverUuid ? done.sequence : this.start0?.sourceUuid === b.serverUuid ? this.start0.sequence : undefined;
      }
      for (const t of b.transactions) {
        if (!this.applies) break;
        last ??= t.sequence - 1n;
        // Already applied (a resend after a reconnect): exactly once.
        if (t.sequence <= last) continue;
        if (t.sequence !== last + 1n) {
          await flush();
          throw this.failed(new ApplyError(1594, `Transaction ${b.serverUuid}:${t.sequence} arrived after ${b.serverUuid}:${last}; the ones between are missing`));
        }
        last = t.sequence;
        const txn = decodeTransaction(t.bytes);
        const origin: OriginId = originOf(txn) ?? { uuid: txn.originServerUuid || b.serverUuid, sequence: 0n };
        const d: Decoded = { txn, origin: { sourceUuid: b.serverUuid, sequence: t.sequence, originUuid: origin.uuid, originSequence: origin.sequence } };
        if (txn.changes.some((c) => c.change.case === 'ddl')) {
          await flush();
          await this.applyGroup([d]);
        } else {
          group.push(d);
          if (group.length >= GROUP_MAX) await flush();
        }
      }
    }
    if (this.applies) await flush();
  }

  /** Records the failure that stops the applier, and returns it to throw. */
  private failed(e: unknown, origin?: ReplicatedOrigin): ApplyError {
    const where = origin ? `${origin.sourceUuid}:${origin.sequence}` : 'a transaction';
    this.applyFailure = e instanceof ApplyError ? e : new ApplyError(e instanceof SqlError ? e.code : 1594, `Error applying transaction ${where}: ${e instanceof Error ? e.message : String(e)}`);
    return this.applyFailure;
  }

  /**
   * Applies consecutive source transactions in one transaction of the replica (one durable commit
   * for all, as a primary's group commit, with the position of the last), retried after a lock
   * wait timeout or deadlock. When a group fails its transactions go one by one, so the error
   * names the one that failed and those before it are kept.
   */
  private async applyGroup(group: Decoded[]): Promise<void> {
    this.host.freshApplierReads();
    const last = group[group.length - 1];
    this.state.applyingCommitMs = Number(group[0].txn.commitTimeMs);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.applyOnce(group);
        break;
      } catch (e) {
        const retryable = e instanceof SqlError && (e.code === 1205 || e.code === 1213);
        if (retryable && attempt < LOCK_RETRIES) continue;
        if (group.length > 1) {
          for (const one of group) await this.applyGroup([one]);
          return;
        }
        throw this.failed(e, last.origin);
      }
    }
    this.state.applied = last.origin.sequence;
    this.state.applyingCommitMs = Number(last.txn.commitTimeMs);
  }

  /** Row statements run prepared: one text per table and shape, parsed and planned once (see row-statements.ts). */
  private async runRow(session: Session, st: RowStatement): Promise<StatementResult> {
    let id = this.prepared.get(st.sql);
    if (id === undefined) {
      if (this.prepared.size >= PREPARED_MAX) this.forgetPrepared();
      id = session.prepare(st.sql).id;
      this.prepared.set(st.sql, id);
    }
    return session.executePrepared(id, st.params);
  }

  /** The row changes to run for one logged change: itself, or what the key-range filter keeps of it. */
  private rowsToApply(r: pb.RowChange, origin: ReplicatedOrigin): FilteredChange[] {
    if (!this.replicateRules.rowOk(r.schema, r.table)) return [];
    if (this.keyrange === undefined) return [{ change: r, mayBeAbsent: false }];
    try {
      return this.keyrange.filter(r);
    } catch (e) {
      throw new ApplyError(1594, `Could not apply ${origin.sourceUuid}:${origin.sequence}: ${(e as Error).message}`);
    }
  }

  private forgetPrepared(): void {
    for (const id of this.prepared.values()) this.session?.closePrepared(id);
    this.prepared.clear();
  }

  private applierSession(): Session {
    if (this.session === undefined) {
      const s = this.host.openApplierSession();
      // The log holds the primary's cascades as rows of their own, and its values as stored.
      s.setSystemVariable('foreign_key_checks', 0, 'session');
      s.matchedRowsAsAffected = true;
      this.session = s;
    }
    return this.session;
  }

  /**
   * A schema change runs as its statement (the rows it wrote, CREATE TABLE ... SELECT, follow
   * from it here too); row changes run as statements that each touch exactly their row, in one
   * transaction. Either way the stored position moves in the same commit (storage-env, ChangeLog).
   */
  private async applyOnce(group: Decoded[]): Promise<void> {
    const session = this.applierSession();
    const first = group[0];
    const ddl = first.txn.changes.flatMap((c) => (c.change.case === 'ddl' ? [c.change.value] : []));
    if (ddl.length > 0) {
      const rules = this.replicateRules;
      session.replicationOrigin = first.origin;
      try {
        for (const d of ddl) {
          if (!rules.ddlOk(d)) continue;
          session.database = d.schema !== '' && this.host.schemaExists(d.schema) ? d.schema : null;
          await run(session, d.statement);
        }
      } finally {
        session.replicationOrigin = undefined;
        // Prepared row statements may name what the schema change altered.
        this.forgetPrepared();
      }
      // A statement that wrote nothing here moved nothing: the position moves alone.
      const p = this.host.appliedPosition();
      if (p === undefined || p.sourceUuid !== first.origin.sourceUuid || p.sequence < first.origin.sequence) this.host.recordAppliedPosition(first.origin);
      return;
    }
    await run(session, 'BEGIN');
    try {
      for (const { txn, origin } of group) {
        for (const c of txn.changes) {
          if (c.change.case !== 'row') continue;
          for (const { change, mayBeAbsent } of this.rowsToApply(c.change.value, origin)) {
            const st = rowStatement(change, this.host.generatedColumns(change.schema, change.table));
            if (st === undefined) continue;
            const r = await this.runRow(session, st);
            const touched = r.kind === 'ok' ? r.affectedRows : 0;
            if (touched !== 1 && !(mayBeAbsent && touched === 0)) {
              const what = change.kind === pb.RowChange_Kind.INSERT ? 'inserted' : 'found';
              throw new ApplyError(1032, `Could not apply ${origin.sourceUuid}:${origin.sequence}: the row of \`${change.schema}\`.\`${change.table}\` was not ${what} exactly once (${touched} rows); the replica's data differs from its source's: ${rowChangeToSql(change)?.slice(0, 300) ?? ''}`);
            }
          }
        }
        // Each source transaction is logged here as a message of its own, with its origin id.
        session.markReplicated(origin);
      }
      await run(session, 'COMMIT');
    } catch (e) {
      await run(session, 'ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}

async function run(session: Session, sql: string): Promise<StatementResult> {
  let result: StatementResult | undefined;
  await session.execute(sql, false, (r) => {
    result = r;
  });
  if (result === undefined) throw sqlError('EMPTY_QUERY', 'Query was empty');
  return result;
}
