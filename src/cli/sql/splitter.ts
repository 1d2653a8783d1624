// Cuts a stream of SQL text into statements at the delimiter, outside quotes and comments, as the mariadb CLI does; fed in chunks of any size.

/** One statement cut from the input. */
export interface SplitStatement {
  sql: string;
  /** The input line the statement starts on (1-based), for error messages. */
  line: number;
  /** Ended by `\G`: shown vertically. */
  vertical: boolean;
}

const enum State {
  Normal,
  Single,
  Double,
  Backtick,
  LineComment,
  BlockComment,
}

const NL = 10;
const BACKSLASH = 92;

function isBlank(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}

/**
 * A statement splitter: push() text, take() the statements completed so far,
 * finish() at the end of the input for a last statement without a delimiter.
 * Quotes ('…', "…", `…`, with backslash escapes and doubled quotes), `-- `, `#` and
 * `/* … *\/` comments never end a statement; comments before a statement are dropped,
 * `/*!…*\/` and `/*+…*\/` are kept (the server reads them). `DELIMITER x` on a line of
 * its own changes the delimiter, and `\G`, `\g` end a statement, `\c` drops it.
 */
export class StatementSplitter {
  private buf = '';
  /** Scan position in buf. */
  private pos = 0;
  /** Where the current statement starts in buf; -1 before its first character. */
  private start = -1;
  private startLine = 0;
  private line = 1;
  private state = State.Normal;
  private out: SplitStatement[] = [];
  private ended = false;
  delimiter = ';';

  /** Whether part of a statement was read and waits for its delimiter (the console's continuation prompt). */
  get pending(): boolean {
    return this.start !== -1 || this.state === State.Single || this.state === State.Double || this.state === State.Backtick || this.state === State.BlockComment;
  }

  push(text: string): void {
    // Drop what is done with, so the buffer holds at most one statement plus one chunk.
    const keep = this.start === -1 ? this.pos : this.start;
    if (keep > 0) {
      this.buf = this.buf.slice(keep);
      this.pos -= keep;
      if (this.start !== -1) this.start -= keep;
    }
    this.buf += text;
    this.scan();
  }

  /** The end of the input: a statement without a delimiter still runs. */
  finish(): void {
    this.ended = true;
    this.scan();
    if (this.start !== -1) this.emit(this.buf.length, false);
    this.buf = '';
    this.pos = 0;
    this.state = State.Normal;
  }

  /** Forgets the statement being read (`\c`, Ctrl-C at the prompt). */
  clear(): void {
    this.buf = '';
    this.pos = 0;
    this.start = -1;
    this.state = State.Normal;
  }

  take(): SplitStatement[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private begin(at: number): void {
    if (this.start === -1) {
      this.start = at;
      this.startLine = this.line;
    }
  }

  private emit(end: number, vertical: boolean): void {
    const sql = this.buf.slice(this.start, end).trimEnd();
    if (sql !== '') this.out.push({ sql, line: this.startLine, vertical });
    this.start = -1;
  }

  /** Whether `n` more characters after pos are there, or can never come. */
  private has(n: number): boolean {
    return this.pos + n < this.buf.length || this.ended;
  }

  private scan(): void {
    const buf = this.buf;
    const len = buf.length;
    while (this.pos < len) {
      const i = this.pos;
      const c = buf.charCodeAt(i);
      switch (this.state) {
        case State.Single:
        case State.Double:
        case State.Backtick: {
          const quote = this.state === State.Single ? 39 : this.state === State.Double ? 34 : 96;
          if (c === BACKSLASH && this.state !== State.Backtick) {
            if (!this.has(1)) return;
            if (buf.charCodeAt(i + 1) === NL) this.line++;
            this.pos += 2;
          } else if (c === quote) {
            if (!this.has(1)) return;
            // A doubled quote stands for itself.
            if (buf.charCodeAt(i + 1) === quote) this.pos += 2;
            else {
              this.state = State.Normal;
              this.pos++;
            }
          } else {
            if (c === NL) this.line++;
            this.pos++;
          }
          continue;
        }
        case State.LineComment:
          if (c === NL) {
            this.line++;
            this.state = State.Normal;
          }
          this.pos++;
          continue;
        case State.BlockComment:
          if (c === 42 /* * */) {
            if (!this.has(1)) return;
            if (buf.charCodeAt(i + 1) === 47 /* / */) {
              this.state = State.Normal;
              this.pos += 2;
              continue;
            }
          } else if (c === NL) this.line++;
          this.pos++;
          continue;
        case State.Normal:
          if (!this.normal(buf, i, c)) return;
      }
    }
  }

  /** One step outside quotes and comments; false when it needs text not read yet. */
  private normal(buf: string, i: number, c: number): boolean {
    if (isBlank(c)) {
      if (c === NL) this.line++;
      this.pos++;
      return true;
    }
    if (c === 39 || c === 34 || c === 96) {
      this.begin(i);
      this.state = c === 39 ? State.Single : c === 34 ? State.Double : State.Backtick;
      this.pos++;
      return true;
    }
    if (c === 35 /* # */) {
      this.state = State.LineComment;
      this.pos++;
      return true;
    }
    if (c === 45 /* - */) {
      if (!this.has(2)) return false;
      const c2 = buf.charCodeAt(i + 2);
      if (buf.charCodeAt(i + 1) === 45 && (Number.isNaN(c2) || isBlank(c2))) {
        this.state = State.LineComment;
        this.pos += 2;
        return true;
      }
    } else if (c === 47 /* / */) {
      if (!this.has(2)) return false;
      if (buf.charCodeAt(i + 1) === 42) {
        const c2 = buf.charCodeAt(i + 2);
        // Executable comments and optimizer hints are statement text.
        if (c2 === 33 /* ! */ || c2 === 43 /* + */) this.begin(i);
        this.state = State.BlockComment;
        this.pos += 2;
        return true;
      }
    } else if (c === BACKSLASH) {
      if (!this.has(1)) return false;
      const c1 = buf.charCodeAt(i + 1);
      if (c1 === 71 /* G */ || c1 === 103 /* g */) {
        if (this.start !== -1) this.emit(i, c1 === 71);
        this.pos += 2;
        return true;
      }
      if (c1 === 99 /* c */) {
        this.start = -1;
        this.pos += 2;
        return true;
      }
    }
    if (this.start === -1 && (c === 68 || c === 100) /* D, d */) {
      const r = this.delimiterLine(buf, i);
      if (r === undefined) return false;
      if (r) return true;
    }
    const d = this.delimiter;
    if (c === d.charCodeAt(0)) {
      if (!this.has(d.length - 1)) return false;
      if (buf.startsWith(d, i)) {
        if (this.start !== -1) this.emit(i, false);
        this.pos += d.length;
        return true;
      }
    }
    this.begin(i);
    this.pos++;
    return true;
  }

  /** A `DELIMITER x` line at a statement's start: true when it was one, undefined when its line is not all read yet. */
  private delimiterLine(buf: string, i: number): boolean | undefined {
    const word = 'delimiter';
    if (!this.has(word.length)) return undefined;
    if (buf.slice(i, i + word.length).toLowerCase() !== word || !isBlank(buf.charCodeAt(i + word.length))) return false;
    let eol = buf.indexOf('\n', i);
    if (eol === -1) {
      if (!this.ended) return undefined;
      eol = buf.length;
    }
    const next = buf.slice(i + word.length, eol).trim().split(/\s+/)[0] ?? '';
    if (next === '') return false;
    this.delimiter = next;
    this.pos = eol;
    return true;
  }
}
