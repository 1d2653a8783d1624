// Runs piped SQL (stdin, -e): statements in order, results in the chosen format as they stream, errors on stderr with their line.
import { MizzleError } from '../../client/index.js';
import { formatter, type FormatName, type FormatOptions, type ResultFormatter } from './formats.js';
import type { Output } from './output.js';
import type { Progress } from './progress.js';
import type { ConsoleSession, StatementEnd } from './session.js';
import { StatementSplitter, type SplitStatement } from './splitter.js';

/** Runs `sql` and writes its result set, if any, to `out` in `format` as the rows arrive. */
export async function printStatement(session: ConsoleSession, sql: string, format: FormatName, o: FormatOptions, out: Output): Promise<StatementEnd> {
  let f: ResultFormatter | undefined;
  const end = await session.run(sql, {
    columns(columns) {
      f = formatter(format, o);
      return out.write(f.begin(columns));
    },
    row: (r) => out.write(f!.row(r)),
  });
  // An empty result prints nothing, as mariadb's batch mode; only JSON says so, as [].
  if (f !== undefined) await out.write(f.end());
  else if (end.columns !== undefined && format === 'json') await out.write('[]\n');
  return end;
}

/** An error as the mariadb CLI shows it: `ERROR 1146 (42S02) at line 3: Table 'd.t' doesn't exist`. */
export function errorLine(e: unknown, line?: number): string {
  const at = line === undefined ? '' : ` at line ${line}`;
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
}

/** Runs every statement of `input` on `session`; returns the exit code: 0, or 1 after the first error (or after all, with --force). */
export async function runInput(session: ConsoleSession, input: AsyncIterable<string | Buffer>, o: RunOptions): Promise<number> {
  const splitter = new StatementSplitter();
  const decoder = new TextDecoder();
  let failed = 0;
  /** False when the run must stop. */
  const runAll = async (statements: SplitStatement[]): Promise<boolean> => {
    for (const st of statements) {
      try {
        await printStatement(session, st.sql, st.vertical ? 'vertical' : o.format, o, o.out);
        o.progress?.statement();
      } catch (e) {
        failed++;
        await o.out.flush();
        o.progress?.clear();
        o.err(errorLine(e, st.line));
        // A broken connection ends the run even with --force: every later statement would fail the same way.
        const lost = e instanceof MizzleError && e.kind !== 'server';
        if (!o.force || lost) return false;
      }
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
