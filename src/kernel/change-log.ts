// Writes each committed transaction's recorded changes to the change log, inside the write that commits its rows.
import { create, toBinary } from '@bufbuild/protobuf';
import type { KvWriter } from '../storage/kv.js';
import type { TableDef } from '../storage/table-def.js';
import type { Catalog } from '../storage/catalog.js';
import { appendEncoded, encodeWithoutId, toPbRow, pb, writeAppliedPosition, type ChangeRecorder, type RecordedChange, type ReplicatedOrigin } from '../storage/change-log/index.js';
import type { CommitBatchWriter } from '../storage/commit-batch.js';
import { renderType } from '../sql/types/render.js';
import { PAUSE, PAUSE_EVERY, type Pause } from '../sql/executor/pause.js';

const ROW_KINDS = { insert: pb.RowChange_Kind.INSERT, update: pb.RowChange_Kind.UPDATE, delete: pb.RowChange_Kind.DELETE } as const;

/** Column names and key positions per table definition, built once (definitions are immutable). */
const shapes = new WeakMap<TableDef, { columns: string[]; keyColumns: number[] }>();

function shapeOf(def: TableDef): { columns: string[]; keyColumns: number[] } {
  let s = shapes.get(def);
  if (s === undefined) {
    s = { columns: def.columns.map((c) => c.name), keyColumns: def.primaryKey ? [...def.primaryKey.columns] : [] };
    shapes.set(def, s);
  }
  return s;
}

function tableDefinition(def: TableDef): pb.TableDefinition {
  return create(pb.TableDefinitionSchema, {
    schema: def.schema,
    name: def.name,
    engine: def.engine,
    columns: def.columns.map((c) => create(pb.ColumnSchema, { name: c.name, type: renderType(c.type), nullable: c.nullable })),
    keyColumns: shapeOf(def).keyColumns,
    definitionJson: JSON.stringify(def),
  });
}

/** A transaction's change-log messages, encoded without their sequences (see ChangeLog.prepare). */
export interface PreparedLog {
  /** A replica's applied transaction: the position its write moves. */
  origin: ReplicatedOrigin | undefined;
  messages: Buffer[];
}

/**
 * The server's change log. `append` runs inside the primary store's write transaction, so the
 * message and the rows commit or vanish together; the catalog resolves what DDL left behind.
 */
export class ChangeLog {
  constructor(
    readonly serverUuid: string,
    private readonly catalog: Catalog,
    private readonly clock: () => number = Date.now,
    /** Told after a write that appended a message is durable (the change streams wake on it). */
    readonly committed: () => void = () => undefined,
  ) {}

  /**
   * Writes one message for the recorded changes (nothing when there are none). A replica's
   * applied transaction keeps its origin's uuid and moves the applied position in this write.
   */
  append(w: KvWriter, recorder: ChangeRecorder): void {
    this.appendPrepared(w, this.prepare(recorder));
  }

  /**
   * The messages for the recorded changes, encoded but not yet numbered: a commit encodes them
   * before its write, so the write (which holds LMDB's one write lock) only numbers and stores them.
   */
  prepare(recorder: ChangeRecorder): PreparedLog {
    const origin = recorder.origin;
    const messages: Buffer[] = [];
    if (recorder.size > 0 && recorder.ends.length === 0) messages.push(this.encode(recorder, 0, recorder.size, origin));
    else if (recorder.size > 0) {
      // A replica's group: one message per source transaction (one that changed nothing here logs none).
      let from = 0;
      for (const { end, origin: o } of recorder.ends) {
        if (end > from) messages.push(this.encode(recorder, from, end, o));
        from = end;
      }
      if (from < recorder.size) messages.push(this.encode(recorder, from, recorder.size, origin));
    }
    return { origin, messages };
  }

  /** Inside the write: moves a replica's applied position and appends each prepared message as the next sequence. */
  appendPrepared(w: KvWriter, prepared: PreparedLog): void {
    if (prepared.origin !== undefined) writeAppliedPosition(w, prepared.origin);
    for (const message of prepared.messages) appendEncoded(w, this.serverUuid, message);
  }

  /**
   * `appendPrepared` as entries of a commit batch, numbered when the batch is applied; false (nothing
   * added) for a replica's applied transaction, whose position the batch cannot carry.
   */
  appendToBatch(batch: CommitBatchWriter, prepared: PreparedLog): boolean {
    if (prepared.origin !== undefined) return false;
    for (const message of prepared.messages) batch.logAppend(this.serverUuid, message);
    return true;
  }

  /**
   * Encodes the recorded row changes not encoded yet, pausing every PAUSE_EVERY: a statement
   * that ran in slices calls it before its commit, whose `prepare` then only joins the parts.
   */
  *encodeSteps(recorder: ChangeRecorder): Generator<Pause, void> {
    const { changes, encoded } = recorder;
    while (encoded.length < changes.length) {
      const c = changes[encoded.length];
      // A schema change is encoded at commit, when the tables it left are resolved.
      if (c.kind === 'ddl') return;
      encoded.push(this.part(c));
      if (encoded.length % PAUSE_EVERY === 0) yield PAUSE;
    }
  }

  /**
   * One message, without its id, for changes [from, end): in one go, or (when a sliced statement
   * encoded some ahead, see encodeSteps) as the header followed by the parts. Protobuf merges
   * concatenated encodings, appending repeated fields, so both are the same message.
   */
  private encode(recorder: ChangeRecorder, from: number, end: number, origin: ReplicatedOrigin | undefined): Buffer {
    const header = {
      commitTimeMs: BigInt(this.clock()),
      originServerUuid: origin?.originUuid ?? this.serverUuid,
      originSequence: origin?.originSequence ?? 0n,
    };
    if (recorder.encoded.length <= from) {
      const recorded: readonly RecordedChange[] = from === 0 && end === recorder.size ? recorder.changes : recorder.changes.slice(from, end);
      return encodeWithoutId(create(pb.TransactionSchema, { ...header, changes: recorded.map((c) => this.change(c)) }));
    }
    const parts: Uint8Array[] = [encodeWithoutId(create(pb.TransactionSchema, header))];
    for (let i = from; i < end; i++) parts.push(i < recorder.encoded.length ? recorder.encoded[i] : this.part(recorder.changes[i]));
    return Buffer.concat(parts);
  }

  /** One change as the encoding of a message holding only it (see encode). */
  private part(c: RecordedChange): Uint8Array {
    return toBinary(pb.TransactionSchema, create(pb.TransactionSchema, { changes: [this.change(c)] }));
  }

  private change(c: RecordedChange): pb.Change {
    if (c.kind === 'ddl') {
      const tables: pb.TableDefinition[] = [];
      for (const t of c.tables) {
        const def = this.catalog.getTable(t.schema, t.name);
        if (def !== undefined) tables.push(tableDefinition(def));
      }
      return create(pb.ChangeSchema, { change: { case: 'ddl', value: { schema: c.schema, statement: c.statement, tables, droppedTables: c.dropped } } });
    }
    const shape = shapeOf(c.def);
    return create(pb.ChangeSchema, {
      change: {
        case: 'row',
        value: {
          schema: c.def.schema,
          table: c.def.name,
          kind: ROW_KINDS[c.kind],
          columns: shape.columns,
          before: c.before ? toPbRow(c.def, c.before) : [],
          after: c.after ? toPbRow(c.def, c.after) : [],
          keyColumns: shape.keyColumns,
        },
      },
    });
  }
}
