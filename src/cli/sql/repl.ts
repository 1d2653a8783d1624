// The interactive console: line editing with persistent history, statements over several lines, \G, \c, Ctrl-C cancelling the running query.
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { MizzleError } from '../../client/index.js';
import { Completer } from './completion.js';
import type { FormatName } from './formats.js';
import { Output } from './output.js';
import { errorLine, printStatement } from './runner.js';
import type { ConsoleSession, StatementEnd } from './session.js';
import { StatementSplitter, type SplitStatement } from './splitter.js';
import { consoleVersion } from './version.js';

const HISTORY_MAX = 1000;

export interface ReplOptions {
  format: FormatName;
  columnNames: boolean;
  historyFile: string;
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
  err: (line: string) => void;
}

/** The history file, oldest line first, as readline wants it: newest first. */
function readHistory(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '').reverse().slice(0, HISTORY_MAX);
  } catch {
    return [];
  }
}

function writeHistory(file: string, newestFirst: readonly string[]): void {
  try {
    writeFileSync(file, [...newestFirst].reverse().join('\n') + '\n', { mode: 0o600 });
  } catch {
    // A history that cannot be saved must not stop the console.
  }
}

/** "(0.01 sec)", "(1 min 2.50 sec)" as mariadb writes it. */
export function elapsedText(ms: number): string {
  const s = ms / 1000;
  if (s < 60) return `(${s.toFixed(2)} sec)`;
  return `(${Math.floor(s / 60)} min ${(s % 60).toFixed(2)} sec)`;
}

/** The line after a statement: "3 rows in set (0.01 sec)", "Empty set", "Query OK, 1 row affected". */
export function summaryLine(end: StatementEnd, ms: number): string {
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const warnings = end.summary && end.summary.warnings > 0 ? `, ${plural(end.summary.warnings, 'warning')}` : '';
  if (end.columns !== undefined) {
    return end.rows === 0 ? `Empty set${warnings} ${elapsedText(ms)}` : `${plural(end.rows, 'row')} in set${warnings} ${elapsedText(ms)}`;
  }
  return `Query OK, ${plural(end.summary?.rowsAffected ?? 0, 'row')} affected${warnings} ${elapsedText(ms)}`;
}

/** Databases, and the current database's tables and columns, for completion. */
async function loadNames(session: ConsoleSession): Promise<string[]> {
  const names = new Set<string>();
  const dbs = await session.all('SHOW DATABASES');
  for (const r of dbs.rows) names.add(String(r[0]));
  const cols = await session.all('SELECT TABLE_NAME, COLUMN_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()');
  for (const r of cols.rows) {
    names.add(String(r[0]));
    names.add(String(r[1]));
  }
  return [...names];
}

export async function runRepl(session: ConsoleSession, o: ReplOptions): Promise<number> {
  const out = new Output(o.output);
  const splitter = new StatementSplitter();
  const completer = new Completer(() => loadNames(session));
  let database = '(none)';
  const readDatabase = async () => {
    const r = await session.all('SELECT DATABASE()').catch(() => undefined);
    const db = r?.rows[0]?.[0];
    database = typeof db === 'string' ? db : '(none)';
  };
  await readDatabase();
  const rl = createInterface({
    input: o.input,
    output: o.output,
    terminal: true,
    history: readHistory(o.historyFile),
    historySize: HISTORY_MAX,
    removeHistoryDuplicates: true,
    completer: (line: string, cb: (e: Error | null, r: [string[], string]) => void) => {
      if (session.busy) return cb(null, [[], line]);
      completer.complete(line).then((r) => cb(null, r), () => cb(null, [[], line]));
    },
  });
  rl.on('history', (h: string[]) => writeHistory(o.historyFile, h));
  const prompt = () => {
    rl.setPrompt(splitter.pending ? '    -> ' : `mizzle [${database}]> `);
    rl.prompt();
  };

  /** The last statement typed, for \explain. */
  let last: string | undefined;
  const runOne = async (st: SplitStatement): Promise<void> => {
    if (st.line > 0) last = st.sql;
    const t0 = performance.now();
    try {
      const end = await printStatement(session, st.sql, st.vertical ? 'vertical' : o.format, { columnNames: o.columnNames, maxWidth: o.output.columns ?? 0 }, out);
      await out.write(summaryLine(end, performance.now() - t0) + '\n\n');
      await out.flush();
    } catch (e) {
      await out.flush();
      o.err(errorLine(e));
      if (e instanceof MizzleError && e.kind !== 'server') {
        o.err('The connection was lost; reconnecting.');
        await session.reconnect().catch((re: unknown) => o.err(errorLine(re)));
      }
    }
    if (/^\s*use\b/i.test(st.sql)) await readDatabase();
    if (/^\s*(use|create|drop|alter|rename)\b/i.test(st.sql)) completer.invalidate();
  };

  const status = async () => {
    const r = await session.all('SELECT VERSION(), CONNECTION_ID(), DATABASE(), CURRENT_USER()');
    const [version, id, db, user] = r.rows[0] ?? [];
    const shown = new URL(session.url.href);
    shown.password = '';
    const tls = session.url.protocol === 'https:' ? 'in use (https)' : 'not in use';
    await out.write(
      `--------------\nmizzle sql ${consoleVersion()}\n\n` +
        `Connection id:    ${String(id ?? '')}\nCurrent database: ${String(db ?? '')}\nCurrent user:     ${String(user ?? '')}\n` +
        `Server version:   ${String(version ?? '')}\nProtocol:         ${session.protocol}\nURL:              ${shown.href}\nTLS:              ${tls}\n--------------\n\n`,
    );
    await out.flush();
  };

  /** A console command (\s, \processlist, quit) on a line of its own; false when the line is SQL. */
  const command = async (line: string): Promise<boolean> => {
    const word = line.trim().replace(/;$/, '').trim();
    if (/^(quit|exit|\\q)$/i.test(word)) {
      rl.close();
      return true;
    }
    if (/^\\(s|status)$/.test(word)) {
      await status().catch((e: unknown) => o.err(errorLine(e)));
      return true;
    }
    if (/^\\(processlist)$/.test(word)) {
      await runOne({ sql: 'SHOW PROCESSLIST', line: 0, vertical: false });
      return true;
    }
    if (/^\\explain$/.test(word)) {
      if (last === undefined) o.err('No statement to explain yet.');
      else await runOne({ sql: `EXPLAIN ${last}`, line: 0, vertical: false });
      return true;
    }
    if (/^\\(h|help|\?)$/.test(word)) {
      await out.write('Statements end with ; (or \\G for rows shown vertically). \\c clears the statement, Ctrl-C cancels a running one.\n' +
        '\\s, \\status     this connection        \\processlist   the server\'s sessions\n\\explain          the last statement\'s plan   quit, \\q, Ctrl-D  leave\n\n');
      await out.flush();
      return true;
    }
    return false;
  };

  const handle = async (line: string): Promise<void> => {
    if (!splitter.pending && (await command(line))) return;
    splitter.push(line + '\n');
    for (const st of splitter.take()) await runOne(st);
  };

  o.output.write(`Welcome to mizzle sql ${consoleVersion()}: ${session.protocol} connection ${session.connectionId ?? ''}. Statements end with ; or \\G; \\h for help.\n\n`);
  let chain = Promise.resolve();
  let closed = false;
  let interrupts = 0;
  rl.on('line', (line) => {
    interrupts = 0;
    chain = chain.then(() => handle(line)).then(() => {
      if (!closed) prompt();
    });
  });
  rl.on('SIGINT', () => {
    if (session.busy) {
      o.output.write('^C -- sending "KILL QUERY" to the server\n');
      session.cancel().catch((e: unknown) => o.err(errorLine(e)));
      return;
    }
    if (rl.line !== '' || splitter.pending) {
      // As in a shell: Ctrl-C drops what was typed, not the console.
      splitter.clear();
      rl.write(null, { ctrl: true, name: 'u' });
      o.output.write('^C\n');
      interrupts = 0;
      prompt();
      return;
    }
    if (++interrupts >= 2) {
      rl.close();
      return;
    }
    o.output.write('^C (Ctrl-C again or Ctrl-D to quit)\n');
    prompt();
  });
  prompt();
  await new Promise<void>((resolve) => rl.once('close', resolve));
  closed = true;
  await chain;
  o.output.write('Bye\n');
  return 0;
}
