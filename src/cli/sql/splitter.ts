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

/** ASCII characters that never start a quote, comment, escape or line break: 1 in this table. */
const PLAIN = new Uint8Array(128);
for (let c = 32; c < 127; c++) PLAIN[c] = 1;
for (const ch of `'"\`#-/\\`) PLAIN[ch.charCodeAt(0)] = 0;
PLAIN[9] = 1;

/** Where a string's body stops: its quote, an escape, or a line break (counted). */
const SINGLE_STOP = /['\\\n]/g;
const DOUBLE_STOP = /["\\\n]/g;
const BACKTICK_STOP = /[`\n]/g;

function escapeClass(ch: string): string {
  return ch.replace(/[\]\\^-]/g, '\\$&');
}

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
  /** The current statement's text from earlier chunks. */
  private parts: string[] = [];
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
  /**
   * Whether a DELIMITER command set another delimiter at some point: statements may then hold
   * semicolons of their own (routine bodies), and must not be joined into one multi-statement text.
   */
  delimiterChanged = false;
  private stopFor = '';
  private stop = /x/g;

  /** Where plain statement text stops under the current delimiter: any character PLAIN does not have, or the delimiter's first. */
  private normalStop(): RegExp {
    if (this.stopFor !== this.delimiter) {
      this.stopFor = this.delimiter;
      this.stop = new RegExp(`[^\\t -~]|['"\`#\\-/\\\\${escapeClass(this.delimiter[0]!)}]`, 'g');
    }
    return this.stop;
  }

  /** Whether part of a statement was read and waits for its delimiter (the console's continuation prompt). */
  get pending(): boolean {
    return this.start !== -1 || this.state === State.Single || this.state === State.Double || this.state === State.Backtick || this.state === State.BlockComment;
  }

  push(text: string): void {
    // The scanned part of a statement moves to `parts`; the buffer keeps only what is not scanned yet
    // (a few characters waiting for the next ones), so a long statement is never copied chunk after chunk.
    if (this.start !== -1) {
      if (this.pos > this.start) this.parts.push(this.buf.slice(this.start, this.pos));
      this.start = 0;
    }
    this.buf = this.buf.slice(this.pos) + text;
    this.pos = 0;
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
    this.parts = [];
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
    const tail = this.buf.slice(this.start, end);
    const sql = (this.parts.length === 0 ? tail : this.parts.join('') + tail).trimEnd();
    if (sql !== '') this.out.push({ sql, line: this.startLine, vertical });
    this.parts = [];
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
            // The body of a string in one regex step: most of a dump's bytes are here.
            const re = this.state === State.Single ? SINGLE_STOP : this.state === State.Double ? DOUBLE_STOP : BACKTICK_STOP;
            re.lastIndex = i;
            const j = re.exec(buf)?.index ?? len;
            if (j < len && buf.charCodeAt(j) === NL) {
              this.line++;
              this.pos = j + 1;
            } else this.pos = j;
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
          if (this.start !== -1 && c < 128 && PLAIN[c] === 1 && c !== this.delimiter.charCodeAt(0)) {
            // Inside a statement, characters that start nothing (letters, digits, commas, parentheses) are passed in one regex step.
            const re = this.normalStop();
            re.lastIndex = i;
            this.pos = re.exec(buf)?.index ?? len;
            continue;
          }
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
        this.parts = [];
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
    if (next !== ';') this.delimiterChanged = true;
    this.pos = eol;
    return true;
  }
}
