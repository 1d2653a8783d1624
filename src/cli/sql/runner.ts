// Runs piped SQL (stdin, -e): statements in order, results in the chosen format as they stream, errors on stderr with their line.
import { MizzleError, type ClientRow, type Column, type QueryResult, type ScriptOutcome } from '../../client/index.js';
import { formatter, type FormatName, type FormatOptions, type ResultFormatter } from './formats.js';
import type { Output } from './output.js';
import type { Progress } from './progress.js';
import { answersNoRows, type ConsoleSession, type RowSink, type StatementEnd } from './session.js';
import { StatementSplitter, type SplitStatement } from './splitter.js';

/** The column --each puts first in every result, naming the server the row came from. */
const SERVER_COLUMN: Column = { name: 'server', type: 'varchar', nullable: false };

/** Where a run's output is labelled with its server (--each), the columns and rows with it in front. */
function labelledColumns(columns: Column[], label: string | undefined): Column[] {
  return label === undefined ? columns : [SERVER_COLUMN, ...columns];
}

function labelledRow(row: ClientRow, label: string | undefined): ClientRow {
  return label === undefined ? row : [label, ...row];
}

/** Writes one result to `out` in `format` as its rows come (after a `server` column when labelled); columns() comes with the first row. */
class ResultPrinter implements RowSink {
  private f: ResultFormatter | undefined;

  constructor(
    private readonly format: FormatName,
    private readonly o: FormatOptions,
    private readonly out: Output,
    private readonly label: string | undefined,
  ) {}

  columns(columns: Column[]): Promise<void> | undefined {
    this.f = formatter(this.format, this.o);
    return this.out.write(this.f.begin(labelledColumns(columns, this.label)));
  }

  row(r: ClientRow): Promise<void> | undefined {
    return this.out.write(this.f!.row(labelledRow(r, this.label)));
  }

  /** After the last row. An empty result prints nothing, as mariadb's batch mode; only JSON says so, as []. */
  async finish(isResultSet: boolean): Promise<void> {
    if (this.f !== undefined) await this.out.write(this.f.end());
    else if (isResultSet && this.format === 'json') await this.out.write('[]\n');
  }
}

/** Runs `sql` and writes its result set, if any, to `out` in `format` as the rows arrive (after a `server` column when labelled). */
export async function printStatement(session: ConsoleSession, sql: string, format: FormatName, o: FormatOptions, out: Output, label?: string): Promise<StatementEnd> {
  const printer = new ResultPrinter(format, o, out, label);
  const end = await session.run(sql, printer);
  await printer.finish(end.columns !== undefined);
  return end;
}

/** A whole result (a script's) as printStatement prints a streamed one. */
async function printResult(r: QueryResult, format: FormatName, o: FormatOptions, out: Output, label: string | undefined): Promise<void> {
  const printer = new ResultPrinter(format, o, out, label);
  if (r.rows.length > 0) await printer.columns(r.columns);
  for (const row of r.rows) await printer.row(row);
  await printer.finish(r.columns.length > 0);
}

/**
 * Consecutive statements without result sets (a dump's INSERTs, SETs, LOCKs) go to the server as
 * one script, up to these limits: one round trip instead of one per statement. The server stops a
 * script at its first error, so what runs is what running them one by one would run. Big
 * statements (a dump's extended INSERTs) gain nothing from it and run alone.
 */
const SCRIPT_STATEMENTS = 256;
const SCRIPT_BYTES = 256 * 1024;
const SCRIPT_STATEMENT_BYTES = 16 * 1024;

/** How many statements from `from` on can run as one script (0 or 1: run it alone). */
function scriptLength(statements: readonly SplitStatement[], from: number): number {
  let n = 0;
  let bytes = 0;
  for (let i = from; i < statements.length && n < SCRIPT_STATEMENTS; i++) {
    const st = statements[i]!;
    if (st.vertical || st.sql.length > SCRIPT_STATEMENT_BYTES || bytes + st.sql.length > SCRIPT_BYTES || !answersNoRows(st.sql)) break;
    bytes += st.sql.length;
    n++;
  }
  return n;
}

/** An error as the mariadb CLI shows it: `ERROR 1146 (42S02) at line 3: Table 'd.t' doesn't exist` (with ` on SERVER` under --each). */
export function errorLine(e: unknown, line?: number, server?: string): string {
  const at = (line === undefined ? '' : ` at line ${line}`) + (server === undefined ? '' : ` on ${server}`);
  if (e instanceof MizzleError) return `ERROR ${e.code} (${e.sqlstate})${at}: ${e.message}`;
  return `ERROR${at}: ${e instanceof Error ? e.message : String(e)}`;
}

export interface RunOptions extends FormatOptions {
  format: FormatName;
  /** Go on after an error; the exit code is still 1. */
  force: boolean;
  out: Output;
  err: (line: string) => void;
  progress?: Progress;
  /** --each: the server this run is on, put in front of every row and error. */
  label?: string;
}

/** Runs every statement of `input` on `session`; returns the exit code: 0, or 1 after the first error (or after all, with --force). */
export async function runInput(session: ConsoleSession, input: AsyncIterable<string | Buffer>, o: RunOptions): Promise<number> {
  const splitter = new StatementSplitter();
  const decoder = new TextDecoder();
  let failed = 0;
  /** Reports a failed statement; false when the run must stop. */
  const failedAt = async (e: unknown, st: SplitStatement): Promise<boolean> => {
    failed++;
    await o.out.flush();
    o.progress?.clear();
    o.err(errorLine(e, st.line, o.label));
    // A broken connection ends the run even with --force: every later statement would fail the same way.
    const lost = e instanceof MizzleError && e.kind !== 'server';
    return o.force && !lost;
  };
  /** False when the run must stop. */
  const runAll = async (statements: SplitStatement[]): Promise<boolean> => {
    for (let i = 0; i < statements.length; ) {
      // After a DELIMITER change a statement may hold semicolons of its own: those are never joined.
      const n = splitter.delimiterChanged ? 0 : scriptLength(statements, i);
      if (n >= 2) {
        let outcome: ScriptOutcome;
        try {
          outcome = await session.script(statements.slice(i, i + n).map((st) => st.sql));
        } catch (e) {
          // The connection broke mid-script: which statements ran is unknown, so the run stops.
          await failedAt(e, statements[i]!);
          return false;
        }
        for (const r of outcome.results) {
          await printResult(r, o.format, o, o.out, o.label);
          o.progress?.statement();
        }
        if (outcome.error === undefined) i += n;
        else {
          // The server ran nothing after the failed statement: the run goes on after it (--force) or stops.
          const at = i + outcome.results.length;
          if (!(await failedAt(outcome.error, statements[at]!))) return false;
          i = at + 1;
        }
        continue;
      }
      const st = statements[i]!;
      try {
        await printStatement(session, st.sql, st.vertical ? 'vertical' : o.format, o, o.out, o.label);
        o.progress?.statement();
      } catch (e) {
        if (!(await failedAt(e, st))) return false;
      }
      i++;
    }
    return true;
  };
  let go = true;
  for await (const chunk of input) {
    if (typeof chunk === 'string') splitter.push(chunk);
    else {
      o.progress?.read(chunk.length);
      splitter.push(decoder.decode(chunk, { stream: true }));
    }
    go = await runAll(splitter.take());
    if (!go) break;
  }
  if (go) {
    splitter.push(decoder.decode());
    splitter.finish();
    await runAll(splitter.take());
  }
  await o.out.flush();
  o.progress?.stop();
  if (failed > 0 && o.force) o.err(`mizzle sql: ${failed} statement${failed === 1 ? '' : 's'} failed`);
  return failed > 0 ? 1 : 0;
}
